// The controller's answers on fakes (controller-bench.ts): register (admission, retries, second claimants),
// uuid, attest (cert upload, nonce, quote) and config (integrity token, 200 then 304), and what each leaves in
// the store. The same handlers run behind HTTP in test/integration; here they are called directly.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../../src/adapters/pki.js';
import { issue, newPair, x509 } from '../../../src/adapters/x509-issue.js';
import { attest } from '../../../src/core/eve/attest.js';
import { config } from '../../../src/core/eve/config.js';
import { bindingUris } from '../../../src/core/eve/onboard-admission.js';
import { register } from '../../../src/core/eve/register.js';
import { info } from '../../../src/core/eve/reports.js';
import {
  ZAttestReqSchema,
  ZAttestReqType,
  ZAttestResponseCode,
  ZAttestResponseSchema,
} from '../../../src/gen/attest/attest_pb.js';
import {
  ConfigRequestSchema,
  ConfigResponseSchema,
  EdgeDevConfigSchema,
} from '../../../src/gen/config/devconfig_pb.js';
import { UuidRequestSchema, UuidResponseSchema } from '../../../src/gen/eveuuid/eveuuid_pb.js';
import { ZInfoMsgSchema } from '../../../src/gen/info/info_pb.js';
import type { DeviceRecord, MachineDecision } from '../../../src/ports/store.js';
import { certUploadRequest, quoteRequest } from '../../../src/sim/eve-attest.js';
import { SIM_VERSIONS } from '../../../src/sim/eve-device.js';
import { ovmfBootEvents } from '../../../src/sim/tpm-eventlog.js';
import {
  answer,
  type Bench,
  bench,
  outcome,
  registerBody,
  signedBy,
  type TestDevice,
  testDevice,
  testPki,
} from './controller-bench.js';

let pki: Pki;
let a: TestDevice;
let b: TestDevice;
let stranger: TestDevice;
let foreignCred: { certPem: string; keyPem: string };

beforeAll(async () => {
  pki = await testPki();
  [a, b, stranger] = await Promise.all([testDevice(pki, 'SN-A'), testDevice(pki, 'SN-B'), testDevice(pki, 'SN-X')]);
  // A medium credential bound like ours, but self-signed: not issued by this appliance.
  const { pair, keyPem } = await newPair();
  const certPem = await issue({
    subject: 'CN=eveboot onboarding medium forged',
    pair,
    usages: x509.KeyUsageFlags.digitalSignature,
    uris: bindingUris({ kind: 'medium', medium: 'forged' }),
    years: 1,
  });
  foreignCred = { certPem, keyPem };
});

/** A record for serial SN-A registered earlier with another device cert. */
const earlierA = (over: Partial<DeviceRecord> = {}): DeviceRecord => ({
  uuid: 'uuid-earlier-a',
  serial: 'SN-A',
  softSerial: '',
  deviceCertPem: 'pem-earlier',
  deviceCertHash: 'hash-earlier',
  name: 'node-a',
  cluster: 'line-1',
  onboardedAt: 1,
  onboardCertHash: 'onboard-earlier',
  ...over,
});

describe('register', () => {
  const cases: {
    name: string;
    mode?: 'allowlist' | 'approve';
    given?: (t: Bench) => void;
    device: () => TestDevice;
    body?: () => Uint8Array;
    want: {
      answer: number | string;
      record?: Partial<DeviceRecord> | 'none';
      /** Fields the record must no longer have. */
      absent?: (keyof DeviceRecord)[];
      machine?: MachineDecision | 'none';
      events: string[];
    };
  }[] = [
    {
      name: 'a listed serial with a fresh onboarding cert registers under its site name and cluster',
      device: () => a,
      want: { answer: 201, record: { name: 'node-a', cluster: 'line-1' }, events: ['eve.registered'] },
    },
    {
      name: 'the same device cert again is a retry: 200 and nothing new',
      given: (t) => void register(t.controller, registerBody(a)),
      device: () => a,
      want: { answer: 200, record: { name: 'node-a' }, events: [] },
    },
    {
      name: 'an unlisted serial under allowlist is refused and leaves no record',
      device: () => stranger,
      want: { answer: 'EVEBOOT_ERR_NOT_ALLOWED', record: 'none', machine: 'none', events: ['eve.register.refused'] },
    },
    {
      name: 'an unlisted serial under approve waits for the operator as a pending machine',
      mode: 'approve',
      device: () => stranger,
      want: { answer: 'EVEBOOT_ERR_NOT_ALLOWED', record: 'none', machine: 'pending', events: ['eve.register.refused'] },
    },
    {
      name: 'an unlisted serial the operator approved joins the default cluster under a name from its serial',
      mode: 'approve',
      given: (t) =>
        t.store.putMachine({
          key: 'SN-X',
          serial: 'SN-X',
          softSerial: '',
          decision: 'approved',
          firstSeen: 1,
          reason: '',
        }),
      device: () => stranger,
      want: { answer: 201, record: { name: 'eve-sn-x', cluster: 'line-1' }, events: ['eve.registered'] },
    },
    {
      name: 'an unlisted serial the operator rejected is refused',
      mode: 'approve',
      given: (t) =>
        t.store.putMachine({
          key: 'SN-X',
          serial: 'SN-X',
          softSerial: '',
          decision: 'rejected',
          firstSeen: 1,
          reason: '',
        }),
      device: () => stranger,
      want: {
        answer: 'EVEBOOT_ERR_NOT_ALLOWED',
        record: 'none',
        machine: 'rejected',
        events: ['eve.register.refused'],
      },
    },
    {
      name: 'an onboarding cert this appliance did not issue is refused',
      device: () => a,
      body: () => registerBody(a, foreignCred),
      want: { answer: 'EVEBOOT_ERR_UNKNOWN_DEVICE', record: 'none', events: ['eve.register.refused'] },
    },
    {
      name: 'an onboarding cert another device registered with is refused: each is good once',
      given: (t) => t.store.insertDevice(earlierA({ serial: 'SN-B', onboardCertHash: a.onboard.certHash })),
      device: () => a,
      want: { answer: 'EVEBOOT_ERR_UNKNOWN_DEVICE', record: 'none', events: ['eve.register.refused'] },
    },
    {
      name: 'a second device cert for a registered serial is a conflict that holds the node',
      given: (t) => t.store.insertDevice(earlierA()),
      device: () => a,
      want: {
        answer: 'EVEBOOT_ERR_CONFLICT',
        record: { deviceCertHash: 'hash-earlier', hold: expect.objectContaining({ kind: 'serial-cert' }) },
        events: ['trust.conflict'],
      },
    },
    {
      name: 'after an operator reinstall mark the new device cert replaces the old, which goes to history',
      given: (t) =>
        t.store.insertDevice(earlierA({ acceptCert: '*', sealed: { ecdhCertHash: 'e', context: 'c', block: 'b' } })),
      device: () => a,
      want: {
        answer: 201,
        record: {
          uuid: 'uuid-earlier-a',
          history: [
            expect.objectContaining({ deviceCertHash: 'hash-earlier', why: 'reinstall marked by the operator' }),
          ],
          deviceCertHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        absent: ['sealed', 'acceptCert'],
        events: ['eve.reregistered'],
      },
    },
    {
      name: 'a register signed with another key than the onboarding cert’s is refused',
      device: () => a,
      body: () => registerBody(a, { certPem: a.onboard.certPem, keyPem: b.onboard.keyPem }),
      want: { answer: 'EVEBOOT_ERR_UNKNOWN_DEVICE', record: 'none', events: [] },
    },
    {
      name: 'a body that is not an AuthContainer is a bad request',
      device: () => a,
      body: () => new Uint8Array([0xff, 0xff, 0xff]),
      want: { answer: 'EVEBOOT_ERR_BAD_REQUEST', record: 'none', events: [] },
    },
  ];
  it.each(cases)('$name', ({ mode, given, device, body, want }) => {
    const t = bench(pki, mode);
    given?.(t);
    t.events.length = 0;
    const d = device();
    expect(outcome(() => register(t.controller, body?.() ?? registerBody(d)))).toBe(want.answer);
    const rec = t.store.deviceBySerial(d.serial, d.softSerial);
    if (want.record === 'none') expect(rec).toBeUndefined();
    else if (want.record) expect(rec).toMatchObject(want.record);
    for (const k of want.absent ?? []) expect(rec).not.toHaveProperty(k);
    if (want.machine) expect(t.store.machine(d.serial)?.decision ?? 'none').toBe(want.machine);
    expect(t.events.map((e) => e.type)).toEqual(want.events);
  });
});

/** A, registered; the steps after register as EVE takes them. */
function registered(): { t: Bench; uuid: string } {
  const t = bench(pki);
  register(t.controller, registerBody(a));
  return { t, uuid: t.store.deviceBySerial('SN-A', '')!.uuid };
}

const attestReq = (d: TestDevice, req: Parameters<typeof toBinary<typeof ZAttestReqSchema>>[1]) =>
  signedBy(d, toBinary(ZAttestReqSchema, req));

/** Cert upload, nonce and a TPM quote over it; returns the integrity token. */
function attested(t: Bench, uuid: string): Uint8Array {
  attest(t.controller, uuid, attestReq(a, certUploadRequest(a.id)));
  const nonceReply = attest(
    t.controller,
    uuid,
    attestReq(a, create(ZAttestReqSchema, { reqType: ZAttestReqType.ATTEST_REQ_NONCE })),
  );
  const nonce = answer(nonceReply, (p) => fromBinary(ZAttestResponseSchema, p)).nonce!.nonce;
  const quote = quoteRequest({ id: a.id, nonce, versions: SIM_VERSIONS, events: ovmfBootEvents(SIM_VERSIONS.eve) });
  const resp = answer(attest(t.controller, uuid, attestReq(a, quote)), (p) => fromBinary(ZAttestResponseSchema, p));
  return resp.quoteResp!.integrityToken;
}

const configBody = (d: TestDevice, token: Uint8Array, hash = '') =>
  signedBy(d, toBinary(ConfigRequestSchema, create(ConfigRequestSchema, { configHash: hash, integrityToken: token })));

describe('uuid, attest and config', () => {
  it('uuid answers the UUID of the signing device cert; a cert never registered is unknown', () => {
    const { t, uuid } = registered();
    const body = toBinary(UuidRequestSchema, create(UuidRequestSchema));
    expect(answer(t.controller.uuid(signedBy(a, body)), (p) => fromBinary(UuidResponseSchema, p)).uuid).toBe(uuid);
    expect(outcome(() => t.controller.uuid(signedBy(b, body)))).toBe('EVEBOOT_ERR_UNKNOWN_DEVICE');
  });

  it('a request naming another device’s UUID in the URL is refused', () => {
    const { t } = registered();
    const body = attestReq(a, create(ZAttestReqSchema, { reqType: ZAttestReqType.ATTEST_REQ_NONCE }));
    expect(outcome(() => attest(t.controller, 'uuid-of-someone-else', body))).toBe('EVEBOOT_ERR_UNKNOWN_DEVICE');
  });

  it('attest keeps the ECDH cert, spends the nonce on the quote and keeps only a digest of the integrity token', () => {
    const { t, uuid } = registered();
    const token = attested(t, uuid);
    const d = t.store.deviceByUuid(uuid)!;
    expect(d.ecdhCertPem).toBe(a.id.ecdhCertPem);
    expect(d.nonce).toBeUndefined();
    expect(d.quoteVerifiedAt).toBe(t.clock.now());
    expect(token).toHaveLength(64);
    expect(d.integrityToken).toMatch(/^[0-9a-f]{64}$/);
    expect(d.integrityToken).not.toBe(Buffer.from(token).toString('hex'));
    expect(t.events.map((e) => e.type)).toEqual(['eve.registered', 'eve.attest.certs', 'eve.attested']);
  });

  it('a quote with no nonce outstanding is answered NONCE_MISMATCH and issues no token', () => {
    const { t, uuid } = registered();
    const quote = quoteRequest({ id: a.id, nonce: new Uint8Array(32), versions: SIM_VERSIONS, events: [] });
    const resp = answer(attest(t.controller, uuid, attestReq(a, quote)), (p) => fromBinary(ZAttestResponseSchema, p));
    expect(resp.quoteResp?.response).toBe(ZAttestResponseCode.NONCE_MISMATCH);
    expect(t.store.deviceByUuid(uuid)?.integrityToken).toBeUndefined();
  });

  it('config needs the integrity token, answers 200 with the config, then 304 until it changes', () => {
    const { t, uuid } = registered();
    let version = '1';
    const build = () => create(EdgeDevConfigSchema, { id: { uuid, version } });
    expect(outcome(() => config(t.controller, uuid, configBody(a, new Uint8Array(64)), build))).toBe(
      'EVEBOOT_ERR_NO_INTEGRITY_TOKEN',
    );
    const token = attested(t, uuid);
    const first = config(t.controller, uuid, configBody(a, token), build);
    const resp = answer(first, (p) => fromBinary(ConfigResponseSchema, p));
    expect([first.status, resp.config?.id?.version]).toEqual([200, '1']);
    expect(t.store.deviceByUuid(uuid)?.lastConfigHash).toBe(resp.configHash);
    expect(config(t.controller, uuid, configBody(a, token, resp.configHash), build).status).toBe(304);
    version = '2';
    expect(config(t.controller, uuid, configBody(a, token, resp.configHash), build).status).toBe(200);
    expect(t.events.filter((e) => e.type === 'eve.config.delivered')).toHaveLength(2);
  });

  it('notes contact from accepted requests at most once a second', () => {
    const { t, uuid } = registered();
    const infoBody = signedBy(a, toBinary(ZInfoMsgSchema, create(ZInfoMsgSchema, { devId: uuid })));
    const start = t.clock.now();
    expect(info(t.controller, uuid, infoBody).status).toBe(201);
    t.clock.advance(500);
    info(t.controller, uuid, infoBody);
    expect(t.store.deviceByUuid(uuid)?.lastContactAt).toBe(start);
    t.clock.advance(600);
    info(t.controller, uuid, infoBody);
    expect(t.store.deviceByUuid(uuid)?.lastContactAt).toBe(start + 1100);
    expect(t.store.reportCounts(uuid)['info.ZiNop']?.count).toBe(3);
  });
});
