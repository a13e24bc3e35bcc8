// AES-256-GCM under a 32-byte state key kept in <state>/keys/state.key (mode 0600). The database holds only
// ciphertext, so a copied database file does not leak the join token.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EvebootError } from '../core/errors.js';
import type { SecretBox } from '../ports/secret-box.js';

export function openSecretBox(keyPath: string): SecretBox {
  if (!existsSync(keyPath)) {
    mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
    writeFileSync(keyPath, randomBytes(32), { mode: 0o600 });
  }
  chmodSync(keyPath, 0o600);
  const key = readFileSync(keyPath);
  if (key.length !== 32) throw new EvebootError('EVEBOOT_ERR_SEAL', `${keyPath} must hold exactly 32 bytes`);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return `v1.${Buffer.concat([iv, c.getAuthTag(), data]).toString('base64')}`;
    },
    open(ciphertext) {
      if (!ciphertext.startsWith('v1.')) throw new EvebootError('EVEBOOT_ERR_SEAL', 'unknown secret format');
      const raw = Buffer.from(ciphertext.slice(3), 'base64');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
