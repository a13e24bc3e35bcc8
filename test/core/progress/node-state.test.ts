import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/core/progress/event.js';
import { type NodeState, transition } from '../../../src/core/progress/node-state.js';
import { type StepId, type StepStatus, stepOf } from '../../../src/core/progress/steps.js';
import { ev, MAC, pxeInstall, UUID } from './fixtures.js';

function run(events: ProgressEvent[], start?: NodeState): NodeState {
  let s = start;
  for (const e of events) s = transition(s, e).state;
  return s!;
}

const U = UUID[0];

describe('node transition', () => {
  const cases: {
    name: string;
    input: ProgressEvent[];
    want: { phase: string; steps: Partial<Record<StepId, StepStatus>>; via?: string; key?: string };
  }[] = [
    {
      name: 'firmware DHCP without a reply leaves the DHCP step running',
      input: [ev(0, 'dhcp', { mac: MAC, msgType: 'DISCOVER', reason: 'not approved yet', ipxe: false, arch: 7 })],
      want: { phase: 'netboot', steps: { dhcp: 'active', tftp: 'pending' }, via: 'pxe', key: `mac:${MAC}` },
    },
    {
      name: 'a full network install runs every PXE step in order and ends attested with NICs reported',
      input: pxeInstall(),
      want: {
        phase: 'onboarding',
        steps: {
          dhcp: 'done',
          tftp: 'done',
          identity: 'done',
          download: 'done',
          installer: 'done',
          installed: 'done',
          onboarded: 'done',
          attested: 'done',
          nics: 'done',
          config: 'pending',
        },
        via: 'pxe',
        key: U,
      },
    },
    {
      name: 'a node installed from USB skips the PXE steps',
      input: [ev(10, 'eve.registered', { serial: 'S9', name: 'node-9' }, U)],
      want: {
        phase: 'onboarding',
        steps: {
          dhcp: 'skipped',
          tftp: 'skipped',
          download: 'skipped',
          installer: 'skipped',
          installed: 'done',
          onboarded: 'done',
        },
        via: 'usb',
      },
    },
    {
      name: 'a TFTP error fails the boot-file step',
      input: [
        ev(0, 'tftp', {
          mac: MAC,
          file: 'ipxe.efi',
          bytes: 512,
          total: 1000,
          done: false,
          error: 'client sent ERROR 8',
        }),
      ],
      want: { phase: 'failed', steps: { tftp: 'failed' } },
    },
    {
      name: 'a machine the site does not approve fails at the identity step',
      input: [ev(0, 'boot.report', { mac: MAC, nics: [] }), ev(1, 'boot.booting', { mac: MAC, stage: 'ignored' })],
      want: { phase: 'failed', steps: { identity: 'failed' } },
    },
    {
      name: 'a refused attestation fails the attest step',
      input: [
        ev(0, 'eve.registered', { serial: 'S' }, U),
        ev(1, 'eve.attest.certs', { ecdhCertHash: 'aa' }, U),
        ev(2, 'eve.attest.failed', { code: 'NONCE_MISMATCH' }, U),
      ],
      want: { phase: 'failed', steps: { attested: 'failed' } },
    },
    {
      name: 'the cluster config starts the K3s wait; membership and readiness end it',
      input: [
        ev(0, 'eve.registered', { serial: 'S' }, U),
        ev(5, 'eve.config.delivered', { hash: 'h', cluster: true, role: 'seed', clusterIp: '10.244.244.1' }, U),
        ev(9, 'k3s.node', { member: true, live: true, ready: false }, U),
        ev(12, 'k3s.node', { member: true, live: true, ready: true, evidence: ['/v1-k3s/readyz 200'] }, U),
      ],
      want: { phase: 'ready', steps: { config: 'done', 'k3s-joined': 'done', ready: 'done' } },
    },
    {
      name: 'a ready node that stops answering is down, not failed',
      input: [
        ev(0, 'eve.registered', { serial: 'S', name: 'node-2' }, U),
        ev(5, 'eve.config.delivered', { cluster: true }, U),
        ev(12, 'k3s.node', { member: true, live: true, ready: true }, U),
        ev(20, 'k3s.node', { member: true, live: false, ready: false }, U),
      ],
      want: { phase: 'down', steps: { 'k3s-joined': 'done', ready: 'pending' } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = run(c.input);
      expect(s.phase).toBe(c.want.phase);
      for (const [id, status] of Object.entries(c.want.steps))
        expect([id, stepOf(s.steps, id as StepId).status]).toEqual([id, status]);
      if (c.want.via) expect(s.via).toBe(c.want.via);
      if (c.want.key) expect(s.key).toBe(c.want.key);
    });
  }

  it('records start, end and duration per step', () => {
    const s = run(pxeInstall());
    expect(stepOf(s.steps, 'dhcp')).toMatchObject({ startedAt: 0, endedAt: 1000, durationMs: 1000 });
    expect(stepOf(s.steps, 'installer')).toMatchObject({ startedAt: 5500, endedAt: 60_000, durationMs: 54_500 });
    expect(stepOf(s.steps, 'attested').detail).toContain('ab'.repeat(16));
  });

  it('failed steps say what happened and what to do', () => {
    const s = run([ev(0, 'boot.booting', { mac: MAC, stage: 'ignored' })]);
    expect(s.phase === 'failed' && s.problem).toMatchObject({
      what: expect.stringContaining('not approved'),
      todo: expect.stringContaining('approve'),
    });
  });

  it('a down node names itself and what to check', () => {
    const s = run([
      ev(0, 'eve.registered', { serial: 'S', name: 'node-2' }, U),
      ev(5, 'eve.config.delivered', { cluster: true }, U),
      ev(12, 'k3s.node', { member: true, live: true, ready: true }, U),
      ev(20, 'k3s.node', { member: true, live: false, ready: false }, U),
    ]);
    expect(s.phase === 'down' && s.problem.what).toContain('node-2');
    expect(s.phase === 'down' && s.problem.todo).toContain('quorum');
  });

  it('emits step deltas and phase changes as effects', () => {
    const first = transition(
      undefined,
      ev(0, 'dhcp', { mac: MAC, msgType: 'DISCOVER', reason: 'x', ipxe: false, arch: 7 }),
    );
    expect(first.effects).toEqual([
      { kind: 'phase', node: `mac:${MAC}`, from: 'new', to: 'netboot' },
      { kind: 'step', node: `mac:${MAC}`, step: 'dhcp', status: 'active', at: 0 },
    ]);
    const again = transition(
      first.state,
      ev(5, 'dhcp', { mac: MAC, msgType: 'DISCOVER', reason: 'x', ipxe: false, arch: 7 }),
    );
    expect(again.effects).toEqual([]);
  });

  it('DHCP after the install is the management lease, not a new boot', () => {
    const s = run([
      ...pxeInstall(),
      ev(100_000, 'dhcp', { mac: MAC, msgType: 'DISCOVER', reason: 'x', ipxe: false, arch: 7 }),
    ]);
    expect(stepOf(s.steps, 'dhcp').endedAt).toBe(1000);
  });

  it('the state survives a JSON round trip', () => {
    const s = run(pxeInstall());
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
