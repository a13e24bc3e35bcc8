// Reading import inputs: what kind of file it is, tar member offsets, and directory listings.
import { closeSync, lstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseTarHeader, paxPath, safeMemberPath, TAR_BLOCK, tarDataBlocks } from '../core/boot/tar.js';
import { EvebootError } from '../core/errors.js';

export type InputKind = 'installer-net' | 'installer-iso' | 'directory';

/** ISO 9660 primary volume descriptor "CD001" at byte 32769 (ECMA-119 §8.4); tar by a valid header checksum. */
export function sniffInput(path: string): InputKind {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `${path}: no such file or directory`);
  if (st.isDirectory()) return 'directory';
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(TAR_BLOCK);
    readSync(fd, head, 0, TAR_BLOCK, 0);
    const cd = Buffer.alloc(5);
    readSync(fd, cd, 0, 5, 32769);
    if (cd.toString('latin1') === 'CD001') return 'installer-iso';
    try {
      if (parseTarHeader(head)) return 'installer-net';
    } catch {
      // fall through
    }
  } finally {
    closeSync(fd);
  }
  throw new EvebootError(
    'EVEBOOT_ERR_BAD_REQUEST',
    `${path}: neither a tar archive (installer-net.tar), an ISO image (installer.iso) nor a directory`,
  );
}

export interface TarMember {
  path: string;
  offset: number;
  size: number;
}

/** Regular-file members with their data offsets. Links and devices are skipped; escaping names are refused. */
export function walkTar(path: string): TarMember[] {
  const fd = openSync(path, 'r');
  const size = statSync(path).size;
  const block = Buffer.alloc(TAR_BLOCK);
  const members: TarMember[] = [];
  let pos = 0;
  let longName: string | undefined;
  try {
    while (pos + TAR_BLOCK <= size) {
      readSync(fd, block, 0, TAR_BLOCK, pos);
      const h = parseTarHeader(block);
      if (!h) break;
      const dataAt = pos + TAR_BLOCK;
      if (dataAt + h.size > size) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${path}: truncated at ${h.name}`);
      if (h.type === 'longname' || h.type === 'pax') {
        const data = Buffer.alloc(h.size);
        readSync(fd, data, 0, h.size, dataAt);
        longName = h.type === 'pax' ? paxPath(data) : data.toString('utf8').replace(/\0.*$/s, '');
      } else {
        if (h.type === 'file') {
          const name = longName ?? h.name;
          const safe = safeMemberPath(name);
          if (!safe) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${path}: member ${name} escapes the archive`);
          members.push({ path: safe, offset: dataAt, size: h.size });
        }
        longName = undefined;
      }
      pos = dataAt + tarDataBlocks(h.size);
    }
  } catch (e) {
    if (e instanceof EvebootError) throw e;
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${path}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
  return members;
}

/** Regular files under `dir` as relative '/' paths; symlinks are not followed. */
export function listDir(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listDir(dir, p));
    else if (e.isFile() && !lstatSync(join(dir, p)).isSymbolicLink()) out.push(p);
  }
  return out.sort();
}
