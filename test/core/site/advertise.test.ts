import { describe, expect, it } from 'vitest';
import { resolveAdvertise } from '../../../src/core/site/advertise.js';

const eth0 = { name: 'eth0', address: '192.168.10.5' };

describe('the address nodes reach the appliance at', () => {
  const cases = [
    {
      name: 'network boot without listen.advertise takes the serving interface address',
      input: { serving: eth0, for: 'serve' as const, host: '0.0.0.0' },
      want: { kind: 'ok', address: '192.168.10.5' },
    },
    {
      name: 'a DNS name is used as given, with network boot',
      input: { configured: 'eveboot.site.example', serving: eth0, for: 'serve' as const, host: '0.0.0.0' },
      want: { kind: 'ok', address: 'eveboot.site.example' },
    },
    {
      name: 'loopback with network boot on a real interface is refused, naming the interface',
      input: { configured: '127.0.0.1', serving: eth0, for: 'serve' as const, host: '0.0.0.0' },
      want: { kind: 'error', message: expect.stringContaining('nodes boot on eth0 (192.168.10.5)') },
    },
    {
      name: 'localhost counts as loopback',
      input: { configured: 'localhost', serving: eth0, for: 'serve' as const, host: '0.0.0.0' },
      want: { kind: 'error' },
    },
    {
      name: 'USB media with a loopback address is refused',
      input: { configured: '127.0.0.1', for: 'usb' as const, host: '0.0.0.0' },
      want: { kind: 'error', message: expect.stringContaining('USB media is for real boxes') },
    },
    {
      name: 'USB media without any address is refused with what to set',
      input: { for: 'usb' as const, host: '0.0.0.0' },
      want: { kind: 'error', message: expect.stringContaining('set listen.advertise') },
    },
    {
      name: 'USB media with a site address is fine',
      input: { configured: '192.168.10.5', for: 'usb' as const, host: '0.0.0.0' },
      want: { kind: 'ok', address: '192.168.10.5' },
    },
    {
      name: 'a loopback rehearsal (no real interface) may advertise loopback',
      input: { configured: '127.0.0.1', for: 'serve' as const, host: '127.0.0.1' },
      want: { kind: 'ok', address: '127.0.0.1' },
    },
    {
      name: 'no advertise and no network boot falls back to listen.host',
      input: { for: 'serve' as const, host: '10.1.1.1' },
      want: { kind: 'ok', address: '10.1.1.1' },
    },
    {
      name: 'no advertise, no network boot, all interfaces: loopback, and it says why',
      input: { for: 'serve' as const, host: '0.0.0.0' },
      want: { kind: 'ok', address: '127.0.0.1', why: expect.stringContaining('only this machine') },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(resolveAdvertise(c.input)).toMatchObject(c.want);
    });
  }
});
