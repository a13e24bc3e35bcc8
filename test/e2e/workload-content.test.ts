// Workload images with real clients on loopback: skopeo (containers/image, the client family EVE's registry pull
// belongs to) writes the OCI archive we import, then inspects and copies the image out of our registry by tag and
// by digest; curl fetches a VM disk from the HTTP datastore as EVE's HTTP client does (full, Range resume, HEAD).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppStore, type StoredImage } from '../../src/adapters/app-store.js';
import { bodyPaths } from '../../src/adapters/http/boot-artifacts.js';
import { openWorkloadContent, type WorkloadContent } from '../../src/adapters/workload-content.js';
import { appsCommand } from '../../src/cli/apps.js';
import { bootApiOnFakeBundle, patternBytes } from '../adapters/boot-fixture.js';
import { ociFixture, qcow2Header, writeLayoutDir } from '../adapters/oci-fixture.js';
import { prereq } from '../support/prereq.js';

const p = prereq('workload images e2e (skopeo, curl)', { tools: ['skopeo', 'curl'], native: 'net' });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
// The server runs in this process: clients must be spawned asynchronously, never with execFileSync.
const run = async (cmd: string, args: string[]): Promise<Buffer> =>
  (await promisify(execFile)(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;

describe.skipIf(!p.ok)('workload images with real clients', () => {
  let boot: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
  let content: WorkloadContent;
  let web: StoredImage;
  let vm: StoredImage;
  let host = '';
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-wl-e2e-'));
  const disk = Buffer.concat([qcow2Header(2n << 30n), patternBytes(3 * 1024 * 1024 + 5, 4)]);
  const oci = ociFixture({ refName: '1.0', layerBytes: 400_000 });

  beforeAll(async () => {
    boot = await bootApiOnFakeBundle();
    const state = boot.state;
    // skopeo writes the archive the operator would bring: oci-archive:FILE from an OCI layout directory.
    writeLayoutDir(join(dir, 'layout'), oci.files);
    await run('skopeo', ['copy', '-q', `oci:${join(dir, 'layout')}:1.0`, `oci-archive:${join(dir, 'web.tar')}:1.0`]);
    writeFileSync(join(dir, 'vm.qcow2'), disk);
    const out = () => {};
    await appsCommand(['import', join(dir, 'web.tar'), '--name', 'web', '--state', state], out);
    await appsCommand(['import', join(dir, 'vm.qcow2'), '--sha256', sha(disk), '--state', state], out);
    const store = new AppStore(join(state, 'apps'));
    web = store.find('web')!;
    vm = store.find('vm')!;
    content = openWorkloadContent({ stateDir: state, listen: { advertise: '127.0.0.1', httpPort: 0 }, emit: () => {} });
    content.mount(boot.app);
    await boot.app.listen({ host: '127.0.0.1', port: 0 });
    host = `127.0.0.1:${(boot.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => boot?.close());

  it('skopeo inspect sees the imported manifest, config and layer digests', async () => {
    const info = JSON.parse(
      (await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/eveboot/web:1.0`])).toString(),
    );
    expect(info.Digest).toBe(`sha256:${web.sha256}`);
    expect(info.Layers).toEqual([oci.layerDigest]);
    expect(info.RepoTags).toEqual(['1.0']);
    expect(info).toMatchObject({ Architecture: 'amd64', Os: 'linux' });
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/eveboot/web:1.0`]);
    expect(`sha256:${sha(raw)}`).toBe(`sha256:${web.sha256}`);
    expect(JSON.parse(raw.toString()).config.digest).toBe(oci.configDigest);
  });

  for (const how of ['tag', 'digest'] as const) {
    it(`skopeo copy by ${how} brings the same manifest and blobs back`, async () => {
      const ref = how === 'tag' ? 'eveboot/web:1.0' : `eveboot/web@sha256:${web.sha256}`;
      const dest = join(dir, `copy-${how}`);
      await run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${host}/${ref}`, `oci:${dest}:out`]);
      const index = JSON.parse(readFileSync(join(dest, 'index.json'), 'utf8'));
      expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([`sha256:${web.sha256}`]);
      for (const b of web.blobs!) {
        expect(`sha256:${sha(readFileSync(join(dest, 'blobs', 'sha256', b.digest.slice(7))))}`).toBe(b.digest);
      }
    });
  }

  it('skopeo cannot push into it', async () => {
    const push = run('skopeo', [
      'copy',
      '-q',
      '--dest-tls-verify=false',
      `oci:${join(dir, 'layout')}:1.0`,
      `docker://${host}/eveboot/pushed:1`,
    ]);
    await expect(push).rejects.toThrow();
    expect(content.catalog.find('pushed')).toBeUndefined();
  });

  it('curl fetches the disk whole over sendfile, resumes with Range and HEADs it; no redirect anywhere', async () => {
    const url = `http://${host}/eveboot/images/${vm.sha256}.qcow2`;
    const before = bodyPaths.sendfile;
    const file = join(dir, 'disk.out');
    const w = (await run('curl', ['-sS', '-o', file, '-w', '%{http_code} %{size_download} %{num_redirects}', url]))
      .toString()
      .split(' ');
    expect(w).toEqual(['200', String(disk.length), '0']);
    expect(sha(readFileSync(file))).toBe(sha(disk));
    expect(bodyPaths.sendfile).toBeGreaterThan(before);
    expect(content.downloads.servedBytes(vm.sha256, '127.0.0.1')).toBe(disk.length);
    const part = await run('curl', ['-sS', '-r', '1000000-', url]);
    expect(part.equals(disk.subarray(1_000_000))).toBe(true);
    const head = (await run('curl', ['-sSI', url])).toString();
    expect(head).toMatch(new RegExp(`content-length: ${disk.length}\\r\\n`, 'i'));
    expect(head).toMatch(/accept-ranges: bytes/i);
    expect(head).toMatch(/last-modified: \w{3}, \d{2} \w{3} \d{4}/i);
    const miss = (await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${url}x`])).toString();
    expect(miss).toBe('404');
  });
});
