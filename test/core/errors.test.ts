// One error style: every refusal is an EvebootError with a code (the HTTP error handler and the CLI print the code
// only for those), and no code hides in the message of a plain Error.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskError } from '../../src/core/disk/disk-error.js';
import { EvebootError } from '../../src/core/errors.js';
import { TpmError } from '../../src/ports/tpm.js';

const src = resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? d.name === 'gen'
        ? []
        : files(join(dir, d.name))
      : d.name.endsWith('.ts')
        ? [join(dir, d.name)]
        : [],
  );

describe('coded errors', () => {
  const table: { name: string; input: () => EvebootError; want: { code: string; status: number } }[] = [
    {
      name: 'a refusal of bad input is a 400',
      input: () => new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'mac must be a MAC'),
      want: { code: 'EVEBOOT_ERR_BAD_REQUEST', status: 400 },
    },
    {
      name: 'a disk-image refusal is an EvebootError with its disk code',
      input: () => new DiskError('EVEBOOT_ERR_DISK_NOT_FOUND', 'no CONFIG partition'),
      want: { code: 'EVEBOOT_ERR_DISK_NOT_FOUND', status: 404 },
    },
    {
      name: 'a TPM failure is an EvebootError with EVEBOOT_ERR_TPM',
      input: () => new TpmError('swtpm is closed'),
      want: { code: 'EVEBOOT_ERR_TPM', status: 500 },
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const e = c.input();
      expect(e).toBeInstanceOf(EvebootError);
      expect({ code: e.code, status: e.status }).toEqual(c.want);
    });
  }

  it('no source file throws a plain Error with a code in its message, or defines a coded error class of its own', () => {
    const offenders = files(src).flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      const plain = /new Error\(\s*[`'"]EVEBOOT_ERR_/.test(text);
      const ownClass = /class \w+ extends Error \{[^}]*EVEBOOT_ERR_/.test(text);
      return plain || ownClass ? [f.slice(src.length + 1)] : [];
    });
    expect(offenders).toEqual([]);
  });
});
