// The running transfers of one TFTP server, by client endpoint. Which request may take a slot, and what happens
// to a transfer that came up after its slot moved on, is decided in core/tftp/transfer-slots.ts.
import { admitRead, placeStarted, type Slot } from '../core/tftp/transfer-slots.js';
import type { RunningTransfer } from './tftp-transfer.js';

/** A request being looked up or handed to a worker. */
export interface Pending {
  pending: string;
}

type Entry = RunningTransfer | Pending;
const isPending = (e: Entry | undefined): e is Pending => e !== undefined && 'pending' in e;
const slotOf = (e: Entry | undefined): Slot | undefined =>
  e === undefined
    ? undefined
    : isPending(e)
      ? { state: 'pending', file: e.pending }
      : { state: 'running', file: e.file };

export class TransferTable {
  private readonly byClient = new Map<string, Entry>();

  /** A read of `file` from `key`: the pending entry that now holds the slot, or undefined for a retransmission. */
  claim(key: string, file: string): Pending | undefined {
    const current = this.byClient.get(key);
    const a = admitRead(slotOf(current), file);
    if (a.kind === 'duplicate') return undefined;
    if (a.stopRunning && !isPending(current)) current?.stop('superseded by a new request', false);
    const entry: Pending = { pending: file };
    this.byClient.set(key, entry);
    return entry;
  }

  /** The transfer for `entry` came up: it takes the slot if the slot is still that request's. */
  place(key: string, entry: Pending, running: RunningTransfer, state: { listening: boolean; ended: boolean }): void {
    const p = placeStarted({ ...state, stillInSlot: this.byClient.get(key) === entry });
    if (p.kind === 'keep') this.byClient.set(key, running);
    if (p.kind === 'stop') running.stop(p.reason, p.tellClient);
  }

  /** `e` is over (ended, or failed to start): free its slot unless another request took it. */
  release(key: string, e: Entry): void {
    if (this.byClient.get(key) === e) this.byClient.delete(key);
  }

  stopAll(reason: string): void {
    for (const e of this.byClient.values()) if (!isPending(e)) e.stop(reason);
    this.byClient.clear();
  }

  /** Pending entries count: a worker may be sending DATA before its 'started' reply gets here. */
  get size(): number {
    return this.byClient.size;
  }
}
