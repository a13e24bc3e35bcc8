// `eveboot apps import`: OCI archives and qcow2/raw disks into the content-addressed store; refusals change nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importApp } from '../../src/adapters/app-import.js';
import { AppStore } from '../../src/adapters/app-store.js';
import { exportState, importState } from '../../src/adapters/state-archive.js';
import { appsCommand } from '../../src/cli/apps.js';
import { EvebootError } from '../../src/core/errors.js';
import { patternBytes } from './boot-fixture.js';
import { ociFixture, qcow2Header, withFile, writeLayoutTar } from './oci-fixture.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'eveboot-apps-'));
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const now = 1_780_000_000_000;

/** Every file under the store (blobs and index), to prove a refused import left it as it was. */
function snapshot(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length))
    .sort();
}

interface Case {
  name: string;
  input: (dir: string) => { file: string; opts?: { name?: string; sha256?: string; tag?: string } };
  want: { code: string; message: string } | { format: string; name: string; tag?: string; blobs?: number };
}

const f = ociFixture({ refName: 'docker.io/library/hello:1.0' });
const layerPath = `blobs/sha256/${f.layerDigest.slice(7)}`;
const disk = patternBytes(70_000, 3);

const cases: Case[] = [
  {
    name: 'a good OCI archive: name and tag from its ref name, every blob stored',
    input: (d) => ({ file: writeLayoutTar(join(d, 'x.tar'), f.files) }),
    want: { format: 'oci', name: 'hello', tag: '1.0', blobs: 3 },
  },
  {
    name: 'a layer whose bytes do not match its digest',
    input: (d) => {
      const bad = f.files.find((x) => x.path === layerPath)!.data.slice();
      bad[100] = bad[100]! ^ 0xff;
      return { file: writeLayoutTar(join(d, 'x.tar'), withFile(f.files, layerPath, bad)) };
    },
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: `x.tar: ${layerPath}: content hashes to sha256:` },
  },
  {
    name: 'a missing blob',
    input: (d) => ({ file: writeLayoutTar(join(d, 'x.tar'), withFile(f.files, layerPath, undefined)) }),
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: `x.tar: ${layerPath}: missing (named by blobs/sha256/` },
  },
  {
    name: 'a tar without index.json',
    input: (d) => ({ file: writeLayoutTar(join(d, 'x.tar'), withFile(f.files, 'index.json', undefined)) }),
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: 'x.tar: index.json: missing' },
  },
  {
    name: 'a docker-archive is sent to skopeo',
    input: (d) => ({ file: writeLayoutTar(join(d, 'x.tar'), [{ path: 'manifest.json', data: new Uint8Array(2) }]) }),
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: 'a docker-archive (manifest.json, no index.json)' },
  },
  {
    name: 'an OCI --sha256 is the image digest',
    input: (d) => ({
      file: writeLayoutTar(join(d, 'x.tar'), f.files),
      opts: { sha256: f.manifestDigest, name: 'web' },
    }),
    want: { format: 'oci', name: 'web', tag: '1.0', blobs: 3 },
  },
  {
    name: 'an OCI --sha256 of something else',
    input: (d) => ({ file: writeLayoutTar(join(d, 'x.tar'), f.files), opts: { sha256: 'ab'.repeat(32) } }),
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: `does not match the image digest, ${f.manifestDigest}` },
  },
  {
    name: 'a qcow2 disk by its magic, virtual size from the header',
    input: (d) => {
      const file = join(d, 'Ubuntu VM.qcow2');
      writeFileSync(file, Buffer.concat([qcow2Header(8n << 30n), disk]));
      return { file };
    },
    want: { format: 'qcow2', name: 'ubuntu-vm' },
  },
  {
    name: 'a qcow2 with a backing file',
    input: (d) => {
      const file = join(d, 'vm.qcow2');
      writeFileSync(
        file,
        qcow2Header(1n << 30n, (v) => v.setBigUint64(8, 1024n)),
      );
      return { file };
    },
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: 'vm.qcow2: qcow2 image with a backing file' },
  },
  {
    name: 'anything else is a raw disk, checked against --sha256',
    input: (d) => {
      writeFileSync(join(d, 'disk.img'), disk);
      return { file: join(d, 'disk.img'), opts: { sha256: `sha256:${hex(disk).toUpperCase()}` } };
    },
    want: { format: 'raw', name: 'disk' },
  },
  {
    name: 'a disk whose --sha256 does not match',
    input: (d) => {
      writeFileSync(join(d, 'disk.img'), disk);
      return { file: join(d, 'disk.img'), opts: { sha256: hex(new Uint8Array(1)) } };
    },
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: `does not match the file, sha256:${hex(disk)}` },
  },
  {
    name: 'a malformed --sha256',
    input: (d) => {
      writeFileSync(join(d, 'disk.img'), disk);
      return { file: join(d, 'disk.img'), opts: { sha256: 'xyz' } };
    },
    want: { code: 'EVEBOOT_ERR_BAD_REQUEST', message: '--sha256 xyz: want 64 hex digits' },
  },
  {
    name: 'a file that is not there',
    input: (d) => ({ file: join(d, 'nope.qcow2') }),
    want: { code: 'EVEBOOT_ERR_NOT_FOUND', message: 'nope.qcow2: no such file' },
  },
];

describe('importApp', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dir = tmp();
      const store = new AppStore(join(dir, 'state', 'apps'));
      const { file, opts } = c.input(dir);
      if ('code' in c.want) {
        const before = snapshot(store.root);
        const err = await importApp(store, file, { ...opts, now }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(EvebootError);
        expect(err).toMatchObject({ code: c.want.code, message: expect.stringContaining(c.want.message) });
        expect(snapshot(store.root)).toEqual(before);
        return;
      }
      const r = await importApp(store, file, { ...opts, now });
      const data = readFileSync(file);
      expect(r.already).toBe(false);
      expect(r.image).toMatchObject({ format: c.want.format, name: c.want.name, importedAt: now });
      expect(r.image.tag).toBe(c.want.tag);
      expect(store.find(c.want.name)).toEqual(r.image);
      if (r.image.format === 'oci') {
        expect(r.image.sha256).toBe(f.manifestDigest.slice(7));
        expect(r.image.blobs?.map((b) => b.digest)).toEqual([f.manifestDigest, f.configDigest, f.layerDigest]);
        for (const b of r.image.blobs!)
          expect(hex(readFileSync(store.blobFile(b.digest.slice(7))))).toBe(b.digest.slice(7));
        expect(r.image.sizeBytes).toBe(r.image.blobs!.reduce((n, b) => n + b.size, 0));
      } else {
        expect(r.image).toMatchObject({ sha256: hex(data), sizeBytes: data.length });
        expect(readFileSync(store.blobFile(r.image.sha256))).toEqual(data);
        expect(r.image.virtualSizeBytes).toBe(r.image.format === 'qcow2' ? 8 * 2 ** 30 : data.length);
      }
    });
  }

  it('re-importing the same content is a no-op; other content under the name is a conflict', async () => {
    const dir = tmp();
    const store = new AppStore(join(dir, 'apps'));
    const tar = writeLayoutTar(join(dir, 'hello.tar'), f.files);
    const first = await importApp(store, tar, { now });
    const index = readFileSync(store.indexFile, 'utf8');
    const again = await importApp(store, tar, { now: now + 1 });
    expect(again).toEqual({ image: first.image, already: true });
    expect(readFileSync(store.indexFile, 'utf8')).toBe(index);
    const other = writeLayoutTar(
      join(dir, 'other.tar'),
      ociFixture({ refName: 'docker.io/library/hello:1.0', seed: 9 }).files,
    );
    await expect(importApp(store, other, { now })).rejects.toMatchObject({
      code: 'EVEBOOT_ERR_CONFLICT',
      message: expect.stringContaining('name hello already holds oci sha256:'),
    });
    expect(readFileSync(store.indexFile, 'utf8')).toBe(index);
    // The same blobs under a second name are shared, not copied again.
    const blobs = snapshot(join(store.root, 'blobs'));
    await importApp(store, tar, { now, name: 'hello2' });
    expect(snapshot(join(store.root, 'blobs'))).toEqual(blobs);
    expect(store.images().map((i) => i.name)).toEqual(['hello', 'hello2']);
  });

  it('a qcow2 made by qemu-img imports with its virtual size', async () => {
    const dir = tmp();
    const file = join(dir, 'real.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '3G']);
    const r = await importApp(new AppStore(join(dir, 'apps')), file, { now });
    expect(r.image).toMatchObject({ format: 'qcow2', name: 'real', virtualSizeBytes: 3 * 2 ** 30 });
    expect(r.image.sha256).toBe(hex(readFileSync(file)));
  });
});

describe('eveboot apps', () => {
  it('imports and lists, saying where each image is served', async () => {
    const dir = tmp();
    const state = join(dir, 'state');
    writeFileSync(join(dir, 'vm.raw'), disk);
    const lines: string[] = [];
    const out = (s: string) => lines.push(s);
    expect(await appsCommand(['list', '--state', state], out)).toBe(0);
    expect(await appsCommand(['import', join(dir, 'vm.raw'), '--state', state], out)).toBe(0);
    expect(
      await appsCommand(['import', writeLayoutTar(join(dir, 'h.tar'), f.files), '--state', state, '--tag', 'v1'], out),
    ).toBe(0);
    expect(await appsCommand(['list', '--state', state], out)).toBe(0);
    expect(lines[0]).toMatch(/^no workload images in .*: run eveboot apps import FILE$/);
    expect(lines[1]).toMatch(new RegExp(`^imported vm  raw  virtual 0.1 MiB  0.1 MiB  sha256:${hex(disk)}  `));
    expect(lines[2]).toBe(`  served on the HTTP boot port at /eveboot/images/${hex(disk)}.raw`);
    expect(lines[3]).toMatch(/^imported hello {2}oci {2}tag v1 {2}3 blobs {2}/);
    expect(lines[4]).toBe('  served by the registry on the HTTP boot port as eveboot/hello:v1');
    expect(lines.slice(5).map((l) => l.split('  ')[0])).toEqual(['vm', 'hello']);
  });

  it('a hand-over keeps the index but not the blobs; importing the file again restores them', async () => {
    const dir = tmp();
    const state = join(dir, 'state');
    mkdirSync(join(state, 'pki'), { recursive: true });
    writeFileSync(join(dir, 'vm.raw'), disk);
    await appsCommand(['import', join(dir, 'vm.raw'), '--state', state], () => {});
    const pass = 'correct horse battery';
    const exported = exportState(state, join(dir, 'x.eveboot'), pass, { site: 's', eveboot: '0', now: new Date(now) });
    expect(exported.files.filter((p) => p.startsWith('apps/'))).toEqual(['apps/index.json']);
    const moved = join(dir, 'moved');
    importState(join(dir, 'x.eveboot'), moved, pass);
    const lines: string[] = [];
    await appsCommand(['list', '--state', moved], (s) => lines.push(s));
    expect(lines[1]).toBe('  1 file(s) missing (a state import leaves them out): import it again with --name vm');
    await appsCommand(['import', join(dir, 'vm.raw'), '--state', moved], (s) => lines.push(s));
    expect(lines[2]).toMatch(/^already imported vm /);
    const store = new AppStore(join(moved, 'apps'));
    expect(store.missing(store.find('vm')!)).toEqual([]);
  });

  it('refuses a missing FILE with its usage', async () => {
    await expect(appsCommand(['import'], () => {})).rejects.toThrow('usage: eveboot apps import FILE');
  });
});

describe('AppStore', () => {
  it('refuses a damaged index with its path instead of showing an empty catalog', () => {
    const dir = tmp();
    const store = new AppStore(dir);
    writeFileSync(store.indexFile, '{"version":1,"images":[{"name":"x"}]}');
    expect(() => store.images()).toThrow(`${store.indexFile}: images.0.sha256: Required`);
    writeFileSync(store.indexFile, '{"version":1,');
    expect(() => store.images()).toThrow(`${store.indexFile}: `);
  });
});
