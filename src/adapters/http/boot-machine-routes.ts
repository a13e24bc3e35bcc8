// The installer's "installed" callback, plus the operator-side helpers the operator API wires (reinstall mark).
// /boot/installed counts only from the IP that got the install decision, with that decision's nonce (it came in
// the kernel cmdline): anyone else could otherwise mark a machine installed that never was, and it would never
// install. A refused callback from another IP is flagged.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { answerInstalled } from '../../core/boot/callbacks.js';
import type { Conflict } from '../../core/boot/claims.js';
import { isDeviceOf, markReinstall, normalizeMac } from '../../core/boot/identity.js';
import { EvebootError } from '../../core/errors.js';
import type { BootMachine, BootStore } from '../../ports/boot-store.js';
import type { BootContext } from './boot-context.js';
import { type Emit, plainIp } from './boot-progress.js';

type Query = Record<string, string | undefined>;

export function machineRoutes(app: FastifyInstance, ctx: BootContext): void {
  app.get<{ Querystring: Query }>('/boot/installed', (req, reply) => plain(reply, installed(ctx, req.ip, req.query)));
  app.post<{ Querystring: Query }>('/boot/installed', (req, reply) => plain(reply, installed(ctx, req.ip, req.query)));
}

const plain = (reply: FastifyReply, body: string) => reply.header('content-type', 'text/plain').send(body);

function installed(ctx: BootContext, rawIp: string, query: Query): string {
  const ip = plainIp(rawIp);
  // The test stand-in knows its MAC from the cmdline; a real installer may only have its IP.
  const mac = normalizeMac(query.mac) ?? ctx.ipMacs.mac(ip);
  if (!mac) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'installed: pass mac=<boot NIC MAC>');
  ctx.apply(answerInstalled(ctx.bootStore.machine(mac), mac, ip, query, ctx.clock.now()));
  return 'ok\n';
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

/** Operator, by controller device: mark the machine it PXE-booted as for reinstall. A device that never PXE-booted
 *  here (installed from USB, or by another appliance) has no boot record to mark: that is a 404, not a crash. */
export function reinstallDevice(
  store: BootStore,
  emit: Emit,
  uuid: string,
  device: { serial: string; softSerial?: string } | undefined,
): BootMachine {
  const m = device ? store.machines().find((x) => isDeviceOf(device, x)) : undefined;
  if (!m) {
    const who = device ? device.serial || device.softSerial || uuid : uuid;
    throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `${who} has not PXE-booted here: nothing to mark for reinstall`);
  }
  return setReinstall(store, emit, m.mac, true);
}

/** Onboarding counts as installed: a controller device whose serial is this machine's SMBIOS serial, or whose
 *  soft serial is the one its install passed (eve_soft_serial=<boot NIC MAC, hexhyp>). */
export function onboardedBySerial(
  devices: () => { serial: string; softSerial?: string }[],
): (m: BootMachine) => string | undefined {
  return (m) => {
    const d = devices().find((d) => isDeviceOf(d, m));
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
