// The netboot grub.cfg, one rendering for every way EVE's GRUB may ask for it: over HTTP (/EFI/BOOT/grub.cfg and
// /artifacts/<id>/EFI/BOOT/grub.cfg on the boot API's port, which is GRUB's default port when the site runs HTTP
// on 80) and over TFTP from the DHCP next-server, which is where GRUB chainloaded by iPXE really reads it
// (core/boot/grub-tftp.ts). TFTP gets only GRUB's config names from here; every other name falls through to the
// iPXE directory, so TFTP keeps serving small boot files only and the large ones stay on HTTP.

import { renderNetbootGrubCfg } from '../core/boot/grub-netboot.js';
import { classifyGrubTftp, grubHttpServer } from '../core/boot/grub-tftp.js';
import type { ImageManifest } from '../core/boot/manifest.js';
import type { BootStore } from '../ports/boot-store.js';
import type { IpMacTable } from './http/boot-progress.js';
import type { ImageStore } from './image-store.js';
import type { GenerateFile } from './tftp-source.js';

/** The grub.cfg for `imageId`, with GRUB's http device for the boot API at `<ip>:<port>`. */
export function servedGrubCfg(httpServer: string, imageId: string): string {
  return renderNetbootGrubCfg({ httpServer: grubHttpServer(httpServer), imageId });
}

export interface GrubTftpDeps {
  images: ImageStore;
  bootStore: BootStore;
  /** Client IP → MAC (DHCP leases, identity reports), for GRUB's plain grub.cfg name. */
  ipMacs: IpMacTable;
  /** `<ip>:<port>` of the boot API. */
  httpServer: string;
}

/** The TFTP server's generated files: GRUB's config names, answered for the asking machine's image. */
export function grubTftpFiles(d: GrubTftpDeps): GenerateFile {
  const utf8 = new TextEncoder();
  return (path, client) => {
    const name = classifyGrubTftp(path);
    if (name.kind !== 'config') return null;
    const image = grubImageFor(d, name.mac ?? d.ipMacs.mac(client.address));
    return image ? utf8.encode(servedGrubCfg(d.httpServer, image.id)) : null;
  };
}

/** The machine's last install image when it boots through GRUB, else the newest GRUB image. */
function grubImageFor(d: GrubTftpDeps, mac: string | undefined): ImageManifest | undefined {
  const last = mac ? d.bootStore.machine(mac)?.lastImage : undefined;
  const image = last ? d.images.get(last) : undefined;
  if (image?.boot.mode === 'grub') return image;
  return d.images.list().find((i) => i.boot.mode === 'grub');
}
