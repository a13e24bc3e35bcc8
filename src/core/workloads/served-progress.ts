// Download progress of one image to one client, from the bytes our servers sent: the union of the byte ranges
// of each file (EVE resumes with `Range: bytes=N-` after a stall, eve-workloads-facts §3.2, so re-sent bytes
// count once). Events go out at coarse steps, never per chunk.
import { addSpan, type Spans, spanBytes } from '../boot/progress.js';

/** An event at the first byte, then each time another 10 % of the image has gone out. */
export const PROGRESS_STEP_PERCENT = 10;

export interface ServedImage {
  /** Spans per file of the image (the disk file, or each blob of an OCI image). */
  parts: ReadonlyMap<string, Spans>;
  total: number;
  /** Step of the last event sent; undefined before the first. */
  reported?: number;
}

export const servedBytesOf = (s: ServedImage) => [...s.parts.values()].reduce((n, p) => n + spanBytes(p), 0);

export function percentOf(bytes: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((bytes * 100) / total)) : 0;
}

/** Bytes [from, from + n) of file `part` went out; `report` is the percent to announce, if a step was crossed. */
export function addServed(
  s: ServedImage,
  part: string,
  from: number,
  n: number,
): { next: ServedImage; report?: number } {
  const parts = new Map(s.parts);
  parts.set(part, addSpan(parts.get(part) ?? [], from, from + n));
  const bytes = Math.min(s.total, servedBytesOf({ ...s, parts }));
  const percent = percentOf(bytes, s.total);
  const step = Math.floor(percent / PROGRESS_STEP_PERCENT);
  if (bytes === 0 || (s.reported !== undefined && step <= s.reported)) return { next: { ...s, parts } };
  return { next: { ...s, parts, reported: step }, report: percent };
}

/** A request for a whole file starts it over (a re-download after a failed verification): forget its bytes. */
export function restartPart(s: ServedImage, part: string): ServedImage {
  if (!s.parts.has(part)) return s;
  const parts = new Map(s.parts);
  parts.delete(part);
  return { parts, total: s.total };
}
