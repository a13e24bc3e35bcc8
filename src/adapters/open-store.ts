// Opens the state store a URL names: `postgres://…` / `postgresql://…` for a database shared by the stations of a
// factory line, `sqlite:PATH` or a plain path for the embedded database of one appliance.
import type { Store } from '../ports/store.js';
import { openPgStore } from './pg-store.js';
import { openSqliteStore } from './sqlite-store.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface OpenedStore extends Store {
  kind: StoreKind;
  close(): void;
}

export function storeKind(url: string): StoreKind {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

/** `sqlite:/var/lib/eveboot/eveboot.db`, `sqlite:///var/…` and `/var/…` all name the same file. */
export function sqlitePath(url: string): string {
  if (!/^sqlite:/i.test(url)) return url;
  const rest = url.slice('sqlite:'.length);
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

/** The URL with its password masked, for logs and error messages. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

export function openStore(url: string): OpenedStore {
  if (storeKind(url) === 'sqlite') return Object.assign(openSqliteStore(sqlitePath(url)), { kind: 'sqlite' as const });
  try {
    return Object.assign(openPgStore(url), { kind: 'postgres' as const });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot open the PostgreSQL store ${redactStoreUrl(url)}: ${why}`, { cause: e });
  }
}
