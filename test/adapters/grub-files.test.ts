// GRUB's config over TFTP from the next-server (where GRUB under iPXE reads it) and over HTTP: one rendering,
// GRUB-style request names (leading '/'), and nothing large on TFTP. Real TFTP server on 127.0.0.1, boot API
// through inject().
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grubTftpFiles, servedGrubCfg } from '../../src/adapters/grub-files.js';
import { ImageStore } from '../../src/adapters/image-store.js';
import { createTftpServer, type TftpServer } from '../../src/adapters/tftp-server.js';
import { ErrorCode } from '../../src/core/tftp/packet.js';
import { bootApiOnFakeBundle, MAC_A, reportQuery } from './boot-fixture.js';
import { TftpProbe } from './tftp-probe.js';

const IMAGE = '14.5.1-k-amd64';
let t: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
let server: TftpServer;
let port = 0;
const ipxeDir = mkdtempSync(join(tmpdir(), 'eveboot-grub-tftp-'));

beforeAll(async () => {
  t = await bootApiOnFakeBundle();
  mkdirSync(ipxeDir, { recursive: true });
  writeFileSync(join(ipxeDir, 'snponly.efi'), 'not really iPXE');
  server = createTftpServer({
    root: ipxeDir,
    address: '127.0.0.1',
    port: 0,
    workers: 0,
    nativePump: false,
    generate: grubTftpFiles({
      images: new ImageStore(join(t.state, 'images')),
      bootStore: t.bootStore,
      ipMacs: t.ipMacs,
      httpServer: '10.99.0.1:8080',
    }),
  });
  port = (await server.listen()).port;
});

afterAll(async () => {
  await server.close();
  await t.close();
  rmSync(ipxeDir, { recursive: true, force: true });
});

/** One GRUB-style RRQ (no options, as GRUB's TFTP sends blksize/tsize it does not need here). */
async function tftpGet(file: string): Promise<{ bytes?: string; error?: number }> {
  const p = await TftpProbe.open();
  try {
    p.send({ kind: 'rrq', file, mode: 'octet', options: [] }, port);
    const first = await p.next();
    if (first.packet.kind === 'error') return { error: first.packet.code };
    return { bytes: (await p.download(first)).toString() };
  } finally {
    p.close();
  }
}

describe('grub.cfg on every protocol GRUB may ask', () => {
  it('TFTP answers /EFI/BOOT/grub.cfg with the bytes HTTP serves, switching GRUB to HTTP :8080', async () => {
    const tftp = await tftpGet('/EFI/BOOT/grub.cfg');
    const http = await t.app.inject({ method: 'GET', url: '/EFI/BOOT/grub.cfg' });
    expect(http.statusCode).toBe(200);
    expect(tftp.bytes).toBe(http.body);
    expect(tftp.bytes).toBe(servedGrubCfg('10.99.0.1:8080', IMAGE));
    expect(tftp.bytes).toContain('set cmddevice=http,10.99.0.1:8080\n');
    expect(tftp.bytes!.indexOf('set cmddevice=http')).toBeLessThan(tftp.bytes!.indexOf('($cmddevice)/installer.iso'));
  });

  it('TFTP answers the per-MAC name GRUB tries first, for the machine it names', async () => {
    await t.app.inject({ method: 'GET', url: `/boot/report?${reportQuery(MAC_A)}` });
    expect(t.bootStore.machine(MAC_A)?.lastImage).toBe(IMAGE);
    const r = await tftpGet(`/EFI/BOOT/grub.cfg-01-${MAC_A.replace(/:/g, '-')}`);
    expect(r.bytes).toBe(servedGrubCfg('10.99.0.1:8080', IMAGE));
  });

  it('GRUB’s other probes miss with ERROR 1, as GRUB expects', async () => {
    for (const f of ['/EFI/BOOT/grub.cfg-0A5F009B', '/EFI/BOOT/x86_64-efi/command.lst']) {
      expect(await tftpGet(f), f).toEqual({ error: ErrorCode.FileNotFound });
    }
  });

  it('TFTP keeps to small boot files: GRUB, installer.iso and config.img are HTTP only', async () => {
    for (const f of ['/EFI/BOOT/BOOTX64.EFI', '/installer.iso', '/config.img', `/artifacts/${IMAGE}/installer.iso`]) {
      expect(await tftpGet(f), f).toEqual({ error: ErrorCode.FileNotFound });
    }
    expect(await tftpGet('/snponly.efi')).toEqual({ bytes: 'not really iPXE' });
  });

  it('a site on HTTP port 80 serves grub.cfg there, with GRUB’s port-less device', async () => {
    const t80 = await bootApiOnFakeBundle({ httpServer: '10.99.0.1:80' });
    try {
      const r = await t80.app.inject({ method: 'GET', url: '/EFI/BOOT/grub.cfg' });
      expect(r.statusCode).toBe(200);
      expect(r.body).toBe(servedGrubCfg('10.99.0.1:80', IMAGE));
      expect(r.body).toContain('set cmddevice=http,10.99.0.1\n');
      expect(r.body).not.toContain(':80');
    } finally {
      await t80.close();
    }
  });
});
