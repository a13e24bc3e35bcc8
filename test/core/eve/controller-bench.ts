// A Controller on fakes (memory store, stepped clock, counting randomness, tagging secret box) with the real
// appliance PKI, and simulated devices that build their requests the way EVE does (src/sim). Requests go to the
// core handlers directly: no HTTP, no sockets.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { keySigner } from '../../../src/adapters/key-signer.js';
import { type OnboardCredential, onboardIssuer } from '../../../src/adapters/onboard-issuer.js';
import { loadOrCreatePki, type Pki } from '../../../src/adapters/pki.js';
import { createSoftTpm } from '../../../src/adapters/soft-tpm.js';
import { controllerCerts } from '../../../src/core/eve/certs.js';
import { Controller, type ControllerDeps, type Reply } from '../../../src/core/eve/controller.js';
import { openEnvelope } from '../../../src/core/eve/envelope.js';
import { controllerSenderHash } from '../../../src/core/eve/hashes.js';
import type { OnboardingMode } from '../../../src/core/eve/policy.js';
import { ZRegisterMsgSchema } from '../../../src/gen/register/register_pb.js';
import type { ControllerEvent } from '../../../src/ports/events.js';
import type { Store } from '../../../src/ports/store.js';
import { createDeviceIdentity, type DeviceIdentity } from '../../../src/sim/device-identity.js';
import { SimDevice } from '../../../src/sim/eve-device.js';
import { countingRandom, type SteppedClock, steppedClock, taggingSecretBox } from '../../support/core-fakes.js';
import { memoryStore } from '../../support/memory-store.js';

/** SN-A and SN-B are listed (cluster line-1); anything else is not. */
export const LISTED = [
  { serial: 'SN-A', name: 'node-a', cluster: 'line-1' },
  { serial: 'SN-B', name: 'node-b', cluster: 'line-1' },
];

export interface Bench {
  controller: Controller;
  store: Store;
  clock: SteppedClock;
  events: ControllerEvent[];
}

export function bench(pki: Pki, mode: OnboardingMode = 'allowlist', over: Partial<ControllerDeps> = {}): Bench {
  const store = memoryStore();
  const clock = steppedClock(Date.now());
  const events: ControllerEvent[] = [];
  const controller = new Controller({
    store,
    clock,
    random: countingRandom(),
    secrets: taggingSecretBox,
    signer: keySigner(pki.signing.key, controllerSenderHash(pki.signing.certPem)),
    controllerCerts: controllerCerts(pki.signing.certPem, pki.ecdh.certPem),
    rootCaPem: pki.root.certPem,
    policy: () => ({ mode, nodes: LISTED }),
    defaultCluster: () => 'line-1',
    emit: (e) => events.push(e),
    ...over,
  });
  return { controller, store, clock, events };
}

/** The appliance PKI in a temporary directory, made once per test file (five certs). */
export function testPki(): Promise<Pki> {
  return loadOrCreatePki(join(mkdtempSync(join(tmpdir(), 'eveboot-pki-')), 'pki'), { site: 'test', sans: [] });
}

/** A simulated EVE device: its identity (soft TPM) and an onboarding credential of its own medium. */
export interface TestDevice {
  serial: string;
  softSerial: string;
  id: DeviceIdentity;
  onboard: OnboardCredential;
  sim: SimDevice;
}

export async function testDevice(pki: Pki, serial: string, medium = `medium-${serial}`): Promise<TestDevice> {
  const tpm = createSoftTpm();
  const id = await createDeviceIdentity(tpm);
  const onboard = await onboardIssuer(pki.root)({ kind: 'medium', medium });
  // The simulator's envelope code, never its HTTP client: server is never dialled.
  const sim = new SimDevice({ server: 'unused:0', rootCaPem: pki.root.certPem, serial, softSerial: '', tpm });
  return { serial, softSerial: '', id, onboard, sim };
}

/** ZRegisterMsg signed with the onboarding key, the onboarding cert in senderCert (eve-api-facts §3.2). */
export function registerBody(d: TestDevice, cred: { certPem: string; keyPem: string } = d.onboard): Uint8Array {
  const msg = create(ZRegisterMsgSchema, {
    pemCert: Buffer.from(Buffer.from(d.id.deviceCertPem).toString('base64')),
    serial: d.serial,
    softSerial: d.softSerial,
  });
  return d.sim.envelope(toBinary(ZRegisterMsgSchema, msg), createPrivateKey(cred.keyPem), cred.certPem, true);
}

/** A device-signed request (uuid, attest, config, info). */
export function signedBy(d: TestDevice, payload: Uint8Array): Uint8Array {
  return d.sim.envelope(payload, d.id.deviceKey, d.id.deviceCertPem, false);
}

/** The payload of a controller reply, decoded. */
export function answer<T>(reply: Reply, decode: (payload: Uint8Array) => T): T {
  if (!reply.body) throw new Error(`reply ${reply.status} has no body`);
  return decode(openEnvelope(reply.body).payload);
}

/** The EVEBOOT_ERR code fn throws, or its reply status. */
export function outcome(fn: () => Reply): string | number {
  try {
    return fn().status;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}
