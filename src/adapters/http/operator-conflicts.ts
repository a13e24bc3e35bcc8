// Second-claimant conflicts, for the operator: list them, and choose. Token-authenticated like the rest of the
// operator API; every choice is audited (the event log, the record log, and the device's report line).
//   GET  /api/v1/conflicts                               open conflicts on devices and on boot MACs
//   POST /api/v1/devices/:uuid/conflict {keep}           keep: "current" or the claimant's device cert fingerprint
//   POST /api/v1/boot/:mac/conflict {ip}                 the IP that is the real machine (the MAC is pinned to it)
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Conflict } from '../../core/boot/claims.js';
import { EvebootError } from '../../core/errors.js';
import type { Emit } from '../../ports/events.js';
import type { DeviceStore } from '../../ports/store.js';
import { parseBody } from './operator-actions.js';

export interface ConflictDeps {
  store: DeviceStore;
  emit: Emit;
  /** Appends an audit line to the durable record log. */
  audit: (entry: Record<string, unknown>) => void;
  /** Boot-side conflicts (network boot running), and resolving one. */
  boot?: {
    conflicts: () => { mac: string; conflict: Conflict }[];
    resolve: (mac: string, ip: string) => Conflict;
  };
}

const deviceChoice = z.object({ keep: z.string().min(1).max(128) }).strict();
const bootChoice = z.object({ ip: z.string().ip() }).strict();

export function registerConflicts(app: FastifyInstance, deps: ConflictDeps): void {
  const { store } = deps;
  app.get('/api/v1/conflicts', async () => [
    ...store
      .devices()
      .filter((d) => d.hold)
      .map((d) => ({ on: 'device', uuid: d.uuid, ...d.hold })),
    ...(deps.boot?.conflicts() ?? []).map((c) => ({ on: 'boot', mac: c.mac, ...c.conflict })),
  ]);

  app.post<{ Params: { uuid: string } }>('/api/v1/devices/:uuid/conflict', async (req) => {
    const { keep } = parseBody(deviceChoice, req.body);
    const d = store.deviceByUuid(req.params.uuid);
    if (!d) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no device ${req.params.uuid}`);
    if (!d.hold) throw new EvebootError('EVEBOOT_ERR_CONFLICT', `device ${d.uuid} has no open conflict`);
    const claimant = d.hold.claimants[1];
    let outcome: string;
    if (keep === 'current') {
      // The incumbent stays; a MAC mismatch is accepted as the operator's word; the claimant's cert stays refused.
      store.updateDevice(d.uuid, {
        hold: undefined,
        ...(d.hold.kind === 'info-mac' ? { macVerified: true } : {}),
        refusedCerts: [...(d.refusedCerts ?? []), ...(claimant.certFingerprint ? [claimant.certFingerprint] : [])],
      });
      outcome = 'kept the current device';
    } else if (d.hold.kind === 'serial-cert' && keep === claimant.certFingerprint) {
      // The claimant's next register (EVE retries after 409) replaces the incumbent, which goes to the history.
      store.updateDevice(d.uuid, { hold: undefined, acceptCert: keep });
      outcome = `accepts the claimant's device cert ${keep}`;
    } else {
      throw new EvebootError(
        'EVEBOOT_ERR_BAD_REQUEST',
        `keep must be "current" or the claimant's fingerprint ${claimant.certFingerprint ?? '(none)'}`,
      );
    }
    const data = { conflict: d.hold, keep, outcome };
    deps.emit({ type: 'operator.resolve', node: d.uuid, data });
    deps.audit({ action: 'resolve-conflict', on: 'device', uuid: d.uuid, serial: d.serial, ...data });
    return { uuid: d.uuid, outcome };
  });

  app.post<{ Params: { mac: string } }>('/api/v1/boot/:mac/conflict', async (req) => {
    const { ip } = parseBody(bootChoice, req.body);
    if (!deps.boot) throw new EvebootError('EVEBOOT_ERR_CONFLICT', 'network boot is not running on this appliance');
    const conflict = deps.boot.resolve(req.params.mac, ip);
    const data = { conflict, keep: ip, outcome: `MAC ${conflict.subject} pinned to ${ip}` };
    deps.emit({ type: 'operator.resolve', data: { mac: conflict.subject, ...data } });
    deps.audit({ action: 'resolve-conflict', on: 'boot', mac: conflict.subject, ...data });
    return { mac: conflict.subject, outcome: data.outcome };
  });
}
