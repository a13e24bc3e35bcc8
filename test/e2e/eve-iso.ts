// An installer.iso built the way EVE builds it (lf-edge/eve pkg/mkimage-iso-efi/make-efi):
//   xorriso -as mkisofs -R -e boot.img -hide boot.img -hide boot.catalog -no-emul-boot -V EVEISO -o disk.iso .
// Rock Ridge, no Joliet, an El Torito no-emulation EFI image (a FAT image holding EFI/BOOT/BOOTX64.EFI and a stub
// grub.cfg) hidden from the tree, and EFI/BOOT/, boot/, rootfs_installer.img and a 5120 KiB FAT config.img in it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { makeFatImage } from '../../src/core/disk/fat-format.js';
import { demoBytes } from '../../src/sim/demo-media.js';
import { stockConfigImage } from '../../src/sim/sim-iso.js';

export { stockConfigImage };

export interface EveIsoOptions {
  /** EVE's Rock Ridge (the default); Joliet only or plain ISO 9660 names (native xorriso, Rock Ridge off) let a
   *  test check the reader's other name sources on real xorriso output. */
  names?: 'rock-ridge' | 'joliet' | 'iso9660';
  /** Where to write the ISO: a name inside `work` or an absolute path (default installer.iso). */
  out?: string;
  rootfsBytes?: number;
  config?: Uint8Array;
  /** More files for the tree, path → bytes (e.g. the stand-in installer's kernel). */
  extra?: Record<string, Uint8Array>;
}

/** Writes the tree under <work>/tree and the ISO to <work>/installer.iso; returns the ISO path. */
export function buildEveIso(work: string, o: EveIsoOptions = {}): string {
  const tree = join(work, 'tree');
  const put = (path: string, data: Uint8Array | string) => {
    mkdirSync(join(tree, path, '..'), { recursive: true });
    writeFileSync(join(tree, path), data);
  };
  const grubEfi = demoBytes('eve-iso-BOOTX64.EFI', 90_000);
  const stubCfg = 'search --set=root --label EVEISO\nconfigfile /EFI/BOOT/grub.cfg\n';
  put('EFI/BOOT/BOOTX64.EFI', grubEfi);
  put('EFI/BOOT/grub.cfg', 'set isnetboot=false\nconfigfile /boot/grub.cfg\n');
  put('boot/initrd.img', demoBytes('eve-iso-initrd', 300_000));
  put('boot/grub.cfg', '# EVE rootfs.cfg stand-in\n');
  put('rootfs_installer.img', demoBytes('eve-iso-rootfs', o.rootfsBytes ?? 3_000_000));
  put('config.img', o.config ?? stockConfigImage());
  put('eve_version', '17.3.0-kvm-amd64\n');
  for (const [p, d] of Object.entries(o.extra ?? {})) put(p, d);
  const bootImg = makeFatImage(
    [
      { path: 'EFI/BOOT/BOOTX64.EFI', data: grubEfi },
      { path: 'EFI/BOOT/grub.cfg', data: new TextEncoder().encode(stubCfg) },
    ],
    { label: 'EFI', sizeBytes: 1 << 20 },
  );
  put('boot.img', bootImg);
  const iso = isAbsolute(o.out ?? '') ? o.out! : join(work, o.out ?? 'installer.iso');
  const names = o.names ?? 'rock-ridge';
  // xorriso's mkisofs emulation always writes Rock Ridge; the other name sources need its native commands.
  const args =
    names === 'rock-ridge'
      ? [
          ...['-as', 'mkisofs', '-R', '-e', 'boot.img', '-hide', 'boot.img', '-hide', 'boot.catalog'],
          ...['-no-emul-boot', '-V', 'EVEISO', '-o', iso, '.'],
        ]
      : ['-outdev', iso, '-rockridge', 'off', '-joliet', names === 'joliet' ? 'on' : 'off', '-map', '.', '/'];
  execFileSync('xorriso', args, { cwd: tree, stdio: 'ignore' });
  return iso;
}
