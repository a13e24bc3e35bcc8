// Throttling of per-machine HTTP byte counters into `http.progress` events: the first chunk, then at most one
// event per interval, and always the last one, so the UI gets a live % without an event per TCP segment.

export interface ProgressMark {
  at: number;
  bytes: number;
}

export const PROGRESS_INTERVAL_MS = 1000;

export function shouldReport(
  last: ProgressMark | undefined,
  now: number,
  bytes: number,
  total: number,
  intervalMs = PROGRESS_INTERVAL_MS,
): boolean {
  if (bytes >= total) return true;
  if (!last) return true;
  return now - last.at >= intervalMs;
}

/** Byte ranges [from, to) of one file that went out, merged and sorted. */
export type Spans = ReadonlyArray<readonly [number, number]>;

/** Adds [from, to) to the spans. GRUB reads a loop-mounted ISO as Range requests that seek back and re-read
 *  extents, so "the whole file went out" is the union of the ranges, never the sum of their lengths. */
export function addSpan(spans: Spans, from: number, to: number): Spans {
  if (to <= from) return spans;
  const out: [number, number][] = [];
  let [a, b] = [from, to];
  for (const [s, e] of spans) {
    if (e < a || s > b) out.push([s, e]);
    else [a, b] = [Math.min(a, s), Math.max(b, e)];
  }
  out.push([a, b]);
  return out.sort((x, y) => x[0] - y[0]);
}

export function spanBytes(spans: Spans): number {
  return spans.reduce((n, [s, e]) => n + e - s, 0);
}
