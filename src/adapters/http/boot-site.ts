// Wiring from the site file and the PKI to what the boot API needs: the BootSite view and the per-site CONFIG
// partition image (eve-api-facts §6.4) served as /config.img. The FAT image is built in memory (core/disk), without
// root, mtools or a loop mount, and is byte-for-byte reproducible, so its ETag is stable across restarts.

import type { BootSite } from '../../core/boot/report.js';
import { renderGrubCfg, siteConfigFiles } from '../../core/disk/config-files.js';
import { makeFatImage } from '../../core/disk/fat-format.js';
import { CONFIG_IMG_SIZE } from '../../core/iso/embedded-config.js';

export type { BootSite };

export interface SiteBootOptions {
  localBoot: 'exit' | 'sanboot';
  unknownMachines: 'ignore' | 'boot';
  image?: string;
  installDisk?: string;
  persistDisks: string[];
  rebootAfterInstall: boolean;
  extraArgs: string[];
}

export function bootSiteFrom(site: {
  nodes: { serial?: string; softSerial?: string; mac?: string; name?: string }[];
  boot: SiteBootOptions;
}): BootSite {
  const b = site.boot;
  return {
    nodes: site.nodes,
    policy: { localBoot: b.localBoot, unknownMachines: b.unknownMachines, image: b.image },
    installArgs: installerArgs(b),
  };
}

export interface ConfigImageInput {
  /** `host:port` of the EVE controller → CONFIG `server` and eve_install_server. */
  controller: string;
  rootCaPem: string;
  onboardCertPem: string;
  onboardKeyPem: string;
  boot: SiteBootOptions;
}

/** The per-site config.img (FAT, label CONFIG, 5120 KiB: the size of the config.img it replaces in installer.iso). */
export function buildConfigImage(i: ConfigImageInput): Uint8Array {
  const grubCfg = renderGrubCfg({
    installServer: i.controller,
    installDisk: i.boot.installDisk,
    persistDisks: i.boot.persistDisks,
    rebootAfterInstall: i.boot.rebootAfterInstall,
    extraArgs: i.boot.extraArgs,
  });
  const files = siteConfigFiles({
    server: i.controller,
    rootCaPem: i.rootCaPem,
    onboardCertPem: i.onboardCertPem,
    onboardKeyPem: i.onboardKeyPem,
    grubCfg,
  });
  return makeFatImage(files, { label: 'CONFIG', sizeBytes: CONFIG_IMG_SIZE });
}

/** Site boot options → installer words (eve-api-facts §6.3). */
export function installerArgs(boot: {
  installDisk?: string;
  persistDisks: string[];
  rebootAfterInstall: boolean;
  extraArgs: string[];
}): string[] {
  const a: string[] = [];
  if (boot.installDisk) a.push(`eve_install_disk=${boot.installDisk}`);
  if (boot.persistDisks.length > 0) a.push(`eve_persist_disk=${boot.persistDisks.join(',')}`);
  if (boot.rebootAfterInstall) a.push('eve_reboot_after_install');
  return [...a, ...boot.extraArgs];
}
