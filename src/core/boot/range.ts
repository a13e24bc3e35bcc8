// HTTP validators and byte ranges for boot artifacts (RFC 9110 §13.1.2 If-None-Match, §14.2 Range, §15.5.17 416).
// One range only: GRUB's HTTP transport and iPXE ask for one; a multi-range request is answered in full (§14.2
// lets a server ignore Range).

export type RangeAnswer =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'full' }; // unknown unit, several ranges or garbage: ignore the header (§14.2)
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return { kind: 'full' };
  if (a === '') {
    // suffix range: the last N bytes (§14.1.1)
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return { kind: 'full' }; // syntactically invalid range: ignore (§14.1.1)
  return { kind: 'partial', start, end };
}

/** Strong ETag from the content hash recorded at import (or computed for generated files). */
export function etagOf(sha256hex: string): string {
  return `"${sha256hex.slice(0, 32)}"`;
}

/** If-None-Match (weak comparison, §13.1.2): true when the client's copy is current. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => bare(t) === bare(etag));
}

/** If-Range (§13.1.5): a Range applies only when the validator still matches. */
export function rangeStillValid(ifRange: string | undefined, etag: string): boolean {
  return ifRange === undefined || ifRange.trim() === etag;
}

const TYPES: Record<string, string> = {
  iso: 'application/x-iso9660-image',
  efi: 'application/efi',
  img: 'application/octet-stream',
  cfg: 'text/plain; charset=utf-8',
  ipxe: 'text/plain; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  pem: 'application/x-pem-file',
  gz: 'application/gzip',
};

export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
