// Fails when the relative imports of src/**/*.ts form a cycle. Type-only imports count too: a cycle of types
// is still two files that cannot be read, tested or moved one without the other.
// Usage: node scripts/check-cycles.mjs [dir]   (default src)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

// import … from './x.js', export … from './x.js', import('./x.js'), import './x.js'
const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** './x.js' → the .ts file it names, or undefined when it is not a source file here. */
function target(from, spec, files) {
  const base = resolve(dirname(from), spec);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((c) => files.has(c));
}

export function importGraph(dir) {
  const files = new Set(walk(dir));
  const graph = new Map();
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    const deps = new Set();
    for (const m of text.matchAll(SPEC)) {
      const t = target(f, m[2], files);
      if (t) deps.add(t);
    }
    graph.set(f, [...deps].sort());
  }
  return graph;
}

/** Every strongly connected component with more than one file (or a file importing itself), as one cycle each. */
export function findCycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** One concrete path round a component, for the message: a → b → … → a. */
function pathRound(graph, scc) {
  const inScc = new Set(scc);
  const start = scc[0];
  const prev = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inScc.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let x = v; x !== start; x = prev.get(x)) path.splice(1, 0, x);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return scc;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = importGraph(root);
  const cycles = findCycles(graph);
  const rel = (p) => {
    const r = relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  };
  if (cycles.length === 0) {
    console.log(`no import cycles among ${graph.size} files under ${rel(root)}`);
  } else {
    for (const scc of cycles) console.error(`import cycle: ${pathRound(graph, scc).map(rel).join(' → ')}`);
    console.error(`FAIL: ${cycles.length} import cycle(s) under ${rel(root)}: move the shared part into its own file`);
    process.exit(1);
  }
}
