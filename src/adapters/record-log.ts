// The durable per-device record log of a factory line: one JSON object per line in <state>/records.jsonl,
// appended (and fsynced) when a device reaches its result. `eveboot report` exports the same records as CSV.
import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import type { DeviceReport } from '../core/report/device-record.js';

export interface RecordLog {
  append(r: DeviceReport): void;
}

export function openRecordLog(path: string): RecordLog {
  return {
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
}
