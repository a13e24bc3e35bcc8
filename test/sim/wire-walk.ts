// Walks encoded protobuf bytes against EVE's wire table: every tag must be a field EVE's Go code has for that
// message, with the same wire kind; nested messages are walked by the table's element type. Returns the fields
// seen as `GoType.field`, so a test can also say which fields a message must carry.
import type { WireRow } from '../core/eve/wire-table.js';

const KIND = ['varint', 'fixed64', 'bytes', '', '', 'fixed32'];

function varint(b: Uint8Array, at: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (let i = at; i < b.length; i++) {
    v |= BigInt(b[i]! & 0x7f) << shift;
    if ((b[i]! & 0x80) === 0) return [v, i + 1];
    shift += 7n;
  }
  throw new Error('truncated varint');
}

export function walkWire(bytes: Uint8Array, goType: string, table: WireRow[], seen = new Set<string>()): Set<string> {
  let at = 0;
  while (at < bytes.length) {
    const [tag, next] = varint(bytes, at);
    at = next;
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    const row = table.find(
      (r) => r.number === number && (r.goType === goType || (r.oneof && r.goType.startsWith(`${goType}_`))),
    );
    if (!row) throw new Error(`${goType}: EVE has no field ${number}`);
    if (KIND[wire] !== row.kind)
      throw new Error(`${goType}.${row.field} = ${number}: wire ${KIND[wire]}, EVE ${row.kind}`);
    seen.add(`${goType}.${row.field}`);
    if (wire === 0) at = varint(bytes, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else {
      const [len, start] = varint(bytes, at);
      at = start + Number(len);
      const nested = /^(?:\[\])?\*([A-Za-z_]+)$/.exec(row.type)?.[1];
      if (nested && !row.type.includes('timestamppb')) walkWire(bytes.subarray(start, at), nested, table, seen);
    }
  }
  return seen;
}
