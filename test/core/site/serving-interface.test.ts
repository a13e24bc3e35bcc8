import { describe, expect, it } from 'vitest';
import { chooseServingInterface, defaultPool, type HostNic } from '../../../src/core/site/serving-interface.js';

const nic = (over: Partial<HostNic>): HostNic => ({
  name: 'eth0',
  mac: '02:00:00:00:00:01',
  up: true,
  ipv4: [{ address: '192.168.10.2', cidr: '192.168.10.2/24' }],
  physical: true,
  wireless: false,
  loopback: false,
  defaultRoute: false,
  ...over,
});
const lo = nic({ name: 'lo', loopback: true, physical: false, ipv4: [{ address: '127.0.0.1', cidr: '127.0.0.1/8' }] });

describe('chooseServingInterface', () => {
  const cases = [
    {
      name: 'the only wired NIC up with IPv4 is chosen, Wi-Fi is not',
      nics: [lo, nic({}), nic({ name: 'wlan0', wireless: true, defaultRoute: true })],
      want: 'eth0',
    },
    { name: 'a named interface wins', nics: [lo, nic({}), nic({ name: 'eth1' })], requested: 'eth1', want: 'eth1' },
    {
      name: 'of two wired NICs, the one without the default route',
      nics: [nic({ defaultRoute: true }), nic({ name: 'enp2s0' })],
      want: 'enp2s0',
    },
    {
      name: 'a veth counts only when no wired NIC exists',
      nics: [lo, nic({ name: 'veth0', physical: false })],
      want: 'veth0',
    },
    { name: 'a down NIC is never chosen', nics: [lo, nic({ up: false })], want: /no wired interface is up/ },
    {
      name: 'two equal candidates: ask, never guess',
      nics: [nic({}), nic({ name: 'eth1' })],
      want: /name one with --interface/,
    },
    {
      name: 'a named NIC that is down says to plug the cable',
      nics: [nic({ up: false })],
      requested: 'eth0',
      want: /is down: plug the cable/,
    },
    {
      name: 'a named NIC that does not exist lists the real ones',
      nics: [lo, nic({})],
      requested: 'eth9',
      want: /no such interface \(have lo, eth0\)/,
    },
    { name: 'a named NIC without IPv4', nics: [nic({ ipv4: [] })], requested: 'eth0', want: /no IPv4 address/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = chooseServingInterface(c.nics, c.requested);
      if (typeof c.want === 'string') {
        expect(r.kind).toBe('ok');
        if (r.kind === 'ok') {
          expect(r.nic.name).toBe(c.want);
          expect(r.why).toContain(c.want);
        }
      } else {
        expect(r.kind).toBe('error');
        if (r.kind === 'error') expect(r.message).toMatch(c.want);
      }
    });
  }
});

describe('defaultPool', () => {
  it('takes the upper hundred addresses of a /24, away from our own', () => {
    expect(defaultPool('192.168.10.2', '192.168.10.2/24')).toEqual({
      start: '192.168.10.155',
      end: '192.168.10.254',
      mask: '255.255.255.0',
    });
  });
  it('moves below our address when we sit in the upper half', () => {
    expect(defaultPool('10.0.0.200', '10.0.0.200/24')).toEqual({
      start: '10.0.0.1',
      end: '10.0.0.100',
      mask: '255.255.255.0',
    });
  });
  it('refuses a /30 or smaller', () => {
    expect(defaultPool('10.0.0.1', '10.0.0.1/30')).toBeUndefined();
  });
});
