import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, Random } from '../ports/clock.js';

export const systemClock: Clock = { now: () => Date.now() };

export const systemRandom: Random = {
  bytes: (n) => new Uint8Array(randomBytes(n)),
  uuid: () => randomUUID(),
};
