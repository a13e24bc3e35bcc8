// Read-back checks after a write: every file present with exactly the bytes we meant to write.
import { DiskError } from './disk-error.js';
import { readFile } from './fat-read.js';
import type { FatFile } from './fat-write.js';

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Problems found reading `files` back from the FAT image; empty when all match. */
export function verifyFiles(img: Uint8Array, files: FatFile[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    try {
      const got = readFile(img, f.path);
      if (!sameBytes(got, f.data))
        problems.push(`${f.path}: read back ${got.length} bytes that differ from the ${f.data.length} written`);
    } catch (e) {
      if (!(e instanceof DiskError)) throw e;
      problems.push(`${f.path}: ${e.message}`);
    }
  }
  return problems;
}
