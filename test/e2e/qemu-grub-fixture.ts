// GRUB images and an installer.iso for the GRUB-under-iPXE e2e test (docs/concepts/grub-under-ipxe.md).
//  - EVE's GRUB: test/fixtures/grub/BOOTX64.EFI (GRUB 2.12 with EVE's cmddevice patch, see its README).
//  - GRUB built here the way EVE builds it (lf-edge/eve pkg/grub/Dockerfile): `grub-mkimage -O x86_64-efi
//    -p /EFI/BOOT` over EVE's amd64 module list, from Debian's grub-efi-amd64-bin. Modules that only EVE's own
//    patches add are not in Debian's build and are dropped (EVE_ONLY_MODULES).
//  - installer.iso: ISO9660 + Rock Ridge like EVE's (xorriso -as mkisofs -R), a large file first and
//    EFI/BOOT/grub.cfg after it, so GRUB must seek (an HTTP Range request) to read that config.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stockConfigImage } from '../../src/sim/sim-iso.js';
import { ROOT } from '../support/process.js';

export const EVE_GRUB = join(ROOT, 'test', 'fixtures', 'grub', 'BOOTX64.EFI');
export const DEBIAN_GRUB_MODULES = '/usr/lib/grub/x86_64-efi';

// EVE's GRUB_MODULES_PORT + amd64 GRUB_MODULES, in its order (pkg/grub/Dockerfile at 2c6b4154).
const EVE_MODULES = [
  ...'part_gpt fat ext2 iso9660 squash4 gzio linux acpi normal cpio crypto disk boot crc64'.split(' '),
  ...'search_disk_uuid search_part_uuid search_part_label search_label xzio xfs video gfxterm serial gptprio'.split(
    ' ',
  ),
  ...'chain probe reboot regexp smbios part_msdos cat echo test configfile loopback net tftp http true'.split(' '),
  'gcry_sha256',
  ...'multiboot multiboot2 efi_uga efi_gop gpt measurefs efinet getenv'.split(' '),
];
/** Added by EVE's patches 0005–0008, 0010, 0013 (gpt, search by UUID/label, measurefs, getenv): not in Debian. */
export const EVE_ONLY_MODULES = [
  'search_disk_uuid',
  'search_part_uuid',
  'search_part_label',
  'gptprio',
  'gpt',
  'measurefs',
  'getenv',
];

/** Builds BOOTX64.EFI from Debian's GRUB modules with EVE's recipe; returns the modules it used. */
export function buildDebianGrub(out: string): string[] {
  const modules = EVE_MODULES.filter((m) => !EVE_ONLY_MODULES.includes(m));
  const missing = modules.filter((m) => !existsSync(join(DEBIAN_GRUB_MODULES, `${m}.mod`)));
  if (missing.length > 0) throw new Error(`grub-efi-amd64-bin lacks modules ${missing.join(', ')}`);
  execFileSync('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/EFI/BOOT', '-o', out, ...modules], { stdio: 'pipe' });
  return modules;
}

/** The config inside our stand-in installer.iso: it says where GRUB read it from, then hands back the prompt. */
export const ISO_MARKER = 'EVEBOOT-ISO-GRUB-CFG';

/** A directory `eveboot images import` takes as a GRUB (netboot) image: installer.iso + EFI/BOOT/BOOTX64.EFI. */
export function grubImageDir(dir: string, grubEfi: string, iso: string): string {
  mkdirSync(join(dir, 'EFI', 'BOOT'), { recursive: true });
  copyFileSync(grubEfi, join(dir, 'EFI', 'BOOT', 'BOOTX64.EFI'));
  copyFileSync(iso, join(dir, 'installer.iso'));
  // A stock-like grub.cfg: it would loop-mount installer.iso from GRUB's own device (TFTP). eveboot must serve its
  // own instead, on TFTP as well as HTTP.
  writeFileSync(join(dir, 'EFI', 'BOOT', 'grub.cfg'), 'loopback loop0 ($cmddevice)/installer.iso\nset root=loop0\n');
  return dir;
}

/** installer.iso: /A/filler.bin (`fillerMiB`) first, then /EFI/BOOT/grub.cfg printing ISO_MARKER, and EVE's
 *  top-level 5120 KiB /config.img (import refuses an ISO without one: eveboot serves the site CONFIG in its place). */
export function buildStandinIso(work: string, out: string, fillerMiB = 24): void {
  const tree = join(work, 'iso-tree');
  mkdirSync(join(tree, 'A'), { recursive: true });
  mkdirSync(join(tree, 'EFI', 'BOOT'), { recursive: true });
  writeFileSync(join(tree, 'A', 'filler.bin'), Buffer.alloc(fillerMiB << 20, 0x5a));
  writeFileSync(join(tree, 'EFI', 'BOOT', 'grub.cfg'), `echo "${ISO_MARKER} root=$root cmddevice=$cmddevice"\n`);
  writeFileSync(join(tree, 'config.img'), stockConfigImage());
  execFileSync('xorriso', ['-as', 'mkisofs', '-R', '-V', 'EVEISO', '-o', out, tree], { stdio: 'pipe' });
}
