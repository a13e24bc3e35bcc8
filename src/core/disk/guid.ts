// GUIDs as stored on disk (UEFI 2.10 Appendix A): the first three fields little-endian, the last two big-endian.

export function decodeGuid(b: Uint8Array, off: number): string {
  const hex = (i: number) => b[off + i]!.toString(16).padStart(2, '0');
  const le = (...idx: number[]) => idx.map(hex).join('');
  const be = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => hex(from + i)).join('');
  return `${le(3, 2, 1, 0)}-${le(5, 4)}-${le(7, 6)}-${be(8, 10)}-${be(10, 16)}`;
}

export function encodeGuid(guid: string): Uint8Array {
  const h = guid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new Error(`not a GUID: ${guid}`);
  const raw = Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(h.slice(i * 2, i * 2 + 2), 16));
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(order, (i) => raw[i]!);
}

export const sameGuid = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
