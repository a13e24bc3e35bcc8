// The durable per-device record log of a factory line: one JSON object per line in <state>/records.jsonl,
// appended (and fsynced) when a device reaches its result. `eveboot report` exports the same records as CSV.
import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import type { DeviceReport } from '../core/report/device-record.js';

export interface RecordLog {
  append(r: DeviceReport): void;
  /** An operator decision (conflict resolution), as its own line: {audit: {...}, recordedAt}. */
  audit(entry: Record<string, unknown>): void;
}

export function openRecordLog(path: string): RecordLog {
  const log: RecordLog = {
    audit(entry) {
      log.append({ audit: entry } as unknown as DeviceReport);
    },
    append(r) {
      appendFileSync(path, `${JSON.stringify({ ...r, recordedAt: new Date().toISOString() })}\n`, { mode: 0o600 });
      const fd = openSync(path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
  return log;
}
