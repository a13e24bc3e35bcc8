// The installer's "installed" callback, plus the operator-side helpers the operator API wires (reinstall mark).
// /boot/installed counts only from the IP that got the install decision, with that decision's nonce (it came in
// the kernel cmdline): anyone else could otherwise mark a machine installed that never was, and it would never
// install. A refused callback from another IP is flagged.
import type { FastifyInstance } from 'fastify';
import type { Conflict } from '../../core/boot/claims.js';
import { redeemGrant } from '../../core/boot/grant.js';
import { markReinstall, normalizeMac, recordInstalled, softSerialOf } from '../../core/boot/identity.js';
import { EvebootError } from '../../core/errors.js';
import type { BootMachine, BootStore } from '../../ports/boot-store.js';
import type { Clock } from '../../ports/clock.js';
import { type Emit, type IpMacTable, plainIp } from './boot-progress.js';

interface Deps {
  bootStore: BootStore;
  ipMacs: IpMacTable;
  emit: Emit;
  clock: Clock;
}

export function machineRoutes(app: FastifyInstance, deps: Deps): void {
  const installed = (rawIp: string, query: Record<string, string | undefined>) => {
    const ip = plainIp(rawIp);
    // The test stand-in knows its MAC from the cmdline; a real installer may only have its IP.
    const mac = normalizeMac(query.mac) ?? deps.ipMacs.mac(ip);
    if (!mac) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'installed: pass mac=<boot NIC MAC>');
    const m = deps.bootStore.machine(mac);
    if (!m)
      throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `installed: machine ${mac} never reported; nothing recorded`);
    const now = deps.clock.now();
    const r = redeemGrant(m.grant, { nonce: query.nonce, ip, now, use: 'callback' });
    if (r.kind === 'refuse') {
      deps.emit({ type: 'boot.callback-refused', data: { mac, ip, callback: 'installed', reason: r.reason } });
      if (r.suspicious) deps.emit({ type: 'trust.suspicious', data: { mac, ip, reason: r.reason } });
      throw new EvebootError('EVEBOOT_ERR_NOT_ALLOWED', `installed refused: ${r.reason}`);
    }
    deps.bootStore.put({ ...recordInstalled(m, 'installer', now), grant: { ...r.grant, closedAt: now } });
    const data: { mac: string; image: string | null; serial?: string; server?: string; status?: string } = {
      mac,
      image: m.lastImage ?? null,
    };
    for (const k of ['serial', 'server', 'status'] as const) if (query[k]) data[k] = String(query[k]).slice(0, 256);
    deps.emit({ type: 'boot.installed', data });
    return 'ok\n';
  };
  app.get<{ Querystring: Record<string, string | undefined> }>('/boot/installed', (req, reply) =>
    reply.header('content-type', 'text/plain').send(installed(req.ip, req.query)),
  );
  app.post<{ Querystring: Record<string, string | undefined> }>('/boot/installed', (req, reply) =>
    reply.header('content-type', 'text/plain').send(installed(req.ip, req.query)),
  );
}

/** Operator: mark (or unmark) a machine for reinstall on its next PXE boot. */
export function setReinstall(store: BootStore, emit: Emit, mac: string, on: boolean): BootMachine {
  const key = normalizeMac(mac);
  const m = key ? store.machine(key) : undefined;
  if (!key || !m) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no machine ${mac} has PXE-booted here`);
  const next = markReinstall(m, on);
  store.put(next);
  emit({ type: 'boot.reinstall', data: { mac: key, reinstall: on } });
  return next;
}

/** Onboarding counts as installed: a controller device whose serial is this machine's SMBIOS serial, or whose
 *  soft serial is the one its install passed (eve_soft_serial=<boot NIC MAC, hexhyp>). */
export function onboardedBySerial(
  devices: () => { serial: string; softSerial?: string }[],
): (m: BootMachine) => string | undefined {
  return (m) => {
    const s = m.identity.serial;
    const soft = softSerialOf(m.mac);
    const d = devices().find((d) => (s && d.serial === s) || (!d.serial && d.softSerial === soft));
    return d ? d.serial || d.softSerial : undefined;
  };
}

/** Operator: the real machine behind a conflicted MAC is the one at `ip`; pin the MAC to it and start over. */
export function resolveBootConflict(store: BootStore, mac: string, ip: string): Conflict {
  const key = normalizeMac(mac);
  const m = key ? store.machine(key) : undefined;
  if (!key || !m) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no machine ${mac} has PXE-booted here`);
  if (!m.conflict) throw new EvebootError('EVEBOOT_ERR_CONFLICT', `machine ${key} has no open conflict`);
  const next: BootMachine = { ...m, pinnedIp: ip };
  delete next.conflict;
  store.put(next);
  return m.conflict;
}
