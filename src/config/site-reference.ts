// The site file reference (docs/reference/site-file.md), generated from the zod schema itself: every key with
// its type, default and rules, plus the sentence in SITE_KEY_DOCS. A key without a sentence, or a sentence for a
// key the schema lacks, fails the docs test, so the reference cannot drift from what `serve` accepts.
import type { ZodTypeAny } from 'zod';
import { siteSchema } from './site.js';
import { siteKeyDoc } from './site-docs.js';

export interface KeyDoc {
  path: string;
  type: string;
  required: boolean;
  default?: string;
}

// zod 3 keeps a schema's structure in `_def`; these are the wrappers the site schema uses.
type Def = {
  typeName: string;
  innerType?: ZodTypeAny;
  schema?: ZodTypeAny;
  type?: ZodTypeAny;
  values?: string[];
  defaultValue?: () => unknown;
  shape?: () => Record<string, ZodTypeAny>;
  checks?: { kind: string; value?: number }[];
  in?: ZodTypeAny;
  out?: ZodTypeAny;
  valueType?: ZodTypeAny;
};
const def = (s: ZodTypeAny) => s._def as Def;

function unwrap(s: ZodTypeAny): { core: ZodTypeAny; optional: boolean; dflt?: unknown } {
  let optional = false;
  let dflt: unknown;
  let cur = s;
  for (;;) {
    const d = def(cur);
    if (d.typeName === 'ZodOptional') optional = true;
    else if (d.typeName === 'ZodDefault') {
      optional = true;
      dflt = d.defaultValue?.();
    } else if (d.typeName !== 'ZodEffects' && d.typeName !== 'ZodPipeline') return { core: cur, optional, dflt };
    cur = d.innerType ?? d.schema ?? d.in ?? cur;
  }
}

function typeName(s: ZodTypeAny): string {
  const { core } = unwrap(s);
  const d = def(core);
  switch (d.typeName) {
    case 'ZodString':
      return 'string';
    case 'ZodNumber':
      return d.checks?.some((c) => c.kind === 'int') ? 'integer' : 'number';
    case 'ZodBoolean':
      return 'boolean';
    case 'ZodEnum':
      return (d.values ?? []).map((v) => `\`${v}\``).join(' \\| ');
    case 'ZodArray':
      return `list of ${typeName(d.type!)}`;
    case 'ZodObject':
      return 'object';
    case 'ZodRecord':
      return `map of ${typeName(d.valueType!)}`;
    default:
      return d.typeName.replace(/^Zod/, '').toLowerCase();
  }
}

/** Every key path in the schema, objects first, array elements as `[]`. */
export function siteKeys(schema: ZodTypeAny = siteSchema, prefix = ''): KeyDoc[] {
  const { core } = unwrap(schema);
  const d = def(core);
  if (d.typeName === 'ZodArray') return siteKeys(d.type!, `${prefix}[]`);
  if (d.typeName !== 'ZodObject') return [];
  const out: KeyDoc[] = [];
  for (const [key, child] of Object.entries(d.shape!())) {
    const path = prefix ? `${prefix}.${key}` : key;
    const u = unwrap(child);
    const shown =
      u.dflt === undefined ||
      (typeof u.dflt === 'object' && u.dflt !== null && Object.keys(u.dflt).length === 0 && !Array.isArray(u.dflt));
    out.push({
      path,
      type: typeName(child),
      required: !u.optional,
      default: shown ? undefined : JSON.stringify(u.dflt),
    });
    out.push(...siteKeys(child, path));
  }
  return out;
}

export function siteReference(): string {
  const rows = siteKeys().map((k) => {
    const doc = siteKeyDoc(k.path) ?? '';
    const dflt = k.default !== undefined ? `\`${k.default}\`` : k.required ? 'required' : '—';
    return `| \`${k.path}\` | ${k.type} | ${dflt} | ${doc} |`;
  });
  return [
    '# Site file reference',
    '',
    '<!-- Generated from the schema in src/config/site.ts and the sentences in src/config/site-docs.ts by',
    '     `npx tsx scripts/gen-reference.ts`; the docs test fails when this file is out of date. -->',
    '',
    'A site file is YAML or JSON. Unknown keys are errors, not ignored. `eveboot site check FILE` prints',
    '`path: what is wrong` for every problem and exits 1. A site file has `cluster` + `nodes` (one cluster) or',
    '`clusters` (a factory line manifest, each cluster with its own nodes). `[]` marks the elements of a list.',
    '',
    '| key | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '## Example',
    '',
    '```yaml',
    'site: { name: plant-7 }',
    'cluster: { name: line-3, prefix: 10.244.244.0/28 }',
    'nodes:',
    '  - { serial: SN-0001, mac: 52:54:00:00:00:01, name: edge-1 }',
    '  - { serial: SN-0002, name: edge-2, clusterInterface: eth1 }',
    '  - { softSerial: 52-54-00-00-00-03 }',
    'onboarding: { policy: allowlist }',
    'listen: { advertise: eveboot.plant-7.example, controllerPort: 8443 }',
    '```',
    '',
  ].join('\n');
}
