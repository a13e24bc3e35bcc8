// The events progress folds over: the appliance's own (eve.*, cluster.*), network boot (dhcp, tftp, http.progress,
// boot.*) and readiness (k3s.*); their types and payloads are ports/events.ts. The folds also replay events stored
// by older versions, so reads go through these small accessors and a missing field is a value, never a throw.
import type { StoredEvent } from '../../ports/store.js';

export type ProgressEvent = Pick<StoredEvent, 'at' | 'type' | 'node' | 'data'>;

export function str(e: ProgressEvent, key: string): string | undefined {
  const v = e.data[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(e: ProgressEvent, key: string): number | undefined {
  const v = e.data[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(e: ProgressEvent, key: string): boolean | undefined {
  const v = e.data[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function strings(e: ProgressEvent, key: string): string[] {
  const v = e.data[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** MACs are compared lower-case with colons (the form core/boot/identity.ts normalises to). */
export function macOf(e: ProgressEvent, key = 'mac'): string | undefined {
  return str(e, key)?.toLowerCase().replace(/-/g, ':');
}
