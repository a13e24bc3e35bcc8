// eveboot state export/import: the state dir (keys, PKI, databases, records) in one file, encrypted under a
// passphrase (scrypt → AES-256-GCM; the header is authenticated too). Databases are copied through SQLite's own
// serialize, so an export taken while `serve` runs is consistent. Imported EVE images are left out: they are
// large, public, and re-imported on the new box with `eveboot images import`.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import {
  ArchiveError,
  type ArchiveFile,
  type ArchiveHeader,
  frameHeader,
  packFiles,
  parseFrame,
  unpackFiles,
  unsafePath,
} from '../core/state/archive.js';

/** scrypt cost: 128 MiB and about half a second per attempt, so a stolen archive resists guessing. */
const KDF = { N: 2 ** 17, r: 8, p: 1 };
const MAXMEM = 256 * 1024 * 1024;

/**
 * Left out of an export: imported images, the demo's fake release, SQLite side files (serialize folds them in).
 * Workload images keep their index (apps/index.json: names and sha256, which the nodes' config refers to) but
 * not their blobs, which can be GBs: re-importing each file on the new box puts them back (apps import).
 */
function skipped(rel: string): boolean {
  const top = rel.split('/')[0];
  if (/^apps\/(blobs|\.import-)/.test(rel)) return true;
  return top === 'images' || top === 'demo-media' || /\.(db-wal|db-shm|db-journal)$/.test(rel) || /\.tmp$/.test(rel);
}

function walk(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    const rel = relative(root, full).split('\\').join('/');
    if (skipped(rel)) return [];
    if (e.isDirectory()) return walk(root, full);
    return e.isFile() ? [full] : [];
  });
}

function readState(stateDir: string): ArchiveFile[] {
  return walk(stateDir).map((full) => {
    const path = relative(stateDir, full).split('\\').join('/');
    const mode = statSync(full).mode & 0o7777;
    if (!full.endsWith('.db')) return { path, mode, data: readFileSync(full) };
    const db = new Database(full, { readonly: true, fileMustExist: true });
    try {
      return { path, mode, data: db.serialize() };
    } finally {
      db.close();
    }
  });
}

function key(passphrase: string, salt: Buffer, kdf = KDF): Buffer {
  return scryptSync(passphrase, salt, 32, { ...kdf, maxmem: MAXMEM });
}

export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < 12) throw new ArchiveError('the passphrase must be at least 12 characters long');
}

export interface ExportResult {
  files: string[];
  bytes: number;
}

export function exportState(
  stateDir: string,
  out: string,
  passphrase: string,
  meta: { site: string; eveboot: string; now: Date },
): ExportResult {
  checkPassphrase(passphrase);
  if (!existsSync(join(stateDir, 'pki'))) throw new ArchiveError(`${stateDir} holds no eveboot state (no pki/)`);
  const files = readState(stateDir);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: ArchiveHeader = {
    kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64') },
    createdAt: meta.now.toISOString(),
    site: meta.site,
    eveboot: meta.eveboot,
    files: files.length,
  };
  const head = frameHeader(header);
  const c = createCipheriv('aes-256-gcm', key(passphrase, salt), iv);
  c.setAAD(head);
  const body = Buffer.concat([c.update(packFiles(files)), c.final(), c.getAuthTag()]);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, Buffer.concat([head, body]), { mode: 0o600 });
  return { files: files.map((f) => f.path), bytes: head.length + body.length };
}

/** Decrypts and checks the whole archive before it writes anything; the target must be new or empty. */
export function importState(
  file: string,
  stateDir: string,
  passphrase: string,
): { header: ArchiveHeader; files: string[] } {
  if (existsSync(stateDir) && readdirSync(stateDir).length > 0) {
    throw new ArchiveError(`${stateDir} is not empty: import into a new state dir (nothing was changed)`);
  }
  const { header, headerBytes, body } = parseFrame(readFileSync(file));
  const { N, r, p } = header.kdf;
  if (![N, r, p].every(Number.isInteger) || N > 2 ** 20 || r > 16 || p > 4) {
    throw new ArchiveError('state archive asks for an unreasonable key derivation cost');
  }
  const d = createDecipheriv(
    'aes-256-gcm',
    key(passphrase, Buffer.from(header.kdf.salt, 'base64'), { N, r, p }),
    Buffer.from(header.cipher.iv, 'base64'),
  );
  d.setAAD(headerBytes);
  d.setAuthTag(body.subarray(body.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
  } catch {
    throw new ArchiveError('wrong passphrase, or the archive was changed or damaged (nothing was imported)');
  }
  const files = unpackFiles(plain);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
  for (const f of files) {
    if (unsafePath(f.path)) continue; // unpackFiles refused these already
    const target = join(stateDir, f.path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    // Everything in the state dir is private to the appliance, whatever mode it had on the old box.
    writeFileSync(target, f.data, { mode: f.mode & 0o600 });
  }
  return { header, files: files.map((f) => f.path) };
}
