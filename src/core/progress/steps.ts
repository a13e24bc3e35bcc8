// The node timeline, power-on to cluster membership, in the order the UI draws it (issue 5). Each step keeps its
// own start, end and duration; a failed or stalled step carries what happened and what to do.

export const STEPS = [
  'dhcp',
  'tftp',
  'identity',
  'download',
  'installer',
  'installed',
  'onboarded',
  'attested',
  'nics',
  'config',
  'k3s-joined',
  'ready',
] as const;

export type StepId = (typeof STEPS)[number];

/** The network-boot steps a node installed from USB never goes through. */
export const PXE_STEPS: readonly StepId[] = ['dhcp', 'tftp', 'identity', 'download', 'installer'];

export const STEP_LABEL: Record<StepId, string> = {
  dhcp: 'DHCP (firmware)',
  tftp: 'Boot file over TFTP',
  identity: 'iPXE identity report',
  download: 'Kernel, initrd and ISO',
  installer: 'Installer running',
  installed: 'Installed (local boot from now on)',
  onboarded: 'EVE onboarded',
  attested: 'Attested (TPM ECDH cert)',
  nics: 'NIC inventory',
  config: 'Config delivered',
  'k3s-joined': 'K3s joined',
  ready: 'Ready',
};

export type StepStatus = 'pending' | 'active' | 'done' | 'skipped' | 'failed';

export interface Problem {
  kind: 'failed' | 'stalled';
  /** A named problem (e.g. `no-cluster-activity`): the same name in the UI, the report and the JSON events. */
  code?: string;
  /** What happened, observed. */
  what: string;
  /** What the person on site should do. */
  todo: string;
  at: number;
}

export interface Step {
  id: StepId;
  status: StepStatus;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  detail?: string;
  problem?: Problem;
}

export function freshSteps(): Step[] {
  return STEPS.map((id) => ({ id, status: 'pending' }));
}

export function stepOf(steps: readonly Step[], id: StepId): Step {
  return steps.find((s) => s.id === id) ?? { id, status: 'pending' };
}

function update(steps: readonly Step[], id: StepId, f: (s: Step) => Step): Step[] {
  return steps.map((s) => (s.id === id ? f(s) : s));
}

/** Marks a step active (first time only: the start time is kept across repeats). */
export function begin(steps: readonly Step[], id: StepId, at: number, detail?: string): Step[] {
  return update(steps, id, (s) => {
    if (s.status === 'done' || s.status === 'skipped') return detail ? { ...s, detail } : s;
    const { problem: _cleared, ...rest } = s;
    return { ...rest, status: 'active', startedAt: s.startedAt ?? at, ...(detail ? { detail } : {}) };
  });
}

/** Marks a step done; any still-active earlier step ends at the same time (the node has moved on). */
export function finish(steps: readonly Step[], id: StepId, at: number, detail?: string): Step[] {
  const index = STEPS.indexOf(id);
  return steps.map((s) => {
    const i = STEPS.indexOf(s.id);
    if (i > index || (i < index && s.status !== 'active')) return s;
    if (i === index && s.status === 'done') return detail ? { ...s, detail } : s;
    const { problem: _cleared, ...rest } = s;
    const startedAt = s.startedAt ?? at;
    return {
      ...rest,
      status: 'done',
      startedAt,
      endedAt: at,
      durationMs: at - startedAt,
      ...(i === index && detail ? { detail } : {}),
    };
  });
}

export function fail(steps: readonly Step[], id: StepId, problem: Problem): Step[] {
  return update(steps, id, (s) => ({ ...s, status: 'failed', startedAt: s.startedAt ?? problem.at, problem }));
}

/** A stall is advice on a step still running: it keeps its status and gains a problem. */
export function stall(steps: readonly Step[], id: StepId, problem: Problem): Step[] {
  return update(steps, id, (s) => ({ ...s, problem }));
}

export function skip(steps: readonly Step[], ids: readonly StepId[], detail: string): Step[] {
  return steps.map((s) => (ids.includes(s.id) && s.status === 'pending' ? { ...s, status: 'skipped', detail } : s));
}

/** A step moves back to pending (a node reinstalls, or loses its membership). */
export function reopen(steps: readonly Step[], id: StepId): Step[] {
  return update(steps, id, () => ({ id, status: 'pending' }));
}
