// eveboot images import|list: put an EVE release's netboot payload (or a test kernel + initrd) into the state
// directory, where the HTTP boot API serves it from (<state>/images/<id>/).
import { join } from 'node:path';
import { importImage } from '../adapters/image-import.js';
import { ImageStore } from '../adapters/image-store.js';
import { GRUB_EFI, hasFile, type ImageManifest } from '../core/boot/manifest.js';
import { parse, UsageError } from './args.js';

export const IMAGES_USAGE = `usage: eveboot images import PATH [--sha256sums FILE] [--state DIR] [--version V] [--arch A]
                            [--cmdline ARGS] [--force]
       eveboot images list [--state DIR]
  PATH              an EVE release netboot bundle (e.g. amd64.k.generic.installer-net.tar), an installer.iso,
                    or an unpacked directory (a kernel + initrd directory imports as a test stand-in installer)
  --sha256sums FILE verify PATH (or each listed file of a directory) against sha256sum output first
  --version V       EVE version when the input has no eve_version file (e.g. 14.5.1-k-amd64)
  --arch A          amd64, arm64 or riscv64 when neither the name nor the GRUB binary tells
  --cmdline ARGS    kernel command line of a test stand-in image
  --force           replace an image with the same id
  --state DIR       state directory (default ./eveboot-state)`;

const options = {
  state: { type: 'string' as const, default: 'eveboot-state' },
  sha256sums: { type: 'string' as const },
  version: { type: 'string' as const },
  arch: { type: 'string' as const },
  cmdline: { type: 'string' as const },
  force: { type: 'boolean' as const, default: false },
};

export async function imagesCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, options, IMAGES_USAGE);
  const [sub, path, ...extra] = positionals;
  const root = join(values.state, 'images');
  if (sub === 'list' && path === undefined) {
    const images = new ImageStore(root, (msg) => out(`warning: ${msg}`)).list();
    if (images.length === 0) out(`no images in ${root}: run eveboot images import PATH`);
    for (const m of images) out(describe(m));
    return 0;
  }
  if (sub !== 'import' || path === undefined || extra.length > 0) throw new UsageError(IMAGES_USAGE);
  const m = await importImage(root, path, {
    sha256sums: values.sha256sums,
    version: values.version,
    arch: values.arch,
    cmdline: values.cmdline,
    force: values.force,
    now: new Date(),
  });
  out(`imported ${describe(m)}`);
  out(`  into ${join(root, m.id)} (${m.files.length} files)`);
  if (m.boot.mode === 'grub' && !hasFile(m, GRUB_EFI[m.arch])) {
    out(`  warning: no ${GRUB_EFI[m.arch]}: machines cannot netboot this image; import installer-net.tar instead`);
  }
  return 0;
}

function describe(m: ImageManifest): string {
  const bytes = m.files.reduce((n, f) => n + f.size, 0);
  const mode = m.boot.mode === 'grub' ? 'EVE netboot (GRUB + installer.iso)' : `test kernel ${m.boot.kernel}`;
  const check = m.source.verified ? 'sha256 verified' : 'not verified';
  return `${m.id}  version ${m.version}  ${m.arch}${m.hv ? ` hv ${m.hv}` : ''}  ${mode}  ${(bytes / 2 ** 20).toFixed(1)} MiB  ${check}  from ${m.source.name}`;
}
