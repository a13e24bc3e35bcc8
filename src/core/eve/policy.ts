// Who may onboard, and under which device name. Pure: the site's expected nodes and the operator's decisions
// come in as data.
import type { MachineRecord } from '../../ports/store.js';

export interface ExpectedNode {
  serial?: string;
  softSerial?: string;
  mac?: string;
  name?: string;
  /** The cluster this node belongs to (site file: the only one; line manifest: its entry). */
  cluster?: string;
}

export type OnboardingMode = 'allowlist' | 'approve';

export interface OnboardingPolicy {
  mode: OnboardingMode;
  nodes: ExpectedNode[];
}

export type Admission =
  | { kind: 'admit'; expected?: ExpectedNode; reason: string }
  | { kind: 'refuse'; reason: string }
  | { kind: 'hold'; reason: string };

export function machineKey(serial: string, softSerial: string): string {
  return serial ? serial : `soft:${softSerial}`;
}

/** Matches by hardware serial first, then soft serial, as adam does (eve-api-facts §3.5). */
export function findExpected(policy: OnboardingPolicy, serial: string, softSerial: string): ExpectedNode | undefined {
  return (
    policy.nodes.find((n) => serial !== '' && n.serial === serial) ??
    policy.nodes.find((n) => softSerial !== '' && n.softSerial === softSerial)
  );
}

export function admit(
  policy: OnboardingPolicy,
  serial: string,
  softSerial: string,
  decision: MachineRecord | undefined,
): Admission {
  const expected = findExpected(policy, serial, softSerial);
  const who = serial ? `serial ${serial}` : `soft serial ${softSerial}`;
  if (expected) return { kind: 'admit', expected, reason: `${who} is listed in the site file` };
  if (decision?.decision === 'rejected') return { kind: 'refuse', reason: `${who} was rejected by the operator` };
  if (decision?.decision === 'approved') return { kind: 'admit', reason: `${who} was approved by the operator` };
  if (policy.mode === 'allowlist') {
    return {
      kind: 'refuse',
      reason: `${who} is not in the site file (policy allowlist): add it to nodes[] or use approve`,
    };
  }
  return { kind: 'hold', reason: `${who} is unknown: waiting for the operator to approve or reject it` };
}

/**
 * A valid, unique Kubernetes node name (RFC 1123 label). EVE-k refuses to start K3s without device_name and
 * lower-cases it with '_' → '-' (eve-api-facts §1.2), so we produce that form ourselves.
 */
export function deviceName(wanted: string | undefined, serial: string, softSerial: string, taken: Set<string>): string {
  const base = normaliseName(wanted || `eve-${serial || softSerial}`) || 'eve-node';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
  return name;
}

export function normaliseName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
}
