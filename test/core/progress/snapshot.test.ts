import { describe, expect, it } from 'vitest';
import { foldEvent, foldEvents, initialModel } from '../../../src/core/progress/snapshot.js';
import { CLUSTER_ID, ev, MAC, pxeInstall, UUID } from './fixtures.js';

const [A, B, C] = UUID;
const planNodes = [
  { uuid: A, name: 'node-1', ip: '10.244.244.1', role: 'seed' },
  { uuid: B, name: 'node-2', ip: '10.244.244.2', role: 'joiner' },
  { uuid: C, name: 'node-3', ip: '10.244.244.3', role: 'joiner' },
];

describe('foldEvents', () => {
  it('links MAC → serial → UUID into one node card', () => {
    const snap = foldEvents(pxeInstall());
    expect(snap.nodes).toHaveLength(1);
    const n = snap.nodes[0]!;
    expect(n).toMatchObject({ key: A, uuid: A, serial: 'SER1', phase: 'onboarding', via: 'pxe' });
    expect(n.macs).toEqual([MAC, '52:54:00:de:01:01']);
    // TFTP knows only the client IP; DHCP's yiaddr linked it to the MAC.
    expect(n.steps.find((s) => s.id === 'tftp')).toMatchObject({ status: 'done', label: 'Boot file over TFTP' });
    expect(n.download).toMatchObject({ bytes: 10_000_000, percent: 100 });
  });

  it('keeps three machines apart and orders them by name', () => {
    const events = [
      ...pxeInstall('52:54:00:de:03:00', C, 'SER3', '192.168.77.13'),
      ...pxeInstall('52:54:00:de:01:00', A, 'SER1', '192.168.77.11'),
      ...pxeInstall('52:54:00:de:02:00', B, 'SER2', '192.168.77.12'),
    ];
    const snap = foldEvents(events.sort((a, b) => a.at - b.at));
    expect(snap.nodes.map((n) => n.name)).toEqual(['node-SER1', 'node-SER2', 'node-SER3']);
  });

  it('an OS asking for a lease (no PXE option) starts no card', () => {
    const snap = foldEvents([
      ev(0, 'dhcp', { mac: '00:11:22:33:44:55', msgType: 'DISCOVER', reason: 'x', ipxe: false }),
    ]);
    expect(snap.nodes).toEqual([]);
  });

  it('the cluster panel: seed, quorum, evidence, sealed count, and node roles from the plan', () => {
    const events = [
      ev(0, 'cluster.created', { id: CLUSTER_ID, name: 'eveboot' }),
      ...[A, B, C].map((u, i) => ev(1, 'eve.registered', { serial: `S${i}`, name: `node-${i + 1}` }, u)),
      ...[A, B, C].map((u) => ev(2, 'cluster.token.sealed', { ecdhCertHash: 'aa' }, u)),
      ev(3, 'cluster.planned', { seed: A, why: 'node-1: lowest serial', prefix: '10.244.244.0/28', nodes: planNodes }),
      ...[A, B, C].map((u) => ev(4, 'eve.config.delivered', { hash: 'h', cluster: true }, u)),
      ev(5, 'k3s.readiness', {
        ready: false,
        quorum: '2/3',
        members: [A, B],
        liveMembers: [A, B],
        evidence: ['/db/info lists 2 etcd member(s)'],
        missing: ['node-3: not in the etcd member list from /db/info'],
        basis: 'probes',
        nodes: [
          { uuid: A, member: true, live: true, ready: true },
          { uuid: B, member: true, live: true, ready: false },
          { uuid: C, member: false, live: false, ready: false },
        ],
      }),
    ];
    const snap = foldEvents(events);
    expect(snap.cluster).toMatchObject({
      state: 'joined-2/3',
      seed: 'node-1',
      quorum: '2/3',
      tokenSealed: 'token sealed for 3/3 devices',
      missing: ['node-3: not in the etcd member list from /db/info'],
    });
    const byName = Object.fromEntries(snap.nodes.map((n) => [n.name, n]));
    expect(byName['node-1']).toMatchObject({ phase: 'ready', role: 'seed', clusterIp: '10.244.244.1' });
    expect(byName['node-2']?.steps.find((s) => s.id === 'k3s-joined')?.status).toBe('done');
    expect(byName['node-3']?.steps.find((s) => s.id === 'config')?.detail).toBe('role joiner, cluster IP 10.244.244.3');
  });

  it('with a clock, the view carries stall advice; without, it is the plain fold', () => {
    const expected = [{ mac: MAC, name: 'node-1' }];
    expect(foldEvents([], { since: 0, now: 0, expected }).nodes[0]?.problem).toBeUndefined();
    expect(foldEvents([], { since: 0, now: 61_000, expected }).nodes[0]?.problem?.what).toMatch(/no DHCP reply seen/);
  });

  it('a progress.stalled event (the stall told as an event) does not move the node, so the stall stands', () => {
    // DHCP is a streaming step: its stall is silence since the node's last event.
    const discover = ev(0, 'dhcp', { mac: MAC, msgType: 'DISCOVER', reason: 'not answered', ipxe: false, arch: 7 });
    const told = ev(61_000, 'progress.stalled', { mac: MAC, step: 'dhcp', what: 'no DHCP reply seen' });
    const snap = foldEvents([discover, told], { since: 0, now: 61_500 });
    expect(snap.nodes[0]?.problem?.what).toMatch(/no DHCP reply seen for .* for 62 s/);
  });

  it('foldEvent returns deltas for the live stream, and the model is JSON', () => {
    const out = foldEvent(initialModel(), pxeInstall()[0]!);
    expect(out.effects.map((e) => e.kind)).toEqual(['phase', 'step']);
    expect(JSON.parse(JSON.stringify(out.model))).toEqual(out.model);
  });
});
