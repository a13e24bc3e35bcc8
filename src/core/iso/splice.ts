// A byte range of a patched file as pieces: runs of the original file (sent with sendfile) and runs of the
// replacement bytes (config.img inside installer.iso). Inclusive ends, as in HTTP Range (RFC 9110 §14.1.2).

export type Piece =
  /** Bytes start..end of the file on disk. */
  | { from: 'file'; start: number; end: number }
  /** Bytes start..end of the replacement (offsets inside it, not inside the file). */
  | { from: 'patch'; start: number; end: number };

export interface Patch {
  offset: number;
  size: number;
}

/** Pieces covering start..end (inclusive) of a file whose bytes offset..offset+size-1 are replaced. */
export function splicePieces(start: number, end: number, patch: Patch): Piece[] {
  if (end < start) return [];
  const pEnd = patch.offset + patch.size - 1;
  const pieces: Piece[] = [];
  if (start < patch.offset) pieces.push({ from: 'file', start, end: Math.min(end, patch.offset - 1) });
  const a = Math.max(start, patch.offset);
  const b = Math.min(end, pEnd);
  if (patch.size > 0 && a <= b) pieces.push({ from: 'patch', start: a - patch.offset, end: b - patch.offset });
  if (end > pEnd) pieces.push({ from: 'file', start: Math.max(start, pEnd + 1), end });
  return pieces;
}
