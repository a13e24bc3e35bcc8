// What the boot side's callbacks and CONFIG fetches change, decided: the installer's "installed" callback, the
// script's "booting" beacon, installer.iso served in full, and the nonce URL of an install's CONFIG. Each counts
// only from the IP that got the install decision, with that decision's nonce (core/boot/grant.ts): anyone else
// could otherwise mark a machine installed that never was, and it would never install. Pure: the adapters
// (adapters/http/boot-*-routes.ts) look the record up, store what comes back and emit the events.
import type { BootMachine } from '../../ports/boot-store.js';
import { EvebootError } from '../errors.js';
import { type ConfigGrant, liveGrant, redeemGrant } from './grant.js';
import { recordInstalled, recordPayloadServed } from './identity.js';
import type { BootEvent } from './report.js';

export type Answer =
  | { kind: 'ok'; record: BootMachine | undefined; events: BootEvent[] }
  | { kind: 'refuse'; events: BootEvent[]; error: EvebootError };

type Query = Record<string, string | undefined>;

/** /boot/installed from `ip` for `mac` (the installer's or stand-in's callback; the nonce came in its cmdline). */
export function answerInstalled(m: BootMachine | undefined, mac: string, ip: string, q: Query, now: number): Answer {
  if (!m) {
    const error = new EvebootError(
      'EVEBOOT_ERR_NOT_FOUND',
      `installed: machine ${mac} never reported; nothing recorded`,
    );
    return { kind: 'refuse', events: [], error };
  }
  const r = redeemGrant(m.grant, { nonce: q.nonce, ip, now, use: 'callback' });
  if (r.kind === 'refuse') {
    const events: BootEvent[] = [
      { type: 'boot.callback-refused', data: { mac, ip, callback: 'installed', reason: r.reason } },
    ];
    if (r.suspicious) events.push({ type: 'trust.suspicious', data: { mac, ip, reason: r.reason } });
    return {
      kind: 'refuse',
      events,
      error: new EvebootError('EVEBOOT_ERR_NOT_ALLOWED', `installed refused: ${r.reason}`),
    };
  }
  const data: { mac: string; image: string | null; serial?: string; server?: string; status?: string } = {
    mac,
    image: m.lastImage ?? null,
  };
  for (const k of ['serial', 'server', 'status'] as const) if (q[k]) data[k] = String(q[k]).slice(0, 256);
  return {
    kind: 'ok',
    record: { ...recordInstalled(m, 'installer', now), grant: { ...r.grant, closedAt: now } },
    events: [{ type: 'boot.installed', data }],
  };
}

/** /boot/booting: the "about to boot" beacon of a decision script (pixiecore's trick). Local-boot beacons carry no
 *  nonce and change nothing; an install's beacon is recorded only with its nonce, from its IP. */
export function answerBooting(m: BootMachine | undefined, mac: string, ip: string, q: Query, now: number): Answer {
  const ok = redeemGrant(m?.grant, { nonce: q.nonce, ip, now, use: 'callback' });
  const stage = (q.stage ?? '').slice(0, 32);
  return {
    kind: 'ok',
    record: m && ok.kind === 'ok' ? { ...m, bootingAt: now } : undefined,
    events: [{ type: 'boot.booting', data: { mac, stage, image: q.image ?? null } }],
  };
}

/** A download of `path` went out in full to `ip`. installer.iso to the install decision's IP uses the install up
 *  (decide.ts presumes a machine that comes back installed); a download by anyone else proves nothing. */
export function answerPayloadServed(m: BootMachine | undefined, path: string, ip: string, now: number): Answer {
  const fromGrantee = liveGrant(m?.grant, now)?.ip === ip;
  const counts =
    m &&
    fromGrantee &&
    path.endsWith('/installer.iso') &&
    m.lastDecision === 'install' &&
    m.payloadServedAt === undefined;
  if (!m || !counts) return { kind: 'ok', record: undefined, events: [] };
  return {
    kind: 'ok',
    record: recordPayloadServed(m, now),
    events: [{ type: 'boot.payload-served', data: { mac: m.mac, path } }],
  };
}

/** The live install grant at `ip`: `m`'s, if its decision went to this IP. */
export function grantAt(m: BootMachine | undefined, ip: string, now: number): ConfigGrant | undefined {
  const g = liveGrant(m?.grant, now);
  return g?.ip === ip ? g : undefined;
}

/** /config/<nonce>.img from `ip`: `held` is the MAC whose CONFIG is kept under this nonce, `m` its record. */
export function answerConfigFetch(
  held: { mac: string } | undefined,
  m: BootMachine | undefined,
  nonce: string,
  ip: string,
  now: number,
): Answer {
  const r = redeemGrant(m?.grant, { nonce, ip, now, use: 'config' });
  if (r.kind === 'ok' && held && m)
    return { kind: 'ok', record: r.grant !== m.grant ? { ...m, grant: r.grant } : undefined, events: [] };
  const reason = r.kind === 'refuse' ? r.reason : 'no such install decision';
  const events: BootEvent[] = [{ type: 'boot.config-refused', data: { ip, mac: held?.mac ?? null, reason } }];
  if (r.kind === 'refuse' && r.suspicious) {
    events.push({ type: 'trust.suspicious', data: { ip, mac: held?.mac ?? null, reason } });
  }
  return { kind: 'refuse', events, error: new EvebootError('EVEBOOT_ERR_NOT_ALLOWED', `config refused: ${reason}`) };
}

/**
 * The CONFIG held for the asking IP's live install decision, inside installer.iso or as /config.img. It holds that
 * install's onboarding key, so it goes to that IP only (the MAC our DHCP leased it to, with a live grant); looking
 * it up spends nothing (GRUB reads the ISO in many ranges). `withNonce`: the request must also carry the decision's
 * nonce, as the stand-in installer's eveboot.iso= URL does; GRUB's fixed ($cmddevice)/installer.iso and /config.img
 * names cannot carry one, so for them the IP is the binding. `nonce` is '' when the query had a non-string one.
 */
export function answerInstallConfig(
  q: { ip: string; mac: string | undefined; nonce: string | undefined; withNonce: boolean; what: string; now: number },
  look: { machine: (mac: string) => BootMachine | undefined; held: (nonce: string) => { mac: string } | undefined },
): { kind: 'ok'; nonce: string } | { kind: 'refuse'; events: BootEvent[]; error: EvebootError } {
  const { ip, nonce, now } = q;
  const g = grantAt(q.mac ? look.machine(q.mac) : undefined, ip, now);
  const held = g ? look.held(g.nonce) : undefined;
  const nonceOk = nonce === undefined ? !q.withNonce : nonce === g?.nonce;
  if (g && held && held.mac === g.mac && nonceOk) return { kind: 'ok', nonce: g.nonce };
  const events: BootEvent[] = [];
  // A live nonce presented from another IP is worth a flag, as on /config/<nonce>.img.
  const owner = nonce ? look.held(nonce) : undefined;
  const r = owner && redeemGrant(look.machine(owner.mac)?.grant, { nonce, ip, now, use: 'callback' });
  if (owner && r && r.kind === 'refuse' && r.suspicious) {
    events.push({ type: 'trust.suspicious', data: { ip, mac: owner.mac, reason: r.reason } });
  }
  events.push({ type: 'boot.config-refused', data: { ip, mac: q.mac ?? null, what: q.what } });
  const why = !g
    ? `${ip} is not being installed`
    : nonce === undefined
      ? `this image's installer asks with its install decision's nonce (eveboot.iso=), and ${ip} sent none`
      : `the nonce is not the one of ${ip}'s install decision`;
  const error = new EvebootError(
    'EVEBOOT_ERR_NOT_ALLOWED',
    `${q.what} (it holds the onboarding key) goes only to the machine being installed: ${why}`,
  );
  return { kind: 'refuse', events, error };
}
