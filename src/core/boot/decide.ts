// The boot decision for one machine, made after its identity report. Install once: a machine whose install is
// recorded (installer callback, or the device onboarded to our controller) boots its local disk forever after,
// unless the operator marked it for reinstall. Every outcome carries a human reason for the UI and the log.
import type { BootMachine } from '../../ports/boot-store.js';
import { softSerialOf } from './identity.js';
import { archOfBuildarch, GRUB_EFI, hasFile, type ImageManifest } from './manifest.js';

export type LocalBoot = 'exit' | 'sanboot';

export interface BootPolicy {
  /** How the script hands back to local disk: `exit` (back to the firmware boot order) or `sanboot` 0x80. */
  localBoot: LocalBoot;
  /** Machines not listed in the site file: `ignore` (safe default on a shared LAN) or `boot`. */
  unknownMachines: 'ignore' | 'boot';
  /** Pin an image version; otherwise the newest import for the machine's architecture. */
  image?: string;
}

export interface Known {
  known: boolean;
  /** Site node name, when listed. */
  name?: string;
  why: string;
}

export interface DecideInput {
  machine: BootMachine;
  known: Known;
  /** Serial of the onboarded controller device matching this machine, if any. */
  onboarded?: string;
  images: ImageManifest[];
  policy: BootPolicy;
}

export type BootDecision =
  | { kind: 'install'; image: ImageManifest; reason: string }
  | { kind: 'local'; method: LocalBoot; reason: string }
  | { kind: 'ignore'; method: LocalBoot; reason: string }
  | { kind: 'unsupported'; method: LocalBoot; reason: string }
  /** A second claimant for this MAC (core/boot/claims.ts): nothing is installed until the operator chooses. */
  | { kind: 'hold'; method: LocalBoot; reason: string };

export function decideBoot(input: DecideInput): BootDecision {
  const { machine: m, policy } = input;
  const method = policy.localBoot;
  if (!m.reinstall) {
    if (m.installedAt !== undefined) {
      return { kind: 'local', method, reason: `install recorded (${m.installedVia ?? 'installer'}): boot local disk` };
    }
    if (input.onboarded !== undefined) {
      return { kind: 'local', method, reason: `device ${input.onboarded} already onboarded: boot local disk` };
    }
    // EVE's installer has no completion callback. With eve_reboot_after_install the box PXE-boots again right
    // after installing; installing again would loop forever (pxe-anchors §3 item 12). Once installer.iso has
    // been served in full, a machine that comes back is presumed installed; the operator can mark a reinstall.
    if (m.payloadServedAt !== undefined) {
      return {
        kind: 'local',
        method,
        reason: 'installer payload was served in full and the machine came back: presumed installed, boot local disk',
      };
    }
  }
  if (!input.known.known && policy.unknownMachines === 'ignore') {
    return { kind: 'ignore', method, reason: `${input.known.why}; site boot.unknownMachines is ignore` };
  }
  const picked = pickImage(input.images, m, policy.image);
  if (picked.kind === 'none') return { kind: 'unsupported', method, reason: picked.reason };
  const image = picked.image;
  // EVE's netboot chain is UEFI-only: GRUB is shipped as EFI/BOOT/BOOT*.EFI, there is no BIOS GRUB in
  // installer-net.tar (eve-api-facts §6.2). The kernel stand-in also boots on BIOS (test-harness §1).
  if (image.boot.mode === 'grub') {
    if (m.identity.platform !== 'efi') {
      return {
        kind: 'unsupported',
        method,
        reason: `firmware is ${m.identity.platform ?? 'unknown'} (not UEFI): EVE-OS network install needs UEFI; switch the box to UEFI boot`,
      };
    }
    if (!hasFile(image, GRUB_EFI[image.arch])) {
      return {
        kind: 'unsupported',
        method,
        reason: `image ${image.id} has no ${GRUB_EFI[image.arch]}: import the release's installer-net.tar`,
      };
    }
  }
  const why = m.reinstall ? 'reinstall requested by the operator' : input.known.why;
  return { kind: 'install', image, reason: `${why}: install ${image.id}` };
}

function pickImage(
  images: ImageManifest[],
  m: BootMachine,
  pinned: string | undefined,
): { kind: 'image'; image: ImageManifest } | { kind: 'none'; reason: string } {
  const arch = archOfBuildarch(m.identity.buildarch);
  if (!arch) return { kind: 'none', reason: `unknown build architecture ${m.identity.buildarch ?? '(not reported)'}` };
  const fits = images.filter((i) => i.arch === arch && (!pinned || i.version === pinned || i.id === pinned));
  if (fits.length === 0) {
    const what = pinned ? `image ${pinned} for ${arch}` : `image for ${arch}`;
    return { kind: 'none', reason: `no ${what} imported: run eveboot images import` };
  }
  // Newest import wins (ISO-8601 timestamps sort as strings); ties broken by id for determinism.
  const best = [...fits].sort((a, b) => b.importedAt.localeCompare(a.importedAt) || a.id.localeCompare(b.id))[0]!;
  return { kind: 'image', image: best };
}

export interface SiteNodeRef {
  serial?: string;
  softSerial?: string;
  mac?: string;
  name?: string;
}

/** Is this machine listed in the site file? By boot MAC, any reported NIC MAC, SMBIOS serial, or soft serial: the
 *  install passes eve_soft_serial=<boot NIC MAC, hexhyp>, so that is the soft serial the device registers with. */
export function matchSiteNode(nodes: SiteNodeRef[], m: BootMachine): Known {
  const macs = new Set([m.mac, ...m.identity.nics.map((n) => n.mac)]);
  const soft = softSerialOf(m.mac);
  for (const n of nodes) {
    if (n.softSerial && n.softSerial.toLowerCase() === soft) {
      return { known: true, name: n.name, why: `site node ${n.name ?? n.softSerial} (soft serial ${n.softSerial})` };
    }
    if (n.mac && macs.has(n.mac))
      return { known: true, name: n.name, why: `site node ${n.name ?? n.mac} (MAC ${n.mac})` };
    if (n.serial && n.serial === m.identity.serial) {
      return { known: true, name: n.name, why: `site node ${n.name ?? n.serial} (serial ${n.serial})` };
    }
  }
  return { known: false, why: `MAC ${m.mac} serial ${m.identity.serial ?? '(none)'} is not in the site file` };
}
