// One transfer per client endpoint (ip:port; RFC 1350 §4: the client's TID is its port). A retransmitted RRQ from
// the same endpoint is ignored while its transfer runs, instead of starting a second transfer the client would
// have to kill with ERROR 5. A request for another file from the same port means the client gave up on the
// first one: the new request takes the slot. A request being looked up or handed to a worker holds the slot as
// "pending", so a second request can take its place even then (the first stops as soon as it starts).

export interface Slot {
  state: 'pending' | 'running';
  file: string;
}

export type Admission =
  | { kind: 'duplicate' }
  /** Take the slot; `stopRunning`: stop the transfer that held it, without an ERROR to the client (its final
   *  ACK may still be in flight, and the ERROR would arrive as the first packet the new request sees). */
  | { kind: 'start'; stopRunning: boolean };

export function admitRead(slot: Slot | undefined, file: string): Admission {
  if (slot?.file === file) return { kind: 'duplicate' };
  return { kind: 'start', stopRunning: slot?.state === 'running' };
}

export type Placement = { kind: 'keep' } | { kind: 'gone' } | { kind: 'stop'; reason: string; tellClient: boolean };

/** A transfer came up (in a worker, or in process): keep it in its slot, or stop it. */
export function placeStarted(i: { listening: boolean; ended: boolean; stillInSlot: boolean }): Placement {
  if (!i.listening) return { kind: 'stop', reason: 'server shutting down', tellClient: true };
  if (i.ended) return { kind: 'gone' };
  if (i.stillInSlot) return { kind: 'keep' };
  return { kind: 'stop', reason: 'superseded by a new request', tellClient: false };
}
