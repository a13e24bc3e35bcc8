// The events progress folds over: the appliance's own (eve.*, cluster.*), network boot (dhcp, tftp, http.progress,
// boot.*) and readiness (k3s.*). They arrive as stored events; `data` is untyped JSON, so reads go through these
// small accessors and a missing field is a value, never a throw.
import type { StoredEvent } from '../../ports/store.js';

export type ProgressEvent = Pick<StoredEvent, 'at' | 'type' | 'node' | 'data'>;

/** Event types this package defines (the lead emits them from adapters and the watcher). */
export const BootEvent = {
  /** {mac, msgType, reply?, reason, ipxe, yiaddr?, bootFile?} one DHCP packet and what we did with it. */
  dhcp: 'dhcp',
  /** {mac?, client, file, bytes, total, done, stage?, error?} TFTP transfer progress. */
  tftp: 'tftp',
  /** {client, file} a name GRUB probes over TFTP and does without (core/boot/grub-tftp.ts): not a failure. */
  grubProbe: 'tftp.grub-probe',
  /** {mac, path, bytes, total} HTTP byte progress (throttled by core/boot/progress.ts). */
  httpProgress: 'http.progress',
  /** {mac, serial?, nics: [{mac, link}]} the iPXE identity report. */
  report: 'boot.report',
  /** {mac, stage: grub|kernel|local|ignored|unsupported} the boot script's callback. */
  booting: 'boot.booting',
  /** {mac, via} an install is recorded: local boot from then on. */
  installed: 'boot.installed',
} as const;

export const K3sEvent = {
  /** {ok, quorum, evidence, missing, members: uuid[], live: uuid[], ready: uuid[], basis} one evaluation. */
  readiness: 'k3s.readiness',
  /** {reason} the watcher gave up: the cluster fails with this reason. */
  timeout: 'k3s.timeout',
  /** {seed, newSeed?, reason} the seed went silent; the plan moved, or was held (no newSeed) with the reason. */
  seedReassigned: 'k3s.seed.reassigned',
} as const;

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
