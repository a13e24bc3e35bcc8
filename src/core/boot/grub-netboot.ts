// The GRUB files eveboot serves for EVE's netboot chain (eve-api-facts §6.2; lf-edge/eve pkg/eve/installer,
// pkg/grub/rootfs.cfg, docs/BOOT-INSTALLER.md):
//  - EFI/BOOT/grub.cfg, read by EVE's BOOT*.EFI from next to itself. Same steps as the stock netboot grub.cfg of
//    installer-net.tar, plus `set cmddevice=http,<ip>:<port>` so installer.iso is read over HTTP with Range
//    (GRUB's TFTP transport cannot seek and restarts from byte 0; eve PR #6380), plus config_grub_cfg.
//  - eveboot/overrides.cfg: exported as config_grub_cfg, which EVE's rootfs.cfg `source`s after its platform
//    defaults and before the boot entry (the hook meant for CONFIG/grub.cfg). It is install-time only: it adds
//    the per-site config.img as an extra initrd member so the installer copies *our* CONFIG to the new disk.
// Paths are from the HTTP root: grub_installer.cfg hard-codes ($install_part)/installer.iso, so installer.iso
// and config.img must be served at "/" (the boot API resolves those root names per client).

export interface NetbootGrub {
  /** `<ip>:<port>` of the boot API (GRUB's http device syntax: `http,<ip>:<port>`). */
  httpServer: string;
  imageId: string;
}

export function renderNetbootGrubCfg(g: NetbootGrub): string {
  const dev = `http,${g.httpServer}`;
  return `${[
    `# eveboot: netboot grub.cfg for ${g.imageId} (replaces the stock one from installer-net.tar)`,
    `echo "eveboot: loading the EVE-OS installer ${g.imageId} over HTTP from ${g.httpServer}; please wait"`,
    `set cmddevice=${dev}`,
    'export cmddevice',
    `set config_grub_cfg=(${dev})/eveboot/overrides.cfg`,
    'export config_grub_cfg',
    'loopback loop0 ($cmddevice)/installer.iso',
    'set root=loop0',
    'set isnetboot=true',
    'export isnetboot',
    'configfile ($root)/EFI/BOOT/grub.cfg',
  ].join('\n')}\n`;
}

export interface InstallerOverrides {
  httpServer: string;
  /** The requesting machine's one-time CONFIG path (`/config/<nonce>.img`, core/boot/grant.ts). */
  configPath: string;
}

/** Installer options (eve_install_server, eve_install_disk, …) live in config.img's own grub.cfg (core/disk
 *  renderGrubCfg), so the USB and network paths carry the same CONFIG; this file only wires config.img in. */
export function renderInstallerOverrides(o: InstallerOverrides): string {
  const dev = `(http,${o.httpServer})`;
  const img = `${dev}${o.configPath}`;
  return `${[
    '# eveboot: install-time GRUB overrides, sourced by EVE rootfs.cfg as $config_grub_cfg (never copied to disk)',
    '# 1. the per-site CONFIG grub.cfg (installer options, eve-api-facts §6.3), as the installed node will source it',
    `loopback loop1 ${img}`,
    'if [ -f (loop1)/grub.cfg ]; then source (loop1)/grub.cfg; fi',
    '# 2. our config.img as /config.img in the initramfs; a later cpio member replaces an earlier one of the same',
    '#    name, so it wins over a config.img baked into installer.iso. rootaddmount binds it into the installer root.',
    `set_global initrd "$initrd newc:/config.img:${img}"`,
    'if regexp -- "rootaddmount=/config.img" "$rootfs_root $dom0_extra_args"; then true; else',
    '  set_global dom0_extra_args "$dom0_extra_args rootaddmount=/config.img:/config.img"',
    'fi',
  ].join('\n')}\n`;
}
