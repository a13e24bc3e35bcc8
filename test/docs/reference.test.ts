// The generated references cannot drift from the code, the site-file sentences cover exactly the schema's keys,
// and every relative link in README.md and docs/ lands on a file of the repo.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allCommandHelp, type CommandHelp, cliReference, usageProblems } from '../../src/cli/cli-reference.js';
import { SITE_KEY_DOCS, siteKeyDoc } from '../../src/config/site-docs.js';
import { siteKeys, siteReference } from '../../src/config/site-reference.js';

const root = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const REGENERATE = 'out of date: run `npx tsx scripts/gen-reference.ts` and commit the result';

let commands: CommandHelp[];
beforeAll(async () => {
  commands = await allCommandHelp();
});

describe('docs/reference/cli.md', () => {
  it('is what the generator writes now', () => {
    expect(read('docs/reference/cli.md') === cliReference(commands), `docs/reference/cli.md is ${REGENERATE}`).toBe(
      true,
    );
  });

  it('names every option of every command, and each usage states every default', () => {
    const cli = read('docs/reference/cli.md');
    const missing = commands.flatMap((c) =>
      Object.keys(c.options)
        .filter((o) => !cli.includes(`--${o}`))
        .map((o) => `eveboot ${c.name} --${o}`),
    );
    expect(missing).toEqual([]);
    expect(commands.flatMap(usageProblems)).toEqual([]);
  });

  it('covers every command main.ts dispatches', () => {
    const dispatched = [...read('src/main.ts').matchAll(/case '([a-z][a-z-]*)':/g)]
      .map((m) => m[1])
      .filter((c) => !['help', 'version'].includes(c!));
    expect(commands.map((c) => c.name).sort()).toEqual([...new Set(dispatched)].sort());
  });
});

describe('docs/reference/site-file.md', () => {
  it('is what the generator writes now', () => {
    expect(
      read('docs/reference/site-file.md') === siteReference(),
      `docs/reference/site-file.md is ${REGENERATE}`,
    ).toBe(true);
  });

  it('has a sentence for every key, and every sentence names a key of the schema', () => {
    const keys = siteKeys().map((k) => k.path);
    expect(keys.filter((k) => !siteKeyDoc(k))).toEqual([]);
    expect(Object.keys(SITE_KEY_DOCS).filter((k) => !keys.includes(k))).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(join(root, p)).isDirectory()) return p === 'src/gen' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('codes and events in the reference', () => {
  const src = sourceFiles('src').map((f) => read(f));

  it('docs/reference/errors.md explains every EVEBOOT_ERR_* code in src', () => {
    const codes = new Set(src.flatMap((t) => [...t.matchAll(/EVEBOOT_ERR_[A-Z0-9_]+/g)].map((m) => m[0])));
    const doc = read('docs/reference/errors.md');
    expect([...codes].filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });

  it('docs/factory/events.md describes every event type the appliance stores', () => {
    // Dotted types (boot.report, eve.registered, …) and the network servers' dhcp*/tftp events; sim.* lines are the
    // simulator's own trace, and k3s.node is a record the snapshot folds internally, never stored.
    const types = new Set(
      src.flatMap((t) =>
        [...t.matchAll(/type: '((?:[a-z0-9]+\.)+[a-z0-9-]+|dhcp(?:-[a-z]+)?|tftp)'/g)].map((m) => m[1]!),
      ),
    );
    for (const internal of ['k3s.node']) types.delete(internal);
    const doc = read('docs/factory/events.md');
    expect([...types].filter((t) => !t.startsWith('sim.') && !doc.includes(`\`${t}\``))).toEqual([]);
  });
});

function markdownFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? markdownFiles(p) : p.endsWith('.md') ? [p] : [];
  });
}

/** Every piece of code in a markdown text: fenced blocks line by line, and inline `spans`. */
function codePieces(text: string): string[] {
  // ```text blocks show output (banners, usage), not commands; shell comments and output lines start with #.
  const fenced = [...text.matchAll(/```([^\n]*)\n([\s\S]*?)```/g)]
    .filter((m) => m[1] !== 'text')
    .flatMap((m) => m[2]!.split('\n').map((l) => l.replace(/#.*$/, '')));
  const inline = [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  // One shell command per piece: pipes, &&, ; and the markdown table's escaped pipes separate them.
  return [...fenced, ...inline].flatMap((c) => c.split(/\\\||\||&&|;/));
}

describe('commands shown in the docs', () => {
  it('every `eveboot CMD --option` in README.md and docs/ names a real command and its real options', () => {
    const byName = new Map(commands.map((c) => [c.name, new Set(Object.keys(c.options))]));
    const wrong: string[] = [];
    for (const file of ['README.md', ...markdownFiles('docs')]) {
      for (const piece of codePieces(read(file))) {
        for (const m of piece.matchAll(/(?:^|[\s(])eveboot ([a-z][a-z-]*)(.*)/g)) {
          const [, cmd, rest] = m as unknown as [string, string, string];
          if (cmd === 'version' || cmd === 'help') continue;
          const options = byName.get(cmd);
          if (!options) {
            wrong.push(`${file}: eveboot ${cmd} is not a command`);
            continue;
          }
          // Options up to the next eveboot command on the same line belong to this one.
          const own = rest.split(/[\s(]eveboot /)[0]!;
          for (const o of own.matchAll(/(?:^|[\s[(])--([a-z][a-z0-9-]*)/g)) {
            if (o[1] !== 'help' && !options.has(o[1]!)) wrong.push(`${file}: eveboot ${cmd} has no --${o[1]}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('links', () => {
  it('every relative link in README.md and docs/ resolves to a file in the repo', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...markdownFiles('docs')]) {
      // Links outside code: [text](target) and <a href>-free markdown only; fenced blocks are skipped.
      const text = read(file).replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(join(root, dirname(file)), decodeURI(target.split('#')[0]!));
        if (!path.startsWith(root) || !existsSync(path)) broken.push(`${file}: ${target}`);
        else if (relative(root, path).startsWith('..')) broken.push(`${file}: ${target} (outside the repo)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
