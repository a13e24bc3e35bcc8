// The manifest of an imported image (<state>/images/<id>/manifest.json; documented by images/manifest.schema.json).
// One schema validates and types it; the image store refuses a manifest that does not parse.
import { z } from 'zod';

export const ARCHES = ['amd64', 'arm64', 'riscv64'] as const;
export type ImageArch = (typeof ARCHES)[number];

const relPath = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !p.startsWith('/') && !p.split('/').some((s) => s === '..' || s === '.' || s === ''), {
    message: 'must be a relative path without . or .. segments',
  });

const fileSchema = z.object({
  path: relPath,
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const bootSchema = z.discriminatedUnion('mode', [
  /** EVE's netboot chain: iPXE → EFI/BOOT/BOOT<arch>.EFI (GRUB) → loopback installer.iso (eve-api-facts §6.2). */
  z.object({ mode: z.literal('grub') }),
  /** Stand-in installer for tests and the demo: iPXE boots a kernel + initrd directly. */
  z.object({ mode: z.literal('kernel'), kernel: relPath, initrd: z.array(relPath), cmdline: z.string().max(2048) }),
]);

export const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  version: z.string().min(1).max(128),
  arch: z.enum(ARCHES),
  hv: z.string().optional(),
  platform: z.string().optional(),
  source: z.object({
    kind: z.enum(['installer-net', 'installer-iso', 'directory']),
    name: z.string(),
    sha256: z.string().optional(),
    verified: z.boolean(),
  }),
  importedAt: z.string(),
  boot: bootSchema,
  files: z.array(fileSchema),
  /** Where installer.iso keeps /config.img (found at import, core/iso): the bytes eveboot replaces when serving. */
  embeddedConfig: z
    .object({ path: relPath, offset: z.number().int().min(0), size: z.number().int().min(1) })
    .optional(),
});

export type ImageManifest = z.infer<typeof manifestSchema>;
export type ImageFile = z.infer<typeof fileSchema>;

/** iPXE `${buildarch}` → image architecture. BIOS iPXE (undionly) is built for i386 even on 64-bit boxes. */
export function archOfBuildarch(buildarch: string | undefined): ImageArch | undefined {
  switch (buildarch) {
    case 'x86_64':
    case 'i386':
      return 'amd64';
    case 'arm64':
      return 'arm64';
    case 'riscv64':
      return 'riscv64';
    default:
      return undefined;
  }
}

/** GRUB's removable-media name per arch (UEFI spec §3.5.1.1), as shipped in EVE's installer-net.tar. */
export const GRUB_EFI: Record<ImageArch, string> = {
  amd64: 'EFI/BOOT/BOOTX64.EFI',
  arm64: 'EFI/BOOT/BOOTAA64.EFI',
  riscv64: 'EFI/BOOT/BOOTRISCV64.EFI',
};

export function hasFile(m: ImageManifest, path: string): boolean {
  return m.files.some((f) => f.path === path);
}

/** Directory name: the version, suffixed with the arch unless EVE's version string already ends with it. */
export function imageId(version: string, arch: ImageArch): string {
  const safe = version.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe.endsWith(`-${arch}`) ? safe : `${safe}-${arch}`;
}
