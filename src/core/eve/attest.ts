// POST id/<uuid>/attest (eve-api-facts §3.6): cert upload (the TPM-held ECDH cert we seal the token to),
// nonce, and quote. A successful quote issues the integrity token that every ConfigRequest must carry.
import { X509Certificate } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  type ZAttestQuote,
  ZAttestReqSchema,
  ZAttestReqType,
  ZAttestResponseCode,
  ZAttestResponseSchema,
  ZAttestRespType,
} from '../../gen/attest/attest_pb.js';
import { type ZCert, ZCertType } from '../../gen/certs/certs_pb.js';
import type { DeviceRecord } from '../../ports/store.js';
import { EvebootError } from '../errors.js';
import type { Controller, Reply } from './controller.js';
import { decodeOr400, sealEnvelope, verifySignature } from './envelope.js';
import { decideEscrow } from './escrow.js';
import { edgeNodeCertHash, hex } from './hashes.js';

export function attest(ctrl: Controller, uuid: string, body: Uint8Array): Reply {
  const { device, payload } = ctrl.authenticate(body, uuid);
  const req = decodeOr400('ZAttestReq', () => fromBinary(ZAttestReqSchema, payload));
  const { store, random, clock, emit, signer } = ctrl.deps;
  const reply = (r: Parameters<typeof create<typeof ZAttestResponseSchema>>[1]): Reply => ({
    status: 201,
    body: sealEnvelope(toBinary(ZAttestResponseSchema, create(ZAttestResponseSchema, r)), signer),
  });
  switch (req.reqType) {
    case ZAttestReqType.ATTEST_REQ_CERT: {
      const patch = acceptCerts(device, req.certs);
      store.tx(() => {
        store.updateDevice(device.uuid, patch);
        emit({ type: 'eve.attest.certs', node: device.uuid, data: { ecdhCertHash: patch.ecdhCertHash } });
      });
      return reply({ respType: ZAttestRespType.ATTEST_RESP_CERT });
    }
    case ZAttestReqType.ATTEST_REQ_NONCE: {
      const nonce = random.bytes(32);
      store.updateDevice(device.uuid, { nonce: hex(nonce) });
      return reply({ respType: ZAttestRespType.ATTEST_RESP_NONCE, nonce: { nonce } });
    }
    case ZAttestReqType.ATTEST_REQ_QUOTE: {
      const code = checkQuote(device, req.quote);
      if (code !== ZAttestResponseCode.SUCCESS) {
        emit({ type: 'eve.attest.failed', node: device.uuid, data: { code: ZAttestResponseCode[code] } });
        return reply({ respType: ZAttestRespType.ATTEST_RESP_QUOTE_RESP, quoteResp: { response: code } });
      }
      const token = random.bytes(64);
      store.updateDevice(device.uuid, { integrityToken: hex(token), nonce: undefined, attestedAt: clock.now() });
      emit({ type: 'eve.attested', node: device.uuid, data: { pcrs: req.quote?.pcrValues.length ?? 0 } });
      return reply({
        respType: ZAttestRespType.ATTEST_RESP_QUOTE_RESP,
        quoteResp: { response: ZAttestResponseCode.SUCCESS, integrityToken: token },
      });
    }
    case ZAttestReqType.Z_ATTEST_REQ_TYPE_STORE_KEYS: {
      const d = decideEscrow(device, req.storageKeys, ctrl.deps.secrets, clock.now());
      if (d.kind === 'store') {
        store.tx(() => {
          store.updateDevice(device.uuid, { escrow: d.record });
          emit({ type: 'eve.attest.escrow', node: device.uuid, data: { keys: d.record.keys } });
        });
      } else {
        emit({ type: 'eve.attest.escrow.refused', node: device.uuid, data: { reason: d.reason } });
      }
      return reply({
        respType: ZAttestRespType.Z_ATTEST_RESP_TYPE_STORE_KEYS,
        storageKeysResp: { response: d.response },
      });
    }
    default:
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `attest request type ${req.reqType} is not supported`);
  }
}

/**
 * Keeps the ECDH cert (type 13) and the restricted-signing (quote) cert (type 11). The ECDH cert must be a
 * P-256 cert issued by the device cert (tpmmgr signs it with the device key, eve-api-facts §2.5), and its
 * certHash must be the 16-byte SHA-256 of the PEM bytes, or EVE's own lookup of the cipher context fails.
 */
function acceptCerts(device: DeviceRecord, certs: ZCert[]): Partial<DeviceRecord> {
  const patch: Partial<DeviceRecord> = {};
  const deviceCert = new X509Certificate(device.deviceCertPem);
  for (const c of certs) {
    if (c.type !== ZCertType.CERT_TYPE_DEVICE_ECDH_EXCHANGE && c.type !== ZCertType.CERT_TYPE_DEVICE_RESTRICTED_SIGNING)
      continue;
    const pem = Buffer.from(c.cert).toString('latin1');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (e) {
      throw new EvebootError(
        'EVEBOOT_ERR_BAD_REQUEST',
        `cert of type ${c.type} does not parse: ${(e as Error).message}`,
      );
    }
    if (!cert.verify(deviceCert.publicKey)) {
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `cert of type ${c.type} is not signed by the device cert`);
    }
    if (c.type === ZCertType.CERT_TYPE_DEVICE_ECDH_EXCHANGE) {
      if (cert.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'ECDH cert must carry a P-256 key');
      }
      const want = hex(edgeNodeCertHash(c.cert));
      if (c.certHash.length !== 16 || hex(c.certHash) !== want) {
        throw new EvebootError(
          'EVEBOOT_ERR_BAD_REQUEST',
          'ECDH certHash must be the first 16 bytes of SHA-256 over the PEM',
        );
      }
      patch.ecdhCertPem = pem;
      patch.ecdhCertHash = want;
    } else {
      patch.attestCertPem = pem;
    }
  }
  if (!patch.ecdhCertPem && !patch.attestCertPem) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      'cert upload carries no ECDH (13) or restricted-signing (11) cert',
    );
  }
  return patch;
}

/**
 * With a quote cert on file and TPMS_ATTEST present, the nonce must be its extraData and the DER signature
 * must verify; a device without a TPM sends no attestData, which succeeds as with adam.
 */
function checkQuote(device: DeviceRecord, quote: ZAttestQuote | undefined): ZAttestResponseCode {
  if (!device.nonce) return ZAttestResponseCode.NONCE_MISMATCH;
  if (!quote || quote.attestData.length === 0) return ZAttestResponseCode.SUCCESS;
  const extra = tpmsAttestExtraData(quote.attestData);
  if (!extra || hex(extra) !== device.nonce) return ZAttestResponseCode.NONCE_MISMATCH;
  if (!device.attestCertPem) return ZAttestResponseCode.NO_CERT_FOUND;
  const key = new X509Certificate(device.attestCertPem).publicKey;
  return verifySignature(quote.attestData, quote.signature, key)
    ? ZAttestResponseCode.SUCCESS
    : ZAttestResponseCode.QUOTE_FAILED;
}

/** TPMS_ATTEST: magic(4) type(2) qualifiedSigner(TPM2B) extraData(TPM2B) … (TPM 2.0 Part 2 §10.12.12). */
export function tpmsAttestExtraData(a: Uint8Array): Uint8Array | undefined {
  const b = Buffer.from(a);
  if (b.length < 10 || b.readUInt32BE(0) !== 0xff544347) return undefined;
  const signerLen = b.readUInt16BE(6);
  const off = 8 + signerLen;
  if (off + 2 > b.length) return undefined;
  const len = b.readUInt16BE(off);
  if (off + 2 + len > b.length) return undefined;
  return new Uint8Array(b.subarray(off + 2, off + 2 + len));
}
