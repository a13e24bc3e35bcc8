// Real firmware through `eveboot serve` (issue 3, test-harness §1): QEMU (TCG) with SeaBIOS + the NIC's iPXE ROM,
// and with OVMF's own UEFI PXE client (romfile=), PXE-boot a stand-in EVE installer (Debian's kernel + a busybox
// /init) from eveboot. Like EVE's installer it takes CONFIG from the config.img inside installer.iso (an ISO built
// by xorriso as EVE builds it, carrying EVE's stock CONFIG; eveboot serves it with the site CONFIG spliced in),
// reads `server` and the root CA from it and reports both, with the eve_soft_serial it was given, through the
// installed callback; a second boot of the same VM must get the local-disk decision. The UEFI VM is listed in the
// site only by its soft serial. Both VMs' first boots run in parallel (2 cores, no KVM).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq, recordSkip } from '../support/prereq.js';
import { ROOT } from '../support/process.js';
import { Lines, Netns } from './dhcp-netns.js';
import { buildInstallerFixture } from './qemu-fixture.js';
import { OVMF_CODE, OVMF_VARS, type PxeLan, pxeLan, QemuVm, type VmSpec } from './qemu-vm.js';

const SUITE = 'QEMU real-firmware PXE (SeaBIOS + iPXE, OVMF UEFI PXE)';
const IPXE_DIR = '/usr/lib/ipxe';
const p = prereq(SUITE, {
  root: true,
  tools: ['qemu-system-x86_64', 'ip', 'timeout', 'apt-get', 'dpkg', 'gzip', 'xorriso'],
});
const work = mkdtempSync(join(tmpdir(), 'eveboot-qemu-'));

function ready(): { ok: boolean; reason: string } {
  if (!p.ok) return p;
  const missing = [OVMF_CODE, OVMF_VARS, join(IPXE_DIR, 'undionly.kpxe'), join(IPXE_DIR, 'snponly.efi')].filter(
    (f) => !existsSync(f),
  );
  if (missing.length > 0) return { ok: false, reason: `missing ${missing.join(', ')} (packages ovmf, ipxe)` };
  const fx = buildInstallerFixture(join(work, 'installer'));
  return fx.ok ? { ok: true, reason: '' } : { ok: false, reason: fx.reason };
}
const r = ready();
if (!r.ok) {
  if (p.ok) recordSkip(SUITE, r.reason);
  rmSync(work, { recursive: true, force: true });
}

type Ev = Record<string, unknown> & { type: string; data: Record<string, unknown> };

const SRV = '10.96.0.1';
const CONTROLLER = `${SRV}:8443`;
const vmDir = join(ROOT, 'test-output', 'qemu');
const bios: VmSpec = {
  name: 'bios',
  firmware: 'bios',
  mac: '52:54:00:96:00:10',
  uuid: '9f0e0d0c-0b0a-4990-8877-665544330010',
  serial: 'QEMU-BIOS-1',
  tap: 'tap0',
  dir: vmDir,
};
const uefi: VmSpec = {
  name: 'uefi',
  firmware: 'uefi',
  mac: '52:54:00:96:00:20',
  uuid: '9f0e0d0c-0b0a-4990-8877-665544330020',
  serial: 'QEMU-UEFI-1',
  tap: 'tap1',
  dir: vmDir,
};

describe.skipIf(!r.ok)('real firmware PXE-boots the stand-in installer through eveboot serve', () => {
  const net = new Netns();
  const state = join(work, 'state');
  const vms: QemuVm[] = [];
  let lan: PxeLan;
  let lines: Lines;
  let rootSha: string;
  let biosBoot1: QemuVm;
  let uefiBoot1: QemuVm;

  const boot = (spec: VmSpec, name: string) => {
    const vm = new QemuVm(lan.bridge, spec, name);
    vms.push(vm);
    return vm;
  };
  const events = (mac: string, type?: string): Ev[] =>
    (lines.all as Ev[]).filter((e) => (type === undefined || e.type === type) && e.data?.mac === mac);
  /** A VM's first boot: QEMU powers off (exit 0) after the installer reported; else fail with the console tail. */
  const installed = async (vm: QemuVm, mac: string) => {
    const code = await vm.finished(150_000);
    expect(code, `QEMU exit code; console tail:\n${vm.tail()}`).toBe(0);
    const ev = await lines.wait((e) => e.type === 'boot.installed' && (e as Ev).data.mac === mac, 5000);
    return ev as Ev;
  };

  beforeAll(async () => {
    rmSync(vmDir, { recursive: true, force: true });
    // The stand-in installer becomes the image the boot decision chains (kernel-mode image, test mode).
    const cmdline = 'console=ttyS0,115200 quiet panic=1';
    execFileSync(process.execPath, [
      '--import',
      'tsx',
      join(ROOT, 'src', 'main.ts'),
      'images',
      'import',
      join(work, 'installer'),
      '--version',
      'test-1',
      '--arch',
      'amd64',
      '--cmdline',
      cmdline,
      '--state',
      state,
    ]);
    lan = pxeLan(net, { ipv4: `${SRV}/24`, ipv6: 'fd96::1/64', taps: [bios.tap, uefi.tap] });
    // iPXE waits ~13 s for IPv6 autoconfiguration unless a router advertisement arrives. eveboot sends one (lifetime
    // 0) when a netboot client shows up, so the LAN needs no other router: iPXE's "Configuring" ends at ~5.5 s here.
    const site = join(work, 'site.yaml');
    writeFileSync(
      site,
      `site: { name: qemu }
cluster: { name: qemu-c }
nodes:
  - { serial: ${bios.serial}, mac: ${bios.mac} }
  - { softSerial: ${uefi.mac.replace(/:/g, '-')}, name: uefi-soft }
  - { serial: QEMU-SPARE-3 }
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
    // The installer reports the root CA's SHA-256 fingerprint (over the DER).
    rootSha = new X509Certificate(readFileSync(join(state, 'pki', 'root.cert.pem'))).fingerprint256
      .replace(/:/g, '')
      .toLowerCase();
    // Both first boots at once; the tests below await them in turn.
    biosBoot1 = boot(bios, 'boot1');
    uefiBoot1 = boot(uefi, 'boot1');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(vms.map((vm) => vm.stop()));
    // The appliance's event log next to the consoles, for reading a failure (or the timeline) afterwards.
    mkdirSync(vmDir, { recursive: true });
    if (lines) writeFileSync(join(vmDir, 'events.jsonl'), lines.all.map((e) => JSON.stringify(e)).join('\n'));
    net.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('SeaBIOS + iPXE ROM: DHCP → identity report (SMBIOS UUID) → install → the installer reports CONFIG', async () => {
    const done = await installed(biosBoot1, bios.mac);
    // What the installer read from the served config.img: `server` and the appliance's root CA.
    expect(done.data.server).toBe(CONTROLLER);
    expect(done.data.status).toBe(`installed,rootca-sha256:${rootSha},soft-serial:52-54-00-96-00-10`);
    await biosBoot1.console(new RegExp(`EVEBOOT-STANDIN config server=${CONTROLLER} rootca-sha256=${rootSha}`), 1);

    const all = lines.all as Ev[];
    const at = (pred: (e: Ev) => boolean) => all.findIndex(pred);
    const ack = at((e) => e.type === 'dhcp' && e.data.mac === bios.mac && e.data.reply === 'ACK');
    const report = at((e) => e.type === 'boot.report' && e.data.mac === bios.mac);
    const decision = at((e) => e.type === 'boot.decision' && e.data.mac === bios.mac);
    const fin = at((e) => e.type === 'boot.installed' && e.data.mac === bios.mac);
    expect(ack).toBeGreaterThanOrEqual(0);
    expect(report).toBeGreaterThan(ack);
    expect(decision).toBeGreaterThan(report);
    expect(fin).toBeGreaterThan(decision);
    // The ROM is iPXE already (option 175 / user class): DHCP hands it the per-machine script URL, no TFTP.
    expect(all[ack]!.data).toMatchObject({ ipxe: true, bootFile: `http://${SRV}:8080/boot/52-54-00-96-00-10.ipxe` });
    expect(all[report]!.data).toMatchObject({ uuid: bios.uuid, serial: bios.serial, platform: 'pcbios' });
    // Not asserted: the NIC's link state. Debian's iPXE has no `iflinkwait`, so every NIC reports "down".
    expect(all[report]!.data.nics).toEqual([expect.objectContaining({ name: 'net0', mac: bios.mac })]);
    expect(all[decision]!.data).toMatchObject({ decision: 'install', image: 'test-1-amd64' });
    expect(events(bios.mac, 'boot.booting').map((e) => e.data.stage)).toContain('kernel');
    expect(events(bios.mac, 'tftp')).toEqual([]);
  }, 180_000);

  it('a second boot of the same BIOS VM gets the local-disk decision', async () => {
    const before = lines.all.length;
    const vm = boot(bios, 'boot2');
    const local = await lines.wait(
      (e) => lines.all.indexOf(e) >= before && e.type === 'boot.booting' && (e as Ev).data.mac === bios.mac,
      90_000,
    );
    // With -no-reboot and no disk, iPXE's `exit` hands back to SeaBIOS, which has nothing to boot: stop here.
    await vm.stop();
    expect(local.data).toMatchObject({ stage: 'local' });
    const decisions = events(bios.mac, 'boot.decision').filter((e) => lines.all.indexOf(e) >= before);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.data).toMatchObject({ decision: 'local' });
    expect(String(decisions[0]!.data.reason)).toMatch(/install recorded/);
    await vm.console(/eveboot: install recorded/, 1);
    expect(events(bios.mac, 'boot.config-refused')).toEqual([]);
  }, 120_000);

  it('OVMF UEFI PXE: snponly.efi over TFTP (after the tsize probe), iPXE, install, the installer reports', async () => {
    const done = await installed(uefiBoot1, uefi.mac);
    expect(done.data.server).toBe(CONTROLLER);
    // Listed only by soft serial: known through eve_soft_serial=<boot NIC MAC, hexhyp>, which the install passed on.
    expect(done.data.status).toBe(`installed,rootca-sha256:${rootSha},soft-serial:52-54-00-96-00-20`);

    const dhcp = events(uefi.mac, 'dhcp');
    // First the firmware's own PXE client (arch 7, not iPXE) gets snponly.efi, then iPXE gets the script URL.
    expect(dhcp).toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ arch: 7, ipxe: false, bootFile: 'snponly.efi' }) }),
    );
    expect(dhcp).toContainEqual(
      expect.objectContaining({
        data: expect.objectContaining({ ipxe: true, bootFile: `http://${SRV}:8080/boot/52-54-00-96-00-20.ipxe` }),
      }),
    );
    const tftp = (lines.all as Ev[]).filter((e) => e.type === 'tftp' && e.data.file === 'snponly.efi');
    const size = readFileSync(join(IPXE_DIR, 'snponly.efi')).length;
    // OVMF asks once with tsize only and aborts (TFTP error 8 after the OACK), then downloads for real.
    expect(tftp.map((e) => e.data.stage)).toEqual(expect.arrayContaining(['abort', 'finish']));
    expect(tftp.find((e) => e.data.stage === 'finish')!.data).toMatchObject({ bytes: size, total: size });
    const report = events(uefi.mac, 'boot.report')[0];
    expect(report?.data).toMatchObject({ uuid: uefi.uuid, serial: uefi.serial, platform: 'efi' });
    expect(events(uefi.mac, 'boot.decision')[0]?.data).toMatchObject({ decision: 'install' });
  }, 180_000);
});
