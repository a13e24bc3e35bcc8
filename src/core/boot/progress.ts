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
