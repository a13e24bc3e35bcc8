// One PXE LAN for the GRUB-under-iPXE e2e test: `eveboot serve` (full DHCP, or proxyDHCP next to a dnsmasq that
// is the site's DHCP server) with HTTP on :8080, and `bootGrub`, which boots one OVMF VM until GRUB printed the
// marker from inside installer.iso and checks which protocol carried what (docs/concepts/grub-under-ipxe.md).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from '../support/process.js';
import { Lines, type Netns } from './dhcp-netns.js';
import { ISO_MARKER } from './qemu-grub-fixture.js';
import { type PxeLan, pxeLan, QemuVm, type VmSpec } from './qemu-vm.js';

export type Ev = Record<string, unknown> & { type: string; data: Record<string, unknown> };

export interface GrubLanOptions {
  net: Netns;
  work: string;
  /** First three octets of the LAN, e.g. '10.95.0': eveboot is .1, the site DHCP server (proxy mode) .2. */
  subnet: string;
  dhcp: 'full' | 'proxy';
  vms: VmSpec[];
}

export interface GrubLan {
  lines: Lines;
  /** `eveboot images import <dir> --version <v> --arch amd64`, while serving (the next decision picks it). */
  importImage(dir: string, version: string): void;
  bootGrub(spec: VmSpec, image: string): Promise<{ all: Ev[]; ip: string }>;
  /** Stops the VMs; the caller cleans up the namespaces. */
  stop(eventsFile: string): Promise<void>;
}

const main = join(ROOT, 'src', 'main.ts');

export async function startGrubLan(o: GrubLanOptions): Promise<GrubLan> {
  const srv = `${o.subnet}.1`;
  const http = `${srv}:8080`;
  const state = join(o.work, 'state');
  const lan: PxeLan = pxeLan(o.net, { ipv4: `${srv}/24`, ipv6: 'fd95::1/64', taps: o.vms.map((v) => v.tap) });
  if (o.dhcp === 'proxy') siteDhcp(o, lan);
  const site = join(o.work, 'site.yaml');
  const nodes = o.vms.map((v) => `  - { serial: ${v.serial}, mac: ${v.mac} }`).join('\n');
  writeFileSync(
    site,
    `site: { name: qemu-grub }\ncluster: { name: qemu-grub-c }\nnodes:\n${nodes}\n  - { serial: QEMU-GRUB-SPARE }\n` +
      `listen: { advertise: ${srv}, host: 0.0.0.0, controllerPort: 8443, httpPort: 8080, uiPort: 8088 }\n` +
      'boot: { localBoot: exit }\n',
  );
  const serve = ['serve', '--headless', '--state', state, '--site', site, '--interface', lan.serverIf];
  const child = o.net.spawn(lan.server, [
    process.execPath,
    '--import',
    'tsx',
    main,
    ...serve,
    '--dhcp',
    o.dhcp,
    '--ipxe-dir',
    '/usr/lib/ipxe',
  ]);
  const lines = new Lines(child);
  await lines.wait((l) => l.type === 'network.ready', 60_000);
  const vms: QemuVm[] = [];
  const fromIp = (e: Ev, ip: string) => typeof e.data.client === 'string' && e.data.client.startsWith(`${ip}:`);

  const bootGrub = async (spec: VmSpec, image: string) => {
    const before = lines.all.length;
    const q = new QemuVm(lan.bridge, spec, `boot-${o.dhcp}`);
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
    await q.stop();
    const all = (lines.all as Ev[]).slice(before);
    const at = (pred: (e: Ev) => boolean) => all.findIndex(pred);
    const report = all.find((e) => e.type === 'boot.report' && e.data.mac === spec.mac);
    const ip = String(report?.data.ip);
    expect(ip, 'the identity report gives the VM address').toMatch(new RegExp(`^${o.subnet.replace(/\./g, '\\.')}\\.`));
    const decision = at((e) => e.type === 'boot.decision' && e.data.mac === spec.mac);
    expect(all[decision]?.data).toMatchObject({ decision: 'install', image });
    // GRUB's device is tftp,<next-server>: its config comes over TFTP, by the per-MAC name it tries first.
    const macName = `EFI/BOOT/grub.cfg-01-${spec.mac.replace(/:/g, '-')}`;
    const cfg = at((e) => e.type === 'tftp' && e.data.stage === 'finish' && fromIp(e, ip) && e.data.file === macName);
    expect(cfg, `TFTP ${macName}; TFTP seen: ${tftpSeen(all, ip)}`).toBeGreaterThan(decision);
    // Then installer.iso over HTTP from the boot API (the served grub.cfg set cmddevice=http,<ip>:8080).
    const isIso = (e: Ev) =>
      e.type === 'http.progress' && e.data.mac === spec.mac && e.data.path === `${image}/installer.iso`;
    const iso = at(isIso);
    expect(iso, 'installer.iso over HTTP after the TFTP grub.cfg').toBeGreaterThan(cfg);
    expect(first.line!.text).toContain(`${ISO_MARKER} root=loop0 cmddevice=http,${http}`);
    await q.console(new RegExp(`eveboot: loading the EVE-OS installer ${image} over HTTP from ${http}`), 1);
    // GRUB read the ISO's grub.cfg behind 24 MiB of filler, yet far less than the ISO crossed the wire: it seeked
    // with Range requests instead of streaming (its TFTP could not have).
    const isoBytes = all.filter(isIso).map((e) => Number(e.data.bytes));
    expect(Math.max(...isoBytes)).toBeLessThan(Number(all[iso]!.data.total) / 4);
    // GRUB's TFTP requests are answered or are probes it does without: no TFTP failure (OVMF's tsize probe of
    // snponly.efi is the firmware's, before GRUB).
    const grubTftp = all.filter((e) => e.type === 'tftp' && fromIp(e, ip) && String(e.data.file).startsWith('EFI/'));
    expect(grubTftp.filter((e) => e.data.error !== undefined)).toEqual([]);
    expect(new Set(grubTftp.map((e) => e.data.file))).toEqual(new Set([macName]));
    return { all, ip };
  };

  return {
    lines,
    importImage: (dir, version) =>
      void execFileSync(
        process.execPath,
        ['--import', 'tsx', main, 'images', 'import', dir, '--version', version].concat([
          '--arch',
          'amd64',
          '--state',
          state,
        ]),
      ),
    bootGrub,
    async stop(eventsFile) {
      await Promise.all(vms.map((q) => q.stop()));
      mkdirSync(join(eventsFile, '..'), { recursive: true });
      writeFileSync(eventsFile, lines.all.map((e) => JSON.stringify(e)).join('\n'));
    },
  };
}

/** proxyDHCP: the site's DHCP server (dnsmasq, no boot options) hands out addresses and names itself next-server;
 *  its TFTP root is empty, so a GRUB that asks it finds no grub.cfg and drops to its prompt at once. */
function siteDhcp(o: GrubLanOptions, lan: PxeLan): void {
  const ns = o.net.ns('qd');
  o.net.veth(lan.bridge, 'vbd', ns, 'vsite', undefined, `${o.subnet}.2/24`);
  execFileSync('ip', ['-n', lan.bridge, 'link', 'set', 'vbd', 'master', 'br0']);
  const tftpRoot = join(o.work, 'site-tftp');
  mkdirSync(tftpRoot, { recursive: true });
  o.net.spawn(ns, [
    'dnsmasq',
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--log-facility=-',
    '--port=0',
    '--interface=vsite',
    '--bind-interfaces',
    `--dhcp-range=${o.subnet}.100,${o.subnet}.150,255.255.255.0,1h`,
    `--dhcp-leasefile=${join(o.work, 'site.leases')}`,
    '--no-ping',
    '--pid-file=',
    '--user=root',
    '--enable-tftp',
    `--tftp-root=${tftpRoot}`,
  ]);
}

function tftpSeen(all: Ev[], ip: string): string {
  return all
    .filter((e) => e.type.startsWith('tftp') && String(e.data.client).startsWith(`${ip}:`))
    .map((e) => `${e.type}:${e.data.stage ?? ''}:${e.data.file}`)
    .join(', ');
}
