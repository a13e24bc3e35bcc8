// EVE's GRUB chainloaded by iPXE from `eveboot serve` on a non-80 HTTP port (docs/concepts/grub-under-ipxe.md,
// eve-conformance.md §2): OVMF's UEFI PXE → snponly.efi over TFTP → iPXE → identity report → install decision →
// BOOTX64.EFI over HTTP :8080. GRUB's device is then `tftp,<next-server>`, so it must find grub.cfg over TFTP; the
// grub.cfg we serve switches it to HTTP, and it loop-mounts installer.iso over HTTP (a Range request reaches the
// ISO's own grub.cfg, which prints a marker). With full DHCP: EVE's GRUB 2.12 (test/fixtures/grub) and GRUB built
// here from Debian's modules with EVE's grub-mkimage recipe. With proxyDHCP next to a site DHCP server: EVE's GRUB.
// Each VM is stopped as soon as the marker is on its console.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { ROOT } from '../support/process.js';
import { Netns } from './dhcp-netns.js';
import { buildDebianGrub, buildStandinIso, DEBIAN_GRUB_MODULES, EVE_GRUB, grubImageDir } from './qemu-grub-fixture.js';
import { type GrubLan, startGrubLan } from './qemu-grub-lan.js';
import { OVMF_CODE, OVMF_VARS, type VmSpec } from './qemu-vm.js';

const SUITE = "QEMU OVMF → iPXE → EVE's GRUB (grub.cfg over TFTP, installer.iso over HTTP)";
const tools = ['qemu-system-x86_64', 'ip', 'timeout', 'xorriso', 'grub-mkimage', 'dnsmasq'];
const p = prereq(SUITE, { root: true, tools });
const needed = [OVMF_CODE, OVMF_VARS, '/usr/lib/ipxe/snponly.efi', join(DEBIAN_GRUB_MODULES, 'http.mod')];
const missing = needed.filter((f) => !existsSync(f));
if (p.ok && missing.length > 0) {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  const why = `missing ${missing.join(', ')} (packages ovmf, ipxe, grub-efi-amd64-bin)`;
  appendFileSync(join(ROOT, 'test-output', 'skipped.txt'), `${SUITE}: ${why}\n`);
}
const ready = p.ok && missing.length === 0;

const vmDir = join(ROOT, 'test-output', 'qemu-grub');
const vm = (name: string, n: number): VmSpec => ({
  name,
  firmware: 'uefi',
  mac: `52:54:00:95:00:${n}`,
  uuid: `9f0e0d0c-0b0a-4990-8877-6655443395${n}`,
  serial: `QEMU-GRUB-${n}`,
  tap: `tap${n}`,
  dir: vmDir,
});

/** A LAN + `eveboot serve` per describe block, in its own namespaces and work dir. */
function grubLan(dhcp: 'full' | 'proxy', vms: VmSpec[]) {
  const ctx = { lan: undefined as GrubLan | undefined, work: '', iso: '' };
  const net = new Netns();
  beforeAll(async () => {
    ctx.work = mkdtempSync(join(tmpdir(), `eveboot-qemu-grub-${dhcp}-`));
    ctx.iso = join(ctx.work, 'installer.iso');
    buildStandinIso(ctx.work, ctx.iso);
    ctx.lan = await startGrubLan({ net, work: ctx.work, subnet: '10.95.0', dhcp, vms });
    ctx.lan.importImage(grubImageDir(join(ctx.work, 'img-eve'), EVE_GRUB, ctx.iso), 'grub-eve');
  }, 120_000);
  afterAll(async () => {
    await ctx.lan?.stop(join(vmDir, `events-${dhcp}.jsonl`));
    net.cleanup();
    rmSync(ctx.work, { recursive: true, force: true });
  });
  return ctx;
}

describe.skipIf(!ready)('full DHCP: iPXE chainloads GRUB over HTTP :8080, GRUB reads grub.cfg over TFTP', () => {
  const eveVm = vm('eve-grub', 10);
  const debVm = vm('debian-grub', 20);
  beforeAll(() => rmSync(vmDir, { recursive: true, force: true }));
  const ctx = grubLan('full', [eveVm, debVm]);

  it("EVE's GRUB 2.12 (cmddevice patch): grub.cfg over TFTP from the next-server, then installer.iso over HTTP", async () => {
    const { all, ip } = await ctx.lan!.bootGrub(eveVm, 'grub-eve-amd64');
    // With the per-MAC config found, GRUB stops probing config names; the .lst lists are its only misses.
    const probes = all
      .filter((e) => e.type === 'tftp.grub-probe' && String(e.data.client).startsWith(`${ip}:`))
      .map((e) => e.data.file);
    expect(new Set(probes)).toEqual(
      new Set(['command', 'fs', 'crypto', 'terminal'].map((l) => `EFI/BOOT/x86_64-efi/${l}.lst`)),
    );
  }, 200_000);

  it("GRUB built from Debian's modules with EVE's grub-mkimage recipe does the same", async () => {
    const efi = join(ctx.work, 'debian-BOOTX64.EFI');
    buildDebianGrub(efi);
    ctx.lan!.importImage(grubImageDir(join(ctx.work, 'img-deb'), efi, ctx.iso), 'grub-deb');
    await ctx.lan!.bootGrub(debVm, 'grub-deb-amd64');
  }, 200_000);
});

describe.skipIf(!ready)('proxyDHCP next to a site DHCP server: GRUB still reads our grub.cfg', () => {
  const proxyVm = vm('eve-grub-proxy', 30);
  const ctx = grubLan('proxy', [proxyVm]);

  // GRUB takes tftp,<siaddr> from the DHCPACK iPXE hands it, which is the site server's; the decision script
  // points the boot NIC's next-server at eveboot before chaining GRUB (ipxe-script.ts).
  it("EVE's GRUB asks eveboot's TFTP, not the site DHCP server's next-server", async () => {
    await ctx.lan!.bootGrub(proxyVm, 'grub-eve-amd64');
  }, 200_000);
});
