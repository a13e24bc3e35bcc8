// Workload images with real clients on loopback: skopeo (containers/image, the client family EVE's registry pull
// belongs to) writes the OCI archive we import, then inspects and copies the image out of our registry by tag and
// by digest; curl fetches a VM disk from the HTTP datastore as EVE's HTTP client does (full, Range resume, HEAD).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppStore, type StoredImage } from '../../src/adapters/app-store.js';
import { freePort } from '../../src/adapters/free-port.js';
import { bodyPaths } from '../../src/adapters/http/boot-artifacts.js';
import { createLogger } from '../../src/adapters/logger.js';
import type { WorkloadContent } from '../../src/adapters/workload-content.js';
import { appsCommand } from '../../src/cli/apps.js';
import { parseSite } from '../../src/config/site.js';
import { HTTP_DATASTORE_DPATH, imageContentUrl, REGISTRY_NAMESPACE } from '../../src/core/workloads/model.js';
import { MEDIA } from '../../src/core/workloads/oci-layout.js';
import { type Network, startNetwork } from '../../src/network.js';
import type { StoredEvent } from '../../src/ports/store.js';
import { patternBytes } from '../adapters/boot-fixture.js';
import { ociFixture, ociIndexFixture, qcow2Header, writeLayoutDir, writeLayoutTar } from '../adapters/oci-fixture.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { prereq } from '../support/prereq.js';
import { PEER_BIN } from './eve-peer-harness.js';

const p = prereq('workload images e2e (skopeo, curl)', { tools: ['skopeo', 'curl'], native: 'net' });
// EVE's own download client: the EVE-code peer binary (scripts/eve-peer-build.sh, test/eve-peer/fetch.go).
const eve = prereq("EVE's own download client (zedUpload)", {
  files: [{ path: PEER_BIN, how: 'built by scripts/eve-peer-build.sh' }],
});
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
// The server runs in this process: clients must be spawned asynchronously, never with execFileSync.
const run = async (cmd: string, args: string[]): Promise<Buffer> =>
  (await promisify(execFile)(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;

/** A UDP port the kernel just handed out (for TFTP, which serve starts with the HTTP boot server). */
const freeUdpPort = () =>
  new Promise<number>((resolve) => {
    const s = createSocket('udp4').bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

describe.skipIf(!p.ok)('workload images with real clients', () => {
  let t: TestAppliance;
  let net: Network;
  let content: WorkloadContent;
  let web: StoredImage;
  let vm: StoredImage;
  let host = '';
  const events: StoredEvent[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-wl-e2e-'));
  const disk = Buffer.concat([qcow2Header(2n << 30n), patternBytes(3 * 1024 * 1024 + 5, 4)]);
  const oci = ociFixture({ refName: '1.0', layerBytes: 400_000 });

  beforeAll(async () => {
    // serve's own composition: the appliance, then the network half with its HTTP boot server on loopback.
    const site = `site: { name: wl }
cluster: { name: wl-c }
nodes: [{ serial: WL-1 }, { serial: WL-2 }, { serial: WL-3 }]
listen: { advertise: 127.0.0.1, host: 127.0.0.1, httpPort: ${await freePort()}, tftpPort: ${await freeUdpPort()} }
`;
    t = await startTestAppliance({ site });
    t.app.events.on('event', (e: StoredEvent) => events.push(e));
    // skopeo writes the archive the operator would bring: oci-archive:FILE from an OCI layout directory.
    writeLayoutDir(join(dir, 'layout'), oci.files);
    await run('skopeo', ['copy', '-q', `oci:${join(dir, 'layout')}:1.0`, `oci-archive:${join(dir, 'web.tar')}:1.0`]);
    writeFileSync(join(dir, 'vm.qcow2'), disk);
    const state = ['--state', t.stateDir];
    await appsCommand(['import', join(dir, 'web.tar'), '--name', 'web', ...state], () => {});
    await appsCommand(['import', join(dir, 'vm.qcow2'), '--sha256', sha(disk), ...state], () => {});
    const store = new AppStore(join(t.stateDir, 'apps'));
    web = store.find('web')!;
    vm = store.find('vm')!;
    net = await startNetwork({
      appliance: t.app,
      site: parseSite(site),
      stateDir: t.stateDir,
      logger: createLogger({ level: 'silent' }),
      dhcp: 'off',
      ipxeDir: mkdtempSync(join(tmpdir(), 'eveboot-ipxe-')),
      rehearsal: true,
    });
    content = t.app.content;
    // The registry is where the datastores say it is: docker://<advertise>:<httpPort>.
    host = content.endpoints().registryFqdn.replace('docker://', '');
    expect(content.endpoints().httpFqdn).toBe(`http://${host}`);
  });
  afterAll(async () => {
    await net?.stop();
    await t?.stop();
  });

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

  it('an image index is served as it is, and skopeo picks its platform from it', async () => {
    const multi = ociIndexFixture('2.0');
    await appsCommand(
      ['import', writeLayoutTar(join(dir, 'multi.tar'), multi.files), '--name', 'multi', '--state', t.stateDir],
      () => {},
    );
    const ref = `docker://${host}/eveboot/multi:2.0`;
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', ref]);
    expect(`sha256:${sha(raw)}`).toBe(multi.indexDigest);
    const dest = join(dir, 'copy-multi');
    await run('skopeo', ['copy', '-q', '--src-tls-verify=false', ref, `oci:${dest}:out`]);
    const index = JSON.parse(readFileSync(join(dest, 'index.json'), 'utf8'));
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([multi.manifestDigest]);
  });

  it.skipIf(!eve.ok)(
    "EVE's own download client fetches the disk and pulls the image by the datastores' fields",
    async () => {
      const { httpFqdn, registryFqdn } = content.endpoints();
      const steps = async (args: string[]) => {
        const out = mkdtempSync(join(dir, 'eve-'));
        const stdout = await run(PEER_BIN, ['fetch', ...args, '--out', out]).catch(
          (e: { stdout?: Buffer; stderr?: Buffer }) => {
            throw new Error(`eve-peer fetch failed: ${e.stdout}\n${String(e.stderr).slice(-2000)}`);
          },
        );
        return stdout
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      };
      // DsHttp: fqdn + dpath + ContentTree.URL, maxSizeBytes the exact size (eve-workloads-facts §3.1, §3.3).
      const http = await steps([
        '--kind',
        'http',
        '--fqdn',
        httpFqdn,
        '--dpath',
        HTTP_DATASTORE_DPATH,
        '--url',
        imageContentUrl(vm),
        '--size',
        String(vm.sizeBytes),
      ]);
      expect(http).toEqual([{ step: 'http', ok: true, sha256: vm.sha256, size: vm.sizeBytes }]);
      // DsContainerRegistry: the tag resolved to the manifest digest, then every blob by digest (§3.4).
      const pulled = await steps([
        '--kind',
        'oci',
        '--fqdn',
        registryFqdn,
        '--dpath',
        REGISTRY_NAMESPACE,
        '--url',
        imageContentUrl(web),
      ]);
      expect(pulled[0]).toEqual({ step: 'resolve', ok: true, sha256: web.sha256.toUpperCase() });
      const blobs = Object.fromEntries(web.blobs!.map((b) => [b.digest, b.digest]));
      expect(pulled[1]).toEqual({ step: 'oci', ok: true, contentType: MEDIA.ociManifest, blobs });
    },
  );

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
    const progress = events.filter((e) => e.type === 'workload.image-progress' && e.data.image === 'vm');
    expect(progress.at(-1)?.data).toMatchObject({ ip: '127.0.0.1', bytes: disk.length, percent: 100 });
    expect(progress.length).toBeLessThanOrEqual(11);
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
