// Bad input gets a clear 4xx and changes nothing; a fuzz loop of 10,000 malformed bodies leaves the server
// answering and every device's state untouched.
import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { AuthContainerSchema } from '../../src/gen/auth/auth_pb.js';
import { ConfigRequestSchema } from '../../src/gen/config/devconfig_pb.js';
import { ZRegisterMsgSchema } from '../../src/gen/register/register_pb.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { simDevice } from '../support/sim-fleet.js';

const base = '/api/v2/edgedevice';

describe('bad input is refused with a clear 4xx and changes nothing', () => {
  let t: TestAppliance;
  let dev: SimDevice;
  let snapshot: string;

  beforeAll(async () => {
    t = await startTestAppliance();
    dev = simDevice(t, 'SN-A');
    await dev.onboard();
    await dev.attest();
    snapshot = JSON.stringify(t.app.store.devices());
  });
  afterAll(async () => t?.stop());

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

  it('a replayed register with another cert for the same serial: 409', async () => {
    const twin = simDevice(t, 'SN-A');
    await expect(twin.onboard()).rejects.toThrow(/HTTP 409/);
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
    expect(JSON.stringify(t.app.store.devices())).toBe(snapshot);
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
    for (let i = 0; i < 10_000; i++) {
      let body: Uint8Array;
      const kind = i % 3;
      if (kind === 0) body = Uint8Array.from({ length: rnd() % 200 }, () => rnd() & 255);
      else if (kind === 1) body = valid.subarray(0, rnd() % valid.length);
      else {
        body = Uint8Array.from(valid);
        body[rnd() % body.length] ^= 1 << (rnd() % 8);
      }
      const r = await inject(`${base}/${urls[i % urls.length]}`, body);
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    }
    // A flip inside an ignored field can leave a still-signed, still-valid message (2xx): never a 5xx.
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(statuses.get(400)).toBeGreaterThan(5000);
    const certs = await t.app.controllerApi.inject({ method: 'GET', url: `${base}/certs` });
    expect(certs.statusCode).toBe(200);
    // A still-valid signed report is accepted, and only records when the device last talked to us.
    const contactless = (list: { lastContactAt?: number }[]) =>
      JSON.stringify(list.map(({ lastContactAt: _c, ...d }) => d));
    expect(contactless(t.app.store.devices())).toBe(contactless(JSON.parse(snapshot)));
  });
});
