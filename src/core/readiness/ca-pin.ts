// Trust on first use for the cluster CA (k3s-facts.md, TLS): the seed creates the CA at first start, so the
// appliance cannot know it in advance. The first /cacerts is pinned by its SHA-256 (the hash in K3s's long token
// form K10<hash>::…); every later answer, from any of the three servers, must match it.

export type PinDecision =
  | { kind: 'pin'; sha256: string }
  | { kind: 'match'; sha256: string }
  | { kind: 'mismatch'; pinned: string; seen: string };

export function decidePin(pinned: string | undefined, seen: string): PinDecision {
  const s = seen.toLowerCase();
  if (!pinned) return { kind: 'pin', sha256: s };
  return pinned.toLowerCase() === s ? { kind: 'match', sha256: s } : { kind: 'mismatch', pinned, seen: s };
}
