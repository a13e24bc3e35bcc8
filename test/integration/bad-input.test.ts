// Bad input gets a clear 4xx and changes nothing; a fuzz loop of 10,000 malformed bodies leaves the server
// answering and the whole state (every table of the state dir: devices, machines, reports, plans, boot machines,
// leases, events) untouched.
import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { AuthContainerSchema } from '../../src/gen/auth/auth_pb.js';
import { ConfigRequestSchema } from '../../src/gen/config/devconfig_pb.js';
import { ZRegisterMsgSchema } from '../../src/gen/register/register_pb.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { simDevice } from '../support/sim-fleet.js';
import { type StateDigest, stateDigest } from '../support/state-digest.js';

const base = '/api/v2/edgedevice';

describe('bad input is refused with a clear 4xx and changes nothing', () => {
  let t: TestAppliance;
  let dev: SimDevice;
  let before: StateDigest;
  let eventsBefore: number;

  beforeAll(async () => {
    t = await startTestAppliance();
    dev = simDevice(t, 'SN-A');
    await dev.onboard();
    await dev.attest();
    before = stateDigest(t.stateDir, [EVENTS]);
    eventsBefore = t.app.store.events(0, 100_000).length;
    expect(before['eveboot.db/devices']).toHaveLength(1);
  });
  afterAll(async () => t?.stop());

  // The event log is the audit trail: a refusal may be recorded there, and nothing else may be.
  const EVENTS = 'eveboot.db/events';
  const REPORTS = 'eveboot.db/reports';
  const DEVICES = 'eveboot.db/devices';
  /** The row with the doc's lastContactAt put back to its value in `was` (the same device's row before). */
  const withoutContact = (row: string, was: StateDigest) => {
    const r = JSON.parse(row) as { uuid: string; doc: string };
    const prev = (was[DEVICES] ?? [])
      .map((x) => JSON.parse(x) as { uuid: string; doc: string })
      .find((x) => x.uuid === r.uuid);
    const doc = JSON.parse(r.doc) as Record<string, unknown>;
    const old = prev ? (JSON.parse(prev.doc) as Record<string, unknown>).lastContactAt : undefined;
    if (old === undefined) delete doc.lastContactAt;
    else doc.lastContactAt = old;
    delete doc.hold;
    return JSON.stringify({ ...r, doc: JSON.stringify(doc) });
  };
  const withoutHold = (row: string) => {
    const r = JSON.parse(row) as { uuid: string; doc: string };
    const doc = JSON.parse(r.doc) as Record<string, unknown>;
    delete doc.hold;
    return JSON.stringify({ ...r, doc: JSON.stringify(doc) });
  };
  /** acceptedReports: reports a 2xx stored; acceptedKinds: endpoints that answered 2xx (their eve.<kind> events). */
  const expectNoStateChange = (acceptedReports = 0, acceptedKinds = new Set<string>()) => {
    const now = stateDigest(t.stateDir, [EVENTS]);
    // A validly signed message records when the device last talked to us (lastContactAt), and nothing else.
    // The twin register is a second claimant, not bad input: its one change is the conflict hold (security-model.md).
    now[DEVICES] = (now[DEVICES] ?? []).map((row) =>
      acceptedKinds.size > 0 ? withoutContact(row, before) : withoutHold(row),
    );
    // A report the device validly signed is stored (counted per kind); only those may appear.
    const counts = (now[REPORTS] ?? []).map((row) => (JSON.parse(row) as { count: number }).count);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(acceptedReports);
    expect({ ...now, [REPORTS]: [] }).toEqual({ ...before, [REPORTS]: [] });
    const added = t.app.store.events(0, 100_000).slice(eventsBefore);
    const allowed = (type: string) =>
      type.endsWith('.refused') || type === 'trust.conflict' || acceptedKinds.has(type.split('.')[1] ?? '');
    expect([...new Set(added.map((e) => e.type))].filter((type) => !allowed(type))).toEqual([]);
  };
  const inject = (url: string, payload?: Uint8Array) =>
    t.app.controllerApi.inject({
      method: 'POST',
      url,
      payload: Buffer.from(payload ?? new Uint8Array()),
      headers: { 'content-type': 'application/x-proto-binary' },
    });
  const signedBy = (d: SimDevice, payload: Uint8Array) =>
    d.envelope(payload, d.identity!.deviceKey, d.identity!.deviceCertPem, false);

  it('garbage bodies, truncated protobuf and an empty body: 400 with a reason and a Content-Type', async () => {
    const valid = signedBy(dev, new Uint8Array([1, 2, 3]));
    for (const body of [Buffer.from('hello world'), valid.subarray(0, valid.length - 5), new Uint8Array()]) {
      const r = await inject(`${base}/uuid`, body);
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toMatch(/text\/plain/);
      expect(r.body).toMatch(/EVEBOOT_ERR_BAD_REQUEST/);
    }
  });

  it('a wrong signature: 401', async () => {
    const env = signedBy(dev, new Uint8Array());
    const c = (await import('@bufbuild/protobuf')).fromBinary(AuthContainerSchema, env);
    c.signatureHash[5] = (c.signatureHash[5] ?? 0) ^ 0xff;
    const r = await inject(`${base}/uuid`, toBinary(AuthContainerSchema, c));
    expect(r.statusCode).toBe(401);
  });

  it('an unknown device cert: 401', async () => {
    const stranger = simDevice(t, 'SN-STRANGER');
    stranger.identity = await (await import('../../src/sim/device-identity.js')).createDeviceIdentity(createSoftTpm());
    const r = await inject(`${base}/uuid`, signedBy(stranger, new Uint8Array()));
    expect(r.statusCode).toBe(401);
    expect(r.body).toMatch(/register first/);
  });

  it('a replayed register with another cert for the same serial: 409, and a conflict held for the operator', async () => {
    const twin = simDevice(t, 'SN-A');
    await expect(twin.onboard()).rejects.toThrow(/HTTP 409/);
    // Not bad input but a second claimant: the one change it makes is the conflict record (security-model.md).
    expect(t.app.store.deviceByUuid(dev.uuid!)?.hold).toMatchObject({ kind: 'serial-cert', subject: 'SN-A' });
  });

  it('a device that is not in the site file (allowlist): 403', async () => {
    const outsider = simDevice(t, 'SN-NOT-LISTED');
    await expect(outsider.onboard()).rejects.toThrow(/HTTP 403.*not in the site file/);
  });

  it('a config request without an integrity token: 403', async () => {
    const req = toBinary(ConfigRequestSchema, create(ConfigRequestSchema, { configHash: '' }));
    const r = await inject(`${base}/id/${dev.uuid}/config`, signedBy(dev, req));
    expect(r.statusCode).toBe(403);
    expect(r.body).toMatch(/integrity token/);
  });

  it("a device cannot post to another device's UUID: 401", async () => {
    const other = '00000000-0000-4000-8000-000000000000';
    const r = await inject(`${base}/id/${other}/info`, signedBy(dev, new Uint8Array()));
    expect(r.statusCode).toBe(401);
  });

  it('a register whose pemCert is not a certificate: 400', async () => {
    const onboard = simDevice(t, 'SN-B');
    const reg = toBinary(
      ZRegisterMsgSchema,
      create(ZRegisterMsgSchema, { pemCert: Buffer.alloc(200, 65), serial: 'SN-B' }),
    );
    const { createPrivateKey } = await import('node:crypto');
    const env = onboard.envelope(reg, createPrivateKey(t.app.pki.onboard.keyPem), t.app.pki.onboard.certPem, true);
    const r = await inject(`${base}/register`, env);
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/pemCert/);
  });

  it('state is unchanged by all of the above', () => {
    expectNoStateChange();
  });

  it('survives 10,000 malformed bodies and still answers', async () => {
    const valid = signedBy(dev, new Uint8Array([8, 1]));
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const urls = [
      'register',
      'uuid',
      `id/${dev.uuid}/config`,
      `id/${dev.uuid}/attest`,
      `id/${dev.uuid}/info`,
      `id/${dev.uuid}/newlogs`,
      `id/${dev.uuid}/metrics`,
    ];
    const statuses = new Map<number, number>();
    let acceptedReports = 0;
    const acceptedKinds = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      let body: Uint8Array;
      const kind = i % 3;
      if (kind === 0) body = Uint8Array.from({ length: rnd() % 200 }, () => rnd() & 255);
      else if (kind === 1) body = valid.subarray(0, rnd() % valid.length);
      else {
        body = Uint8Array.from(valid);
        body[rnd() % body.length] ^= 1 << (rnd() % 8);
      }
      const url = urls[i % urls.length]!;
      const r = await inject(`${base}/${url}`, body);
      if (r.statusCode < 300) acceptedKinds.add(url.split('/').pop()!);
      if (r.statusCode < 300 && /\/(info|metrics|newlogs)$/.test(url)) acceptedReports++;
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    }
    // A flip inside an ignored field can leave a still-signed, still-valid message (2xx): never a 5xx.
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(statuses.get(400)).toBeGreaterThan(5000);
    const certs = await t.app.controllerApi.inject({ method: 'GET', url: `${base}/certs` });
    expect(certs.statusCode).toBe(200);
    expectNoStateChange(acceptedReports, acceptedKinds);
  });
});
