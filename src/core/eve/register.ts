// POST register (eve-api-facts §3.2, §3.5): a ZRegisterMsg signed with an onboarding key, the onboarding cert in
// AuthContainer.senderCert as base64(PEM). The cert must come from this appliance's CA, be bound to this machine
// (core/eve/onboard-admission.ts) and be unused. A serial that is already registered with another device cert is
// a second claimant: accepted once after an operator reinstall mark (or the operator's choice of that cert),
// otherwise it raises a conflict that holds the node until the operator chooses.
import { X509Certificate } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import type { DeviceRecord } from '../../ports/store.js';
import type { Conflict } from '../boot/claims.js';
import { EvebootError } from '../errors.js';
import type { Controller, Reply } from './controller.js';
import { decodeOr400, openEnvelope, verifySignature } from './envelope.js';
import { hex, senderCertHash } from './hashes.js';
import { admitOnboardCert, type OnboardBinding, parseBinding } from './onboard-admission.js';
import { admit, deviceName, findExpected, machineKey } from './policy.js';
import { RegisterMsgSchema } from './register-schema.js';

const SERIAL_RE = /^[a-zA-Z0-9_-]*$/;

export function register(ctrl: Controller, body: Uint8Array): Reply {
  const { deps } = ctrl;
  const { container, payload } = openEnvelope(body);
  const onboard = onboardCert(container.senderCert, hex(container.senderCertHash));
  if (!verifySignature(payload, container.signatureHash, onboard.publicKey)) {
    throw new EvebootError('EVEBOOT_ERR_UNKNOWN_DEVICE', 'register signature does not verify with the onboarding cert');
  }
  const msg = decodeOr400('ZRegisterMsg', () => fromBinary(RegisterMsgSchema, payload));
  const { serial, softSerial } = msg;
  if (serial.length > 256 || softSerial.length > 256 || !SERIAL_RE.test(softSerial)) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      'serial or softSerial too long or softSerial has invalid characters',
    );
  }
  if (!serial && !softSerial)
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'register carries neither serial nor softSerial');
  const pem = decodeDeviceCert(msg.pemCert);
  const certHash = hex(senderCertHash(pem));
  const onboardHash = hex(container.senderCertHash);
  const { store, clock, emit } = deps;
  const key = machineKey(serial, softSerial);
  const now = clock.now();
  const existing = store.deviceBySerial(serial, softSerial);
  // EVE retries register until it gets an answer: the same device cert again is the same device.
  if (existing && existing.deviceCertHash === certHash) return { status: 200 };
  const binding = parseBinding(onboard.subjectAltName);
  const root = new X509Certificate(deps.rootCaPem);
  const admission = admitOnboardCert({
    chainOk:
      onboard.checkIssued(root) &&
      onboard.verify(root.publicKey) &&
      Date.parse(onboard.validFrom) <= now &&
      now <= Date.parse(onboard.validTo),
    binding,
    certHash: onboardHash,
    serial,
    currentForMac: binding?.mac ? deps.onboardGrant?.(binding.mac) : undefined,
    // Used by another device; the same device cert again is this device's own retry (possibly through another
    // station, racing its first attempt), answered 200 below.
    usedBy: store
      .devices()
      .find(
        (d) =>
          d.deviceCertHash !== certHash &&
          (d.onboardCertHash === onboardHash || d.history?.some((h) => h.onboardCertHash === onboardHash)),
      )?.uuid,
  });
  if (admission.kind === 'refuse') {
    if (store.deviceBySerial(serial, softSerial)?.deviceCertHash === certHash) return { status: 200 };
    emit({ type: 'eve.register.refused', node: key, data: { serial, softSerial, reason: admission.reason } });
    throw new EvebootError('EVEBOOT_ERR_UNKNOWN_DEVICE', admission.reason);
  }
  const decision = admit(deps.policy(), serial, softSerial, store.machine(key));
  if (decision.kind !== 'admit') {
    if (decision.kind === 'hold' && !store.machine(key)) {
      store.putMachine({ key, serial, softSerial, decision: 'pending', firstSeen: now, reason: decision.reason });
    }
    emit({ type: 'eve.register.refused', node: key, data: { serial, softSerial, reason: decision.reason } });
    throw new EvebootError('EVEBOOT_ERR_NOT_ALLOWED', decision.reason);
  }
  const out = store.tx((): Reply | { conflict: Conflict; uuid: string; fresh: boolean } => {
    const cur = store.deviceBySerial(serial, softSerial);
    // The same device may have registered through another station a moment ago (a retry that raced its
    // first attempt): same device cert, same device, not a second claimant.
    if (cur?.deviceCertHash === certHash) return { status: 200 };
    if (cur) return secondClaimant(ctrl, cur, { pem, certHash, onboardHash, binding, serial, softSerial, now });
    if (store.deviceByCertHash(certHash)) {
      throw new EvebootError('EVEBOOT_ERR_CONFLICT', 'this device cert is already registered under another serial');
    }
    const taken = new Set(store.devices().map((d) => d.name));
    const expected = findExpected(deps.policy(), serial, softSerial);
    const device: DeviceRecord = {
      uuid: deps.random.uuid(),
      serial,
      softSerial,
      deviceCertPem: pem,
      deviceCertHash: certHash,
      name: deviceName(expected?.name, serial, softSerial, taken),
      cluster: expected?.cluster ?? deps.defaultCluster(),
      onboardedAt: now,
      onboardCertHash: onboardHash,
      ...(binding?.mac ? { bootMac: binding.mac } : {}),
    };
    store.insertDevice(device);
    emit({
      type: 'eve.registered',
      node: device.uuid,
      data: { serial, softSerial, name: device.name, cluster: device.cluster, reason: decision.reason },
    });
    return { status: 201 };
  });
  if ('status' in out) return out;
  // Outside the transaction: the 409 below must not roll the conflict record back.
  if (out.fresh) {
    store.updateDevice(out.uuid, { hold: out.conflict });
    emit({ type: 'trust.conflict', node: out.uuid, data: { ...out.conflict } });
  }
  throw new EvebootError(
    'EVEBOOT_ERR_CONFLICT',
    `serial ${out.conflict.subject} is already registered with another device cert: the node is held until the operator resolves the conflict (or marks it for reinstall)`,
  );
}

interface Claim {
  pem: string;
  certHash: string;
  onboardHash: string;
  binding: OnboardBinding | undefined;
  serial: string;
  softSerial: string;
  now: number;
}

function secondClaimant(
  ctrl: Controller,
  cur: DeviceRecord,
  c: Claim,
): Reply | { conflict: Conflict; uuid: string; fresh: boolean } {
  const { store, emit } = ctrl.deps;
  if (cur.acceptCert === '*' || cur.acceptCert === c.certHash) {
    const why = cur.acceptCert === '*' ? 'reinstall marked by the operator' : 'chosen by the operator in a conflict';
    store.updateDevice(cur.uuid, {
      deviceCertPem: c.pem,
      deviceCertHash: c.certHash,
      onboardCertHash: c.onboardHash,
      bootMac: c.binding?.mac,
      onboardedAt: c.now,
      history: [
        ...(cur.history ?? []),
        {
          deviceCertHash: cur.deviceCertHash,
          onboardCertHash: cur.onboardCertHash,
          onboardedAt: cur.onboardedAt,
          replacedAt: c.now,
          why,
        },
      ],
      // A new device: its ECDH cert, attestation and sealed token all start over.
      ecdhCertPem: undefined,
      ecdhCertHash: undefined,
      attestCertPem: undefined,
      nonce: undefined,
      integrityToken: undefined,
      attestedAt: undefined,
      lastConfigHash: undefined,
      configServedAt: undefined,
      sealed: undefined,
      macVerified: undefined,
      hold: undefined,
      acceptCert: undefined,
    });
    emit({
      type: 'eve.reregistered',
      node: cur.uuid,
      data: { serial: c.serial, softSerial: c.softSerial, previousCert: cur.deviceCertHash, why },
    });
    return { status: 201 };
  }
  if (cur.refusedCerts?.includes(c.certHash)) {
    throw new EvebootError(
      'EVEBOOT_ERR_CONFLICT',
      `serial ${cur.serial || cur.softSerial}: this device cert was refused by the operator`,
    );
  }
  const conflict: Conflict = cur.hold ?? {
    kind: 'serial-cert',
    subject: machineKey(c.serial, c.softSerial),
    claimants: [
      { serial: c.serial, mac: cur.bootMac, certFingerprint: cur.deviceCertHash, firstSeen: cur.onboardedAt },
      { serial: c.serial, mac: c.binding?.mac, certFingerprint: c.certHash, firstSeen: c.now },
    ],
    raisedAt: c.now,
    reason: `serial ${machineKey(c.serial, c.softSerial)} registered again with another device cert`,
  };
  return { conflict, uuid: cur.uuid, fresh: !cur.hold };
}

function onboardCert(senderCert: Uint8Array, senderHash: string): X509Certificate {
  let cert: X509Certificate;
  try {
    const text = Buffer.from(senderCert).toString('latin1');
    cert = new X509Certificate(text.includes('-----BEGIN') ? text : Buffer.from(text, 'base64').toString('latin1'));
  } catch {
    throw new EvebootError('EVEBOOT_ERR_UNKNOWN_DEVICE', 'register carries no usable onboarding cert (senderCert)');
  }
  if (hex(senderCertHash(cert.toString())) !== senderHash) {
    throw new EvebootError('EVEBOOT_ERR_UNKNOWN_DEVICE', 'senderCertHash does not match the onboarding cert sent');
  }
  return cert;
}

/** ZRegisterMsg.pemCert is base64(PEM) (EVE) — accept raw PEM too; it must be a P-256 cert. */
export function decodeDeviceCert(field: Uint8Array): string {
  if (field.length < 100 || field.length > 10240) {
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `pemCert must be 100-10240 bytes, got ${field.length}`);
  }
  let text = Buffer.from(field).toString('latin1');
  if (!text.includes('-----BEGIN')) text = Buffer.from(text, 'base64').toString('latin1');
  try {
    const cert = new X509Certificate(text);
    const curve = cert.publicKey.asymmetricKeyDetails?.namedCurve;
    if (cert.publicKey.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
      throw new Error(`device key must be ECDSA P-256, got ${cert.publicKey.asymmetricKeyType} ${curve ?? ''}`);
    }
    return cert.toString();
  } catch (e) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      `pemCert is not a usable device certificate: ${(e as Error).message}`,
    );
  }
}
