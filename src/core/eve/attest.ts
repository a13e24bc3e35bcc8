// POST id/<uuid>/attest (eve-api-facts §3.6): cert upload (the TPM-held ECDH cert we seal the token to),
// nonce, and quote. A successful quote issues the integrity token that every ConfigRequest must carry.
import { X509Certificate } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ZAttestReqSchema,
  ZAttestReqType,
  ZAttestResponseCode,
  ZAttestResponseSchema,
  ZAttestRespType,
} from '../../gen/attest/attest_pb.js';
import { type ZCert, ZCertType } from '../../gen/certs/certs_pb.js';
import type { DeviceRecord } from '../../ports/store.js';
import { EvebootError } from '../errors.js';
import { chainsToVendor, judgeQuote } from './attest-policy.js';
import type { Controller, Reply } from './controller.js';
import { decodeOr400, sealEnvelope } from './envelope.js';
import { decideEscrow } from './escrow.js';
import { edgeNodeCertHash, hex } from './hashes.js';
import { integrityTokenDigest } from './integrity-token.js';

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
      const policy = ctrl.deps.attestPolicy?.() ?? { tpm: 'required', vendorCas: [] };
      const patch = acceptCerts(device, req.certs, policy.vendorCas, clock.now());
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
      const level = ctrl.deps.attestPolicy?.().tpm ?? 'required';
      const verdict = judgeQuote(level, device, req.quote);
      if (verdict.kind === 'refuse') {
        // One quote per nonce, pass or fail: EVE asks for a new nonce after any refusal (pkg/pillar/attest
        // handleNonceMismatchAtAttestWait), so nothing can be tried twice against the same one.
        store.updateDevice(device.uuid, { nonce: undefined });
        emit({
          type: 'eve.attest.failed',
          node: device.uuid,
          data: { code: ZAttestResponseCode[verdict.code], reason: verdict.reason, tpm: level },
        });
        return reply({ respType: ZAttestRespType.ATTEST_RESP_QUOTE_RESP, quoteResp: { response: verdict.code } });
      }
      const token = random.bytes(64);
      const now = clock.now();
      store.updateDevice(device.uuid, {
        integrityToken: integrityTokenDigest(token),
        nonce: undefined,
        attestedAt: now,
        ...(verdict.signed ? { quoteVerifiedAt: device.quoteVerifiedAt ?? now } : {}),
      });
      emit({
        type: 'eve.attested',
        node: device.uuid,
        data: { pcrs: req.quote?.pcrValues.length ?? 0, signed: verdict.signed, tpm: level },
      });
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
function acceptCerts(device: DeviceRecord, certs: ZCert[], vendorCas: string[], now: number): Partial<DeviceRecord> {
  const patch: Partial<DeviceRecord> = {};
  const deviceCert = new X509Certificate(device.deviceCertPem);
  for (const c of certs) {
    if (c.type === ZCertType.CERT_TYPE_DEVICE_ENDORSEMENT_RSA) {
      Object.assign(patch, checkEndorsement(c, vendorCas, now));
      continue;
    }
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
      if (device.attestCertPem && device.attestCertPem !== pem && device.quoteVerifiedAt !== undefined) {
        // A device that already proved a TPM key may not swap in another: that would launder a software key.
        throw new EvebootError(
          'EVEBOOT_ERR_CONFLICT',
          'this device already attested with another attestation cert; re-onboard it to change its TPM',
        );
      }
      patch.attestCertPem = pem;
    }
  }
  if (!patch.ecdhCertPem && !patch.attestCertPem && !patch.ekCertPem) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      'cert upload carries no ECDH (13), restricted-signing (11) or endorsement (12) cert',
    );
  }
  return patch;
}

/**
 * The endorsement cert (type 12). With no vendor CAs in the site it is kept unchecked. With vendor CAs it
 * must be issued by one of them; note that EVE's tpmmgr (createEkCertOnTpm) uploads an EK cert it signed
 * with its own device key, not the TPM maker's, so today such a site refuses every EVE node (see docs).
 */
function checkEndorsement(c: ZCert, vendorCas: string[], now: number): Partial<DeviceRecord> {
  const pem = Buffer.from(c.cert).toString('latin1');
  if (vendorCas.length > 0 && !chainsToVendor(pem, vendorCas, now)) {
    throw new EvebootError(
      'EVEBOOT_ERR_NOT_ALLOWED',
      'endorsement cert is not issued by any TPM vendor CA in onboarding.tpmVendorCa',
    );
  }
  return { ekCertPem: pem };
}
