import { describe, expect, it } from 'vitest';
import { isDeviceOf, normalizeMac, parseIdentity } from '../../../src/core/boot/identity.js';
import { infoFromAssetName, infoFromVersionText, parseSha256Sums } from '../../../src/core/boot/release.js';
import { parseTarHeader, paxPath, safeMemberPath } from '../../../src/core/boot/tar.js';
import { uefiMachine } from './images.js';

describe('identity report', () => {
  it('normalizes colon, hyphen and bare MACs and rejects others', () => {
    expect(normalizeMac('52-54-00-AB-00-10')).toBe('52:54:00:ab:00:10');
    expect(normalizeMac('525400ab0010')).toBe('52:54:00:ab:00:10');
    expect(normalizeMac('52:54:00:ab:00')).toBeUndefined();
    expect(normalizeMac('../../etc')).toBeUndefined();
  });
  it('parses every NIC with its link and drops garbage', () => {
    const id = parseIdentity({
      uuid: '8C9B5E7A-1F2D-4C3B-9A8E-0123456789AB',
      serial: 'SN A\u0001',
      buildarch: 'x86_64',
      platform: 'efi',
      manufacturer: '',
      net0: '52:54:00:99:00:10,up',
      net1: '52:54:00:99:01:10,down',
      net2: 'not-a-mac,up',
    });
    expect(id).toEqual({
      uuid: '8c9b5e7a-1f2d-4c3b-9a8e-0123456789ab',
      serial: 'SN A?',
      buildarch: 'x86_64',
      platform: 'efi',
      nics: [
        { name: 'net0', mac: '52:54:00:99:00:10', link: 'up' },
        { name: 'net1', mac: '52:54:00:99:01:10', link: 'down' },
      ],
    });
  });
});

describe('release names', () => {
  it('reads arch, hv and platform from GitHub asset names', () => {
    expect(infoFromAssetName('amd64.k.generic.installer-net.tar')).toEqual({
      arch: 'amd64',
      hv: 'k',
      platform: 'generic',
    });
    expect(infoFromAssetName('arm64.k.nvidia-jp6.installer.iso')).toEqual({
      arch: 'arm64',
      hv: 'k',
      platform: 'nvidia-jp6',
    });
    expect(infoFromAssetName('installer-net.tar')).toEqual({});
  });
  it('reads version, hv and arch from eve_version', () => {
    expect(infoFromVersionText('14.5.1-k-amd64\n')).toEqual({ version: '14.5.1-k-amd64', arch: 'amd64', hv: 'k' });
    expect(infoFromVersionText('0.0.0-master-abcdef')).toEqual({ version: '0.0.0-master-abcdef' });
  });
  it('parses sha256sum output in text and binary mode', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    const sums = parseSha256Sums(`${a}  amd64.k.generic.installer-net.tar\n${b} *./sub/installer.iso\njunk\n`);
    expect(sums.get('amd64.k.generic.installer-net.tar')).toBe(a);
    expect(sums.get('sub/installer.iso')).toBe('b'.repeat(64));
    expect(sums.get('installer.iso')).toBe('b'.repeat(64));
  });
});

function header(name: string, size: number, flag = '0'): Uint8Array {
  const b = new Uint8Array(512);
  const put = (off: number, s: string) => b.set(new TextEncoder().encode(s), off);
  put(0, name);
  put(124, `${size.toString(8).padStart(11, '0')}\0`);
  b[156] = flag.charCodeAt(0);
  put(257, 'ustar\u000000');
  put(148, '        ');
  const sum = b.reduce((n, x) => n + x, 0);
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}

describe('tar headers', () => {
  it('parses a ustar file header', () => {
    expect(parseTarHeader(header('./installer.iso', 1234))).toEqual({
      name: './installer.iso',
      size: 1234,
      type: 'file',
      flag: '0',
    });
  });
  it('an all-zero block ends the archive', () => expect(parseTarHeader(new Uint8Array(512))).toBeUndefined());
  it('a bad checksum is not a tar file', () => {
    const h = header('x', 1);
    h[0] = 0x79;
    expect(() => parseTarHeader(h)).toThrow(/checksum/);
  });
  it('truncated input is refused', () => expect(() => parseTarHeader(new Uint8Array(100))).toThrow(/truncated/));
  it('reads a pax path record', () =>
    expect(paxPath(new TextEncoder().encode('30 path=EFI/BOOT/BOOTX64.EFI\n'))).toBe('EFI/BOOT/BOOTX64.EFI'));
  it('refuses member names that escape the root', () => {
    expect(safeMemberPath('./EFI/BOOT/grub.cfg')).toBe('EFI/BOOT/grub.cfg');
    expect(safeMemberPath('../etc/passwd')).toBeUndefined();
    expect(safeMemberPath('/etc/passwd')).toBeUndefined();
    expect(safeMemberPath('a/../../b')).toBeUndefined();
  });
});

describe('isDeviceOf: which PXE-booted machine a controller device is', () => {
  const m = uefiMachine(); // serial SN-A, boot MAC 52:54:00:99:00:10
  const noSerial = uefiMachine({ identity: { ...uefiMachine().identity, serial: undefined } });
  const table = [
    { name: 'the same SMBIOS serial', device: { serial: 'SN-A', softSerial: '' }, machine: m, want: true },
    { name: 'another serial', device: { serial: 'SN-B', softSerial: '' }, machine: m, want: false },
    {
      name: 'no serial, but the soft serial its install passed (boot MAC, hexhyp)',
      device: { serial: '', softSerial: '52-54-00-99-00-10' },
      machine: noSerial,
      want: true,
    },
    {
      name: 'no serial on either side and no soft serial is no match (never the first serial-less machine)',
      device: { serial: '', softSerial: '' },
      machine: noSerial,
      want: false,
    },
    {
      name: 'a device with a serial is not matched by soft serial alone',
      device: { serial: 'SN-Z', softSerial: '52-54-00-99-00-10' },
      machine: noSerial,
      want: false,
    },
  ];
  for (const c of table) it(c.name, () => expect(isDeviceOf(c.device, c.machine)).toBe(c.want));
});
