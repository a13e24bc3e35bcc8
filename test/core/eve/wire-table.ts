// Reads EVE's wire tables (test/fixtures/eve-wire) and compares our generated descriptors with them, the way
// EVE's Go code sees each field: protobuf struct tag number, wire kind, label, oneof, Go type.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DescEnum, DescField, DescFile, DescMessage } from '@bufbuild/protobuf';
import { ScalarType } from '@bufbuild/protobuf';

const FIXTURES = join(import.meta.dirname, '../../fixtures/eve-wire');
const GEN = join(import.meta.dirname, '../../../src/gen');

export interface WireRow {
  pkg: string;
  goType: string;
  field: string;
  number: number;
  kind: string;
  label: string;
  oneof: boolean;
  type: string;
}

export interface EnumRow {
  pkg: string;
  enumName: string;
  name: string;
  number: number;
}

function rows(file: string): string[][] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('package\t'))
    .map((l) => l.split('\t'));
}

export function wireTable(): WireRow[] {
  return rows('eve-api-wire.tsv').map(([pkg, goType, field, number, kind, label, oneof, type]) => ({
    pkg: pkg!,
    goType: goType!,
    field: field!,
    number: Number(number),
    kind: kind!,
    label: label!,
    oneof: oneof === 'oneof',
    type: type!,
  }));
}

export function enumTable(): EnumRow[] {
  return rows('eve-api-enums.tsv').map(([pkg, enumName, name, number]) => ({
    pkg: pkg!,
    enumName: enumName!,
    name: name!,
    number: Number(number),
  }));
}

/** Every file descriptor exported by src/gen (each *_pb.ts exports `file_…`). */
export async function generatedFiles(): Promise<DescFile[]> {
  const out: DescFile[] = [];
  for (const dir of readdirSync(GEN)) {
    for (const f of readdirSync(join(GEN, dir)).filter((n) => n.endsWith('_pb.ts'))) {
      const mod = (await import(pathToFileURL(join(GEN, dir, f)).href)) as Record<string, unknown>;
      for (const [k, v] of Object.entries(mod)) if (k.startsWith('file_')) out.push(v as DescFile);
    }
  }
  return out;
}

/** protoc-gen-go's GoCamelCase (google.golang.org/protobuf/internal/strs), for oneof wrapper type names. */
export function goCamelCase(s: string): string {
  let b = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const nextLower = i + 1 < s.length && /[a-z]/.test(s[i + 1]!);
    if (c === '.' && nextLower) continue;
    if (c === '.') b += '_';
    else if (c === '_' && (i === 0 || s[i - 1] === '.')) b += 'X';
    else if (c === '_' && nextLower) continue;
    else if (/[0-9]/.test(c)) b += c;
    else {
      b += c.toUpperCase();
      while (i + 1 < s.length && /[a-z]/.test(s[i + 1]!)) b += s[++i];
    }
  }
  return b;
}

/** Go struct name of a message or enum: nested types are Outer_Inner. */
export function goName(d: DescMessage | DescEnum): string {
  const pkg = d.file.proto.package;
  return goCamelCase(pkg ? d.typeName.slice(pkg.length + 1) : d.typeName);
}

/** The Go package directory (eve-api proto dir), which is the table's first column. */
export function pkgOf(d: DescMessage | DescEnum): string {
  return d.file.name.split('/')[0]!;
}

const SCALAR: Record<ScalarType, { kind: string; go: string }> = {
  [ScalarType.DOUBLE]: { kind: 'fixed64', go: 'float64' },
  [ScalarType.FLOAT]: { kind: 'fixed32', go: 'float32' },
  [ScalarType.INT64]: { kind: 'varint', go: 'int64' },
  [ScalarType.UINT64]: { kind: 'varint', go: 'uint64' },
  [ScalarType.INT32]: { kind: 'varint', go: 'int32' },
  [ScalarType.FIXED64]: { kind: 'fixed64', go: 'uint64' },
  [ScalarType.FIXED32]: { kind: 'fixed32', go: 'uint32' },
  [ScalarType.BOOL]: { kind: 'varint', go: 'bool' },
  [ScalarType.STRING]: { kind: 'bytes', go: 'string' },
  [ScalarType.BYTES]: { kind: 'bytes', go: '[]byte' },
  [ScalarType.UINT32]: { kind: 'varint', go: 'uint32' },
  [ScalarType.SFIXED32]: { kind: 'fixed32', go: 'int32' },
  [ScalarType.SFIXED64]: { kind: 'fixed64', go: 'int64' },
  [ScalarType.SINT32]: { kind: 'zigzag32', go: 'int32' },
  [ScalarType.SINT64]: { kind: 'zigzag64', go: 'int64' },
};

/** What the table would say about one of our fields. */
export interface OurField {
  goType: string;
  field: string;
  number: number;
  kind: string;
  label: string;
  oneof: boolean;
  /** The element type: Go scalar name, message Go name, or enum full name. */
  type: string;
}

function elementType(f: DescField): { kind: string; type: string } {
  const scalar = (t: ScalarType) => ({ kind: SCALAR[t].kind, type: SCALAR[t].go });
  switch (f.fieldKind) {
    case 'scalar':
      return scalar(f.scalar);
    case 'enum':
      return { kind: 'varint', type: f.enum.typeName };
    case 'message':
      return { kind: 'bytes', type: goName(f.message) };
    case 'list':
      if (f.listKind === 'scalar') return scalar(f.scalar);
      if (f.listKind === 'enum') return { kind: 'varint', type: f.enum.typeName };
      return { kind: 'bytes', type: goName(f.message) };
    case 'map': {
      const v =
        f.mapKind === 'scalar' ? SCALAR[f.scalar].go : f.mapKind === 'enum' ? f.enum.typeName : `*${goName(f.message)}`;
      return { kind: 'bytes', type: `map[${SCALAR[f.mapKey].go}]${v}` };
    }
  }
}

export function ourField(m: DescMessage, f: DescField): OurField {
  const inOneof = f.fieldKind !== 'list' && f.fieldKind !== 'map' && f.oneof !== undefined;
  const { kind, type } = elementType(f);
  return {
    goType: inOneof ? `${goName(m)}_${goCamelCase(f.name)}` : goName(m),
    field: f.name,
    number: f.number,
    kind,
    label: f.fieldKind === 'list' || f.fieldKind === 'map' ? 'rep' : 'opt',
    // A real oneof, or a proto3 `optional` (Go tags those `oneof` too).
    oneof: inOneof || f.proto.proto3Optional === true,
    type,
  };
}

/** The table's Go type with pointers, slices and package qualifiers removed, to compare with ours. */
export function tableElementType(t: string): string {
  if (t.startsWith('map[')) return t.replace(/\*[a-z]+\./g, '*');
  if (t.startsWith('org.lfedge.')) return t;
  if (t === '[]byte') return t;
  const bare = t.replace(/^\[\]/, '').replace(/^\*/, '');
  return bare.includes('.') ? bare.slice(bare.lastIndexOf('.') + 1) : bare;
}

export function allMessages(files: DescFile[]): DescMessage[] {
  const out: DescMessage[] = [];
  const walk = (m: DescMessage) => {
    out.push(m);
    m.nestedMessages.forEach(walk);
  };
  for (const f of files) f.messages.forEach(walk);
  return out.filter((m) => !m.proto.options?.mapEntry);
}

export function allEnums(files: DescFile[]): DescEnum[] {
  const out: DescEnum[] = [];
  const walk = (m: DescMessage) => {
    out.push(...m.nestedEnums);
    m.nestedMessages.forEach(walk);
  };
  for (const f of files) {
    out.push(...f.enums);
    f.messages.forEach(walk);
  }
  return out;
}

/**
 * Messages EVE declares without fields, so the wire table has no row for them (a message is known to the
 * table only through its fields). eveuuid.proto: `message UuidRequest {}`.
 */
export const EMPTY_IN_EVE = new Set(['eveuuid.UuidRequest']);

/** Every difference between our descriptors and the tables, one sentence each; [] when we match EVE. */
export function wireDiffs(files: DescFile[], wire: WireRow[], enums: EnumRow[]): string[] {
  const diffs: string[] = [];
  const byType = new Map<string, WireRow[]>();
  for (const r of wire) {
    const k = `${r.pkg}.${r.goType}`;
    byType.set(k, [...(byType.get(k) ?? []), r]);
  }
  for (const m of allMessages(files)) {
    const where = `${pkgOf(m)}.${goName(m)}`;
    if (m.fields.length === 0) {
      if (!EMPTY_IN_EVE.has(where)) diffs.push(`${where}: message has no fields and is not known to be empty in EVE`);
      continue;
    }
    if (!byType.has(where)) diffs.push(`${where}: message is not in EVE's wire table`);
    for (const f of m.fields) {
      const ours = ourField(m, f);
      const row = byType.get(`${pkgOf(m)}.${ours.goType}`)?.find((r) => r.number === f.number);
      const at = `${where}.${f.name} = ${f.number}`;
      if (!row) {
        diffs.push(`${at}: EVE has no field number ${f.number} in ${ours.goType}`);
        continue;
      }
      if (row.field !== ours.field) diffs.push(`${at}: EVE names it ${row.field}`);
      if (row.kind !== ours.kind) diffs.push(`${at}: wire kind ${ours.kind}, EVE ${row.kind}`);
      if (row.label !== ours.label) diffs.push(`${at}: ${ours.label}, EVE ${row.label}`);
      if (row.oneof !== ours.oneof) diffs.push(`${at}: oneof/optional ${ours.oneof}, EVE ${row.oneof}`);
      const theirs = tableElementType(row.type);
      if (theirs !== ours.type) diffs.push(`${at}: type ${ours.type}, EVE ${theirs}`);
    }
  }
  for (const e of allEnums(files)) {
    const where = `${pkgOf(e)}.${goName(e)}`;
    const table = enums.filter((r) => r.pkg === pkgOf(e) && r.enumName === goName(e));
    if (table.length === 0) {
      diffs.push(`${where}: enum is not in EVE's enum table`);
      continue;
    }
    for (const v of e.values) {
      const row = table.find((r) => r.name === v.name);
      if (!row) diffs.push(`${where}.${v.name}: EVE has no such value`);
      else if (row.number !== v.number) diffs.push(`${where}.${v.name} = ${v.number}: EVE ${row.number}`);
    }
  }
  return diffs;
}
