// Writes the generated references: docs/reference/cli.md (every command's --help) and
// docs/reference/site-file.md (the site schema). Run: npx tsx scripts/gen-reference.ts
// test/docs/reference.test.ts fails when either file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { allCommandHelp, cliReference, usageProblems } from '../src/cli/cli-reference.js';
import { siteReference } from '../src/config/site-reference.js';

const commands = await allCommandHelp();
const problems = commands.flatMap(usageProblems);
if (problems.length > 0) {
  process.stderr.write(`fix these usage texts first:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
writeFileSync(new URL('../docs/reference/cli.md', import.meta.url), cliReference(commands));
writeFileSync(new URL('../docs/reference/site-file.md', import.meta.url), siteReference());
process.stdout.write('wrote docs/reference/cli.md and docs/reference/site-file.md\n');
