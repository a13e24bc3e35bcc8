// EVE's GRUB chainloaded by iPXE from `eveboot serve` on a non-80 HTTP port (docs/concepts/grub-under-ipxe.md,
// eve-conformance.md §2): OVMF's UEFI PXE → snponly.efi over TFTP → iPXE → identity report → install decision →
// BOOTX64.EFI over HTTP :8080. GRUB's device is then `tftp,<next-server>`, so it must find grub.cfg over TFTP; the
// grub.cfg we serve switches it to HTTP, and it loop-mounts installer.iso over HTTP (a Range request reaches the
// ISO's own grub.cfg, which prints a marker). Twice: EVE's GRUB 2.12 (test/fixtures/grub) and GRUB built here from
// Debian's modules with EVE's grub-mkimage recipe. Each VM is stopped as soon as the marker is on its console.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { ROOT } from '../support/process.js';
import { Lines, Netns } from './dhcp-netns.js';
import {
  buildDebianGrub,
  buildStandinIso,
  DEBIAN_GRUB_MODULES,
  EVE_GRUB,
  grubImageDir,
  ISO_MARKER,
} from './qemu-grub-fixture.js';
import { OVMF_CODE, OVMF_VARS, type PxeLan, pxeLan, QemuVm, type VmSpec } from './qemu-vm.js';

const SUITE = "QEMU OVMF → iPXE → EVE's GRUB (grub.cfg over TFTP, installer.iso over HTTP)";
const IPXE_DIR = '/usr/lib/ipxe';
const p = prereq(SUITE, { root: true, tools: ['qemu-system-x86_64', 'ip', 'timeout', 'xorriso', 'grub-mkimage'] });
const needed = [OVMF_CODE, OVMF_VARS, join(IPXE_DIR, 'snponly.efi'), join(DEBIAN_GRUB_MODULES, 'http.mod')];
const missing = needed.filter((f) => !existsSync(f));
if (p.ok && missing.length > 0) {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  const why = `missing ${missing.join(', ')} (packages ovmf, ipxe, grub-efi-amd64-bin)`;
  appendFileSync(join(ROOT, 'test-output', 'skipped.txt'), `${SUITE}: ${why}\n`);
}
const ready = p.ok && missing.length === 0;

type Ev = Record<string, unknown> & { type: string; data: Record<string, unknown> };

const SRV = '10.95.0.1';
const HTTP = `${SRV}:8080`;
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
const eveVm = vm('eve-grub', 10);
const debVm = vm('debian-grub', 20);

describe.skipIf(!ready)(
  'iPXE chainloads GRUB over HTTP :8080; GRUB reads grub.cfg over TFTP, the ISO over HTTP',
  () => {
    const work = mkdtempSync(join(tmpdir(), 'eveboot-qemu-grub-'));
    const net = new Netns();
    const state = join(work, 'state');
    const vms: QemuVm[] = [];
    let lan: PxeLan;
    let lines: Lines;

    const importImage = (dir: string, version: string) =>
      execFileSync(process.execPath, [
        '--import',
        'tsx',
        join(ROOT, 'src', 'main.ts'),
        'images',
        'import',
        dir,
        '--version',
        version,
        '--arch',
        'amd64',
        '--state',
        state,
      ]);
    const evs = (pred: (e: Ev) => boolean): Ev[] => (lines.all as Ev[]).filter(pred);
    const ipOf = (mac: string) =>
      evs((e) => e.type === 'dhcp' && e.data.mac === mac && e.data.reply === 'ACK').at(-1)?.data.yiaddr as string;
    const fromIp = (e: Ev, ip: string) => typeof e.data.client === 'string' && e.data.client.startsWith(`${ip}:`);

    /** Boots `spec` until GRUB printed the marker from inside installer.iso, then stops it; checks the protocol order. */
    const bootGrub = async (spec: VmSpec, image: string) => {
      const before = lines.all.length;
      const q = new QemuVm(lan.bridge, spec, 'boot1');
      vms.push(q);
      // A GRUB that found no grub.cfg drops to its command line (this banner, then `grub>` without a newline):
      // fail then, with the console, instead of at the timeout.
      const seen = (re: RegExp, what: string) =>
        q.console(re, 150_000).then(
          (line) => ({ what, line }),
          () => ({ what: 'timeout', line: undefined }),
        );
      const first = await Promise.race([
        seen(new RegExp(ISO_MARKER), 'marker'),
        seen(/Minimal BASH-like line editing/, 'GRUB command line'),
      ]);
      if (first.what !== 'marker') throw new Error(`GRUB did not reach installer.iso (${first.what})\n${q.tail()}`);
      const marker = first.line!;
      await q.stop();
      const ip = ipOf(spec.mac);
      expect(ip, 'DHCP ACK for the VM').toMatch(/^10\.95\.0\./);
      const all = (lines.all as Ev[]).slice(before);
      const at = (pred: (e: Ev) => boolean) => all.findIndex(pred);
      const decision = at((e) => e.type === 'boot.decision' && e.data.mac === spec.mac);
      expect(all[decision]?.data).toMatchObject({ decision: 'install', image });
      // GRUB's device is tftp,<next-server>: its config comes over TFTP, by the per-MAC name it tries first.
      const macName = `EFI/BOOT/grub.cfg-01-${spec.mac.replace(/:/g, '-')}`;
      const cfg = at((e) => e.type === 'tftp' && e.data.stage === 'finish' && fromIp(e, ip) && e.data.file === macName);
      expect(cfg, `TFTP ${macName}; TFTP seen: ${tftpSeen(all, ip)}`).toBeGreaterThan(decision);
      // Then installer.iso over HTTP from the boot API (the served grub.cfg set cmddevice=http,<ip>:8080).
      const iso = at(
        (e) => e.type === 'http.progress' && e.data.mac === spec.mac && e.data.path === `${image}/installer.iso`,
      );
      expect(iso, 'installer.iso over HTTP after the TFTP grub.cfg').toBeGreaterThan(cfg);
      // GRUB read the ISO's grub.cfg, which lies after 24 MiB of filler: GRUB seeks there with a Range request.
      expect(marker.text).toContain(`${ISO_MARKER} root=loop0 cmddevice=http,${HTTP}`);
      await q.console(new RegExp(`eveboot: loading the EVE-OS installer ${image} over HTTP from ${HTTP}`), 1);
      // GRUB read the ISO's grub.cfg behind 24 MiB of filler, yet far less than the ISO crossed the wire: it seeked
      // with Range requests instead of streaming (its TFTP could not have).
      const isoBytes = all
        .filter(
          (e) => e.type === 'http.progress' && e.data.path === `${image}/installer.iso` && e.data.mac === spec.mac,
        )
        .map((e) => Number(e.data.bytes));
      expect(Math.max(...isoBytes)).toBeLessThan(Number(all[iso]!.data.total) / 4);
      // GRUB's TFTP requests are answered or are probes it does without: no TFTP failure (OVMF's tsize probe of
      // snponly.efi is the firmware's, before GRUB).
      const grubTftp = all.filter((e) => e.type === 'tftp' && fromIp(e, ip) && String(e.data.file).startsWith('EFI/'));
      expect(grubTftp.filter((e) => e.data.error !== undefined)).toEqual([]);
      expect(new Set(grubTftp.map((e) => e.data.file))).toEqual(new Set([macName]));
      return { all, ip };
    };

    beforeAll(async () => {
      rmSync(vmDir, { recursive: true, force: true });
      buildStandinIso(work, join(work, 'installer.iso'));
      importImage(grubImageDir(join(work, 'img-eve'), EVE_GRUB, join(work, 'installer.iso')), 'grub-eve');
      lan = pxeLan(net, { ipv4: `${SRV}/24`, ipv6: 'fd95::1/64', taps: [eveVm.tap, debVm.tap] });
      const site = join(work, 'site.yaml');
      writeFileSync(
        site,
        `site: { name: qemu-grub }
cluster: { name: qemu-grub-c }
nodes:
  - { serial: ${eveVm.serial}, mac: ${eveVm.mac} }
  - { serial: ${debVm.serial}, mac: ${debVm.mac} }
  - { serial: QEMU-GRUB-SPARE }
listen: { advertise: ${SRV}, host: 0.0.0.0, controllerPort: 8443, httpPort: 8080, uiPort: 8088 }
boot: { localBoot: exit }
`,
      );
      const child = net.spawn(lan.server, [
        process.execPath,
        '--import',
        'tsx',
        join(ROOT, 'src', 'main.ts'),
        'serve',
        '--headless',
        '--state',
        state,
        '--site',
        site,
        '--interface',
        lan.serverIf,
        '--dhcp',
        'full',
        '--ipxe-dir',
        IPXE_DIR,
      ]);
      lines = new Lines(child);
      await lines.wait((l) => l.type === 'network.ready', 60_000);
    }, 120_000);

    afterAll(async () => {
      await Promise.all(vms.map((q) => q.stop()));
      mkdirSync(vmDir, { recursive: true });
      if (lines) writeFileSync(join(vmDir, 'events.jsonl'), lines.all.map((e) => JSON.stringify(e)).join('\n'));
      net.cleanup();
      rmSync(work, { recursive: true, force: true });
    });

    it("EVE's GRUB 2.12 (cmddevice patch): grub.cfg over TFTP from the next-server, then installer.iso over HTTP", async () => {
      const { all, ip } = await bootGrub(eveVm, 'grub-eve-amd64');
      // With the per-MAC config found, GRUB stops probing config names; the .lst lists are its only misses.
      const probes = all.filter((e) => e.type === 'tftp.grub-probe' && fromIp(e, ip)).map((e) => e.data.file);
      expect(new Set(probes)).toEqual(
        new Set(['command', 'fs', 'crypto', 'terminal'].map((l) => `EFI/BOOT/x86_64-efi/${l}.lst`)),
      );
    }, 200_000);

    it("GRUB built from Debian's modules with EVE's grub-mkimage recipe does the same", async () => {
      buildDebianGrub(join(work, 'debian-BOOTX64.EFI'));
      importImage(
        grubImageDir(join(work, 'img-deb'), join(work, 'debian-BOOTX64.EFI'), join(work, 'installer.iso')),
        'grub-deb',
      );
      await bootGrub(debVm, 'grub-deb-amd64');
    }, 200_000);
  },
);

function tftpSeen(all: Ev[], ip: string): string {
  return all
    .filter((e) => e.type.startsWith('tftp') && String(e.data.client).startsWith(`${ip}:`))
    .map((e) => `${e.type}:${e.data.stage ?? ''}:${e.data.file}`)
    .join(', ');
}
