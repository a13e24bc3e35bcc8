// The state directory holds the PKI keys, the state key and the databases: owner-only. New files come out
// that way through the umask main.ts sets; this also fixes a state dir an older eveboot or an operator's copy
// left readable (the directory 0700, databases and their WAL/SHM, the record log and keys 0600).
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SECRET_FILE = /(\.db(-wal|-shm|-journal)?|\.jsonl|\.key(\.pem)?)$/;

export function secureStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const sub of ['', 'pki', 'keys']) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    if (sub) chmodSync(d, 0o700);
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (SECRET_FILE.test(name) && statSync(path).isFile()) chmodSync(path, 0o600);
    }
  }
}
