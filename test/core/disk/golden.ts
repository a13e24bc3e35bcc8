// Golden-file comparison with the UPDATE_GOLDEN=1 switch (STYLE.md "Real protocol bytes as fixtures").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expectGoldenFile } from '../../support/golden-file.js';

export const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

export function loadFixture(name: string): Uint8Array {
  const raw = readFileSync(fixture(name));
  return new Uint8Array(name.endsWith('.gz') ? gunzipSync(raw) : raw);
}

export function expectGolden(name: string, value: unknown): void {
  const path = fixture(name);
  const text = `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2)}\n`;
  expectGoldenFile(path, text);
}
