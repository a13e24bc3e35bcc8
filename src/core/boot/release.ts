// What an EVE release artifact is, from the names and small files it carries: GitHub asset names are
// `<arch>.<hv>.<platform>.<file>` (e.g. amd64.k.generic.installer-net.tar, eve-api-facts §6.1), the version
// string is `<rootfs-version>-<hv>-<arch>` (eve_version), and the GRUB binary name gives the arch.
import { EvebootError } from '../errors.js';
import type { EmbeddedConfig, EmbeddedConfigResult } from '../iso/embedded-config.js';
import { ARCHES, type ImageArch } from './manifest.js';

export interface ReleaseInfo {
  version?: string;
  arch?: ImageArch;
  hv?: string;
  platform?: string;
}

const isArch = (s: string | undefined): s is ImageArch => ARCHES.includes(s as ImageArch);

/** From a release asset name such as `amd64.k.generic.installer-net.tar`. */
export function infoFromAssetName(name: string): ReleaseInfo {
  const m = /^(amd64|arm64|riscv64)\.([a-z0-9]+)\.([a-z0-9-]+)\.installer(?:-net\.tar|\.iso|\.net)?$/.exec(name);
  return m ? { arch: m[1] as ImageArch, hv: m[2], platform: m[3] } : {};
}

/** From the content of an `eve_version` file: `14.5.1-k-amd64` (HV is the second-to-last dash field). */
export function infoFromVersionText(text: string): ReleaseInfo {
  const version = text.trim().split(/\s+/)[0] ?? '';
  if (version === '') return {};
  const parts = version.split('-');
  const last = parts[parts.length - 1];
  const info: ReleaseInfo = { version };
  if (parts.length >= 3 && isArch(last)) {
    info.arch = last;
    info.hv = parts[parts.length - 2];
  }
  return info;
}

/** From the member names: which GRUB EFI binary is present. */
export function archFromFiles(paths: string[]): ImageArch | undefined {
  const has = (p: string) => paths.some((x) => x.toUpperCase() === p);
  if (has('EFI/BOOT/BOOTX64.EFI')) return 'amd64';
  if (has('EFI/BOOT/BOOTAA64.EFI')) return 'arm64';
  if (has('EFI/BOOT/BOOTRISCV64.EFI')) return 'riscv64';
  return undefined;
}

/** Later sources fill only what earlier ones left open (flags first, then eve_version, asset name, files). */
export function mergeInfo(...infos: ReleaseInfo[]): ReleaseInfo {
  const out: ReleaseInfo = {};
  for (const i of infos) {
    out.version ??= i.version;
    out.arch ??= i.arch;
    out.hv ??= i.hv;
    out.platform ??= i.platform;
  }
  return out;
}

/** `sha256sum` output: "<hex>  <name>" or "<hex> *<name>" per line → name → hex. */
export function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (!m) continue;
    const name = m[2]!.replace(/^\.\//, '');
    sums.set(name, m[1]!.toLowerCase());
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (!sums.has(base)) sums.set(base, m[1]!.toLowerCase());
  }
  return sums;
}

/** An EVE release is usable for network installs only if eveboot can put the site CONFIG into its installer.iso:
 *  the netboot installer copies the ISO's /config.img and nothing else (eve-conformance §2). */
export function requireEmbeddedConfig(found: EmbeddedConfigResult, what: string): EmbeddedConfig {
  if (found.kind === 'found') return found.config;
  throw new EvebootError(
    'EVEBOOT_ERR_IMAGE_NO_CONFIG',
    `${what}: ${found.reason}; eveboot puts the site CONFIG into that file, so this ISO cannot be served. ` +
      'Import an EVE installer-net.tar or installer.iso as released (built with a 5120 KiB config.img)',
  );
}

export { isArch };
