// The state archive's plaintext: a list of files (relative path, mode, bytes) in one length-prefixed stream, and the
// header that names the key derivation and cipher. Pure: the adapter reads and writes the files and does the
// crypto; this only lays out and checks bytes, so a hostile archive cannot name a path outside the target dir.

export const ARCHIVE_MAGIC = 'EVEBOOT-STATE-1\n';

export interface ArchiveFile {
  /** Relative to the state dir, '/'-separated, no '..', no leading '/'. */
  path: string;
  mode: number;
  data: Uint8Array;
}

/** Authenticated (GCM additional data) but not secret: how to derive the key, and what the archive holds. */
export interface ArchiveHeader {
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; iv: string };
  createdAt: string;
  site: string;
  eveboot: string;
  files: number;
}

export class ArchiveError extends Error {}

/** undefined when the path is safe to join under a target dir, else why not. */
export function unsafePath(path: string): string | undefined {
  if (path === '' || path.length > 4096) return 'empty or overlong path';
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return `absolute or odd path ${path}`;
  if (path.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) return `path escapes: ${path}`;
  return undefined;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** [u16 path length][path][u32 mode][u32 size hi][u32 size lo][data] per file; a zero path length ends it. */
export function packFiles(files: ArchiveFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of files) {
    const why = unsafePath(f.path);
    if (why) throw new ArchiveError(why);
    const name = enc.encode(f.path);
    const head = new Uint8Array(2 + name.length + 12);
    const v = new DataView(head.buffer);
    v.setUint16(0, name.length);
    head.set(name, 2);
    v.setUint32(2 + name.length, f.mode & 0o7777);
    v.setUint32(6 + name.length, Math.floor(f.data.length / 2 ** 32));
    v.setUint32(10 + name.length, f.data.length >>> 0);
    parts.push(head, f.data);
  }
  parts.push(new Uint8Array(2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function unpackFiles(bytes: Uint8Array): ArchiveFile[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const files: ArchiveFile[] = [];
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new ArchiveError('archive contents are truncated');
  };
  for (;;) {
    need(2);
    const len = v.getUint16(at);
    at += 2;
    if (len === 0) break;
    need(len + 12);
    let path: string;
    try {
      path = dec.decode(bytes.subarray(at, at + len));
    } catch {
      throw new ArchiveError('a file name is not UTF-8');
    }
    const why = unsafePath(path);
    if (why) throw new ArchiveError(why);
    const mode = v.getUint32(at + len) & 0o7777;
    const size = v.getUint32(at + len + 4) * 2 ** 32 + v.getUint32(at + len + 8);
    at += len + 12;
    need(size);
    files.push({ path, mode, data: bytes.subarray(at, at + size) });
    at += size;
  }
  if (at !== bytes.length) throw new ArchiveError('trailing bytes after the last file');
  return files;
}

/** magic, u32 header length, header JSON; the ciphertext and the 16-byte tag follow. */
export function frameHeader(header: ArchiveHeader): Uint8Array {
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(ARCHIVE_MAGIC.length + 4 + json.length);
  out.set(enc.encode(ARCHIVE_MAGIC), 0);
  new DataView(out.buffer).setUint32(ARCHIVE_MAGIC.length, json.length);
  out.set(json, ARCHIVE_MAGIC.length + 4);
  return out;
}

export function parseFrame(bytes: Uint8Array): { header: ArchiveHeader; headerBytes: Uint8Array; body: Uint8Array } {
  const m = ARCHIVE_MAGIC.length;
  if (bytes.length < m + 4 || new TextDecoder().decode(bytes.subarray(0, m)) !== ARCHIVE_MAGIC) {
    throw new ArchiveError('not an eveboot state archive (made by "eveboot state export")');
  }
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(m);
  if (len > 65536 || m + 4 + len + 16 > bytes.length) throw new ArchiveError('state archive header is truncated');
  let header: ArchiveHeader;
  try {
    header = JSON.parse(dec.decode(bytes.subarray(m + 4, m + 4 + len))) as ArchiveHeader;
  } catch {
    throw new ArchiveError('state archive header is not valid JSON');
  }
  if (header?.kdf?.name !== 'scrypt' || header?.cipher?.name !== 'aes-256-gcm') {
    throw new ArchiveError('state archive uses an unknown key derivation or cipher');
  }
  return { header, headerBytes: bytes.subarray(0, m + 4 + len), body: bytes.subarray(m + 4 + len) };
}
