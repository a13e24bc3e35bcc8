import { describe, expect, it } from 'vitest';
import { negotiateOptions } from '../../../src/core/tftp/options.js';
import type { Options, Packet } from '../../../src/core/tftp/packet.js';
import { defaultRetransmit } from '../../../src/core/tftp/retransmit.js';
import {
  advance,
  blockRange,
  bytesAcked,
  type Effect,
  receive,
  startTransfer,
  type Transfer,
  tick,
} from '../../../src/core/tftp/transfer.js';

type Input = { at: number } & ({ ack: number } | { error: [number, string] } | { tick: true } | { packet: Packet });

/** Plays inputs against a fresh transfer and returns the effects of the start and of every input. */
function play(size: number, options: Options, inputs: Input[], limits = { maxBlksize: 1468, maxWindowsize: 16 }) {
  const first = startTransfer(size, negotiateOptions(options, size, limits), defaultRetransmit, 0);
  let state: Transfer = first.state;
  const effects: Effect[][] = [first.effects];
  for (const i of inputs) {
    const step =
      'tick' in i
        ? tick(state, i.at)
        : receive(
            state,
            'ack' in i
              ? { kind: 'ack', block: i.ack }
              : 'error' in i
                ? { kind: 'error', code: i.error[0], message: i.error[1] }
                : i.packet,
            i.at,
          );
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects };
}

const data = (from: number, to = from): Effect => ({ kind: 'send-data', from, to });

describe('transfer state machine', () => {
  const cases: Array<{ name: string; size: number; options: Options; inputs: Input[]; want: Effect[][] }> = [
    {
      name: 'without options DATA 1 goes out at once and the short block ends it',
      size: 1000,
      options: [],
      inputs: [
        { at: 1, ack: 1 },
        { at: 2, ack: 2 },
      ],
      want: [[data(1)], [data(2)], [{ kind: 'finish' }]],
    },
    {
      name: 'a size that is a multiple of blksize needs a final empty block',
      size: 1024,
      options: [],
      inputs: [
        { at: 1, ack: 1 },
        { at: 2, ack: 2 },
        { at: 3, ack: 3 },
      ],
      want: [[data(1)], [data(2)], [data(3)], [{ kind: 'finish' }]],
    },
    {
      name: 'options get an OACK, ACK 0 opens the first window',
      size: 20480,
      options: [
        ['blksize', '1468'],
        ['windowsize', '4'],
      ],
      inputs: [
        { at: 1, ack: 0 },
        { at: 2, ack: 4 },
        { at: 3, ack: 8 },
        { at: 4, ack: 12 },
        { at: 5, ack: 14 },
      ],
      want: [
        [
          {
            kind: 'send-oack',
            options: [
              ['blksize', '1468'],
              ['windowsize', '4'],
            ],
          },
        ],
        [data(1, 4)],
        [data(5, 8)],
        [data(9, 12)],
        [data(13, 14)],
        [{ kind: 'finish' }],
      ],
    },
    {
      name: 'an ACK inside the window restarts the window after it (RFC 7440 §4)',
      size: 100 * 512,
      options: [['windowsize', '4']],
      inputs: [
        { at: 1, ack: 0 },
        { at: 2, ack: 2 },
      ],
      want: [[{ kind: 'send-oack', options: [['windowsize', '4']] }], [data(1, 4)], [data(3, 6)]],
    },
    {
      name: "a duplicate ACK sends nothing (no Sorcerer's Apprentice)",
      size: 10 * 512,
      options: [],
      inputs: [
        { at: 1, ack: 1 },
        { at: 2, ack: 1 },
        { at: 3, ack: 1 },
        { at: 4, ack: 2 },
      ],
      want: [[data(1)], [data(2)], [], [], [data(3)]],
    },
    {
      name: 'a retransmitted block acknowledged twice still yields one next block',
      size: 10 * 512,
      options: [],
      inputs: [
        { at: 1, ack: 1 },
        { at: 500, tick: true },
        { at: 501, ack: 2 },
        { at: 502, ack: 2 },
      ],
      want: [[data(1)], [data(2)], [data(2)], [data(3)], []],
    },
    {
      name: "OVMF's tsize probe: OACK, then ERROR 8 aborts, and later packets are ignored",
      size: 20480,
      options: [
        ['tsize', '0'],
        ['blksize', '1468'],
        ['windowsize', '4'],
      ],
      inputs: [
        { at: 2, error: [8, 'User aborted the transfer'] },
        { at: 3, ack: 0 },
        { at: 9999, tick: true },
      ],
      want: [
        [
          {
            kind: 'send-oack',
            options: [
              ['tsize', '20480'],
              ['blksize', '1468'],
              ['windowsize', '4'],
            ],
          },
        ],
        [{ kind: 'abort', reason: 'client sent ERROR 8: User aborted the transfer' }],
        [],
        [],
      ],
    },
    {
      name: 'a lost OACK is sent again when the timer fires',
      size: 10,
      options: [['tsize', '0']],
      inputs: [
        { at: 399, tick: true },
        { at: 400, tick: true },
        { at: 401, ack: 0 },
        { at: 402, ack: 1 },
      ],
      want: [
        [{ kind: 'send-oack', options: [['tsize', '10']] }],
        [],
        [{ kind: 'send-oack', options: [['tsize', '10']] }],
        [data(1)],
        [{ kind: 'finish' }],
      ],
    },
    {
      name: 'a timeout resends the whole outstanding window',
      size: 100 * 512,
      options: [['windowsize', '8']],
      inputs: [
        { at: 1, ack: 0 },
        { at: 2, ack: 3 },
        { at: 1000, tick: true },
      ],
      want: [[{ kind: 'send-oack', options: [['windowsize', '8']] }], [data(1, 8)], [data(4, 11)], [data(4, 11)]],
    },
    {
      name: 'a packet that is not an ACK or ERROR is ignored',
      size: 10,
      options: [],
      inputs: [{ at: 1, packet: { kind: 'data', block: 1, data: new Uint8Array(1) } }],
      want: [[data(1)], []],
    },
  ];
  for (const c of cases) it(c.name, () => expect(play(c.size, c.options, c.inputs).effects).toEqual(c.want));
});

describe('timers', () => {
  it('backs off exponentially and gives up after maxRetries with ERROR 0', () => {
    const inputs: Input[] = [];
    let at = 0;
    let rto = defaultRetransmit.initialMs;
    for (let i = 0; i <= defaultRetransmit.maxRetries; i++) {
      at += rto;
      inputs.push({ at, tick: true });
      rto = Math.min(defaultRetransmit.maxMs, rto * 2);
    }
    const { state, effects } = play(10, [], inputs);
    expect(effects.slice(1, -1).every((e) => e.length === 1 && e[0]!.kind === 'send-data')).toBe(true);
    expect(effects.at(-1)).toEqual([
      { kind: 'send-error', code: 0, message: 'timeout' },
      { kind: 'abort', reason: `no ACK after ${defaultRetransmit.maxRetries + 1} attempts` },
    ]);
    expect(state.phase).toBe('aborted');
  });

  it('adapts the timeout to the measured round trip, bounded by minMs', () => {
    const { state } = play(
      100 * 512,
      [],
      [
        { at: 2, ack: 1 },
        { at: 4, ack: 2 },
        { at: 6, ack: 3 },
      ],
    );
    expect(state.rto.current).toBe(defaultRetransmit.minMs);
    expect(state.deadline).toBe(6 + defaultRetransmit.minMs);
  });

  it("never waits longer than the client's RFC 2349 timeout", () => {
    const { state, effects } = play(
      100 * 512,
      [['timeout', '1']],
      [
        { at: 1, ack: 0 },
        { at: 101, tick: true },
        { at: 301, tick: true },
        { at: 701, tick: true },
        { at: 1701, tick: true },
      ],
    );
    expect(effects.slice(2)).toEqual([[data(1)], [data(1)], [data(1)], [data(1)]]);
    expect(state.rto.current).toBe(1000);
    expect(state.deadline).toBe(2701);
  });
});

describe('block numbers', () => {
  it('roll over past 65535 and a 70001-block transfer completes', () => {
    const size = 70_000 * 8; // blksize 8 keeps it small; last block is empty
    let step = startTransfer(
      size,
      negotiateOptions([['blksize', '8']], size, { maxBlksize: 8, maxWindowsize: 1 }),
      defaultRetransmit,
      0,
    );
    step = receive(step.state, { kind: 'ack', block: 0 }, 0);
    const sent: number[] = [];
    for (let b = 1; step.state.phase === 'data'; b++) {
      const e = step.effects[0]!;
      if (e.kind === 'send-data') sent.push(e.from);
      step = receive(step.state, { kind: 'ack', block: b & 0xffff }, b);
    }
    expect(step.effects).toEqual([{ kind: 'finish' }]);
    expect(sent.length).toBe(70_001);
    expect(sent[65535]).toBe(65536);
    expect(blockRange(step.state, 65536)).toEqual({ offset: 65535 * 8, length: 8 });
    expect(blockRange(step.state, 70_001)).toEqual({ offset: 70_000 * 8, length: 0 });
    expect(bytesAcked(step.state)).toBe(size);
  });

  it('an ACK of wire block 0 after rollover is not mistaken for the OACK acknowledgement', () => {
    const size = 70_000 * 512; // no options: 512-byte blocks, DATA 1 goes out without an OACK
    let step = startTransfer(
      size,
      negotiateOptions([], size, { maxBlksize: 8, maxWindowsize: 1 }),
      defaultRetransmit,
      0,
    );
    for (let b = 1; b < 65536; b++) step = receive(step.state, { kind: 'ack', block: b }, b);
    expect(step.effects).toEqual([data(65536)]);
    step = receive(step.state, { kind: 'ack', block: 0 }, 70_000);
    expect(step.effects).toEqual([data(65537)]);
    expect(step.state.acked).toBe(65536);
  });
});

/** What the native pump would do with `wires`: apply each ACK through `receive`, as the pump mirrors it. */
function viaReceive(t: Transfer, wires: number[], times: number[]): Transfer {
  let state = t;
  wires.forEach((w, i) => {
    state = receive(state, { kind: 'ack', block: w }, times[i]!).state;
  });
  return state;
}

describe('advance: folding the native pump into the state', () => {
  const windowed = (size: number, windowsize: number) => {
    const n = negotiateOptions(
      [
        ['blksize', '512'],
        ['windowsize', String(windowsize)],
      ],
      size,
      { maxBlksize: 1468, maxWindowsize: 16 },
    );
    const t = startTransfer(size, n, defaultRetransmit, 0).state;
    return receive(t, { kind: 'ack', block: 0 }, 1).state; // OACK acknowledged, first burst out at t=1
  };

  const cases: Array<{ name: string; size: number; windowsize: number; wires: number[] }> = [
    { name: 'lock-step, three clean ACKs', size: 100 * 512, windowsize: 1, wires: [1, 2, 3] },
    { name: 'window of 4, whole windows acknowledged', size: 100 * 512, windowsize: 4, wires: [4, 8, 12] },
    { name: 'window of 4, a gap ACK restarts the window after it', size: 100 * 512, windowsize: 4, wires: [4, 6, 10] },
    { name: 'to the last block, which finishes', size: 10 * 512 + 1, windowsize: 4, wires: [4, 8, 11] },
    { name: 'past the 65535 rollover', size: 70_000 * 512, windowsize: 16, wires: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = windowed(c.size, c.windowsize);
      let wires = c.wires;
      if (wires.length === 0) wires = Array.from({ length: 4200 }, (_, i) => ((i + 1) * 16) & 0xffff);
      const times = wires.map((_, i) => 2 + i);
      const want = viaReceive(t, wires, times);
      const last = times.at(-1)!;
      const step = advance(t, { acked: want.acked, sentTo: want.sentTo, burstAt: last, rttMs: 1 });
      expect(step.state.acked).toBe(want.acked);
      expect(step.state.sentTo).toBe(want.sentTo);
      expect(step.state.phase).toBe(want.phase);
      expect(step.state.retries).toBe(0);
      expect(step.state.retried).toBe(false);
      expect(step.state.burstAt).toBe(last);
      expect(step.state.deadline).toBe(last + step.state.rto.current);
      expect(step.effects).toEqual(want.phase === 'done' ? [{ kind: 'finish' }] : []);
    });
  }

  it('takes the one RTT sample it is given, and none when the pump had none (Karn)', () => {
    const t = windowed(100 * 512, 1);
    const sampled = advance(t, { acked: 3, sentTo: 4, burstAt: 10, rttMs: 2 }).state;
    expect(sampled.rto.srtt).not.toBe(t.rto.srtt);
    const unsampled = advance(t, { acked: 3, sentTo: 4, burstAt: 10, rttMs: null }).state;
    expect(unsampled.rto).toEqual(t.rto);
  });

  it('resets the retry count and the retransmission mark after a timeout', () => {
    let t = windowed(100 * 512, 2);
    t = tick(t, t.deadline).state; // burst 1..2 retransmitted
    expect(t.retried).toBe(true);
    const step = advance(t, { acked: 2, sentTo: 4, burstAt: t.deadline + 5, rttMs: null });
    expect(step.state.retries).toBe(0);
    expect(step.state.retried).toBe(false);
  });

  it('no progress leaves the state alone', () => {
    const t = windowed(100 * 512, 4);
    const step = advance(t, { acked: t.acked, sentTo: t.sentTo, burstAt: 99, rttMs: 1 });
    expect(step.state).toBe(t);
    expect(step.effects).toEqual([]);
  });

  const impossible: Array<[string, number, number]> = [
    ['a new window without an ACK', 0, 5],
    ['beyond the last block', 101, 101],
    ['a window the negotiation did not allow', 4, 12],
    ['a fractional block', 2.5, 6],
  ];
  for (const [name, acked, sentTo] of impossible) {
    it(`aborts on progress receive could not produce: ${name}`, () => {
      const t = windowed(100 * 512 - 1, 4);
      const step = advance(t, { acked, sentTo, burstAt: 5, rttMs: null });
      expect(step.state.phase).toBe('aborted');
      expect(step.effects).toEqual([{ kind: 'abort', reason: expect.stringMatching(/^pump reported/) }]);
    });
  }

  it('is refused during the OACK phase: ACK 0 always goes through receive', () => {
    const n = negotiateOptions([['blksize', '512']], 5000, { maxBlksize: 1468, maxWindowsize: 16 });
    const t = startTransfer(5000, n, defaultRetransmit, 0).state;
    expect(advance(t, { acked: 1, sentTo: 2, burstAt: 1, rttMs: null }).state.phase).toBe('aborted');
  });
});
