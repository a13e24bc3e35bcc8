// The demo's two workload images, generated and imported at demo start as `eveboot apps import` does: a tiny OCI
// image archive (one layer, amd64) for the container app and a tiny qcow2 disk for the VM app (issue #13).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importApp } from '../adapters/app-import.js';
import { AppStore } from '../adapters/app-store.js';
import { ociImage } from './oci-image.js';

export const DEMO_CONTAINER_IMAGE = 'demo-web';
export const DEMO_VM_IMAGE = 'demo-plc-disk';

/** One ustar member (POSIX.1-1988): name, mode, size and mtime in octal, checksum over the header. */
function tarMember(name: string, data: Uint8Array): Buffer {
  const h = Buffer.alloc(512);
  const field = (off: number, len: number, v: string) => h.write(v, off, len, 'ascii');
  const octal = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(data.length, 12));
  field(136, 12, octal(0, 12));
  h.fill(' ', 148, 156);
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function tar(files: { name: string; data: Uint8Array }[]): Buffer {
  return Buffer.concat([...files.map((f) => tarMember(f.name, f.data)), Buffer.alloc(1024)]);
}

/** An OCI image layout archive with one layer holding /hello.txt, tagged `tag`. */
export function demoOciArchive(tag = 'v1'): Buffer {
  const rootfs = tar([{ name: 'hello.txt', data: Buffer.from('hello from the eveboot demo container\n') }]);
  const image = ociImage({ rootfs, refName: tag, cmd: ['/bin/sh', '-c', 'cat /hello.txt; sleep infinity'] });
  return tar(image.files.map((f) => ({ name: f.path, data: f.data })));
}

/** A qcow2 v3 header (QEMU docs/interop/qcow2.txt) for a 64 MiB disk, padded to one 64 KiB cluster. */
export function demoQcow2(): Buffer {
  const b = Buffer.alloc(64 * 1024);
  b.set([0x51, 0x46, 0x49, 0xfb]); // "QFI\xfb"
  b.writeUInt32BE(3, 4); // version
  b.writeUInt32BE(16, 20); // cluster_bits: 64 KiB
  b.writeBigUInt64BE(64n << 20n, 24); // virtual size
  b.writeUInt32BE(4, 96); // refcount_order
  b.writeUInt32BE(104, 100); // header_length
  return b;
}

/** Writes both images under <state>/demo-media and imports them into <state>/apps. */
export async function prepareDemoApps(stateDir: string, now: number): Promise<void> {
  const dir = join(stateDir, 'demo-media', 'apps');
  mkdirSync(dir, { recursive: true });
  const store = new AppStore(join(stateDir, 'apps'));
  const oci = join(dir, 'demo-web.tar');
  writeFileSync(oci, demoOciArchive());
  await importApp(store, oci, { name: DEMO_CONTAINER_IMAGE, now });
  const disk = join(dir, 'demo-plc.qcow2');
  writeFileSync(disk, demoQcow2());
  await importApp(store, disk, { name: DEMO_VM_IMAGE, now });
}
