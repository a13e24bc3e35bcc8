// Machines the site does not list pile up in the boot store as anyone on the LAN reports made-up MACs. Those
// never installed and never marked by the operator are forgotten after a while, and only so many are kept
// (the oldest go first). Pure: the caller says which machines the site knows.
import type { BootMachine } from '../../ports/boot-store.js';

export interface ExpiryRule {
  /** Forget an unknown machine not seen for this long. */
  ttlMs: number;
  /** Keep at most this many unknown machines. */
  maxUnknown: number;
}

export const UNKNOWN_MACHINE_EXPIRY: ExpiryRule = { ttlMs: 24 * 3600_000, maxUnknown: 512 };

/** MACs to forget now. */
export function expiredMachines(
  machines: BootMachine[],
  isKnown: (m: BootMachine) => boolean,
  now: number,
  rule: ExpiryRule,
): string[] {
  const unknown = machines
    .filter((m) => !isKnown(m) && m.installedAt === undefined && !m.reinstall)
    .sort((a, b) => b.lastSeen - a.lastSeen || a.mac.localeCompare(b.mac));
  return unknown.filter((m, i) => i >= rule.maxUnknown || now - m.lastSeen > rule.ttlMs).map((m) => m.mac);
}
