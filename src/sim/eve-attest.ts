// The ZAttestReq messages a TPM-equipped EVE node sends, built field by field as EVE's code builds them:
// - cert upload (zedagent handlecertconfig.go publishEdgeNodeCertsToController): every edge-node cert, each with
//   hashAlgo SHA256_16BYTES, certHash = SHA-256(PEM file bytes)[0:16], type and PEM; attributes never set;
// - quote (attesttask.go SendAttestQuote): attestData + DER signature from tpmmgr, pcr_values for PCR 0–23 of the
//   SHA-256 bank (tpmmgr getQuote), versions (encodeVersions), gzip of the firmware event log;
// - escrow (attesttask.go SendAttestEscrow): one VSK key and the integrity token of the last quote.
import { createCipheriv, createHash, X509Certificate } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { create, toBinary } from '@bufbuild/protobuf';
import { ecdhPublicPoint } from '../core/seal/ecdh-point.js';
import { deriveKey } from '../core/seal/seal.js';
import {
  AttestVersionType,
  AttestVolumeKeyDataSchema,
  AttestVolumeKeyType,
  TpmHashAlgo,
  type ZAttestReq,
  ZAttestReqSchema,
  ZAttestReqType,
} from '../gen/attest/attest_pb.js';
import { ZCertType } from '../gen/certs/certs_pb.js';
import { HashAlgorithm } from '../gen/evecommon/evecommon_pb.js';
import type { Tpm } from '../ports/tpm.js';
import type { DeviceIdentity } from './device-identity.js';
import { encodeEventLog, type MeasuredEvent, replayPcrs } from './tpm-eventlog.js';
import { encodeQuoteAttest, signQuote } from './tpm-quote.js';

export interface EveVersions {
  /** /run/eve-release, e.g. 17.3.0-k-amd64. */
  eve: string;
  /** Basename of /config/origin.* written at install, when present. */
  origin?: string;
  /** SMBIOS BIOS vendor, version and release date (hardware.GetDeviceBios); empty on many ARM boards. */
  bios?: { vendor: string; version: string; releaseDate: string };
}

const certHash16 = (pem: string) => createHash('sha256').update(pem).digest().subarray(0, 16);

export function certUploadRequest(id: DeviceIdentity): ZAttestReq {
  const zcert = (pem: string, type: ZCertType) => ({
    hashAlgo: HashAlgorithm.SHA256_16BYTES,
    certHash: certHash16(pem),
    type,
    cert: new Uint8Array(Buffer.from(pem)),
  });
  return create(ZAttestReqSchema, {
    reqType: ZAttestReqType.ATTEST_REQ_CERT,
    certs: [
      zcert(id.ecdhCertPem, ZCertType.CERT_TYPE_DEVICE_ECDH_EXCHANGE),
      zcert(id.attestCertPem, ZCertType.CERT_TYPE_DEVICE_RESTRICTED_SIGNING),
    ],
  });
}

/** combineBiosFields: the non-empty parts joined with '-'. */
export function firmwareVersion(bios: EveVersions['bios']): string {
  return [bios?.vendor, bios?.version, bios?.releaseDate]
    .map((s) => (s ?? '').trim())
    .filter((s) => s !== '')
    .join('-');
}

/** encodeVersions: EVE (1), then EVE origin (3) if the file exists, then firmware (2) if the BIOS reports any. */
export function encodeVersions(v: EveVersions) {
  const out = [{ versionType: AttestVersionType.EVE, version: v.eve.trim() }];
  if (v.origin) out.push({ versionType: AttestVersionType.EVE_ORIGIN, version: v.origin });
  const fw = firmwareVersion(v.bios);
  if (fw) out.push({ versionType: AttestVersionType.FIRMWARE, version: fw });
  return out;
}

/** TPM2B_NAME of the quote key: nameAlg SHA-256 ‖ digest; the simulator digests the key's SPKI. */
function keyName(id: DeviceIdentity): Uint8Array {
  const spki = new X509Certificate(id.attestCertPem).publicKey.export({ format: 'der', type: 'spki' });
  return new Uint8Array(Buffer.concat([Buffer.from([0x00, 0x0b]), createHash('sha256').update(spki).digest()]));
}

export interface QuoteRequestInput {
  id: DeviceIdentity;
  nonce: Uint8Array;
  versions: EveVersions;
  events: MeasuredEvent[];
  /** TPM clock (ms since TPM start); the TPM supplies it, the simulator passes a fixed one for fixtures. */
  clockMs?: bigint;
}

export function quoteRequest(q: QuoteRequestInput): ZAttestReq {
  const pcrs = replayPcrs(q.events);
  const attestData = encodeQuoteAttest({
    nonce: q.nonce,
    pcrs,
    signerName: keyName(q.id),
    clockMs: q.clockMs ?? 123_456n,
    resetCount: 0,
    restartCount: 0,
    firmwareVersion: 0x2000_0000_0000_0000n,
  });
  return create(ZAttestReqSchema, {
    reqType: ZAttestReqType.ATTEST_REQ_QUOTE,
    quote: {
      attestData,
      signature: signQuote(attestData, q.id.attestKey),
      pcrValues: pcrs.map((value, index) => ({ index, hashAlgo: TpmHashAlgo.SHA256, value })),
      versions: encodeVersions(q.versions),
      tpmBinaryEventLog: new Uint8Array(gzipSync(encodeEventLog(q.events))),
    },
  });
}

/**
 * The escrow blob as vaultmgr publishVaultKey makes it: AES-256-CFB (zero IV) of the vault key under
 * SHA-256(X‖Y) of ECDH_ZGen(ECDH key at 0x81000005, device cert public key) (evetpm EncryptDecryptUsingTpm),
 * wrapped in AttestVolumeKeyData with the SHA-256 of the clear key.
 */
export async function wrapVaultKey(tpm: Tpm, deviceCertPem: string, vaultKey: Uint8Array): Promise<Uint8Array> {
  const key = deriveKey(await tpm.ecdhZGen(ecdhPublicPoint(deviceCertPem)));
  const c = createCipheriv('aes-256-cfb', key, Buffer.alloc(16));
  const encryptedKey = new Uint8Array(Buffer.concat([c.update(vaultKey), c.final()]));
  const digestSha256 = new Uint8Array(createHash('sha256').update(vaultKey).digest());
  return toBinary(AttestVolumeKeyDataSchema, create(AttestVolumeKeyDataSchema, { encryptedKey, digestSha256 }));
}

export function escrowRequest(integrityToken: Uint8Array, wrappedKey: Uint8Array): ZAttestReq {
  return create(ZAttestReqSchema, {
    reqType: ZAttestReqType.Z_ATTEST_REQ_TYPE_STORE_KEYS,
    storageKeys: {
      integrityToken,
      keys: [{ keyType: AttestVolumeKeyType.VSK, key: wrappedKey }],
    },
  });
}
