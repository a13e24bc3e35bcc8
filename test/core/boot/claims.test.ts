import { describe, expect, it } from 'vitest';
import { checkBootClaim, checkInfoMac, conflictText } from '../../../src/core/boot/claims.js';
import { mintGrant } from '../../../src/core/boot/grant.js';
import type { BootMachine } from '../../../src/ports/boot-store.js';

const MAC = '52:54:00:00:00:01';
const T0 = 5_000_000;
const machine = (over: Partial<BootMachine> = {}): BootMachine => ({
  mac: MAC,
  identity: { nics: [] },
  firstSeen: T0 - 1000,
  lastSeen: T0 - 1000,
  reinstall: false,
  ...over,
});
const grantTo = (ip: string, now = T0 - 500) => mintGrant({ random16: new Uint8Array(16), mac: MAC, ip, now });

const table: {
  name: string;
  input: Parameters<typeof checkBootClaim>[0];
  want: { kind: 'ok' | 'conflict' | 'refuse'; reason?: RegExp; ips?: [string | undefined, string | undefined] };
}[] = [
  {
    name: 'with our DHCP serving the site, a MAC we never leased to is refused (not a conflict: nobody else claims it)',
    input: { machine: undefined, mac: MAC, ip: '10.0.0.66', leaseIp: undefined, leaseRequired: true, now: T0 },
    want: { kind: 'refuse', reason: /never got a DHCP lease here/ },
  },
  {
    name: 'with our DHCP serving the site, the leased IP is fine',
    input: { machine: undefined, mac: MAC, ip: '10.0.0.5', leaseIp: '10.0.0.5', leaseRequired: true, now: T0 },
    want: { kind: 'ok' },
  },
  {
    name: 'a first sighting is fine',
    input: { machine: undefined, mac: MAC, ip: '10.0.0.5', leaseIp: undefined, now: T0 },
    want: { kind: 'ok' },
  },
  {
    name: 'the same IP as the live decision is fine',
    input: { machine: machine({ grant: grantTo('10.0.0.5') }), mac: MAC, ip: '10.0.0.5', leaseIp: '10.0.0.5', now: T0 },
    want: { kind: 'ok' },
  },
  {
    name: 'another IP while the decision is live is a conflict naming both IPs',
    input: { machine: machine({ grant: grantTo('10.0.0.5') }), mac: MAC, ip: '10.0.0.66', leaseIp: undefined, now: T0 },
    want: {
      kind: 'conflict',
      reason: /claimed from 10.0.0.66, but its install decision went to 10.0.0.5/,
      ips: ['10.0.0.5', '10.0.0.66'],
    },
  },
  {
    name: 'another IP after the decision expired is no conflict (a new lease later is normal)',
    input: {
      machine: machine({ grant: grantTo('10.0.0.5', T0 - 3_600_000) }),
      mac: MAC,
      ip: '10.0.0.66',
      leaseIp: undefined,
      now: T0,
    },
    want: { kind: 'ok' },
  },
  {
    name: 'a report from an IP our DHCP did not lease to that MAC is a conflict',
    input: { machine: undefined, mac: MAC, ip: '10.0.0.66', leaseIp: '10.0.0.5', now: T0 },
    want: { kind: 'conflict', reason: /our DHCP leased it 10.0.0.5/, ips: ['10.0.0.5', '10.0.0.66'] },
  },
  {
    name: 'an operator pin wins over the DHCP lease',
    input: { machine: machine({ pinnedIp: '10.0.0.66' }), mac: MAC, ip: '10.0.0.66', leaseIp: '10.0.0.5', now: T0 },
    want: { kind: 'ok' },
  },
  {
    name: 'a pinned MAC from another IP is a conflict',
    input: { machine: machine({ pinnedIp: '10.0.0.66' }), mac: MAC, ip: '10.0.0.5', leaseIp: undefined, now: T0 },
    want: { kind: 'conflict', reason: /pinned it to 10.0.0.66/ },
  },
];

describe('checkBootClaim', () => {
  for (const { name, input, want } of table) {
    it(name, () => {
      const r = checkBootClaim(input);
      expect(r.kind).toBe(want.kind);
      if (r.kind === 'refuse' && want.reason) expect(r.reason).toMatch(want.reason);
      if (r.kind === 'conflict') {
        if (want.reason) expect(r.conflict.reason).toMatch(want.reason);
        if (want.ips) expect(r.conflict.claimants.map((c) => c.ip)).toEqual(want.ips);
        expect(r.conflict).toMatchObject({ kind: 'mac-ip', subject: MAC, raisedAt: T0 });
      }
    });
  }

  it('an open conflict stays the same conflict for its two claimants, and holds a third', () => {
    const first = checkBootClaim({
      machine: machine({ grant: grantTo('10.0.0.5') }),
      mac: MAC,
      ip: '10.0.0.66',
      leaseIp: undefined,
      now: T0,
    });
    if (first.kind !== 'conflict') throw new Error('expected a conflict');
    const m = machine({ conflict: first.conflict });
    for (const ip of ['10.0.0.5', '10.0.0.66']) {
      const again = checkBootClaim({ machine: m, mac: MAC, ip, leaseIp: undefined, now: T0 + 1 });
      expect(again).toEqual({ kind: 'conflict', conflict: first.conflict });
    }
    const third = checkBootClaim({ machine: m, mac: MAC, ip: '10.0.0.77', leaseIp: undefined, now: T0 + 2 });
    expect(third.kind === 'conflict' && third.conflict.reason).toMatch(/10.0.0.77, while it is already in conflict/);
  });

  it('conflictText names both claimants with IP, MAC and first seen', () => {
    const r = checkBootClaim({
      machine: machine({ grant: grantTo('10.0.0.5') }),
      mac: MAC,
      ip: '10.0.0.66',
      leaseIp: undefined,
      now: T0,
    });
    if (r.kind !== 'conflict') throw new Error('expected a conflict');
    const text = conflictText(r.conflict);
    expect(text).toMatch(/Claimant 1: MAC 52:54:00:00:00:01, IP 10.0.0.5, first seen 1970-01-01T01:23:19\.500Z/);
    expect(text).toMatch(/Claimant 2: MAC 52:54:00:00:00:01, IP 10.0.0.66/);
  });
});

describe('checkInfoMac', () => {
  const cases: { name: string; input: Parameters<typeof checkInfoMac>[0]; ok: boolean }[] = [
    { name: 'no boot MAC (USB medium): nothing to check', input: { bootMac: undefined, reported: [] }, ok: true },
    {
      name: 'the boot MAC among the ports passes, case-insensitively',
      input: { bootMac: MAC, reported: ['aa:bb:cc:dd:ee:ff', MAC.toUpperCase()] },
      ok: true,
    },
    {
      name: 'a device without the boot MAC is a mismatch',
      input: { bootMac: MAC, reported: ['aa:bb:cc:dd:ee:ff'] },
      ok: false,
    },
  ];
  for (const c of cases) it(c.name, () => expect(checkInfoMac(c.input).ok).toBe(c.ok));
});
