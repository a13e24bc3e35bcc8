// GET /api/v1/devices/:uuid/escrow: the vault key a device escrowed with STORE_KEYS, for the operator who must
// recover that node's vault after its TPM-bound unlock fails (e.g. after firmware changed the PCRs). The key is
// wrapped by the device's own TPM (EVE's vaultmgr), so it is useless elsewhere; still, it is only returned here,
// on this explicit request, and every export is audited. No other view carries it.
import type { FastifyInstance } from 'fastify';
import { EvebootError } from '../../core/errors.js';
import { openEscrow } from '../../core/eve/escrow.js';
import type { Emit } from '../../ports/events.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type { DeviceStore } from '../../ports/store.js';

export interface EscrowRouteDeps {
  store: DeviceStore;
  secrets: SecretBox;
  emit: Emit;
}

export function registerEscrow(app: FastifyInstance, deps: EscrowRouteDeps): void {
  app.get<{ Params: { uuid: string } }>('/api/v1/devices/:uuid/escrow', async (req) => {
    const d = deps.store.deviceByUuid(req.params.uuid);
    if (!d) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no device ${req.params.uuid}`);
    if (!d.escrow) {
      throw new EvebootError(
        'EVEBOOT_ERR_NOT_FOUND',
        `device ${d.uuid} has escrowed no vault key (EVE escrows it after a successful quote, TPM devices only)`,
      );
    }
    deps.emit({ type: 'operator.escrow.export', node: d.uuid, data: { serial: d.serial } });
    return {
      uuid: d.uuid,
      serial: d.serial,
      softSerial: d.softSerial,
      name: d.name,
      escrowedAt: d.escrow.at,
      keys: openEscrow(d.escrow, deps.secrets),
    };
  });
}
