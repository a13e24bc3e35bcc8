// One node's progress: a union over its phase, with the timeline underneath. transition() folds one event into
// it and returns the UI deltas as effects; nothing here reads a clock (events carry their time).
import { addBytes, complete } from './download.js';
import { bool, macOf, type ProgressEvent, str, strings } from './event.js';
import { bootHint, failureHint } from './hints.js';
import type { NodeFacts } from './node-facts.js';
import {
  begin,
  fail,
  finish,
  freshSteps,
  type Problem,
  PXE_STEPS,
  reopen,
  type Step,
  type StepId,
  type StepStatus,
  skip,
  stepOf,
} from './steps.js';

export type { NodeFacts };

export type NodeState =
  | (NodeFacts & { phase: 'netboot' | 'installing' | 'onboarding' | 'clustering' | 'ready' })
  | (NodeFacts & { phase: 'failed'; problem: Problem })
  /** Was ready, stopped answering: the cluster may still hold quorum without it. */
  | (NodeFacts & { phase: 'down'; problem: Problem });

export type NodeEffect =
  | { kind: 'step'; node: string; step: StepId; status: StepStatus; at: number; durationMs?: number; problem?: Problem }
  | { kind: 'phase'; node: string; from: NodeState['phase'] | 'new'; to: NodeState['phase'] };

export interface NodeTransition {
  state: NodeState;
  effects: NodeEffect[];
}

/** A node the site file expects but that has not been seen yet (stall hints start counting from `at`). */
export function expectNode(key: string, at: number, ids: { mac?: string; serial?: string; name?: string }): NodeState {
  return {
    key,
    macs: ids.mac ? [ids.mac.toLowerCase()] : [],
    ...(ids.serial ? { serial: ids.serial } : {}),
    ...(ids.name ? { name: ids.name } : {}),
    via: 'unknown',
    download: {},
    steps: freshSteps(),
    firstSeenAt: at,
    lastEventAt: at,
    phase: 'netboot',
  };
}

export function transition(prev: NodeState | undefined, e: ProgressEvent): NodeTransition {
  const base = prev ?? expectNode(e.node ?? `mac:${macOf(e) ?? 'unknown'}`, e.at, { mac: macOf(e) });
  const facts = apply({ ...base, lastEventAt: e.at }, e);
  const state = withPhase(facts, e.at);
  return { state, effects: diff(prev, state) };
}

function apply(n: NodeState, e: ProgressEvent): NodeState {
  const at = e.at;
  const s = n.steps;
  const mac = macOf(e);
  const withMac = mac && !n.macs.includes(mac) ? { ...n, macs: [...n.macs, mac] } : n;
  switch (e.type) {
    case 'dhcp': {
      // After the install, DHCP from this MAC is EVE renewing its management lease, not a boot.
      if (stepOf(s, 'installed').status === 'done') return n;
      const detail = `${str(e, 'msgType') ?? '?'}: ${str(e, 'reason') ?? ''}`.trim();
      // iPXE's own DHCP means the firmware already fetched and ran the boot file (TFTP is behind us).
      if (bool(e, 'ipxe')) return { ...withMac, via: 'pxe', steps: begin(finish(s, 'tftp', at), 'identity', at) };
      const answered = str(e, 'reply') === 'ACK' || (str(e, 'reply') !== undefined && str(e, 'bootFile'));
      if (!answered) return { ...withMac, via: 'pxe', steps: begin(s, 'dhcp', at, detail) };
      return { ...withMac, via: 'pxe', steps: begin(finish(s, 'dhcp', at, detail), 'tftp', at) };
    }
    case 'tftp': {
      const file = str(e, 'file') ?? '?';
      const error = str(e, 'error');
      if (error) return { ...withMac, steps: fail(s, 'tftp', { kind: 'failed', at, ...failureHint('tftp', error) }) };
      const detail = `${file}: ${e.data.bytes ?? 0} of ${e.data.total ?? '?'} bytes`;
      const done = bool(e, 'done');
      return { ...withMac, via: 'pxe', steps: done ? finish(s, 'tftp', at, detail) : begin(s, 'tftp', at, detail) };
    }
    case 'boot.report': {
      const nics = Array.isArray(e.data.nics) ? e.data.nics : [];
      const macs = new Set(withMac.macs);
      for (const x of nics) if (x && typeof x === 'object' && 'mac' in x) macs.add(String(x.mac).toLowerCase());
      const serial = str(e, 'serial') ?? n.serial;
      const detail = `serial ${serial ?? 'unknown'}, ${nics.length} NIC(s)`;
      return {
        ...withMac,
        via: 'pxe',
        macs: [...macs],
        ...(serial ? { serial } : {}),
        steps: finish(s, 'identity', at, detail),
      };
    }
    case 'http.progress': {
      const download = addBytes(
        n.download,
        str(e, 'path') ?? '?',
        Number(e.data.bytes ?? 0),
        Number(e.data.total ?? 0),
        at,
      );
      let steps = begin(s, 'download', at);
      if (complete(download) && stepOf(s, 'installer').status === 'active') steps = finish(steps, 'download', at);
      return { ...withMac, via: 'pxe', download, steps };
    }
    case 'boot.booting':
      return { ...withMac, steps: booting(n, str(e, 'stage') ?? '', at) };
    case 'boot.installed':
      return { ...withMac, steps: finish(s, 'installed', at, `install recorded (${str(e, 'via') ?? 'installer'})`) };
    case 'eve.registered':
    case 'eve.uuid': {
      const started = PXE_STEPS.some((id) => stepOf(s, id).status !== 'pending');
      let steps = started ? s : skip(s, PXE_STEPS, 'installed from USB (no network boot seen)');
      if (stepOf(steps, 'installed').status !== 'done')
        steps = finish(steps, 'installed', at, started ? 'EVE is running' : 'installed from USB');
      const serial = str(e, 'serial') ?? n.serial;
      const uuid = e.node ?? n.uuid;
      steps = finish(steps, 'onboarded', at, `serial ${serial ?? '?'}, UUID ${uuid ?? '?'}`);
      const name = str(e, 'name') ?? n.name;
      return {
        ...withMac,
        via: started ? 'pxe' : n.via === 'pxe' ? 'pxe' : 'usb',
        steps,
        ...(serial ? { serial } : {}),
        ...(uuid ? { uuid, key: uuid } : {}),
        ...(name ? { name } : {}),
      };
    }
    case 'eve.attest.certs': {
      const hash = str(e, 'ecdhCertHash');
      return {
        ...n,
        ...(hash ? { ecdhCertHash: hash } : {}),
        steps: begin(s, 'attested', at, `ECDH cert ${hash ?? '?'}`),
      };
    }
    case 'eve.attested':
      return { ...n, steps: finish(s, 'attested', at) };
    case 'eve.attest.failed':
      return {
        ...n,
        steps: fail(s, 'attested', { kind: 'failed', at, ...failureHint('attested', str(e, 'code') ?? '') }),
      };
    case 'eve.info':
      return str(e, 'kind') === 'info.ZiDevice'
        ? { ...n, steps: finish(s, 'nics', at, 'ports reported (systemAdapter)') }
        : n;
    case 'eve.config.delivered':
      return delivered(n, e);
    case 'k3s.node':
      return k3sNode(n, e);
    default:
      return withMac;
  }
}

function booting(n: NodeState, stage: string, at: number): Step[] {
  const s = n.steps;
  switch (stage) {
    case 'kernel':
    case 'grub': {
      const steps = begin(s, 'installer', at, `booting the installer (${stage})`);
      return complete(n.download) ? finish(steps, 'download', at) : steps;
    }
    case 'local':
      return finish(s, 'installed', at, 'local boot');
    case 'ignored':
    case 'unsupported':
      return fail(s, 'identity', { kind: 'failed', at, ...failureHint('identity', stage) });
    default:
      return s;
  }
}

function delivered(n: NodeState, e: ProgressEvent): NodeState {
  const role = str(e, 'role');
  const clusterIp = str(e, 'clusterIp') ?? n.clusterIp;
  if (e.data.cluster !== true)
    return { ...n, steps: begin(n.steps, 'config', e.at, 'config without cluster (waiting for the plan)') };
  const detail = `role ${role ?? '?'}, cluster IP ${clusterIp ?? '?'}`;
  const steps = begin(finish(n.steps, 'config', e.at, detail), 'k3s-joined', e.at);
  return {
    ...n,
    steps,
    ...(role === 'seed' || role === 'joiner' ? { role } : {}),
    ...(clusterIp ? { clusterIp } : {}),
  };
}

/** Per-node readiness, derived by the snapshot from one k3s.readiness evaluation: {member, live, ready, why}. */
function k3sNode(n: NodeState, e: ProgressEvent): NodeState {
  let steps = n.steps;
  const evidence = strings(e, 'evidence').join('; ');
  if (bool(e, 'member')) steps = finish(steps, 'k3s-joined', e.at, evidence || 'etcd member');
  if (bool(e, 'ready')) steps = finish(steps, 'ready', e.at, evidence);
  else if (stepOf(steps, 'ready').status === 'done' && bool(e, 'live') === false) steps = reopen(steps, 'ready');
  return { ...n, steps };
}

function withPhase(n: NodeState, at: number): NodeState {
  const { problem: _p, phase: _ph, ...facts } = n as NodeState & { problem?: Problem };
  const failed = facts.steps.find((s) => s.status === 'failed');
  if (failed?.problem) return { ...facts, phase: 'failed', problem: failed.problem };
  const status = (id: StepId) => stepOf(facts.steps, id).status;
  if (status('ready') === 'done') return { ...facts, phase: 'ready' };
  const wasReady = n.phase === 'ready' || n.phase === 'down';
  if (wasReady && status('k3s-joined') === 'done') {
    return {
      ...facts,
      phase: 'down',
      problem: n.phase === 'down' ? n.problem : { kind: 'failed', at, ...bootHint('down', facts) },
    };
  }
  if (status('config') === 'done') return { ...facts, phase: 'clustering' };
  if (status('onboarded') !== 'pending' || status('installed') === 'done') return { ...facts, phase: 'onboarding' };
  if (['download', 'installer'].some((id) => status(id as StepId) !== 'pending'))
    return { ...facts, phase: 'installing' };
  return { ...facts, phase: 'netboot' };
}

function diff(prev: NodeState | undefined, next: NodeState): NodeEffect[] {
  const effects: NodeEffect[] = [];
  if (prev?.phase !== next.phase)
    effects.push({ kind: 'phase', node: next.key, from: prev?.phase ?? 'new', to: next.phase });
  for (const s of next.steps) {
    const old = prev ? stepOf(prev.steps, s.id) : undefined;
    if (old && old.status === s.status && old.problem?.what === s.problem?.what) continue;
    if (!old && s.status === 'pending') continue;
    effects.push({
      kind: 'step',
      node: next.key,
      step: s.id,
      status: s.status,
      at: s.endedAt ?? s.startedAt ?? next.lastEventAt,
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
      ...(s.problem ? { problem: s.problem } : {}),
    });
  }
  return effects;
}
