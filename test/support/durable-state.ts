// What a restart must never change, read straight from a state dir (SQLite): the cluster's id and the SHA-256
// of its decrypted join token (the token itself never leaves this function), the plan, every device's UUID
// by serial, and every sealed token block. expectKept(earlier, later) checks that nothing already decided was
// redone differently; what was not decided yet may appear.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';

export interface DurableState {
  clusters: Record<string, { id: string; tokenSha256: string; plan: string }>;
  /** serial → UUID */
  uuids: Record<string, string>;
  /** UUID → the sealed block (base64 CipherBlock) and the ECDH cert it was sealed to */
  sealed: Record<string, string>;
}

export function durableState(stateDir: string): DurableState {
  const keyPath = join(stateDir, 'keys', 'state.key');
  const box = existsSync(keyPath) ? openSecretBox(keyPath) : undefined;
  const db = new Database(join(stateDir, 'eveboot.db'), { readonly: true, fileMustExist: true });
  try {
    const out: DurableState = { clusters: {}, uuids: {}, sealed: {} };
    for (const { doc } of db.prepare('SELECT doc FROM clusters').all() as { doc: string }[]) {
      const c = JSON.parse(doc) as { id: string; name: string; tokenCiphertext: string; plan: string };
      const token = box ? box.open(c.tokenCiphertext) : '';
      const tokenSha256 = createHash('sha256').update(token).digest('hex');
      out.clusters[c.name] = { id: c.id, tokenSha256, plan: c.plan };
    }
    for (const { doc } of db.prepare('SELECT doc FROM devices').all() as { doc: string }[]) {
      const d = JSON.parse(doc) as { uuid: string; serial: string; sealed?: { ecdhCertHash: string; block: string } };
      out.uuids[d.serial] = d.uuid;
      if (d.sealed) out.sealed[d.uuid] = `${d.sealed.ecdhCertHash}:${d.sealed.block}`;
    }
    return out;
  } finally {
    db.close();
  }
}

/** Everything `earlier` had is in `later`, unchanged (a plan, once made, stays the same plan). */
export function expectKept(earlier: DurableState, later: DurableState, where: string): void {
  for (const [name, c] of Object.entries(earlier.clusters)) {
    const now = later.clusters[name];
    expect(now?.id, `${where}: cluster ${name} id`).toBe(c.id);
    expect(now?.tokenSha256, `${where}: cluster ${name} token`).toBe(c.tokenSha256);
    if (c.plan) expect(now?.plan, `${where}: cluster ${name} plan`).toBe(c.plan);
  }
  for (const [serial, uuid] of Object.entries(earlier.uuids)) {
    expect(later.uuids[serial], `${where}: UUID of ${serial}`).toBe(uuid);
  }
  for (const [uuid, block] of Object.entries(earlier.sealed)) {
    expect(later.sealed[uuid], `${where}: sealed block of ${uuid}`).toBe(block);
  }
}
