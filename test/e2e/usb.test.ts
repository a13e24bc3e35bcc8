// eveboot usb build against disks laid out like EVE's make-raw, checked with independent tools: sgdisk for the
// partition table, mtools for the FAT contents, fsck.fat for filesystem health.
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreatePki, type Pki } from '../../src/adapters/pki.js';
import { usbCommand } from '../../src/cli/usb.js';
import { renderGrubCfg, siteConfigFiles } from '../../src/core/disk/config-files.js';
import { DiskError } from '../../src/core/disk/disk-error.js';
import { prereq } from '../support/prereq.js';

const p = prereq('usb build', { tools: ['sgdisk', 'mdir', 'mcopy', 'mformat'] });
const fsck = prereq('usb build fsck.fat', { tools: ['fsck.fat'] });

const G = 'ad6871ee-31f9-4cf3-9e09-6f7a25c300'; // EVE's fixed partition GUIDs …0050–…0060 (eve-api-facts §6.3)
const USR = '5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6'; // make-raw PARTITION_TYPE_USR_X86_64
const MS_DATA = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'; // make-raw do_conf_win / do_inventory_win
const CONF_FIRST = 26624; // sectors; both layouts put CONFIG (1 MiB, make-raw CONF_PART_SIZE) here

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** make-raw "efi imga imgb conf persist" (live.raw), with the installer's fixed GUIDs. */
function liveLayout(img: string): void {
  run('sgdisk', [
    `--disk-guid=${G}50`,
    ...[
      '--new=1:2048:+4M',
      '--typecode=1:ef00',
      '--change-name=1:EFI System',
      `--partition-guid=1:${G}51`,
      '--attributes=1:set:2',
    ],
    ...['--new=2:0:+4M', `--typecode=2:${USR}`, '--change-name=2:IMGA', `--partition-guid=2:${G}52`],
    ...['--attributes=2:set:56', '--attributes=2:set:49'],
    ...['--new=3:0:+4M', `--typecode=3:${USR}`, '--change-name=3:IMGB', `--partition-guid=3:${G}53`],
    ...[
      '--new=4:0:+1M',
      '--typecode=4:13307e62-cd9c-4920-8f9b-91b45828b798',
      '--change-name=4:CONFIG',
      `--partition-guid=4:${G}54`,
    ],
    ...[
      '--new=9:0:0',
      '--typecode=9:5f24425a-2dfa-11e8-a270-7b663faccc2c',
      '--change-name=9:P3',
      `--partition-guid=9:${G}59`,
    ],
    img,
  ]);
}

/** make-raw "efi conf_win installer inventory_win" (installer.raw): CONFIG typed as Microsoft basic data, hybrid MBR. */
function installerLayout(img: string): void {
  run('sgdisk', [
    ...['--new=1:2048:+12M', '--typecode=1:ef00', '--change-name=1:EFI System', '--attributes=1:set:2'],
    ...[`--new=4:${CONF_FIRST}:+1M`, `--typecode=4:${MS_DATA}`, '--change-name=4:CONFIG'],
    ...['--new=5:0:+4M', `--typecode=5:${MS_DATA}`, '--change-name=5:INVENTORY'],
    img,
  ]);
  run('sgdisk', ['-h1', img]); // make-raw: hybrid MBR for legacy BIOS boot
}

describe.skipIf(!p.ok)('eveboot usb build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-usb-'));
  const state = join(dir, 'state');
  const site = join(dir, 'site.yaml');
  let pki: Pki;
  const writtenParts: string[] = [];

  beforeAll(async () => {
    pki = await loadOrCreatePki(join(state, 'pki'), { site: 't', sans: [] });
    writeFileSync(
      site,
      'site: {name: t}\ncluster: {name: c}\nlisten: {advertise: 192.168.1.10, controllerPort: 8443}\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function eveImage(name: string, layout: (img: string) => void): string {
    const img = join(dir, name);
    // A patterned image so a stray write anywhere shows up in the byte comparison.
    writeFileSync(img, Buffer.alloc(24 << 20, 'EVE-'));
    layout(img);
    const at = `${img}@@${CONF_FIRST * 512}`;
    run('mformat', ['-i', at, '-T', '2048', '-h', '2', '-s', '32', '-H', `${CONF_FIRST}`, '-v', 'CONFIG', '::']);
    const src = join(dir, `${name}.conf`);
    mkdirSync(join(src, 'GlobalConfig'), { recursive: true });
    writeFileSync(join(src, 'server'), 'zedcloud.alpha.zededa.net\n');
    writeFileSync(join(src, 'authorized_keys'), 'ssh-ed25519 AAAA operator\n');
    writeFileSync(join(src, 'GlobalConfig', 'global.json'), '{"debug.enable.ssh":"x"}\n');
    run('mcopy', ['-s', '-i', at, join(src, 'server'), join(src, 'authorized_keys'), join(src, 'GlobalConfig'), '::/']);
    return img;
  }

  const sgdiskOut = (img: string, ...args: string[]) => run('sgdisk', [...args, img]).replaceAll(img, 'IMG');

  it.each([
    {
      name: 'a live.raw layout (CONFIG found by name, GUID …0054 and type)',
      tag: 'live',
      layout: liveLayout,
      why: /name CONFIG, unique GUID/,
    },
    {
      name: 'an installer.raw layout (CONFIG found by name)',
      tag: 'installer',
      layout: installerLayout,
      why: /matched by name CONFIG\n/,
    },
  ])('$name: writes CONFIG in place, and sgdisk and mtools agree', async ({ tag, layout, why }) => {
    const image = eveImage(`${tag}.raw`, layout);
    const stick = join(dir, `stick-${tag}.img`);
    const lines: string[] = [];
    const code = await usbCommand(['build', '--site', site, '--image', image, '--out', stick, '--state', state], (s) =>
      lines.push(s),
    );
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(why);
    expect(lines.join('\n')).toMatch(/verified: partition table unchanged/);

    // Partition table: sgdisk sees the same disk, and the bytes outside CONFIG are untouched.
    expect(sgdiskOut(stick, '-p')).toBe(sgdiskOut(image, '-p'));
    expect(sgdiskOut(stick, '-i', '4')).toBe(sgdiskOut(image, '-i', '4'));
    expect(run('sgdisk', ['-v', stick])).toMatch(/No problems found/);
    const [a, b] = [readFileSync(image), readFileSync(stick)];
    const conf = { start: CONF_FIRST * 512, end: (CONF_FIRST + 2048) * 512 };
    expect(b.length).toBe(a.length);
    expect(b.subarray(0, 34 * 512).equals(a.subarray(0, 34 * 512))).toBe(true); // MBR + primary GPT
    expect(b.subarray(-33 * 512).equals(a.subarray(-33 * 512))).toBe(true); // backup entries + header
    expect(b.subarray(0, conf.start).equals(a.subarray(0, conf.start))).toBe(true);
    expect(b.subarray(conf.end).equals(a.subarray(conf.end))).toBe(true);

    // FAT contents through mtools: our files replaced or added, the operator's files kept.
    const at = `${stick}@@${conf.start}`;
    const names = run('mdir', ['-b', '-/', '-i', at, '::']).split('\n').filter(Boolean).sort();
    const want = siteConfigFiles({
      server: '192.168.1.10:8443',
      rootCaPem: pki.root.certPem,
      onboardCertPem: pki.onboard.certPem,
      onboardKeyPem: pki.onboard.keyPem,
      grubCfg: renderGrubCfg({ installServer: '192.168.1.10:8443' }),
    });
    const extra = ['::/GlobalConfig/', '::/GlobalConfig/global.json', '::/authorized_keys'];
    expect(names).toEqual([...want.map((f) => `::/${f.path}`), ...extra].sort());
    const out = join(dir, `out-${tag}`);
    mkdirSync(out);
    for (const f of want) {
      run('mcopy', ['-n', '-i', at, `::/${f.path}`, join(out, f.path)]);
      // The onboarding credential is this stick's own (minted per medium), not a site-wide one.
      if (f.path.startsWith('onboard.')) continue;
      expect(new Uint8Array(readFileSync(join(out, f.path)))).toEqual(f.data);
    }
    const onboard = new X509Certificate(readFileSync(join(out, 'onboard.cert.pem')));
    expect(onboard.verify(pki.root.cert.publicKey)).toBe(true);
    expect(onboard.subjectAltName).toMatch(/URI:urn:eveboot:onboard:medium:[0-9a-f]{16}/);
    expect(onboard.fingerprint256).not.toBe(pki.onboard.cert.fingerprint256);
    expect(run('mtype', ['-i', at, '::/grub.cfg'])).toContain(
      'eve_install_server=192.168.1.10:8443 eve_reboot_after_install',
    );
    expect(run('mtype', ['-i', at, '::/authorized_keys'])).toBe('ssh-ed25519 AAAA operator\n');
    expect(run('mtype', ['-i', at, '::/GlobalConfig/global.json'])).toBe('{"debug.enable.ssh":"x"}\n');

    const part = join(dir, `part-${tag}.img`);
    writeFileSync(part, b.subarray(conf.start, conf.end));
    writtenParts.push(part);
  });

  // Its own test so that a missing fsck.fat shows as a skip, not inside a pass.
  it.skipIf(!fsck.ok)('fsck.fat finds every CONFIG partition written above clean', () => {
    expect(writtenParts).toHaveLength(2);
    for (const part of writtenParts) {
      const r = spawnSync('fsck.fat', ['-n', part], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
  });

  it('refuses a disk without a CONFIG partition before writing anything', async () => {
    const image = join(dir, 'no-config.raw');
    writeFileSync(image, Buffer.alloc(8 << 20));
    run('sgdisk', ['--new=1:2048:+4M', '--typecode=1:ef00', '--change-name=1:EFI System', image]);
    const stick = join(dir, 'no-config.img');
    const err = await usbCommand(
      ['build', '--site', site, '--image', image, '--out', stick, '--state', state],
      () => {},
    ).catch((e) => e);
    expect(err).toBeInstanceOf(DiskError);
    expect((err as DiskError).message).toMatch(/no CONFIG partition .* partitions: 1:EFI System/);
    expect(existsSync(stick)).toBe(false);
  });

  it('refuses a file that is not a GPT disk', async () => {
    const image = join(dir, 'plain.raw');
    writeFileSync(image, Buffer.alloc(1 << 20));
    const err = await usbCommand(
      ['build', '--site', site, '--image', image, '--out', join(dir, 'x.img'), '--state', state],
      () => {},
    ).catch((e) => e);
    expect((err as DiskError).code).toBe('EVEBOOT_ERR_DISK_MALFORMED');
  });

  it('explains its usage', async () => {
    await expect(usbCommand(['build', '--site', site], () => {})).rejects.toThrow(/missing --image/);
    await expect(usbCommand(['burn'], () => {})).rejects.toThrow(/usage: eveboot usb build/);
  });
});
