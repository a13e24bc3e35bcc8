// Searches for the secrets' values (not for a key name such as "token"): every cluster's join token, decrypted
// with the state key, and every private key PEM body line and scalar, in plain text, hex and base64.
import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { openSecretBox } from '../../src/adapters/secret-box.js';

export interface Secret {
  name: string;
  value: string;
}

/** The join token of every cluster in <state>/eveboot.db and every private key under <state>/pki. */
export function secretsOf(stateDir: string): Secret[] {
  const out: Secret[] = [];
  const box = openSecretBox(join(stateDir, 'keys', 'state.key'));
  const db = new Database(join(stateDir, 'eveboot.db'), { readonly: true, fileMustExist: true });
  try {
    for (const { doc } of db.prepare('SELECT doc FROM clusters').all() as { doc: string }[]) {
      const c = JSON.parse(doc) as { name: string; tokenCiphertext: string };
      out.push({ name: `join token of ${c.name}`, value: box.open(c.tokenCiphertext) });
    }
  } finally {
    db.close();
  }
  const pki = join(stateDir, 'pki');
  for (const f of readdirSync(pki).filter((f) => f.endsWith('.key.pem'))) {
    const pem = readFileSync(join(pki, f), 'utf8');
    const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const [i, line] of body.entries()) out.push({ name: `${f} PEM body line ${i + 1}`, value: line });
    const d = createPrivateKey(pem).export({ format: 'jwk' }).d!;
    out.push({ name: `${f} scalar (base64url)`, value: d });
    out.push({ name: `${f} scalar (hex)`, value: Buffer.from(d, 'base64url').toString('hex') });
  }
  return out;
}

/** Every file under the state dir except the key files themselves, as text (binary as latin1), plus every
 *  row of every SQLite database read through SQLite (so WAL contents and page layout cannot hide a value). */
export function stateDirSources(stateDir: string): { name: string; text: string }[] {
  const skip = (rel: string) => rel.endsWith('.key.pem') || rel === join('keys', 'state.key');
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const path = join(dir, f);
      const rel = relative(stateDir, path);
      if (statSync(path).isDirectory()) walk(path);
      else if (!skip(rel)) out.push({ name: rel, text: readFileSync(path).toString('latin1') });
    }
  };
  walk(stateDir);
  for (const f of readdirSync(stateDir).filter((f) => f.endsWith('.db'))) {
    const db = new Database(join(stateDir, f), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        out.push({ name: `${f} rows of ${name}`, text: JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()) });
      }
    } finally {
      db.close();
    }
  }
  return out;
}

/** "<secret> in <source> (<encoding>)" for every hit; expect it toEqual([]). */
export function leaks(secrets: Secret[], sources: { name: string; text: string }[]): string[] {
  const hits: string[] = [];
  for (const s of secrets) {
    const forms = {
      plain: s.value,
      hex: Buffer.from(s.value).toString('hex'),
      base64: Buffer.from(s.value).toString('base64'),
    };
    for (const src of sources) {
      for (const [enc, v] of Object.entries(forms))
        if (src.text.includes(v)) hits.push(`${s.name} in ${src.name} (${enc})`);
    }
  }
  return hits;
}

export const existing = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
