// The HTTP datastore and the read-only registry, mounted on the real boot API as serve does, through inject().
// The same routes over a real socket (sendfile) and with real clients (curl, skopeo): test/e2e/workload-content.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importApp } from '../../src/adapters/app-import.js';
import { AppStore, type StoredImage } from '../../src/adapters/app-store.js';
import { openWorkloadContent, type WorkloadContent } from '../../src/adapters/workload-content.js';
import { MEDIA } from '../../src/core/workloads/oci-layout.js';
import { bootApiOnFakeBundle, patternBytes } from './boot-fixture.js';
import { ociFixture, qcow2Header, writeLayoutTar } from './oci-fixture.js';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const importedAt = Date.UTC(2026, 11, 1, 9, 30, 0);

let boot: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
let content: WorkloadContent;
let vm: StoredImage;
let web: StoredImage;
const disk = Buffer.concat([qcow2Header(1n << 30n), patternBytes(300_000, 11)]);
const oci = ociFixture({ refName: '1.0', layerBytes: 50_000 });
const progress: Record<string, unknown>[] = [];

beforeAll(async () => {
  boot = await bootApiOnFakeBundle();
  const store = new AppStore(join(boot.state, 'apps'));
  writeFileSync(join(boot.state, 'vm.qcow2'), disk);
  vm = (await importApp(store, join(boot.state, 'vm.qcow2'), { now: importedAt })).image;
  const tar = writeLayoutTar(join(boot.state, 'web.tar'), oci.files);
  web = (await importApp(store, tar, { now: importedAt })).image;
  const emit = (e: { type: string; data: Record<string, unknown> }) => {
    if (e.type === 'workload.image-progress') progress.push(e.data);
  };
  content = openWorkloadContent({ stateDir: boot.state, listen: { advertise: '10.0.0.5', httpPort: 8080 }, emit });
  content.mount(boot.app);
});
afterAll(() => boot.close());

const diskUrl = () => `/eveboot/images/${vm.sha256}.qcow2`;

describe('HTTP datastore', () => {
  it('serves the whole disk with its exact length, Accept-Ranges and a stable Last-Modified', async () => {
    const r = await boot.app.inject({ url: diskUrl() });
    expect(r.statusCode).toBe(200);
    expect(r.headers).toMatchObject({
      'content-length': String(disk.length),
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'last-modified': 'Tue, 01 Dec 2026 09:30:00 GMT',
      etag: `"${vm.sha256.slice(0, 32)}"`,
    });
    expect(hex(r.rawPayload)).toBe(vm.sha256);
    expect(content.downloads.servedBytes(vm.sha256, '127.0.0.1')).toBe(disk.length);
  });

  it('resumes with Range (206) and refuses a range past the end (416)', async () => {
    const part = await boot.app.inject({ url: diskUrl(), headers: { range: 'bytes=1000-' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-${disk.length - 1}/${disk.length}`);
    expect(part.headers['content-length']).toBe(String(disk.length - 1000));
    expect(part.rawPayload.equals(disk.subarray(1000))).toBe(true);
    const past = await boot.app.inject({ url: diskUrl(), headers: { range: `bytes=${disk.length}-` } });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${disk.length}`);
  });

  it('answers HEAD with the headers and no body', async () => {
    const r = await boot.app.inject({ method: 'HEAD', url: diskUrl() });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-length']).toBe(String(disk.length));
    expect(r.rawPayload.length).toBe(0);
  });

  const misses: { name: string; input: () => string }[] = [
    { name: 'an unknown sha256', input: () => `/eveboot/images/${'0'.repeat(64)}.qcow2` },
    { name: 'a known disk under another format', input: () => `/eveboot/images/${vm.sha256}.raw` },
    { name: 'an OCI image (served by the registry only)', input: () => `/eveboot/images/${web.sha256}.raw` },
    { name: 'a trailing slash (404, never a redirect: EVE follows none)', input: () => `${diskUrl()}/` },
    { name: 'a path outside the store', input: () => '/eveboot/images/..%2F..%2Fetc%2Fpasswd' },
  ];
  for (const c of misses) {
    it(`404 for ${c.name}`, async () => {
      const r = await boot.app.inject({ url: c.input() });
      expect(r.statusCode).toBe(404);
      expect(r.headers.location).toBeUndefined();
    });
  }

  it('reports progress per client at coarse steps, not per chunk', async () => {
    progress.length = 0;
    const ip = '10.0.0.21';
    await boot.app.inject({ url: diskUrl(), remoteAddress: ip, headers: { range: 'bytes=0-99999' } });
    await boot.app.inject({ url: diskUrl(), remoteAddress: ip, headers: { range: 'bytes=50000-' } });
    expect(content.downloads.servedBytes(vm.sha256, ip)).toBe(disk.length);
    expect(content.downloads.servedBytes(vm.sha256, '10.0.0.22')).toBe(0);
    const percents = progress.filter((p) => p.ip === ip).map((p) => p.percent);
    expect(percents.length).toBeLessThanOrEqual(11);
    expect(percents.at(-1)).toBe(100);
    expect(progress.at(-1)).toEqual({
      image: 'vm',
      sha256: vm.sha256,
      ip,
      bytes: disk.length,
      total: disk.length,
      percent: 100,
    });
  });
});

describe('read-only OCI registry', () => {
  const v2 = '/v2/eveboot/web';

  it('answers /v2/ as a registry', async () => {
    for (const url of ['/v2/', '/v2']) {
      const r = await boot.app.inject({ url });
      expect(r.statusCode).toBe(200);
      expect(r.headers['docker-distribution-api-version']).toBe('registry/2.0');
    }
  });

  it('serves the manifest by tag and by digest with its media type and digest', async () => {
    for (const ref of ['1.0', oci.manifestDigest]) {
      const r = await boot.app.inject({ url: `${v2}/manifests/${ref}` });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe(MEDIA.ociManifest);
      expect(r.headers['docker-content-digest']).toBe(oci.manifestDigest);
      expect(r.headers['content-length']).toBe(String(oci.manifest.length));
      expect(r.rawPayload.equals(Buffer.from(oci.manifest))).toBe(true);
    }
    const head = await boot.app.inject({ method: 'HEAD', url: `${v2}/manifests/1.0` });
    expect(head.headers['docker-content-digest']).toBe(oci.manifestDigest);
    expect(head.rawPayload.length).toBe(0);
  });

  it('serves blobs with Range', async () => {
    const layer = readFileSync(join(boot.state, 'apps', 'blobs', 'sha256', oci.layerDigest.slice(7)));
    const r = await boot.app.inject({ url: `${v2}/blobs/${oci.layerDigest}`, headers: { range: 'bytes=10-19' } });
    expect(r.statusCode).toBe(206);
    expect(r.headers['docker-content-digest']).toBe(oci.layerDigest);
    expect(r.rawPayload.equals(layer.subarray(10, 20))).toBe(true);
  });

  const errors: {
    name: string;
    input: { method?: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH'; url: string };
    want: [number, string];
  }[] = [
    { name: 'an unknown tag', input: { url: `${v2}/manifests/2.0` }, want: [404, 'MANIFEST_UNKNOWN'] },
    {
      name: 'a layer asked for as a manifest',
      input: { url: `${v2}/manifests/${oci.layerDigest}` },
      want: [404, 'MANIFEST_UNKNOWN'],
    },
    { name: 'an unknown image', input: { url: '/v2/eveboot/nope/manifests/1.0' }, want: [404, 'NAME_UNKNOWN'] },
    { name: 'another namespace', input: { url: '/v2/library/web/manifests/1.0' }, want: [404, 'NAME_UNKNOWN'] },
    {
      name: 'a disk through the registry',
      input: { url: `/v2/eveboot/vm/blobs/sha256:${hex(disk)}` },
      want: [404, 'NAME_UNKNOWN'],
    },
    { name: 'a blob of no image', input: { url: `${v2}/blobs/sha256:${'1'.repeat(64)}` }, want: [404, 'BLOB_UNKNOWN'] },
    { name: 'a push', input: { method: 'PUT', url: `${v2}/manifests/2.0` }, want: [405, 'UNSUPPORTED'] },
    { name: 'an upload', input: { method: 'POST', url: `${v2}/blobs/uploads/` }, want: [405, 'UNSUPPORTED'] },
    {
      name: 'a delete',
      input: { method: 'DELETE', url: `${v2}/manifests/${oci.manifestDigest}` },
      want: [405, 'UNSUPPORTED'],
    },
  ];
  for (const c of errors) {
    it(`${c.want[0]} ${c.want[1]} for ${c.name}`, async () => {
      const r = await boot.app.inject({ method: c.input.method ?? 'GET', url: c.input.url });
      expect(r.statusCode).toBe(c.want[0]);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.headers['docker-distribution-api-version']).toBe('registry/2.0');
      expect(r.json()).toEqual({ errors: [{ code: c.want[1], message: expect.any(String) }] });
    });
  }

  it('lists the tag', async () => {
    const r = await boot.app.inject({ url: `${v2}/tags/list` });
    expect(r.json()).toEqual({ name: 'eveboot/web', tags: ['1.0'] });
  });

  it('counts every blob of the image towards one download', async () => {
    const ip = '10.0.0.31';
    for (const d of [oci.manifestDigest, oci.configDigest, oci.layerDigest]) {
      await boot.app.inject({ url: `${v2}/blobs/${d}`, remoteAddress: ip });
    }
    expect(content.downloads.servedBytes(web.sha256, ip)).toBe(web.sizeBytes);
  });

  it('gives the endpoints the datastores use', () => {
    expect(content.endpoints()).toEqual({ httpFqdn: 'http://10.0.0.5:8080', registryFqdn: 'docker://10.0.0.5:8080' });
    expect(content.catalog.find('web')).toMatchObject({ format: 'oci', tag: '1.0' });
  });
});

describe('after a state import (blobs left out)', () => {
  it('the registry says the blob is missing in its own error format', async () => {
    const t = await bootApiOnFakeBundle();
    try {
      const store = new AppStore(join(t.state, 'apps'));
      const img = (await importApp(store, writeLayoutTar(join(t.state, 'w.tar'), oci.files), { now: importedAt }))
        .image;
      rmSync(store.blobFile(oci.layerDigest.slice(7)));
      openWorkloadContent({ stateDir: t.state, listen: { httpPort: 8080 }, emit: () => {} }).mount(t.app);
      const r = await t.app.inject({ url: `/v2/eveboot/${img.name}/blobs/${oci.layerDigest}` });
      expect(r.statusCode).toBe(404);
      expect(r.json().errors[0]).toMatchObject({
        code: 'BLOB_UNKNOWN',
        message: expect.stringContaining('import the image again'),
      });
    } finally {
      await t.close();
    }
  });
});
