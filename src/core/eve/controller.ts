// The appliance as the nodes' EVE controller (API v2). Each handler takes the raw request body and returns a
// reply; state lives behind the Store port, time and randomness come from ports. Nothing a device sends can
// change another device's state: every per-device call is authenticated by its device cert hash and must name
// the UUID that cert was given.
import { X509Certificate } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { UuidRequestSchema, UuidResponseSchema } from '../../gen/eveuuid/eveuuid_pb.js';
import type { Clock, Random } from '../../ports/clock.js';
import type { ControllerEvent } from '../../ports/events.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type { Atomic, DeviceRecord, DeviceStore, MachineStore, ReportStore } from '../../ports/store.js';
import { EvebootError } from '../errors.js';
import type { AttestPolicy } from './attest-policy.js';
import { decodeOr400, openEnvelope, type Signer, sealEnvelope, verifySignature } from './envelope.js';
import { hex } from './hashes.js';
import type { OnboardingPolicy } from './policy.js';

/** The parts of the store the controller reads and writes: devices, onboarding decisions, reports. */
export type ControllerStore = DeviceStore & MachineStore & ReportStore & Atomic;

export interface ControllerDeps {
  store: ControllerStore;
  clock: Clock;
  random: Random;
  /** Seals what devices escrow (vault keys) before it reaches the store. */
  secrets: SecretBox;
  /** Controller signing key; senderCertHash = SHA-256 of the signing PEM as served in /certs. */
  signer: Signer;
  /** Serialised ZControllerCert as served by /certs. */
  controllerCerts: Uint8Array;
  /** The appliance root CA: every onboarding cert must be issued by it (per machine or per medium). */
  rootCaPem: string;
  /** Onboarding cert hash of the latest install decision for a boot MAC (network boot), if any. */
  onboardGrant?: (mac: string) => string | undefined;
  policy: () => OnboardingPolicy;
  /** onboarding.tpm and the TPM vendor CAs (default: required, none). */
  attestPolicy?: () => AttestPolicy;
  /** Cluster for an operator-approved device the site does not list: the only cluster, or '' (assign later). */
  defaultCluster: () => string;
  emit: (e: ControllerEvent) => void;
}

export interface Reply {
  status: number;
  body?: Uint8Array;
}

export class Controller {
  constructor(readonly deps: ControllerDeps) {}

  certs(): Reply {
    return { status: 200, body: sealEnvelope(this.deps.controllerCerts, this.deps.signer) };
  }

  /** POST uuid: device-signed empty UuidRequest; answers the UUID for that device cert. */
  uuid(body: Uint8Array): Reply {
    const { device, payload } = this.authenticate(body);
    decodeOr400('UuidRequest', () => fromBinary(UuidRequestSchema, payload));
    this.deps.emit({ type: 'eve.uuid', node: device.uuid, data: { serial: device.serial } });
    const reply = toBinary(UuidResponseSchema, create(UuidResponseSchema, { uuid: device.uuid }));
    return { status: 200, body: sealEnvelope(reply, this.deps.signer) };
  }

  /**
   * An accepted config, info or metrics request proves the device is up and polling: a seed that still talks to
   * us is alive and initialising (eve-conformance §3), so the seed rule counts silence from here. Only accepted
   * requests count (bad input changes no state). Written at most once a second per device.
   */
  noteContact(device: DeviceRecord): void {
    const now = this.deps.clock.now();
    if (device.lastContactAt !== undefined && now - device.lastContactAt < CONTACT_RESOLUTION_MS) return;
    this.deps.store.updateDevice(device.uuid, { lastContactAt: now });
    device.lastContactAt = now;
  }

  /**
   * Verifies the envelope against a registered device cert. 401 for an unknown cert or a bad signature;
   * when the URL names a UUID, it must be that device's.
   */
  authenticate(body: Uint8Array, uuid?: string): { device: DeviceRecord; payload: Uint8Array } {
    const { container, payload } = openEnvelope(body);
    const device = this.deps.store.deviceByCertHash(hex(container.senderCertHash));
    if (!device)
      throw new EvebootError('EVEBOOT_ERR_UNKNOWN_DEVICE', 'unknown device cert: the device must register first');
    if (uuid !== undefined && device.uuid !== uuid) {
      throw new EvebootError('EVEBOOT_ERR_UNKNOWN_DEVICE', 'the device cert does not belong to the UUID in the URL');
    }
    const key = new X509Certificate(device.deviceCertPem).publicKey;
    if (!verifySignature(payload, container.signatureHash, key)) {
      throw new EvebootError('EVEBOOT_ERR_UNKNOWN_DEVICE', 'signature does not verify with the registered device cert');
    }
    return { device, payload };
  }
}

const CONTACT_RESOLUTION_MS = 1000;
