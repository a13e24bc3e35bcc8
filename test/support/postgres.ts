// A private PostgreSQL server for one test file: initdb in a temp dir, trust auth, 127.0.0.1 on a free port, its
// unix socket in the temp dir, stopped and deleted in teardown. PostgreSQL refuses to run as root, so as root
// it runs as the `postgres` user (Debian's package creates it) or `nobody`, owning the temp dir.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Prereq, prereq } from './prereq.js';
import { freePort } from './process.js';

/** Debian puts initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH. */
export function postgresBin(): string | undefined {
  const onPath = (() => {
    try {
      return execFileSync('sh', ['-c', 'dirname "$(command -v initdb)"'], { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  })();
  if (onPath && existsSync(join(onPath, 'pg_ctl'))) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

export function postgresPrereq(suite: string): Prereq {
  const bin = postgresBin();
  return prereq(suite, { tools: bin ? [join(bin, 'initdb'), join(bin, 'pg_ctl')] : ['initdb', 'pg_ctl'] });
}

function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
      return { name, uid, gid };
    } catch {
      // try the next one
    }
  }
  throw new Error('running as root, but neither the postgres nor the nobody user exists to run PostgreSQL');
}

export interface PostgresServer {
  /** postgresql://eveboot@127.0.0.1:PORT/postgres */
  url: string;
  /** A new, empty database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('initdb/pg_ctl not found: apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-pg-'));
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const as = (cmd: string, args: string[]) =>
    user
      ? execFileSync('runuser', ['-u', user.name, '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  as('initdb', ['-D', data, '-U', 'eveboot', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=50`;
  as('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
  const url = `postgresql://eveboot@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    try {
      as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test run that dies before its teardown must not leave a server behind.
  process.once('exit', stop);
  return {
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return `postgresql://eveboot@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
