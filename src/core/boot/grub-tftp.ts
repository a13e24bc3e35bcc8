// What EVE's GRUB asks for when iPXE chainloads it, and which of those names eveboot answers. Measured under
// QEMU + OVMF with EVE's GRUB 2.12 and with Debian's 2.06 built by EVE's recipe (docs/concepts/grub-under-ipxe.md,
// eve-conformance.md §2):
//  - GRUB's device is `tftp,<DHCP next-server>` whatever served BOOTX64.EFI (HTTP on any port, or TFTP), and its
//    prefix is `(tftp,<next-server>)/EFI/BOOT` (EVE builds it with `grub-mkimage -p /EFI/BOOT`, pkg/grub/Dockerfile).
//  - Before it reads the config it probes, over TFTP, in this order (GRUB grub-core/net/net.c,
//    grub_net_search_config_file, then normal's read_lists): [EFI/BOOT/grub.cfg-<client UUID>,] EFI/BOOT/grub.cfg-01-<mac, dashes>,
//    EFI/BOOT/grub.cfg-<IPv4 as 8 hex digits, then 7, …, 1>, EFI/BOOT/x86_64-efi/{command,fs,crypto,terminal}.lst,
//    then EFI/BOOT/grub.cfg. The first config name that exists wins; a missing .lst only disables autoloading,
//    which EVE's image does not need (every module is built in).
//  - With no grub.cfg on TFTP it never asks HTTP and stops at a `grub>` prompt. HTTP is used only when a config
//    names it: `(http,<ip>:<port>)`, and `(http,<ip>)` means port 80.
// So eveboot answers both config names over TFTP with the netboot grub.cfg, which switches GRUB to HTTP for
// installer.iso (GRUB's HTTP seeks with Range; its TFTP cannot seek). Every other name misses, as GRUB expects.

/** GRUB's prefix in EVE's images, relative to the TFTP root. */
export const GRUB_PREFIX = 'EFI/BOOT';

export type GrubTftpName =
  /** A config name: the netboot grub.cfg. `mac` (lower case, colons) when GRUB named the machine in it. */
  | { kind: 'config'; mac?: string }
  /** A name GRUB probes and does without: answering "not found" is the normal path, not a failed boot. */
  | { kind: 'probe' }
  /** Not GRUB's: the TFTP root decides (iPXE binaries). */
  | { kind: 'other' };

const PLATFORMS = ['x86_64-efi', 'arm64-efi', 'riscv64-efi', 'i386-efi', 'i386-pc'];
const LISTS = ['command.lst', 'fs.lst', 'crypto.lst', 'terminal.lst'];
// GRUB prints the MAC with %02x (grub_net_hwaddr_to_str) and the IPv4 hex with %02X; accept either case.
const MAC_CFG = /^grub\.cfg-01-((?:[0-9a-f]{2}-){5}[0-9a-f]{2})$/i;
const IP_CFG = /^grub\.cfg-[0-9a-f]{1,8}$/i;
// Asked first when the DHCPACK GRUB reads carries a client UUID (option 97), e.g. from a site DHCP server.
const UUID_CFG = /^grub\.cfg-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `path` as the TFTP core confines it (relative, no leading slash, no empty segments). */
export function classifyGrubTftp(path: string): GrubTftpName {
  if (!path.startsWith(`${GRUB_PREFIX}/`)) return { kind: 'other' };
  const rest = path.slice(GRUB_PREFIX.length + 1);
  if (rest === 'grub.cfg') return { kind: 'config' };
  const mac = MAC_CFG.exec(rest);
  if (mac) return { kind: 'config', mac: mac[1]!.toLowerCase().replace(/-/g, ':') };
  if (IP_CFG.test(rest) || UUID_CFG.test(rest)) return { kind: 'probe' };
  const [dir, file, ...more] = rest.split('/');
  if (more.length === 0 && PLATFORMS.includes(dir!) && LISTS.includes(file ?? '')) return { kind: 'probe' };
  return { kind: 'other' };
}

/**
 * The `<server>` part of GRUB's http device for the boot API at `<ip>:<port>`: `<ip>` for port 80 (GRUB's
 * default; EVE's docs/BOOT-INSTALLER.md writes it so), else `<ip>:<port>`. GRUB's own HTTP requests then carry
 * `Host: <ip>` without the port; nothing in the boot API reads Host.
 */
export function grubHttpServer(httpServer: string): string {
  return httpServer.endsWith(':80') ? httpServer.slice(0, -3) : httpServer;
}
