// An attacker on the boot LAN floods /boot/report: per-IP rate limit, and made-up MACs do not accumulate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_MACHINE_EXPIRY } from '../../src/core/boot/expiry.js';
import { bootApiOnFakeBundle, reportQuery } from '../adapters/boot-fixture.js';

type Fixture = Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
const mac = (i: number) =>
  `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;

describe('/boot/report under a flood', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await bootApiOnFakeBundle();
  });
  afterAll(async () => f?.close());
  const report = (m: string, ip: string, over: Record<string, string> = {}) =>
    f.app.inject({ url: `/boot/report?${reportQuery(m, { serial: 'NOPE', ...over })}`, remoteAddress: ip });

  it('one IP gets 30 reports a minute, then 429, and again after the window', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 35; i++) codes.push((await report(mac(i), '10.99.0.50')).statusCode);
    expect(codes.filter((c) => c === 200).length).toBe(30);
    expect(codes.slice(30)).toEqual([429, 429, 429, 429, 429]);
    expect((await report(mac(1), '10.99.0.51')).statusCode).toBe(200); // another IP is not affected
    f.tick(60_001);
    expect((await report(mac(1), '10.99.0.50')).statusCode).toBe(200);
  });

  it('made-up MACs from many IPs: at most maxUnknown are kept; the site node and installed machines stay', async () => {
    expect((await report('52:54:00:99:00:11', '10.99.1.1', { serial: 'X' })).statusCode).toBe(200); // node-b by MAC
    const total = UNKNOWN_MACHINE_EXPIRY.maxUnknown + 100;
    for (let i = 0; i < total; i++) {
      f.tick(1);
      await report(mac(1000 + i), `10.98.${(i >> 5) & 255}.${i & 31}`);
    }
    const machines = f.bootStore.machines();
    expect(machines.some((m) => m.mac === '52:54:00:99:00:11')).toBe(true);
    expect(machines.length).toBeLessThanOrEqual(UNKNOWN_MACHINE_EXPIRY.maxUnknown + 1);
    expect(machines.some((m) => m.mac === mac(1000 + total - 1))).toBe(true); // the newest stays
  });

  it('unknown machines not seen for a day are forgotten when the next new one reports', async () => {
    f.tick(UNKNOWN_MACHINE_EXPIRY.ttlMs + 1);
    expect((await report(mac(99_999), '10.97.0.1')).statusCode).toBe(200);
    expect(
      f.bootStore
        .machines()
        .map((m) => m.mac)
        .sort(),
    ).toEqual(['52:54:00:99:00:11', mac(99_999)].sort());
  });
});
