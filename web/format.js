// How times, durations, byte counts and rates read on the screen. Times are the appliance's epoch milliseconds,
// shown in the browser's local time.

export function clock(at) {
  if (typeof at !== 'number') return '';
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${String(rest).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '?';
  let v = n;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${UNITS[i]}`;
}

export function rate(bps) {
  return typeof bps === 'number' ? `${bytes(bps)}/s` : '';
}

/** A short hash for a card; the full value stays in the title and is selectable. */
export function shortHash(h) {
  if (typeof h !== 'string') return '';
  return h.length > 20 ? `${h.slice(0, 16)}…` : h;
}
