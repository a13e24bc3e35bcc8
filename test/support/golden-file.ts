// The one golden-file rule (STYLE.md "Real protocol bytes as fixtures"): a test compares against a committed
// file. Only UPDATE_GOLDEN=1 writes one; a missing golden fails the test, so a deleted or never-committed
// fixture can never turn into a silent pass. CI runs `git diff --exit-code test/` afterwards (scripts/test.sh).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export const updatingGoldens = (): boolean => process.env.UPDATE_GOLDEN === '1';

export function expectGoldenFile(path: string, text: string): void {
  if (updatingGoldens()) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${path} is missing: run UPDATE_GOLDEN=1 npx vitest run <this test>, review and commit it`,
    );
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}
