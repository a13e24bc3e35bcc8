// scripts/check-cycles.mjs, which scripts/test.sh runs over src/: it finds cycles of relative imports, type-only
// and re-exports included, and fails with the path round each one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

function check(files: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-cycles-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const r = spawnSync(process.execPath, ['scripts/check-cycles.mjs', dir], { encoding: 'utf8' });
  return { status: r.status, out: (r.stdout + r.stderr).replaceAll(`${dir}/`, '') };
}

describe('check-cycles', () => {
  const cases: { name: string; input: Record<string, string>; want: { status: number; text: string } }[] = [
    {
      name: 'a chain without a cycle passes',
      input: { 'a.ts': "import { b } from './b.js';", 'b.ts': "import { c } from './lib/c.js';", 'lib/c.ts': '' },
      want: { status: 0, text: 'no import cycles among 3 files' },
    },
    {
      name: 'a type-only import back is a cycle',
      input: { 'a.ts': "import { b } from './b.js';", 'b.ts': "import type { A } from './a.js';" },
      want: { status: 1, text: 'import cycle: a.ts → b.ts → a.ts' },
    },
    {
      name: 'a re-export and a dynamic import close a cycle across folders',
      input: {
        'x/a.ts': "export { b } from '../y/b.js';",
        'y/b.ts': "const c = await import('./c.js');",
        'y/c.ts': "import { a } from '../x/a.js';",
      },
      want: { status: 1, text: 'x/a.ts → y/b.ts → y/c.ts → x/a.ts' },
    },
    {
      name: 'an import in a comment does not count',
      input: { 'a.ts': "import { b } from './b.js';", 'b.ts': "// import { a } from './a.js';\n/* from './a.js' */" },
      want: { status: 0, text: 'no import cycles among 2 files' },
    },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    const got = check(input);
    expect(got.out).toContain(want.text);
    expect(got.status).toBe(want.status);
  });

  it('finds none in src/', () => {
    const r = spawnSync(process.execPath, ['scripts/check-cycles.mjs', 'src'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
