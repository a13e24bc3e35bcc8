import { describe, expect, it } from 'vitest';
import { expiredMachines } from '../../../src/core/boot/expiry.js';
import type { BootMachine } from '../../../src/ports/boot-store.js';

const m = (mac: string, lastSeen: number, over: Partial<BootMachine> = {}): BootMachine => ({
  mac,
  identity: { nics: [] },
  firstSeen: 0,
  lastSeen,
  reinstall: false,
  ...over,
});
const rule = { ttlMs: 100, maxUnknown: 2 };
const known = (x: BootMachine) => x.mac.startsWith('k');

describe('expiredMachines', () => {
  const cases: { name: string; input: BootMachine[]; want: string[] }[] = [
    { name: 'nothing to forget when all are fresh and few', input: [m('u1', 950), m('u2', 990)], want: [] },
    { name: 'an unknown machine past the TTL goes', input: [m('u1', 899), m('u2', 990)], want: ['u1'] },
    { name: 'a site node never expires', input: [m('k1', 0)], want: [] },
    { name: 'an installed machine never expires', input: [m('u1', 0, { installedAt: 5 })], want: [] },
    { name: 'a machine the operator marked for reinstall stays', input: [m('u1', 0, { reinstall: true })], want: [] },
    {
      name: 'past maxUnknown the oldest go first',
      input: [m('u1', 995), m('u2', 999), m('u3', 997), m('u4', 990)],
      want: ['u3', 'u4']
        .filter((x) => x !== 'u3')
        .concat('u1')
        .sort(),
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(expiredMachines(c.input, known, 1000, rule).sort()).toEqual(c.want.sort()));
  }
});
