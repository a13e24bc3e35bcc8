import { describe, expect, it } from 'vitest';
import {
  type AdmissionInput,
  admitOnboardCert,
  bindingUris,
  parseBinding,
} from '../../../src/core/eve/onboard-admission.js';

const MAC = '52:54:00:00:00:01';
const install = { kind: 'install' as const, mac: MAC, serial: 'S-1' };
const ok: AdmissionInput = { chainOk: true, binding: install, certHash: 'h1', serial: 'S-1', currentForMac: 'h1' };

const table: { name: string; input: AdmissionInput; want: RegExp | 'ok' }[] = [
  { name: "the current decision's cert for the serial it names is admitted", input: ok, want: 'ok' },
  {
    name: 'a cert from another CA (or expired) is refused',
    input: { ...ok, chainOk: false },
    want: /not issued by this appliance/,
  },
  {
    name: 'a cert with no binding (the old site-wide key) is refused',
    input: { ...ok, binding: undefined },
    want: /not bound to a machine/,
  },
  {
    name: 'a cert used before is refused, naming the device',
    input: { ...ok, usedBy: 'uuid-1' },
    want: /already used \(device uuid-1\)/,
  },
  {
    name: 'a cert issued to another serial is refused',
    input: { ...ok, serial: 'S-2' },
    want: /issued to serial S-1, not S-2/,
  },
  {
    name: 'a cert superseded by a later install decision is refused',
    input: { ...ok, currentForMac: 'h2' },
    want: /not the one of the current install decision/,
  },
  {
    name: 'a cert for a MAC with no install decision is refused',
    input: { ...ok, currentForMac: undefined },
    want: /not the one of the current/,
  },
  {
    name: 'a cert without a serial (the machine reported none) binds by MAC only',
    input: { ...ok, binding: { kind: 'install', mac: MAC }, serial: 'anything' },
    want: 'ok',
  },
  {
    name: 'a USB medium cert is admitted once for any serial',
    input: { ...ok, binding: { kind: 'medium', medium: 'ab12' }, serial: 'S-9', currentForMac: undefined },
    want: 'ok',
  },
  {
    name: 'a USB medium cert is not admitted twice',
    input: { ...ok, binding: { kind: 'medium', medium: 'ab12' }, usedBy: 'uuid-2' },
    want: /already used/,
  },
];

describe('admitOnboardCert', () => {
  for (const { name, input, want } of table) {
    it(name, () => {
      const r = admitOnboardCert(input);
      if (want === 'ok') expect(r).toEqual({ kind: 'ok' });
      else expect(r.kind === 'refuse' && r.reason).toMatch(want);
    });
  }
});

describe('binding round trip through the SAN text node prints', () => {
  const cases = [
    {
      name: 'install binding with a serial that needs escaping',
      b: { kind: 'install' as const, mac: MAC, serial: 'S 1/x' },
    },
    { name: 'install binding without a serial', b: { kind: 'install' as const, mac: MAC } },
    { name: 'medium binding', b: { kind: 'medium' as const, medium: '0011aabb' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const san = ['DNS:example', ...bindingUris(c.b).map((u) => `URI:${u}`)].join(', ');
      expect(parseBinding(san)).toEqual(c.b);
    });
  }
  it('a SAN without eveboot URIs has no binding', () => {
    expect(parseBinding('DNS:localhost, IP Address:127.0.0.1')).toBeUndefined();
    expect(parseBinding(undefined)).toBeUndefined();
  });
});
