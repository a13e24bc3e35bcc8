// The installer's "installed" callback, plus the operator-side helpers the operator API wires (reinstall mark).
// /boot/installed is unauthenticated like the rest of the boot API (it is what a PXE-booted installer can reach);
// it can only move a machine towards "boot local disk", the safe direction.
import type { FastifyInstance } from 'fastify';
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
  const installed = (ip: string, query: Record<string, string | undefined>) => {
    // The test stand-in knows its MAC from the cmdline; a real installer may only have its IP.
    const mac = normalizeMac(query.mac) ?? deps.ipMacs.mac(plainIp(ip));
    if (!mac) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'installed: pass mac=<boot NIC MAC>');
    const m = deps.bootStore.machine(mac);
    if (!m)
      throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `installed: machine ${mac} never reported; nothing recorded`);
    deps.bootStore.put(recordInstalled(m, 'installer', deps.clock.now()));
    const data: Record<string, unknown> = { mac, image: m.lastImage ?? null };
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
