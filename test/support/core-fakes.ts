// The small ports the core takes besides the store (test/support/memory-store.ts), faked for unit tests: a clock
// the test moves, randomness that is the same on every run, and a secret box that seals nothing.
import { createHash } from 'node:crypto';
import type { Clock, Random } from '../../src/ports/clock.js';
import type { SecretBox } from '../../src/ports/secret-box.js';

export interface SteppedClock extends Clock {
  advance(ms: number): void;
}

export function steppedClock(start = 1_760_000_000_000): SteppedClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Bytes from SHA-256 of a counter; UUIDs in the RFC 4122 v4 shape (the planner refuses other cluster ids). */
export function countingRandom(seed = 'eveboot'): Random {
  let n = 0;
  const block = () => createHash('sha256').update(`${seed}/${n++}`).digest();
  return {
    bytes: (len) => {
      const out = Buffer.alloc(len);
      for (let at = 0; at < len; at += 32) block().copy(out, at);
      return new Uint8Array(out);
    },
    uuid: () => `00000000-0000-4000-8000-${(n++).toString(16).padStart(12, '0')}`,
  };
}

/** "Seals" by tagging: the test can see that a value went through the box, and open it again. */
export const taggingSecretBox: SecretBox = {
  seal: (plaintext) => `sealed:${plaintext}`,
  open: (ciphertext) => {
    if (!ciphertext.startsWith('sealed:')) throw new Error('not sealed by this box');
    return ciphertext.slice('sealed:'.length);
  },
};
