// makeFatImage output read by independent tools: mtools lists and reads it, fsck.fat finds nothing to fix.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { siteConfigFiles } from '../../src/core/disk/config-files.js';
import { makeFatImage } from '../../src/core/disk/fat-format.js';
import { prereq } from '../support/prereq.js';

const p = prereq('makeFatImage vs mtools/fsck.fat', { tools: ['mdir', 'mtype', 'fsck.fat'] });
const text = (s: string) => new TextEncoder().encode(s);

describe.skipIf(!p.ok)('makeFatImage checked by mtools and fsck.fat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-fat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files = [
    ...siteConfigFiles({
      server: '10.0.0.1:8443',
      rootCaPem: 'ROOT\n'.repeat(200),
      onboardCertPem: 'CERT',
      onboardKeyPem: 'KEY',
      grubCfg: 'set_global dom0_extra_args "$dom0_extra_args eve_reboot_after_install "',
      softSerial: 'SN-0001',
    }),
    { path: 'GlobalConfig/global.json', data: text('{"a":"1"}\n') },
    { path: 'DevicePortConfig/override.json', data: text('{}\n') },
  ];

  it.each([
    { name: 'FAT12 5 MiB (the CONFIG default)', opts: {}, type: /2 FATs, 12 bit entries/ },
    { name: 'FAT16 5 MiB', opts: { fatType: 16 as const }, type: /2 FATs, 16 bit entries/ },
    { name: 'FAT32 40 MiB', opts: { fatType: 32 as const, sizeBytes: 40 << 20 }, type: /2 FATs, 32 bit entries/ },
  ])('$name', ({ opts, type }) => {
    const img = join(dir, `${opts.fatType ?? 12}.img`);
    writeFileSync(img, makeFatImage(files, { ...opts, time: new Date(Date.UTC(2026, 4, 17, 12)) }));
    const r = spawnSync('fsck.fat', ['-n', '-v', img], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(type);
    const listing = execFileSync('mdir', ['-/', '-i', img, '::'], { encoding: 'utf8' });
    expect(listing).toMatch(/Volume in drive : is CONFIG/);
    expect(listing).toMatch(/2026-05-17 +12:00 +v2tlsbaseroot-certificates\.pem/);
    for (const f of files) {
      const got = execFileSync('mtype', ['-i', img, `::/${f.path}`]);
      expect(new Uint8Array(got)).toEqual(f.data);
    }
  });
});
