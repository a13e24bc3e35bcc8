import { describe, expect, it } from 'vitest';
import { type BootConfig, chooseBoot } from '../../../src/core/dhcp/boot.js';
import { classifyClient } from '../../../src/core/dhcp/classify.js';
import { clientPackets } from './fixtures.js';
import { clientPacket, pxe } from './packets.js';

const boot: BootConfig = {
  tftpServer: '10.99.0.1',
  scriptBaseUrl: 'http://10.99.0.1:8080/boot/',
  httpBootBaseUrl: 'http://10.99.0.1:8080/ipxe/',
  files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
};
const withArm = { ...boot, files: { ...boot.files, arm64: 'snp-arm64.efi' } };

describe('classifyClient on captured clients', () => {
  const cases = [
    {
      name: 'the SeaBIOS iPXE ROM is BIOS iPXE',
      input: 'bios-ipxe-rom',
      want: { firmware: 'bios', ipxe: true, netboot: true },
    },
    {
      name: 'OVMF PXE is x64 UEFI, not iPXE',
      input: 'uefi-ovmf-pxe',
      want: { firmware: 'uefi', cpu: 'x64', ipxe: false },
    },
    {
      name: 'dhclient is not a netboot client',
      input: 'dhclient',
      want: { firmware: 'unknown', netboot: false, ipxe: false },
    },
    { name: 'udhcpc with arch 0 looks like BIOS PXE', input: 'udhcpc-pxe-arch0', want: { firmware: 'bios', arch: 0 } },
    { name: 'udhcpc with arch 7 looks like UEFI PXE', input: 'udhcpc-pxe-arch7', want: { firmware: 'uefi', arch: 7 } },
  ];
  for (const c of cases) {
    it(c.name, () => expect(classifyClient(clientPackets(c.input)[0]!)).toMatchObject(c.want));
  }

  it('the 2nd DHCP of uefi-ipxe-second-dhcp is iPXE with the same GUID as the firmware', () => {
    const [firmware, , ipxe] = clientPackets('uefi-ipxe-second-dhcp').map(classifyClient);
    expect(firmware).toMatchObject({ ipxe: false, guid: '00112233-4455-6677-8899-aabbccdd0030' });
    expect(ipxe).toMatchObject({ ipxe: true, firmware: 'uefi', guid: firmware!.guid });
  });
});

describe('chooseBoot', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const cases = [
    { name: 'arch 0 gets undionly.kpxe over TFTP', input: pxe(0), want: { kind: 'tftp', file: 'undionly.kpxe' } },
    { name: 'arch 6 gets the UEFI file', input: pxe(6), want: { kind: 'tftp', file: 'snponly.efi' } },
    { name: 'arch 7 gets the UEFI file', input: pxe(7), want: { kind: 'tftp', file: 'snponly.efi' } },
    {
      name: 'arch 9 (x64 firmware using the old number) gets the UEFI file',
      input: pxe(9),
      want: { kind: 'tftp', file: 'snponly.efi' },
    },
    {
      name: 'arch 11 without an arm64 build is refused with a reason',
      input: pxe(11),
      want: { kind: 'none', reason: expect.stringMatching(/arm64/) },
    },
    {
      name: 'arch 16 HTTPClient gets an HTTP URL',
      input: { vendorClass: 'HTTPClient:Arch:00016:UNDI:003000', arch: 16 },
      want: { kind: 'http', url: 'http://10.99.0.1:8080/ipxe/snponly.efi' },
    },
    {
      name: 'PXEClient without option 93 reads the arch from the vendor class',
      input: { vendorClass: 'PXEClient:Arch:00007:UNDI:003000' },
      want: { kind: 'tftp', file: 'snponly.efi' },
    },
    {
      name: 'bare user class iPXE gets the per-machine script',
      input: { ...pxe(0), userClass: enc('iPXE') },
      want: { kind: 'script', url: 'http://10.99.0.1:8080/boot/52-54-00-00-00-01.ipxe' },
    },
    {
      name: 'RFC 3004 framed user class iPXE gets the script',
      input: { ...pxe(7), userClass: Uint8Array.of(4, ...enc('iPXE')) },
      want: { kind: 'script' },
    },
    {
      name: 'option 175 alone marks iPXE (FlexBoot sends no user class)',
      input: { ...pxe(7), ipxeEncap: Uint8Array.of(19, 1, 1) },
      want: { kind: 'script' },
    },
    {
      name: 'iPXE without the HTTP feature chain-loads a full iPXE',
      input: { ...pxe(0), userClass: enc('iPXE'), ipxeEncap: Uint8Array.of(21, 1, 1) },
      want: { kind: 'tftp', file: 'undionly.kpxe' },
    },
    { name: 'a plain DHCP client gets nothing to boot', input: {}, want: { kind: 'none' } },
    { name: 'an unknown architecture is refused', input: pxe(2), want: { kind: 'none' } },
  ];
  for (const c of cases) {
    it(c.name, () => expect(chooseBoot(classifyClient(clientPacket(c.input)), boot)).toMatchObject(c.want));
  }

  it('arch 11 with a configured arm64 build gets it', () => {
    expect(chooseBoot(classifyClient(clientPacket(pxe(11))), withArm)).toMatchObject({ file: 'snp-arm64.efi' });
  });
  it('arch 19 HTTP boot with an arm64 build gets its URL', () => {
    const c = classifyClient(clientPacket({ vendorClass: 'HTTPClient:Arch:00019', arch: 19 }));
    expect(chooseBoot(c, withArm)).toMatchObject({ kind: 'http', url: 'http://10.99.0.1:8080/ipxe/snp-arm64.efi' });
  });
});
