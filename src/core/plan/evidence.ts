// What the planner plans from, and when. Evidence arrives in any order (register, the TPM ECDH cert, EVE's port
// and hardware reports, DHCP and iPXE sightings), so two rules make the plan independent of that order:
// - the inputs are merged as a set: sightings in key order, names derived in node order, never in arrival order;
// - planning waits until every node has sent its ECDH cert and its ports (ZInfoDevice), and then for each node's
//   ZInfoHardware (the only source of link speeds, eve-api-facts §4.3) for at most a grace period. What was still
//   missing when the grace ran out is recorded in the plan, and shown.
import { CLUSTER_SIZE } from './cluster-plan.js';
import { byNodeOrder, mergeInventory, type NicObservation, type NodeNics, normaliseMac } from './inventory.js';

export interface NodeEvidence {
  uuid: string;
  serial: string;
  softSerial: string;
  /** The site file's name for the node; without one the planner derives it from the serial, in node order. */
  wantedName?: string;
  /** The TPM ECDH cert arrived: the token can be sealed to this node. */
  ecdh: boolean;
  /** From the node's latest ZInfoDevice; undefined until it reports its ports. */
  ports?: NicObservation[];
  /** From the node's latest ZInfoHardware; undefined until it reports its hardware. */
  hardware?: NicObservation[];
}

export interface PlanEvidence {
  nodes: NodeEvidence[];
  /** Sightings from outside EVE (DHCP, iPXE report, simulator cabling) by their store key. */
  sightings: Record<string, NicObservation>;
}

/** Each node's NICs: its own EVE reports plus every sighting of one of its MACs; independent of arrival order. */
export function nodeNics(e: PlanEvidence): NodeNics[] {
  const sightings = Object.keys(e.sightings)
    .sort()
    .map((k) => e.sightings[k]!);
  return e.nodes
    .map((n) => {
      const own = [...(n.ports ?? []), ...(n.hardware ?? [])];
      const macs = new Set(own.map((o) => normaliseMac(o.mac)).filter(Boolean));
      const extra = sightings.filter((o) => macs.has(normaliseMac(o.mac)));
      return {
        uuid: n.uuid,
        serial: n.serial,
        softSerial: n.softSerial,
        name: n.wantedName ?? '',
        nics: mergeInventory([...extra, ...own]),
      };
    })
    .sort(byNodeOrder);
}

export type PlanTrigger =
  /** since: when the required evidence (ECDH certs and ports of all three) was first complete, to keep. */
  | { kind: 'wait'; reason: string; since?: number; remainingMs?: number }
  | { kind: 'plan'; nodes: NodeEvidence[]; missing: string[]; since: number };

export interface TriggerOptions {
  now: number;
  /** From an earlier call's answer (persisted, so a restart does not restart the grace period). */
  since?: number;
  hardwareGraceMs: number;
}

/** Five minutes: EVE sends its hardware inventory right after onboarding; a node that has not by then may never. */
export const DEFAULT_HARDWARE_GRACE_MS = 5 * 60_000;

const who = (n: NodeEvidence) => n.wantedName || n.serial || n.softSerial || n.uuid;

export function planTrigger(e: PlanEvidence, o: TriggerOptions): PlanTrigger {
  const ready = e.nodes.filter((n) => n.ecdh);
  if (ready.length < CLUSTER_SIZE) {
    return {
      kind: 'wait',
      reason: `waiting for nodes: ${ready.length} of ${CLUSTER_SIZE} have onboarded and sent their TPM ECDH cert`,
    };
  }
  const silent = ready.filter((n) => n.ports === undefined).sort(byWho);
  if (silent.length > 0) {
    return { kind: 'wait', reason: `waiting for ${silent.map(who).join(', ')} to report its ports (systemAdapter)` };
  }
  const since = o.since ?? o.now;
  const noHardware = ready.filter((n) => n.hardware === undefined).sort(byWho);
  if (noHardware.length === 0) return { kind: 'plan', nodes: ready, missing: [], since };
  const left = since + o.hardwareGraceMs - o.now;
  const names = noHardware.map(who).join(', ');
  const grace = Math.round(o.hardwareGraceMs / 1000);
  if (left > 0) {
    // A stable text: it is a status, and a changed status is an event.
    return {
      kind: 'wait',
      reason:
        `waiting for ${names} to send ZInfoHardware (link speeds); planning goes ahead without it ${grace} s ` +
        `after all three sent their ports`,
      since,
      remainingMs: left,
    };
  }
  const missing = noHardware.map(
    (n) =>
      `${who(n)}: no ZInfoHardware within ${grace} s; link speeds, PCI addresses and port types were unknown when ` +
      `the cluster port was chosen`,
  );
  return { kind: 'plan', nodes: ready, missing, since };
}

function byWho(a: NodeEvidence, b: NodeEvidence): number {
  return who(a).localeCompare(who(b), 'en', { numeric: true });
}
