import { describe, expect, it } from 'vitest';
import { classifyGrubTftp, type GrubTftpName, grubHttpServer } from '../../../src/core/boot/grub-tftp.js';

// The names are the ones EVE's GRUB 2.12 and Debian's 2.06 asked for under QEMU (docs/concepts/grub-under-ipxe.md),
// as the TFTP core hands them over (leading '/' removed).
const classify: { name: string; input: string; want: GrubTftpName }[] = [
  { name: 'the plain config name is answered', input: 'EFI/BOOT/grub.cfg', want: { kind: 'config' } },
  {
    name: 'the per-MAC config name is answered and names the machine',
    input: 'EFI/BOOT/grub.cfg-01-52-54-00-95-00-10',
    want: { kind: 'config', mac: '52:54:00:95:00:10' },
  },
  {
    name: 'an upper-case per-MAC name is the same machine',
    input: 'EFI/BOOT/grub.cfg-01-52-54-00-AB-CD-EF',
    want: { kind: 'config', mac: '52:54:00:ab:cd:ef' },
  },
  { name: 'the IPv4-hex config name is a probe', input: 'EFI/BOOT/grub.cfg-0A5F009B', want: { kind: 'probe' } },
  { name: 'the shortest IPv4-hex prefix is a probe', input: 'EFI/BOOT/grub.cfg-0', want: { kind: 'probe' } },
  {
    name: 'the client-UUID config name is a probe',
    input: 'EFI/BOOT/grub.cfg-00000000-0000-0000-0000-000000000000',
    want: { kind: 'probe' },
  },
  { name: 'the command list is a probe', input: 'EFI/BOOT/x86_64-efi/command.lst', want: { kind: 'probe' } },
  { name: 'the terminal list of arm64 is a probe', input: 'EFI/BOOT/arm64-efi/terminal.lst', want: { kind: 'probe' } },
  { name: 'a module is not a probe we excuse', input: 'EFI/BOOT/x86_64-efi/http.mod', want: { kind: 'other' } },
  { name: 'GRUB itself stays on HTTP', input: 'EFI/BOOT/BOOTX64.EFI', want: { kind: 'other' } },
  { name: 'installer.iso stays on HTTP', input: 'installer.iso', want: { kind: 'other' } },
  { name: 'the iPXE binary is the root’s business', input: 'snponly.efi', want: { kind: 'other' } },
  { name: 'a config name outside the prefix is not GRUB’s', input: 'grub.cfg', want: { kind: 'other' } },
  {
    name: 'a nine-digit hex suffix is not an IPv4 probe',
    input: 'EFI/BOOT/grub.cfg-0A5F009B1',
    want: { kind: 'other' },
  },
  { name: 'a short MAC is not a per-MAC name', input: 'EFI/BOOT/grub.cfg-01-52-54-00-95-00', want: { kind: 'other' } },
  { name: 'the prefix is case-sensitive like GRUB’s', input: 'efi/boot/grub.cfg', want: { kind: 'other' } },
];

describe('classifyGrubTftp', () => {
  for (const c of classify) it(c.name, () => expect(classifyGrubTftp(c.input)).toEqual(c.want));
});

const device: { name: string; input: string; want: string }[] = [
  { name: 'a non-80 port is spelled out', input: '10.99.0.1:8080', want: '10.99.0.1:8080' },
  { name: 'port 80 is GRUB’s default and left out', input: '10.99.0.1:80', want: '10.99.0.1' },
  { name: 'port 8080 is not mistaken for 80', input: '10.99.0.1:8080', want: '10.99.0.1:8080' },
  { name: 'port 180 keeps its port', input: '10.99.0.1:180', want: '10.99.0.1:180' },
];

describe('grubHttpServer', () => {
  for (const c of device) it(c.name, () => expect(grubHttpServer(c.input)).toBe(c.want));
});
