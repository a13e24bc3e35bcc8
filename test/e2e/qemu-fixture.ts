// The stand-in EVE installer for the QEMU e2e test: Debian's current kernel + static busybox, unpacked from their
// .debs (apt-get download + dpkg -x: busybox-static conflicts with the installed busybox, and the kernel package
// must not be installed on the host), and an initramfs built with `busybox cpio -o -H newc` (test-harness §1).
// The unpacked kernel, busybox and modules are cached per kernel package in the OS temp dir, so reruns take ~1 s.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/process.js';
import { buildEveIso } from './eve-iso.js';

/** Network drivers (virtio-net and e1000) and what mounting installer.iso (ISO 9660 with Rock Ridge) and the FAT
 *  config.img inside it through loop devices needs. */
const WANTED_MODULES = [
  'virtio_pci',
  'virtio_net',
  'e1000',
  'loop',
  'isofs',
  'vfat',
  'nls_cp437',
  'nls_iso8859-1',
  'nls_utf8',
  'nls_ascii',
];

export type Fixture =
  | { ok: true; kernelPackage: string /** vmlinuz + initrd.img, ready for `eveboot images import` */; dir: string }
  | { ok: false; reason: string };

const run = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The real package behind the linux-image-amd64 metapackage, e.g. linux-image-6.1.0-56-amd64. */
export function kernelPackage(): string | undefined {
  const out = run('apt-cache', ['depends', 'linux-image-amd64']);
  return /Depends: (linux-image-[^\s<>]+)/.exec(out)?.[1];
}

/** Unpacks (once per kernel package) vmlinuz, busybox and the wanted modules into the cache. */
function unpacked(pkg: string): string {
  const base = join(tmpdir(), 'eveboot-qemu-cache');
  // The module list is part of the key: a cache made for fewer modules must not be reused.
  const cache = join(base, `${pkg}-${createHash('sha256').update(WANTED_MODULES.join(',')).digest('hex').slice(0, 8)}`);
  if (existsSync(join(cache, 'ready'))) return cache;
  mkdirSync(base, { recursive: true });
  const work = mkdtempSync(join(base, 'build-'));
  try {
    // As root, apt warns that the download is "unsandboxed" (the _apt user cannot write here); harmless.
    const download = () => run('apt-get', ['download', '-qq', 'busybox-static', pkg], work);
    try {
      download();
    } catch {
      // Stale package lists name a version the archive no longer has: refresh them once and retry.
      run('apt-get', ['update', '-qq']);
      download();
    }
    const debs = readdirSync(work).filter((f) => f.endsWith('.deb'));
    const bbDeb = debs.find((f) => f.startsWith('busybox-static_'));
    const kDeb = debs.find((f) => f.startsWith(`${pkg}_`));
    if (!bbDeb || !kDeb) throw new Error(`apt-get download gave ${debs.join(', ') || 'nothing'}`);
    run('dpkg', ['-x', bbDeb, 'bb'], work);
    run('dpkg', ['-x', kDeb, 'k'], work);
    const out = join(work, 'out');
    mkdirSync(join(out, 'modules'), { recursive: true });
    const vmlinuz = readdirSync(join(work, 'k', 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`${kDeb} has no /boot/vmlinuz-*`);
    copyFileSync(join(work, 'k', 'boot', vmlinuz), join(out, 'vmlinuz'));
    copyFileSync(join(work, 'bb', 'bin', 'busybox'), join(out, 'busybox'));
    const order = moduleOrder(join(work, 'k', 'lib', 'modules'), WANTED_MODULES);
    for (const m of order) copyFileSync(m.path, join(out, 'modules', `${m.name}.ko`));
    writeFileSync(join(out, 'modules', 'order'), `${order.map((m) => m.name).join('\n')}\n`);
    writeFileSync(join(out, 'ready'), `${pkg}\n`);
    rmSync(cache, { recursive: true, force: true });
    renameSync(out, cache);
    return cache;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface Module {
  name: string;
  path: string;
}

/** Wanted modules plus their dependencies (the `depends=` modinfo string), dependencies first: busybox insmod
 *  loads exactly one file and the package ships no modules.dep (depmod runs at install time). */
export function moduleOrder(modulesDir: string, wanted: string[]): Module[] {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ko')) files.set(norm(e.name.slice(0, -3)), join(dir, e.name));
    }
  };
  walk(modulesDir);
  const order: Module[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    const key = norm(name);
    if (seen.has(key)) return;
    seen.add(key);
    const path = files.get(key);
    if (!path) return; // built into the kernel (=y): nothing to load
    const deps = /depends=([^\0]*)/.exec(readFileSync(path).toString('latin1'))?.[1] ?? '';
    for (const d of deps.split(',').filter(Boolean)) visit(d);
    order.push({ name: path.slice(path.lastIndexOf('/') + 1, -3), path });
  };
  for (const w of wanted) visit(w);
  return order;
}

const norm = (s: string) => s.replace(/-/g, '_');

/** Builds <out>/vmlinuz + <out>/initrd.img (gzip'd newc cpio: busybox, modules, /init, udhcpc hook) and
 *  <out>/installer.iso, built by xorriso as EVE builds it, with EVE's stock config.img: the stand-in installer takes
 *  CONFIG from inside the installer.iso eveboot serves, so it only sees ours if eveboot spliced it in. */
export function buildInstallerFixture(out: string): Fixture {
  let pkg: string | undefined;
  try {
    pkg = kernelPackage();
  } catch (e) {
    return { ok: false, reason: `apt-cache depends linux-image-amd64 failed: ${(e as Error).message.split('\n')[0]}` };
  }
  if (!pkg) return { ok: false, reason: 'apt-cache knows no linux-image-amd64 (run apt-get update)' };
  let cache: string;
  try {
    cache = unpacked(pkg);
  } catch (e) {
    return { ok: false, reason: `cannot download/unpack busybox-static and ${pkg}: ${(e as Error).message}` };
  }
  const fx = join(ROOT, 'test', 'fixtures', 'qemu');
  const r = mkdtempSync(join(tmpdir(), 'eveboot-initramfs-'));
  try {
    for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'lib/modules'])
      mkdirSync(join(r, d), { recursive: true });
    copyFileSync(join(cache, 'busybox'), join(r, 'bin', 'busybox'));
    for (const f of readdirSync(join(cache, 'modules'))) {
      copyFileSync(join(cache, 'modules', f), join(r, 'lib', 'modules', f));
    }
    copyFileSync(join(fx, 'init.sh'), join(r, 'init'));
    copyFileSync(join(fx, 'udhcpc.script'), join(r, 'etc', 'udhcpc.script'));
    chmodSync(join(r, 'bin', 'busybox'), 0o755);
    chmodSync(join(r, 'init'), 0o755);
    chmodSync(join(r, 'etc', 'udhcpc.script'), 0o755);
    mkdirSync(out, { recursive: true });
    copyFileSync(join(cache, 'vmlinuz'), join(out, 'vmlinuz'));
    const bb = join(cache, 'busybox');
    execFileSync(
      'sh',
      ['-c', `find . | "${bb}" cpio -o -H newc 2>/dev/null | gzip -6 > "${join(out, 'initrd.img')}"`],
      {
        cwd: r,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    buildEveIso(join(r, 'iso'), { out: join(out, 'installer.iso') });
    return { ok: true, kernelPackage: pkg, dir: out };
  } finally {
    rmSync(r, { recursive: true, force: true });
  }
}
