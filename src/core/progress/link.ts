// One machine is seen under several names over its life: the MAC it PXE-boots from (DHCP, HTTP), the IP DHCP
// gave it (TFTP only knows the client address), the MACs and SMBIOS serial of its iPXE report, and finally the
// serial EVE registers with and the UUID the controller assigns. Aliases link them; when two records turn out to
// be one machine they merge, keeping the furthest progress of each step.
import { addBytes, type Download } from './download.js';
import type { NodeState } from './node-state.js';
import type { Step, StepStatus } from './steps.js';

export type Aliases = Record<string, string>;

const RANK: Record<StepStatus, number> = { pending: 0, skipped: 1, active: 2, failed: 3, done: 4 };

function furthest(a: Step, b: Step): Step {
  return RANK[b.status] > RANK[a.status] ? b : a;
}

function mergeDownload(a: Download, b: Download): Download {
  let d = a;
  for (const [path, f] of Object.entries(b)) {
    d = a[path] ? d : addBytes(d, path, f.firstBytes, f.total, f.firstAt);
    d = addBytes(d, path, f.bytes, f.total, f.lastAt);
  }
  return d;
}

/** `into` keeps its key and phase; `from` fills in what `into` has not seen. */
export function mergeNodes(into: NodeState, from: NodeState): NodeState {
  return {
    ...from,
    ...into,
    macs: [...new Set([...into.macs, ...from.macs])],
    via: into.via === 'unknown' ? from.via : into.via,
    download: mergeDownload(into.download, from.download),
    steps: into.steps.map((s, i) => furthest(s, from.steps[i] ?? s)),
    firstSeenAt: Math.min(into.firstSeenAt, from.firstSeenAt),
    lastEventAt: Math.max(into.lastEventAt, from.lastEventAt),
  } as NodeState;
}

/** Points every alias of `from` at `to`. */
export function relink(aliases: Aliases, from: string, to: string): Aliases {
  const out: Aliases = {};
  for (const [k, v] of Object.entries(aliases)) out[k] = v === from ? to : v;
  return out;
}
