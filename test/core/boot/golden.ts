// Whole-file golden comparison (STYLE.md: compare whole iPXE scripts); UPDATE_GOLDEN=1 rewrites.
import { join } from 'node:path';
import { expectGoldenFile } from '../../support/golden-file.js';

const dir = join(import.meta.dirname, 'golden');

export function expectGoldenText(name: string, text: string): void {
  expectGoldenFile(join(dir, name), text);
}
