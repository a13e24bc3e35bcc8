// Write-once rules the PostgreSQL store checks under a row lock, so that two appliance processes on one database
// never give a node two tokens, two plans or two sealed blocks. A write that would break one comes from a
// process that read the row before the other process wrote it: it fails with EVEBOOT_ERR_CONFLICT, and the
// request that caused it, retried, reads the winner's row.
import { EvebootError } from '../core/errors.js';
import type { ClusterRecord, DeviceRecord } from '../ports/store.js';

const retry = 'another eveboot process on this database wrote it first; the retried request uses theirs';

export function checkClusterWrite(cur: ClusterRecord, next: ClusterRecord, inTx: boolean): void {
  const no = (what: string) => {
    throw new EvebootError('EVEBOOT_ERR_CONFLICT', `cluster ${cur.name}: ${what}: ${retry}`);
  };
  if (cur.id !== next.id || cur.tokenCiphertext !== next.tokenCiphertext) no('its id and join token are already set');
  if (cur.plan && next.plan && cur.plan !== next.plan) no('it already has a different plan');
  if (cur.configsOut && (!next.configsOut || next.plan !== cur.plan)) no('configs went out with its current plan');
  // Only an atomic section (the operator's override) clears a plan; a plain write that does is a stale copy.
  if (cur.plan && !next.plan && !inTx) no('its plan was made meanwhile');
}

export function checkDeviceWrite(cur: DeviceRecord, next: DeviceRecord): void {
  const a = cur.sealed;
  const b = next.sealed;
  if (a && b && a.ecdhCertHash === b.ecdhCertHash && (a.block !== b.block || a.context !== b.context)) {
    throw new EvebootError('EVEBOOT_ERR_CONFLICT', `device ${cur.uuid}: the join token is already sealed: ${retry}`);
  }
}
