// Bytes of kernel, initrd and installer ISO on their way to one machine: progress, rate and ETA, computed only
// from the byte events and the timestamps they carry (no clock here).

export interface FileBytes {
  bytes: number;
  total: number;
  firstAt: number;
  firstBytes: number;
  lastAt: number;
}

export type Download = Record<string, FileBytes>;

export interface DownloadView {
  bytes: number;
  total: number;
  /** 0..100, one decimal. */
  percent: number;
  /** Bytes per second over the whole transfer so far; undefined until two samples are apart in time. */
  rateBps?: number;
  etaMs?: number;
  files: number;
}

export function addBytes(d: Download, path: string, bytes: number, total: number, at: number): Download {
  const prev = d[path];
  const next: FileBytes = prev
    ? { ...prev, bytes: Math.max(prev.bytes, bytes), total: Math.max(total, prev.total), lastAt: at }
    : { bytes, total, firstAt: at, firstBytes: bytes, lastAt: at };
  return { ...d, [path]: next };
}

export function complete(d: Download): boolean {
  const files = Object.values(d);
  return files.length > 0 && files.every((f) => f.total > 0 && f.bytes >= f.total);
}

export function viewDownload(d: Download): DownloadView {
  const files = Object.values(d);
  const bytes = files.reduce((a, f) => a + f.bytes, 0);
  const total = files.reduce((a, f) => a + Math.max(f.total, f.bytes), 0);
  const moved = files.reduce((a, f) => a + (f.bytes - f.firstBytes), 0);
  const start = Math.min(...files.map((f) => f.firstAt));
  const end = Math.max(...files.map((f) => f.lastAt));
  const view: DownloadView = {
    bytes,
    total,
    percent: total > 0 ? Math.round((bytes / total) * 1000) / 10 : 0,
    files: files.length,
  };
  if (files.length > 0 && end > start && moved > 0) {
    view.rateBps = Math.round((moved * 1000) / (end - start));
    view.etaMs = Math.round(((total - bytes) * 1000) / view.rateBps);
  }
  return view;
}
