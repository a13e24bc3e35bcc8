import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importImage } from '../../src/adapters/image-import.js';
import { ImageStore } from '../../src/adapters/image-store.js';
import { imagesCommand } from '../../src/cli/images.js';
import { CONFIG_IMG_SIZE } from '../../src/core/iso/embedded-config.js';
import { buildIso } from '../../src/sim/sim-iso.js';
import {
  bootApiOnFakeBundle,
  fakeBundleFiles,
  fakeIso,
  fakeIsoConfigOffset,
  MAC_A,
  makeTar,
  reportQuery,
  writeFakeBundle,
} from './boot-fixture.js';

const now = new Date('2026-11-01T10:00:00Z');
const tmp = () => mkdtempSync(join(tmpdir(), 'eveboot-img-'));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Looks like an ISO to the import's sniffing (CD001 at sector 16) but has an empty Primary Volume Descriptor. */
function brokenPvd(): Uint8Array {
  const iso = new Uint8Array(40000);
  iso.set(new TextEncoder().encode('\u0001CD001'), 32768);
  return iso;
}

describe('eveboot images import', () => {
  it('imports installer-net.tar, verifies its sha256 and records version and arch', async () => {
    const dir = tmp();
    const tar = writeFakeBundle(dir);
    const sums = join(dir, 'amd64.k.generic.sha256sums');
    writeFileSync(sums, `${sha(readFileSync(tar))}  amd64.k.generic.installer-net.tar\n`);
    const lines: string[] = [];
    const code = await imagesCommand(
      ['import', tar, '--sha256sums', sums, '--version', '14.5.1-k-amd64', '--state', join(dir, 'state')],
      (s) => lines.push(s),
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^imported 14\.5\.1-k-amd64 .* amd64 hv k .*sha256 verified/);
    const m = new ImageStore(join(dir, 'state', 'images')).get('14.5.1-k-amd64')!;
    expect(m).toMatchObject({ arch: 'amd64', hv: 'k', platform: 'generic', boot: { mode: 'grub' } });
    expect(m.source).toMatchObject({ kind: 'installer-net', verified: true });
    expect(m.files.map((f) => f.path)).toEqual([
      'EFI/BOOT/BOOTX64.EFI',
      'EFI/BOOT/grub.cfg',
      'installer.iso',
      'ipxe.efi',
      'ipxe.efi.cfg',
    ]);
    const isoData = fakeBundleFiles().find((f) => f.path === './installer.iso')!.data;
    expect(m.files.find((f) => f.path === 'installer.iso')).toEqual({
      path: 'installer.iso',
      size: isoData.length,
      sha256: sha(isoData),
    });
    // Where the site CONFIG goes when installer.iso is served: the ISO's own /config.img extent.
    expect(m.embeddedConfig).toEqual({ path: 'installer.iso', offset: fakeIsoConfigOffset(), size: CONFIG_IMG_SIZE });
    const listed: string[] = [];
    await imagesCommand(['list', '--state', join(dir, 'state')], (s) => listed.push(s));
    expect(listed.join('\n')).toContain('14.5.1-k-amd64  version 14.5.1-k-amd64  amd64');
  });

  it('refuses a bundle whose sha256 does not match, and one the sums file does not name', async () => {
    const dir = tmp();
    const tar = writeFakeBundle(dir);
    writeFileSync(join(dir, 'bad'), `${'0'.repeat(64)}  amd64.k.generic.installer-net.tar\n`);
    writeFileSync(join(dir, 'other'), `${'0'.repeat(64)}  something-else.tar\n`);
    const opts = { version: '1.0.0', now };
    await expect(importImage(join(dir, 'i'), tar, { ...opts, sha256sums: join(dir, 'bad') })).rejects.toThrow(
      /sha256 mismatch for amd64\.k\.generic\.installer-net\.tar/,
    );
    await expect(importImage(join(dir, 'i'), tar, { ...opts, sha256sums: join(dir, 'other') })).rejects.toThrow(
      /has no line for amd64\.k\.generic\.installer-net\.tar/,
    );
  });

  it('asks for --version when nothing names it, and refuses a second import without --force', async () => {
    const dir = tmp();
    const tar = writeFakeBundle(dir);
    await expect(importImage(join(dir, 'i'), tar, { now })).rejects.toThrow(/pass --version/);
    await importImage(join(dir, 'i'), tar, { version: '1.0.0', now });
    await expect(importImage(join(dir, 'i'), tar, { version: '1.0.0', now })).rejects.toThrow(/--force/);
    await importImage(join(dir, 'i'), tar, { version: '1.0.0', now, force: true });
  });

  it('imports an unpacked directory, reading eve_version', async () => {
    const dir = tmp();
    const src = join(dir, 'unpacked');
    for (const f of fakeBundleFiles(1000)) {
      mkdirSync(join(src, f.path, '..'), { recursive: true });
      writeFileSync(join(src, f.path), f.data);
    }
    writeFileSync(join(src, 'eve_version'), '14.6.0-k-amd64\n');
    const m = await importImage(join(dir, 'i'), src, { now });
    expect(m).toMatchObject({ id: '14.6.0-k-amd64', version: '14.6.0-k-amd64', arch: 'amd64', hv: 'k' });
    expect(m.source.kind).toBe('directory');
  });

  it('imports installer.iso alone and warns that GRUB is missing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'amd64.k.generic.installer.iso'), fakeIso(1000));
    const lines: string[] = [];
    await imagesCommand(
      ['import', join(dir, 'amd64.k.generic.installer.iso'), '--version', '14.5.1', '--state', join(dir, 's')],
      (s) => lines.push(s),
    );
    expect(lines.join('\n')).toMatch(/14\.5\.1-amd64 .*warning: no EFI\/BOOT\/BOOTX64\.EFI/s);
  });

  it('refuses, with a coded error, an ISO whose config.img is missing, the wrong size, or whose descriptors are broken', async () => {
    const dir = tmp();
    const other = { name: 'rootfs_installer.img', size: 3000 };
    const cases: [string, Uint8Array, RegExp][] = [
      ['no-config', buildIso({ names: 'rock-ridge', files: [other] }), /no \/config\.img at the top of the ISO/],
      [
        'small-config',
        buildIso({ names: 'rock-ridge', files: [other, { name: 'config.img', size: 1024 * 1024 }] }),
        /\/config\.img is 1048576 bytes, not 5242880/,
      ],
      ['bad-pvd', brokenPvd(), /not an ISO 9660 image: no CD001 at sector 17/],
    ];
    for (const [name, bytes, why] of cases) {
      const path = join(dir, `amd64.k.generic.${name}.installer.iso`);
      writeFileSync(path, bytes);
      const err = await importImage(join(dir, 'i'), path, { version: name, arch: 'amd64', now }).catch((e) => e);
      expect(err, name).toMatchObject({ code: 'EVEBOOT_ERR_IMAGE_NO_CONFIG' });
      expect(err.message, name).toMatch(why);
      expect(new ImageStore(join(dir, 'i')).list(), 'nothing imported').toEqual([]);
    }
    // The same inside a netboot bundle.
    const files = fakeBundleFiles().map((f) =>
      f.path === './installer.iso' ? { ...f, data: buildIso({ names: 'rock-ridge', files: [other] }) } : f,
    );
    writeFileSync(join(dir, 'amd64.k.generic.installer-net.tar'), makeTar(files));
    await expect(
      importImage(join(dir, 'i'), join(dir, 'amd64.k.generic.installer-net.tar'), { version: '1', now }),
    ).rejects.toMatchObject({ code: 'EVEBOOT_ERR_IMAGE_NO_CONFIG' });
  });

  it('imports a kernel + initrd directory as the test stand-in installer', async () => {
    const dir = tmp();
    const src = join(dir, 'standin');
    mkdirSync(src);
    writeFileSync(join(src, 'vmlinuz'), 'kernel');
    writeFileSync(join(src, 'initrd.img'), 'initrd');
    const m = await importImage(join(dir, 'i'), src, { version: 'standin-1', arch: 'amd64', cmdline: 'quiet', now });
    expect(m.boot).toEqual({ mode: 'kernel', kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'quiet' });
  });

  it('refuses archives with escaping member names and inputs that are neither', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'evil.tar'), makeTar([{ path: '../evil', data: new Uint8Array(3) }]));
    await expect(importImage(join(dir, 'i'), join(dir, 'evil.tar'), { version: '1', now })).rejects.toThrow(
      /escapes the archive/,
    );
    writeFileSync(join(dir, 'junk.bin'), 'hello');
    await expect(importImage(join(dir, 'i'), join(dir, 'junk.bin'), { version: '1', now })).rejects.toThrow(
      /neither a tar archive/,
    );
  });

  it('usage errors exit 2', async () => {
    await expect(imagesCommand(['frobnicate'], () => {})).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('install once without an installer callback (real EVE)', () => {
  it('a machine that downloaded installer.iso in full and comes back boots local', async () => {
    const t = await bootApiOnFakeBundle();
    try {
      const mac = '52:54:00:99:00:11'; // node-b, listed by MAC
      const ip = '10.99.0.111';
      const q = reportQuery(mac, { serial: 'SN-B' });
      const first = await t.app.inject({ url: `/boot/report?${q}`, remoteAddress: ip });
      expect(first.body).toContain('BOOTX64.EFI');
      // GRUB loop-mounts the ISO with ranges, then reads it whole as the installer initrd.
      await t.app.inject({ url: '/installer.iso', headers: { range: 'bytes=0-65535' }, remoteAddress: ip });
      await t.app.inject({ url: '/installer.iso', remoteAddress: ip });
      expect(t.events.find((e) => e.type === 'boot.payload-served')).toMatchObject({ data: { mac } });
      const again = await t.app.inject({ url: `/boot/report?${q}`, remoteAddress: ip });
      expect(again.body).toContain('presumed installed');
      expect(again.body).not.toContain('BOOTX64.EFI');
      expect(t.bootStore.machine(MAC_A)).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
