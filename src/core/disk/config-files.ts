// What goes into EVE's CONFIG partition for one site (eve-api-facts §6.4), and the GRUB overrides (§6.3).
// Same content as the network path, so USB-installed nodes onboard exactly like PXE-booted ones.
import { EvebootError } from '../errors.js';

export interface SiteConfigInput {
  /** Controller address as host:port, written verbatim to CONFIG `server`. */
  server: string;
  rootCaPem: string;
  onboardCertPem: string;
  onboardKeyPem: string;
  grubCfg: string;
  softSerial?: string;
}

export interface ConfigFile {
  path: string;
  data: Uint8Array;
}

const text = (s: string) => new TextEncoder().encode(s);
const line = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

export function siteConfigFiles(input: SiteConfigInput): ConfigFile[] {
  const files: ConfigFile[] = [
    // The installer writes eve_install_server here with echo, i.e. with a trailing newline; we do the same.
    { path: 'server', data: text(line(input.server)) },
    { path: 'root-certificate.pem', data: text(line(input.rootCaPem)) },
    // The TLS roots file: EVE's own test harness (evetest) writes the same private root here.
    { path: 'v2tlsbaseroot-certificates.pem', data: text(line(input.rootCaPem)) },
    { path: 'onboard.cert.pem', data: text(line(input.onboardCertPem)) },
    { path: 'onboard.key.pem', data: text(line(input.onboardKeyPem)) },
    { path: 'grub.cfg', data: text(line(input.grubCfg)) },
  ];
  if (input.softSerial !== undefined) files.push({ path: 'soft_serial', data: text(line(input.softSerial)) });
  return files;
}

export interface GrubCfgOptions {
  /** eve_install_server=HOST[:PORT]: the installer writes it into CONFIG `server`. */
  installServer?: string;
  /** eve_reboot_after_install: reboot instead of powering off when done (default on). */
  rebootAfterInstall?: boolean;
  installDisk?: string;
  persistDisks?: string[];
  softSerial?: string;
  /** Any further installer options, e.g. "eve_install_skip_zfs_checks". */
  extraArgs?: string[];
}

const SAFE_ARG = /^[A-Za-z0-9_.:,/@=+-]+$/;

/**
 * CONFIG grub.cfg: one `set_global dom0_extra_args "$dom0_extra_args … "` line (docs/BOOTING.md); the trailing space
 * keeps later appends separated. Values are checked so that nothing can break out of the GRUB string.
 */
export function renderGrubCfg(opts: GrubCfgOptions): string {
  const args: string[] = [];
  if (opts.installServer) args.push(`eve_install_server=${opts.installServer}`);
  if (opts.installDisk) args.push(`eve_install_disk=${opts.installDisk}`);
  if (opts.persistDisks?.length) args.push(`eve_persist_disk=${opts.persistDisks.join(',')}`);
  if (opts.softSerial) args.push(`eve_soft_serial=${opts.softSerial}`);
  if (opts.rebootAfterInstall ?? true) args.push('eve_reboot_after_install');
  args.push(...(opts.extraArgs ?? []));
  for (const a of args)
    if (!SAFE_ARG.test(a))
      throw new EvebootError(
        'EVEBOOT_ERR_CONFIG',
        `unsafe GRUB kernel argument ${JSON.stringify(a)}: use letters, digits and _.:,/@=+-`,
      );
  return `set_global dom0_extra_args "$dom0_extra_args ${args.join(' ')} "\n`;
}
