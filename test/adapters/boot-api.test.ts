// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is iPXE settings syntax, not a JS template
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setReinstall } from '../../src/adapters/http/boot-machine-routes.js';
import { readFile } from '../../src/core/disk/fat-read.js';
import {
  bootApiOnFakeBundle,
  fakeBundleFiles,
  fakeIsoConfigOffset,
  installConfigImage,
  MAC_A,
  patchedFakeIso,
  reportQuery,
} from './boot-fixture.js';

let t: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
beforeAll(async () => {
  t = await bootApiOnFakeBundle();
});
afterAll(() => t.close());

const original = fakeBundleFiles().find((f) => f.path === './installer.iso')!.data;
const iso = patchedFakeIso();
const configAt = fakeIsoConfigOffset();
const grubEfi = fakeBundleFiles().find((f) => f.path === './EFI/BOOT/BOOTX64.EFI')!.data;
const get = (url: string, headers: Record<string, string> = {}, remoteAddress?: string) =>
  t.app.inject({ method: 'GET', url, headers, remoteAddress });
/** The one-time nonce of an install decision, as its boot script carries it. */
const nonceIn = (script: string) => /nonce=([A-Za-z0-9_-]{22})/.exec(script)?.[1] ?? '';
let nonce = '';

describe('boot flow: identity → decision → booting → installed → local → reinstall', () => {
  it('the per-machine entry script asks for the identity report', async () => {
    const r = await get('/boot/52-54-00-99-00-10.ipxe');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toMatch(/^#!ipxe\n/);
    expect(r.body).toContain('chain --autofree ${eb_base}/boot/report?mac=${eb_mac}');
    expect(r.body).toContain('set eb_base http://10.99.0.1:8080');
    expect((await get('/boot/script?mac=52:54:00:99:00:10')).body).toBe(r.body);
  });

  it('a bad MAC is a 400 with a coded message', async () => {
    const r = await get('/boot/not-a-mac.ipxe');
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/^EVEBOOT_ERR_BAD_REQUEST: mac must be/);
  });

  it('the identity report of a listed machine gets the EVE GRUB chain', async () => {
    const r = await get(`/boot/report?${reportQuery(MAC_A)}`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('chain http://10.99.0.1:8080/artifacts/14.5.1-k-amd64/EFI/BOOT/BOOTX64.EFI');
    expect(r.body).toContain('/boot/booting?mac=52:54:00:99:00:10&stage=grub');
    nonce = nonceIn(r.body);
    expect(nonce).toHaveLength(22);
    const m = t.bootStore.machine(MAC_A)!;
    expect(m.identity.nics).toEqual([
      { name: 'net0', mac: MAC_A, link: 'up' },
      { name: 'net1', mac: '52:54:00:99:01:10', link: 'down' },
    ]);
    expect(m).toMatchObject({ lastDecision: 'install', lastImage: '14.5.1-k-amd64', ip: '127.0.0.1' });
    const decision = t.events.find((e) => e.type === 'boot.decision');
    expect(decision).toMatchObject({ node: 'node-a', data: { mac: MAC_A, decision: 'install' } });
    expect(t.logLines.join('')).toContain('site node node-a (serial SN-A): install 14.5.1-k-amd64');
  });

  it('the booting callback is recorded as an event, and counts only with the nonce', async () => {
    await get(`/boot/booting?mac=${MAC_A}&stage=grub&image=14.5.1-k-amd64`);
    expect(t.bootStore.machine(MAC_A)!.bootingAt).toBeUndefined();
    const r = await get(`/boot/booting?mac=${MAC_A}&stage=grub&image=14.5.1-k-amd64&nonce=${nonce}`);
    expect(r.body).toBe('ok\n');
    expect(t.events.at(-1)).toMatchObject({ type: 'boot.booting', data: { mac: MAC_A, stage: 'grub' } });
    expect(t.bootStore.machine(MAC_A)!.bootingAt).toBeDefined();
  });

  it('GRUB is served byte-identical and its grub.cfg is ours (HTTP cmddevice)', async () => {
    const r = await get('/artifacts/14.5.1-k-amd64/EFI/BOOT/BOOTX64.EFI');
    expect(r.headers['content-type']).toBe('application/efi');
    expect(new Uint8Array(r.rawPayload)).toEqual(grubEfi);
    for (const url of ['/artifacts/14.5.1-k-amd64/EFI/BOOT/grub.cfg', '/EFI/BOOT/grub.cfg']) {
      const cfg = await get(url);
      expect(cfg.body).toContain('set cmddevice=http,10.99.0.1:8080');
      expect(cfg.body).toContain('set config_grub_cfg=(http,10.99.0.1:8080)/eveboot/overrides.cfg');
    }
    // Install-time overrides: only the soft serial of the machine asking, as EVE's ipxe.efi.cfg passes it.
    const overrides = (await get('/eveboot/overrides.cfg')).body;
    expect(overrides).toContain('set_global dom0_extra_args "$dom0_extra_args eve_soft_serial=52-54-00-99-00-10 "');
    expect(overrides).not.toMatch(/newc:|config\.img/);
  });

  it("the decision's CONFIG is a FAT CONFIG with server, root CA, its own onboarding cert and the installer options", async () => {
    const r = await get(`/config/${nonce}.img`);
    expect(r.statusCode).toBe(200);
    expect(t.issued.at(-1)).toEqual({ kind: 'install', mac: MAC_A, serial: 'SN-A' });
    const img = new Uint8Array(r.rawPayload);
    const text = (p: string) => new TextDecoder().decode(readFile(img, p));
    expect(text('server')).toBe('10.99.0.1:8443\n');
    expect(text('root-certificate.pem')).toContain('ROOT');
    expect(text('onboard.cert.pem')).toContain(`ONBOARD\n-----END CERTIFICATE-----\n# ${MAC_A}`);
    expect(text('grub.cfg')).toContain('eve_install_disk=sda eve_persist_disk=sdb');
  });

  it('the bare config.img is the same per-install CONFIG, for the grant IP only; installer.iso is refused elsewhere', async () => {
    const bare = await get('/config.img');
    expect(bare.statusCode).toBe(200);
    expect(bare.rawPayload.length).toBe(5120 * 1024);
    expect(Buffer.compare(bare.rawPayload, (await get(`/config/${nonce}.img`)).rawPayload)).toBe(0);
    const r = await get('/config.img', {}, '10.0.0.99');
    expect(r.statusCode).toBe(403);
    expect(r.body).toMatch(/EVEBOOT_ERR_NOT_ALLOWED: config.img .* 10.0.0.99 is not being installed/);
    // installer.iso carries the same CONFIG inside it: refused the same way, under either name.
    for (const url of ['/installer.iso', '/artifacts/14.5.1-k-amd64/installer.iso']) {
      const iso403 = await get(url, {}, '10.0.0.99');
      expect(iso403.statusCode, url).toBe(403);
      expect(iso403.body).toMatch(/^EVEBOOT_ERR_NOT_ALLOWED: .*installer.iso \(it holds the onboarding key\)/);
    }
  });

  it('the CONFIG by nonce is refused from another IP and after its fetch window', async () => {
    const other = await get(`/config/${nonce}.img`, {}, '10.0.0.99');
    expect(other.statusCode).toBe(403);
    expect(other.body).toMatch(/EVEBOOT_ERR_NOT_ALLOWED: config refused: nonce of .* presented from 10.0.0.99/);
    expect(t.events.at(-1)).toMatchObject({ type: 'trust.suspicious', data: { ip: '10.0.0.99', mac: MAC_A } });
    t.tick(3 * 60 * 1000);
    expect((await get(`/config/${nonce}.img`)).statusCode).toBe(403);
  });

  it('the installer callback records the install only with the nonce; the next PXE boot is a local boot', async () => {
    expect((await get(`/boot/installed?mac=${MAC_A}&status=installed`)).statusCode).toBe(403);
    expect((await get(`/boot/installed?mac=${MAC_A}&nonce=${nonce}`, {}, '10.0.0.99')).statusCode).toBe(403);
    expect(t.bootStore.machine(MAC_A)!.installedAt).toBeUndefined();
    expect((await get(`/boot/installed?mac=${MAC_A}&status=installed&nonce=${nonce}`)).statusCode).toBe(200);
    expect(t.events.at(-1)).toMatchObject({ type: 'boot.installed', data: { mac: MAC_A, status: 'installed' } });
    const r = await get(`/boot/report?${reportQuery(MAC_A)}`);
    expect(r.body).toContain('# eveboot decision for 52:54:00:99:00:10: local');
    expect(r.body).toMatch(/\nexit\n$/);
    expect(r.body).not.toContain('BOOTX64.EFI');
  });

  it('the operator reinstall mark flips it back to an install exactly once', async () => {
    setReinstall(t.bootStore, (e) => t.events.push(e), '52-54-00-99-00-10', true);
    const again = (await get(`/boot/report?${reportQuery(MAC_A)}`)).body;
    expect(again).toContain('BOOTX64.EFI');
    expect(nonceIn(again)).not.toBe(nonce);
    await get(`/boot/installed?mac=${MAC_A}&nonce=${nonceIn(again)}`);
    expect((await get(`/boot/report?${reportQuery(MAC_A)}`)).body).toContain(': local');
  });

  it('an unknown machine is not booted and the script says why', async () => {
    const r = await get(`/boot/report?${reportQuery('52:54:00:99:00:99', { serial: 'OTHER' })}`, {}, '127.0.0.9');
    expect(r.body).toContain('# eveboot decision for 52:54:00:99:00:99: ignore');
    expect(r.body).toContain('not in the site file; site boot.unknownMachines is ignore');
  });

  it('a machine that onboarded to the controller boots local without an install record', async () => {
    t.devices.push({ serial: 'SN-ONB' });
    const q = reportQuery('52:54:00:99:00:11', { serial: 'SN-ONB' });
    expect((await get(`/boot/report?${q}`, {}, '127.0.0.11')).body).toContain('already onboarded');
  });
});

describe('artifacts: Range, ETag, HEAD, traversal', () => {
  const url = '/artifacts/14.5.1-k-amd64/installer.iso';
  beforeAll(async () => {
    setReinstall(t.bootStore, (e) => t.events.push(e), MAC_A, true);
    expect((await get(`/boot/report?${reportQuery(MAC_A)}`)).body).toContain('BOOTX64.EFI');
  });

  it("installer.iso is EVE's ISO with this install's CONFIG in config.img's extent, every other byte untouched", async () => {
    const r = await get('/installer.iso');
    expect(r.statusCode).toBe(200);
    const body = new Uint8Array(r.rawPayload);
    expect(body.length).toBe(original.length);
    const same = (x: Uint8Array, y: Uint8Array) => Buffer.compare(x, y) === 0; // toEqual is slow on MBs
    const config = body.subarray(configAt, configAt + 5120 * 1024);
    expect(same(config, installConfigImage(MAC_A))).toBe(true);
    expect(new TextDecoder().decode(readFile(config, 'onboard.cert.pem'))).toContain(`# ${MAC_A}`);
    expect(same(body.subarray(0, configAt), original.subarray(0, configAt))).toBe(true);
    expect(same(body.subarray(configAt + 5120 * 1024), original.subarray(configAt + 5120 * 1024))).toBe(true);
  });

  it('two machines being installed each get their own CONFIG in the ISO, with its own ETag; others get a 403', async () => {
    const MAC_B = '52:54:00:99:00:11';
    const IP_B = '127.0.0.11';
    setReinstall(t.bootStore, (e) => t.events.push(e), MAC_B, true);
    expect((await get(`/boot/report?${reportQuery(MAC_B)}`, {}, IP_B)).body).toContain('BOOTX64.EFI');
    const b = await get(url, {}, IP_B);
    expect(b.statusCode).toBe(200);
    const configB = new Uint8Array(b.rawPayload).subarray(configAt, configAt + 5120 * 1024);
    expect(Buffer.compare(configB, installConfigImage(MAC_B))).toBe(0);
    expect(new TextDecoder().decode(readFile(configB, 'onboard.cert.pem'))).toContain(`# ${MAC_B}`);
    const a = await get(url);
    expect(b.headers.etag).not.toBe(a.headers.etag);
    // A range inside the extent, from B's IP, is B's bytes; the bare config.img likewise.
    const r = await get(url, { range: `bytes=${configAt}-${configAt + 4095}` }, IP_B);
    expect(Buffer.compare(r.rawPayload, installConfigImage(MAC_B).subarray(0, 4096))).toBe(0);
    expect(Buffer.compare((await get('/config.img', {}, IP_B)).rawPayload, installConfigImage(MAC_B))).toBe(0);
    // Nobody else: an address with no live install decision gets neither machine's CONFIG.
    for (const ip of ['127.0.0.9', '10.0.0.99']) {
      expect((await get(url, { range: `bytes=${configAt}-${configAt + 4095}` }, ip)).statusCode).toBe(403);
      expect((await get('/config.img', {}, ip)).statusCode).toBe(403);
    }
    expect(t.events.at(-1)).toMatchObject({ type: 'boot.config-refused', data: { what: 'config.img' } });
  });

  it('ranges across and inside the config.img extent carry the patched bytes', async () => {
    for (const [a, b] of [
      [configAt - 100, configAt + 99],
      [configAt + 5120 * 1024 - 10, configAt + 5120 * 1024 + 9],
      [configAt + 4096, configAt + 8191],
      [configAt - 1, configAt - 1],
      [0, iso.length - 1],
    ] as const) {
      const r = await get(url, { range: `bytes=${a}-${b}` });
      expect(r.statusCode).toBe(206);
      expect(r.headers['content-range']).toBe(`bytes ${a}-${b}/${iso.length}`);
      expect(r.headers['content-length']).toBe(String(b - a + 1));
      expect(Buffer.compare(r.rawPayload, iso.subarray(a, b + 1)), `${a}-${b}`).toBe(0);
    }
  });

  it('the ETag names the patched ISO, not the imported file', async () => {
    const etag = String((await get(url)).headers.etag);
    const stored = t.manifest.files.find((f) => f.path === 'installer.iso')!.sha256;
    expect(etag).not.toBe(`"${stored.slice(0, 32)}"`);
    expect((await get('/installer.iso')).headers.etag).toBe(etag);
    // If-Range with the imported file's validator is stale: the whole patched file comes back.
    const r = await get(url, { range: 'bytes=0-9', 'if-range': `"${stored.slice(0, 32)}"` });
    expect(r.statusCode).toBe(200);
    expect((await get(url, { range: 'bytes=0-9', 'if-range': etag })).statusCode).toBe(206);
  });

  it('a single range is a 206 with Content-Range and the exact bytes', async () => {
    const r = await get(url, { range: 'bytes=1000-1999' });
    expect(r.statusCode).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 1000-1999/${iso.length}`);
    expect(r.headers['content-length']).toBe('1000');
    expect(new Uint8Array(r.rawPayload)).toEqual(iso.subarray(1000, 2000));
  });

  it('a suffix range returns the tail', async () => {
    const r = await get(url, { range: 'bytes=-10' });
    expect(new Uint8Array(r.rawPayload)).toEqual(iso.subarray(iso.length - 10));
  });

  it('a range past the end is a 416 naming the size', async () => {
    const r = await get(url, { range: `bytes=${iso.length}-` });
    expect(r.statusCode).toBe(416);
    expect(r.headers['content-range']).toBe(`bytes */${iso.length}`);
  });

  it('a full GET has Content-Length, ETag and the ISO content type; If-None-Match gives 304', async () => {
    const r = await get(url);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-length']).toBe(String(iso.length));
    expect(r.headers['content-type']).toBe('application/x-iso9660-image');
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(Buffer.compare(r.rawPayload, iso)).toBe(0);
    const etag = String(r.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await get(url, { 'if-none-match': etag })).statusCode).toBe(304);
  });

  it('HEAD has the headers and no body', async () => {
    const r = await t.app.inject({ method: 'HEAD', url });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-length']).toBe(String(iso.length));
    expect(r.rawPayload.length).toBe(0);
  });

  it('traversal attempts never leave the image', async () => {
    for (const bad of [
      '/artifacts/14.5.1-k-amd64/../../manifest.json',
      '/artifacts/14.5.1-k-amd64/..%2f..%2fin%2famd64.k.generic.installer-net.tar',
      '/artifacts/14.5.1-k-amd64/%2e%2e/%2e%2e/etc/passwd',
      '/artifacts/..%2f..%2fetc/passwd',
      '/artifacts/14.5.1-k-amd64/manifest.json',
    ]) {
      const r = await get(bad);
      expect([400, 404], bad).toContain(r.statusCode);
      expect(r.body, bad).toMatch(/^EVEBOOT_ERR_/);
    }
  });

  it('bytes served are progress events per machine, ending at 100 %', async () => {
    const before = t.events.length;
    await get(url);
    const progress = t.events.slice(before).filter((e) => e.type === 'http.progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.data).toMatchObject({ path: '14.5.1-k-amd64/installer.iso', total: iso.length });
  });
});
