// The GRUB files eveboot serves for EVE's netboot chain (eve-api-facts §6.2, eve-conformance §2; lf-edge/eve
// pkg/eve/installer/grub_installer.cfg, pkg/grub/rootfs.cfg, docs/BOOT-INSTALLER.md):
//  - EFI/BOOT/grub.cfg, read by EVE's BOOT*.EFI. Same steps as the stock netboot grub.cfg of installer-net.tar,
//    plus `set cmddevice=http,<ip>:<port>` so installer.iso is read over HTTP with Range (GRUB's TFTP transport
//    cannot seek and restarts from byte 0; eve PR #6380), plus config_grub_cfg.
//  - eveboot/overrides.cfg: exported as config_grub_cfg, which EVE's rootfs.cfg `source`s after its platform
//    defaults and before the boot entry. Per machine, install-time only: it adds eve_soft_serial=<boot NIC MAC,
//    hexhyp>, as EVE's ipxe.efi.cfg does with ${mac:hexhyp}.
// CONFIG itself is not wired here: the installer copies the config.img inside installer.iso, and eveboot serves
// installer.iso with the site's CONFIG in that file's place (core/iso). grub_installer.cfg sources the CONFIG's
// grub.cfg from ($install_part)/config.img by itself, once.
// Paths are from the HTTP root: grub_installer.cfg hard-codes ($install_part)/installer.iso and config.img, so both
// must be served at "/" (the boot API resolves those root names per client).

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
  /** eve_soft_serial of the machine asking (its boot NIC MAC, hexhyp); undefined when the client is unknown. */
  softSerial?: string;
}

export function renderInstallerOverrides(o: InstallerOverrides): string {
  const l = [
    '# eveboot: install-time GRUB overrides, sourced by EVE rootfs.cfg as $config_grub_cfg (never copied to disk)',
  ];
  if (o.softSerial && /^[0-9a-f-]+$/.test(o.softSerial)) {
    // pkg/installer/install reads eve_soft_serial= from the cmdline; without it the installer writes a uuidgen.
    l.push(`set_global dom0_extra_args "$dom0_extra_args eve_soft_serial=${o.softSerial} "`);
  } else {
    l.push('# client not recognised by IP: no soft serial here (the installer will make up a random one)');
  }
  return `${l.join('\n')}\n`;
}
