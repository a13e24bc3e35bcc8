import { describe, expect, it } from 'vitest';
import {
  type Admission,
  admitRead,
  type Placement,
  placeStarted,
  type Slot,
} from '../../../src/core/tftp/transfer-slots.js';

describe('admitRead: one transfer per client endpoint', () => {
  const table: { name: string; input: { slot: Slot | undefined; file: string }; want: Admission }[] = [
    {
      name: 'a free endpoint starts',
      input: { slot: undefined, file: 'a' },
      want: { kind: 'start', stopRunning: false },
    },
    {
      name: 'a retransmitted RRQ for the running file is a duplicate',
      input: { slot: { state: 'running', file: 'a' }, file: 'a' },
      want: { kind: 'duplicate' },
    },
    {
      name: 'a retransmitted RRQ while the first is still being looked up is a duplicate',
      input: { slot: { state: 'pending', file: 'a' }, file: 'a' },
      want: { kind: 'duplicate' },
    },
    {
      name: 'another file from the same port replaces the running transfer (it is stopped)',
      input: { slot: { state: 'running', file: 'a' }, file: 'b' },
      want: { kind: 'start', stopRunning: true },
    },
    {
      name: 'another file while the first is pending takes the slot; nothing runs yet to stop',
      input: { slot: { state: 'pending', file: 'a' }, file: 'b' },
      want: { kind: 'start', stopRunning: false },
    },
  ];
  for (const c of table) it(c.name, () => expect(admitRead(c.input.slot, c.input.file)).toEqual(c.want));
});

describe('placeStarted: a transfer that came up keeps its slot only if nothing moved on', () => {
  const table: { name: string; input: Parameters<typeof placeStarted>[0]; want: Placement }[] = [
    {
      name: 'still in its slot: kept',
      input: { listening: true, ended: false, stillInSlot: true },
      want: { kind: 'keep' },
    },
    {
      name: 'a newer request took the slot: stopped without an ERROR to the client',
      input: { listening: true, ended: false, stillInSlot: false },
      want: { kind: 'stop', reason: 'superseded by a new request', tellClient: false },
    },
    {
      name: 'it already ended (tiny file): nothing to keep',
      input: { listening: true, ended: true, stillInSlot: true },
      want: { kind: 'gone' },
    },
    {
      name: 'the server closed meanwhile: stopped, and the client is told',
      input: { listening: false, ended: false, stillInSlot: true },
      want: { kind: 'stop', reason: 'server shutting down', tellClient: true },
    },
  ];
  for (const c of table) it(c.name, () => expect(placeStarted(c.input)).toEqual(c.want));
});
