import { describe, expect, it } from 'vitest';
import { ClientBudget, RateWindow } from '../../../src/core/boot/client-budget.js';

describe('ClientBudget', () => {
  const loopback = (ip: string) => ip.startsWith('127.');
  type Step = [op: 'admit' | 'release', ip: string, heavy: boolean, want?: 'admit' | 'refuse'];
  const cases: { name: string; input: Step[] }[] = [
    {
      name: 'one IP gets perIp slots, then a refusal, and a slot again after a release',
      input: [
        ['admit', '10.0.0.9', false, 'admit'],
        ['admit', '10.0.0.9', false, 'admit'],
        ['admit', '10.0.0.9', false, 'refuse'],
        ['admit', '10.0.0.8', false, 'admit'],
        ['release', '10.0.0.9', false],
        ['admit', '10.0.0.9', false, 'admit'],
      ],
    },
    {
      name: 'large uploads share one budget across IPs',
      input: [
        ['admit', '10.0.0.1', true, 'admit'],
        ['admit', '10.0.0.2', true, 'admit'],
        ['admit', '10.0.0.3', true, 'admit'],
        ['admit', '10.0.0.4', true, 'refuse'],
        ['admit', '10.0.0.4', false, 'admit'],
        ['release', '10.0.0.1', true],
        ['admit', '10.0.0.4', true, 'admit'],
      ],
    },
    {
      name: 'loopback is exempt from the per-IP cap but not from the large-upload budget',
      input: [
        ['admit', '127.0.0.1', false, 'admit'],
        ['admit', '127.0.0.1', false, 'admit'],
        ['admit', '127.0.0.1', false, 'admit'],
        ['admit', '127.0.0.1', true, 'admit'],
        ['admit', '127.0.0.1', true, 'admit'],
        ['admit', '127.0.0.1', true, 'admit'],
        ['admit', '127.0.0.1', true, 'refuse'],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = new ClientBudget({ perIp: 2, heavyTotal: 3, exempt: loopback });
      for (const [op, ip, heavy, want] of c.input) {
        if (op === 'release') b.release(ip, heavy);
        else expect([ip, b.admit(ip, heavy).kind]).toEqual([ip, want]);
      }
    });
  }
});

describe('RateWindow', () => {
  it('counts per IP within a window and starts over in the next', () => {
    const w = new RateWindow(3, 1000);
    const kinds = (ip: string, now: number, n: number) => Array.from({ length: n }, () => w.take(ip, now).kind);
    expect(kinds('a', 0, 4)).toEqual(['admit', 'admit', 'admit', 'refuse']);
    expect(kinds('b', 500, 1)).toEqual(['admit']);
    expect(kinds('a', 999, 1)).toEqual(['refuse']);
    expect(kinds('a', 1000, 1)).toEqual(['admit']);
  });

  it('keeps at most maxClients windows however many IPs appear', () => {
    const w = new RateWindow(1, 1000, 10);
    for (let i = 0; i < 100; i++) w.take(`10.0.0.${i}`, 0);
    expect((w as unknown as { counts: Map<string, unknown> }).counts.size).toBeLessThanOrEqual(10);
  });
});
