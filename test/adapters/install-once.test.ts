// Install-once through HTTP (README: "a machine that downloaded the whole installer.iso and PXE-boots again
// boots its disk"): EVE's installer has no callback, so the appliance presumes an install once installer.iso
// went out in full after an install decision. This drives it the way clients do, not by setting the flag:
// iPXE's identity report → install decision → installer.iso by one full GET, or by Range requests only, the
// way GRUB's loopback reads the ISO (seeks forwards and back, re-reads) → the next report decides `local`.
// The size comes from the server's own HEAD (asked from the machine being installed: nobody else gets the ISO),
// so the test holds with the ISO served patched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootApiOnFakeBundle, MAC_A, reportQuery } from './boot-fixture.js';

let t: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
beforeEach(async () => {
  t = await bootApiOnFakeBundle();
});
afterEach(() => t.close());

const IP = '10.99.0.42';
const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers, remoteAddress: IP });
const decision = async () => {
  const body = (await get(`/boot/report?${reportQuery(MAC_A)}`)).body;
  return /# eveboot decision for \S+: (\w+)/.exec(body)?.[1];
};
const isoSize = async () =>
  Number((await t.app.inject({ method: 'HEAD', url: '/installer.iso', remoteAddress: IP })).headers['content-length']);

/** GRUB's loopback reads: ISO 9660 volume descriptors at 32 KiB, the directory, then file extents in whatever
 *  order the installer opens them; some extents twice. The union of all ranges is the whole file. */
function grubLikeRanges(size: number): [number, number][] {
  const chunk = 256 * 1024;
  const extents: [number, number][] = [];
  for (let at = 0; at < size; at += chunk) extents.push([at, Math.min(size, at + chunk) - 1]);
  const [first, ...rest] = extents;
  // Descriptors first, then the extents back to front (backward seeks), re-reading the descriptors midway.
  return [[32_768, 34_815], first!, ...rest.reverse().flatMap((e, i) => (i === 3 ? [e, [32_768, 34_815]] : [e]))] as [
    number,
    number,
  ][];
}

describe('install-once through HTTP', () => {
  it('a full GET of installer.iso after the install decision: the next PXE boot is local', async () => {
    expect(await decision()).toBe('install');
    const size = await isoSize();
    expect(size).toBeGreaterThan(1 << 20);
    // Before the download, and after only part of it, a second report still installs.
    expect(await decision()).toBe('install');
    const r = await get('/installer.iso');
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.length).toBe(size);
    expect(t.events.filter((e) => e.type === 'boot.payload-served')).toHaveLength(1);
    expect(await decision()).toBe('local');
    expect(t.bootStore.machine(MAC_A)!.lastReason).toMatch(/presumed installed/);
  });

  it('Range requests only, GRUB-style: local only once every byte went out, not before', async () => {
    expect(await decision()).toBe('install');
    const ranges = grubLikeRanges(await isoSize());
    for (const [i, [from, to]] of ranges.entries()) {
      const r = await get('/installer.iso', { range: `bytes=${from}-${to}` });
      expect(r.statusCode).toBe(206);
      expect(r.rawPayload.length).toBe(to - from + 1);
      if (i === ranges.length - 2) {
        // One extent still missing: not yet a full download.
        expect(t.bootStore.machine(MAC_A)!.payloadServedAt).toBeUndefined();
      }
    }
    expect(t.events.filter((e) => e.type === 'boot.payload-served')).toHaveLength(1);
    expect(await decision()).toBe('local');
  });

  it('a partial download (GRUB gave up halfway) still installs on the next PXE boot', async () => {
    expect(await decision()).toBe('install');
    const size = await isoSize();
    await get('/installer.iso', { range: `bytes=0-${Math.floor(size / 2)}` });
    expect(await decision()).toBe('install');
  });

  it('re-reading the same extents many times is not a full download', async () => {
    expect(await decision()).toBe('install');
    const size = await isoSize();
    const half = Math.floor(size / 2);
    for (let i = 0; i < 4; i++) await get('/installer.iso', { range: `bytes=0-${half}` });
    expect(t.bootStore.machine(MAC_A)!.payloadServedAt).toBeUndefined();
    expect(await decision()).toBe('install');
  });

  it('a full download by a machine that was not told to install does not mark it', async () => {
    const other = '52:54:00:99:00:77';
    await get(`/boot/report?${reportQuery(other, { serial: 'OTHER' })}`);
    await get('/installer.iso');
    expect(t.bootStore.machine(MAC_A)).toBeUndefined();
    expect(t.events.filter((e) => e.type === 'boot.payload-served')).toHaveLength(0);
  });
});
