import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/core/progress/event.js';
import { expectNode, type NodeState, transition } from '../../../src/core/progress/node-state.js';
import { checkStall } from '../../../src/core/progress/stall.js';
import { ev, MAC, pxeInstall, UUID } from './fixtures.js';

function run(events: ProgressEvent[], start?: NodeState): NodeState {
  let s = start;
  for (const e of events) s = transition(s, e).state;
  return s!;
}

const expected = expectNode(`mac:${MAC}`, 0, { mac: MAC, name: 'node-1' });

describe('checkStall', () => {
  const delivered = (role: string) =>
    run([
      ev(0, 'eve.registered', { serial: 'S', name: 'node-1' }, UUID[0]),
      ev(1000, 'eve.config.delivered', { cluster: true, role, clusterIp: '10.244.244.1' }, UUID[0]),
    ]);
  const cases: {
    name: string;
    state: NodeState;
    now: number;
    want?: { step: string; what: RegExp; todo: RegExp; code?: string };
  }[] = [
    {
      name: 'an expected machine with no DHCP for 60 s: check the cable and the boot order',
      state: expected,
      now: 60_000,
      want: {
        step: 'dhcp',
        what: new RegExp(`no DHCP reply seen for ${MAC} for 60 s`),
        todo: /cable.*PXE.*first in the boot order/,
      },
    },
    { name: '59 s of silence is not a stall yet', state: expected, now: 59_999 },
    {
      name: 'a download that stops moving names the percentage reached',
      state: run(pxeInstall().slice(0, 6)),
      now: 4000 + 61_000,
      want: { step: 'download', what: /stopped at 50% .* for 61 s/, todo: /link/ },
    },
    {
      name: 'a download that keeps moving is not stalled even when it is long',
      state: run([
        ...pxeInstall().slice(0, 5),
        ev(1_000_000, 'http.progress', { mac: MAC, path: 'installer.iso', bytes: 1, total: 9 }),
      ]),
      now: 1_030_000,
    },
    {
      name: 'iPXE loaded but no identity report for a minute',
      state: run(pxeInstall().slice(0, 4)),
      now: 3000 + 60_000,
      want: { step: 'identity', what: /no identity report/, todo: /HTTP port/ },
    },
    {
      name: 'sealed token delivered, no cluster activity for 45 min: the named stall, pointing at token decryption',
      state: delivered('seed'),
      now: 1000 + 45 * 60_000,
      want: {
        step: 'k3s-joined',
        code: 'no-cluster-activity',
        what: /sealed join token delivered to node-1 \(seed role, cluster IP 10\.244\.244\.1\) 2700 s ago, and no cluster activity/,
        todo: /may not have decrypted .*"EncryptedClusterToken is empty".*TPM .*ECDH cert.*reinstall.*\/persist\/kubelog/,
      },
    },
    {
      name: 'a joiner gets the same named stall, and is told to look at the seed first',
      state: delivered('joiner'),
      now: 1000 + 45 * 60_000,
      want: { step: 'k3s-joined', code: 'no-cluster-activity', what: /joiner role/, todo: /seed's card is stalled/ },
    },
    {
      name: "44 min after the sealed token went out is still EVE-k's first boot: no stall",
      state: delivered('seed'),
      now: 1000 + 44 * 60_000,
    },
    {
      name: 'installed but EVE never calls home: check the management cable',
      state: run(pxeInstall().slice(0, 9)),
      now: 60_000 + 10 * 60_000,
      want: { step: 'onboarded', what: /not contacted the controller/, todo: /management port/ },
    },
    {
      name: 'a failed node gets no stall advice on top',
      state: run([ev(0, 'boot.booting', { mac: MAC, stage: 'ignored' })]),
      now: 10_000_000,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = checkStall(c.state, c.now);
      const stalled = out.state.steps.find((s) => s.problem?.kind === 'stalled');
      if (!c.want) {
        expect(stalled).toBeUndefined();
        expect(out.effects).toEqual([]);
        return;
      }
      expect(stalled?.id).toBe(c.want.step);
      expect(stalled?.problem?.what).toMatch(c.want.what);
      expect(stalled?.problem?.todo).toMatch(c.want.todo);
      expect(stalled?.problem?.code).toBe(c.want.code);
      expect(out.effects).toHaveLength(1);
      // Checking again later emits nothing new.
      expect(checkStall(out.state, c.now + 5000).effects).toEqual([]);
    });
  }

  it('the stall clears when the step moves', () => {
    const stalled = checkStall(expected, 70_000).state;
    const moved = transition(
      stalled,
      ev(71_000, 'dhcp', { mac: MAC, msgType: 'DISCOVER', reason: 'x', ipxe: false, arch: 7 }),
    ).state;
    expect(moved.steps.find((s) => s.problem)).toBeUndefined();
  });
});
