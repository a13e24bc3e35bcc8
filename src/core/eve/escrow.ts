// Vault key escrow (Z_ATTEST_REQ_TYPE_STORE_KEYS = 4). After every successful quote on a TPM device, EVE's
// zedagent (pkg/pillar/cmd/zedagent/attesttask.go, SendAttestEscrow) sends its vault key, wrapped by its own
// TPM (vaultmgr: an AttestVolumeKeyData only that TPM can open), with the integrity token of that quote. It
// accepts only respType Z_ATTEST_RESP_TYPE_STORE_KEYS with SUCCESS or ITOKEN_MISMATCH; anything else is retried
// every 15 s and attestation never completes. We keep the blob sealed under the state key, as the controller of
// record does, so an operator can hand it back when a TPM-bound unlock fails; it is never logged.
import type { AttestStorageKeys } from '../../gen/attest/attest_pb.js';
import { AttestStorageKeysResponseCode, AttestVolumeKeyType } from '../../gen/attest/attest_pb.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type { DeviceRecord, EscrowRecord } from '../../ports/store.js';
import { EvebootError } from '../errors.js';
import { integrityTokenMatches } from './integrity-token.js';

/** EVE sends one VSK; a few more leave room without letting a device fill the store. */
const MAX_KEYS = 8;
const MAX_KEY_BYTES = 16 * 1024;

export interface EscrowedKey {
  keyType: string;
  /** base64 of the key blob exactly as the device sent it. */
  key: string;
}

export type EscrowDecision =
  | { kind: 'store'; record: EscrowRecord; response: AttestStorageKeysResponseCode.SUCCESS }
  | { kind: 'refuse'; response: AttestStorageKeysResponseCode.ITOKEN_MISMATCH; reason: string };

/** Decides on one STORE_KEYS request. Bad input is a coded error; a stale token is an answer, not an error. */
export function decideEscrow(
  device: DeviceRecord,
  req: AttestStorageKeys | undefined,
  secrets: SecretBox,
  now: number,
): EscrowDecision {
  const keys = req?.keys ?? [];
  if (keys.length === 0 || keys.length > MAX_KEYS) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      `STORE_KEYS must carry 1 to ${MAX_KEYS} keys, got ${keys.length}`,
    );
  }
  for (const k of keys) {
    if (k.key.length === 0 || k.key.length > MAX_KEY_BYTES) {
      throw new EvebootError(
        'EVEBOOT_ERR_BAD_REQUEST',
        `STORE_KEYS key must be 1 to ${MAX_KEY_BYTES} bytes, got ${k.key.length}`,
      );
    }
  }
  // EVE attaches the token of its last successful quote (readIntegrityToken); it loses it on reboot.
  const token = req?.integrityToken ?? new Uint8Array();
  if (!integrityTokenMatches(device.integrityToken, token)) {
    return {
      kind: 'refuse',
      response: AttestStorageKeysResponseCode.ITOKEN_MISMATCH,
      reason: 'integrity token is not the one issued at the last successful quote',
    };
  }
  const plain: EscrowedKey[] = keys.map((k) => ({
    keyType: AttestVolumeKeyType[k.keyType] ?? String(k.keyType),
    key: Buffer.from(k.key).toString('base64'),
  }));
  return {
    kind: 'store',
    response: AttestStorageKeysResponseCode.SUCCESS,
    record: {
      at: now,
      keys: keys.map((k) => ({ keyType: k.keyType, bytes: k.key.length })),
      ciphertext: secrets.seal(JSON.stringify(plain)),
    },
  };
}

/** The escrowed keys in the clear, for an operator's explicit export only. */
export function openEscrow(record: EscrowRecord, secrets: SecretBox): EscrowedKey[] {
  return JSON.parse(secrets.open(record.ciphertext)) as EscrowedKey[];
}
