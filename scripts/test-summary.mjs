// The end of scripts/test.sh: reads vitest's JSON report and test-output/skipped.txt and says what really
// happened. A file that failed to import or whose beforeAll threw has no failed test in vitest's own count
// (its tests read as "skipped"), so each such file counts as one failure here and its tests do not count as
// skipped. Under CI=true every skip fails the run unless test/skip-allowlist.txt names it with a reason.
// Usage: node scripts/test-summary.mjs <vitest.json> <skipped.txt> <allowlist>; exit 1 when CI skips were found.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [jsonPath, skippedPath, allowPath] = process.argv.slice(2);
const ci = process.env.CI === 'true';
const lines = (path) =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
    : [];

if (!existsSync(jsonPath)) {
  console.log('\n== FAILED: vitest wrote no report (it crashed before the end); see the output above');
  console.log('tests: 0 passed, 1 failed, 0 skipped');
  process.exit(0);
}
const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
let passed = 0;
let failed = 0;
let skipped = 0;
const failedFiles = [];
const skippedFiles = [];
for (const file of report.testResults) {
  const name = relative(process.cwd(), file.name);
  const count = (...s) => file.assertionResults.filter((a) => s.includes(a.status)).length;
  const [ok, bad, skip] = [count('passed'), count('failed'), count('pending', 'skipped', 'todo')];
  passed += ok;
  failed += bad;
  if (file.status === 'failed') {
    const why = (file.message || '').split('\n')[0] || (bad > 0 ? `${bad} failed test(s)` : 'a hook failed');
    failedFiles.push(`${name}: ${why}${skip > 0 ? ` (${skip} test(s) did not run)` : ''}`);
    if (bad === 0) failed += 1;
  } else if (skip > 0) {
    skipped += skip;
    skippedFiles.push(`${name}: ${skip} test(s) skipped`);
  }
}

const suites = [...new Set(lines(skippedPath))].sort();
if (suites.length > 0) {
  console.log('\n== SKIPPED (not passed) — these suites or checks did not run:');
  for (const s of suites) console.log(`   ${s}`);
}
if (failedFiles.length > 0) {
  console.log(`\n== FAILED FILES (${failedFiles.length}):`);
  for (const f of failedFiles) console.log(`   ${f}`);
}

let exit = 0;
if (ci) {
  // "<suite name or test file>\t<reason>"; # starts a comment.
  const allowed = lines(allowPath)
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split('\t')[0].trim());
  const isAllowed = (entry) => allowed.some((a) => entry.startsWith(`${a}:`));
  const offenders = [...suites, ...skippedFiles].filter((e) => !isAllowed(e));
  if (offenders.length > 0) {
    console.log(
      '\n== FAIL (CI=true): CI installs every prerequisite, so nothing may be skipped; not on test/skip-allowlist.txt:',
    );
    for (const o of offenders) console.log(`   ${o}`);
    exit = 1;
  }
}
// The plain closing line CI reads: "tests: N passed, N failed, N skipped".
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exit);
