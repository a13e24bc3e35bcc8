import type { ProgressEvent } from '../../../src/core/progress/event.js';

export const MAC = '52:54:00:de:01:00';
export const UUID = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
] as const;
export const CLUSTER_ID = '5b0f3a5e-8d2c-4a7e-9a61-0c1d2e3f4a5b';

export const ev = (at: number, type: string, data: Record<string, unknown> = {}, node?: string): ProgressEvent =>
  node ? { at, type, node, data } : { at, type, data };

/** A machine's whole network install, power-on to EVE attested, one event per second or so. */
export function pxeInstall(mac = MAC, uuid: string = UUID[0], serial = 'SER1', ip = '192.168.77.11'): ProgressEvent[] {
  return [
    ev(0, 'dhcp', { mac, msgType: 'DISCOVER', reason: 'PXE firmware, UEFI x64', ipxe: false, arch: 7 }),
    ev(1000, 'dhcp', {
      mac,
      msgType: 'REQUEST',
      reply: 'ACK',
      reason: 'boot file ipxe.efi',
      ipxe: false,
      arch: 7,
      yiaddr: ip,
      bootFile: 'ipxe.efi',
    }),
    ev(1500, 'tftp', { client: `${ip}:2070`, file: 'ipxe.efi', bytes: 1_000_000, total: 1_000_000, done: true }),
    ev(3000, 'dhcp', { mac, msgType: 'DISCOVER', reply: 'OFFER', reason: 'iPXE', ipxe: true, arch: 7 }),
    ev(3500, 'boot.report', {
      mac,
      serial,
      nics: [
        { mac, link: 'up' },
        { mac: mac.replace(/00$/, '01'), link: 'up' },
      ],
    }),
    ev(4000, 'http.progress', { mac, path: 'kernel', bytes: 5_000_000, total: 10_000_000 }),
    ev(5000, 'http.progress', { mac, path: 'kernel', bytes: 10_000_000, total: 10_000_000 }),
    ev(5500, 'boot.booting', { mac, stage: 'kernel' }),
    ev(60_000, 'boot.installed', { mac, via: 'installer' }),
    ev(90_000, 'eve.registered', { serial, softSerial: `soft-${serial}`, name: `node-${serial}` }, uuid),
    ev(91_000, 'eve.attest.certs', { ecdhCertHash: 'ab'.repeat(16) }, uuid),
    ev(92_000, 'eve.attested', { pcrs: 0 }, uuid),
    ev(93_000, 'eve.info', { kind: 'info.ZiDevice', content: 'dinfo' }, uuid),
  ];
}
