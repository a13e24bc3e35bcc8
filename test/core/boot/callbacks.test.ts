import { describe, expect, it } from 'vitest';
import {
  type Answer,
  answerBooting,
  answerConfigFetch,
  answerInstallConfig,
  answerInstalled,
  answerPayloadServed,
  grantAt,
} from '../../../src/core/boot/callbacks.js';
import { CONFIG_FETCH_WINDOW_MS, mintGrant } from '../../../src/core/boot/grant.js';
import type { BootMachine } from '../../../src/ports/boot-store.js';
import { uefiMachine } from './images.js';

const MAC = '52:54:00:99:00:10';
const IP = '10.0.0.5';
const T0 = 5_000_000;
const grant = mintGrant({ random16: new Uint8Array(16).fill(9), mac: MAC, ip: IP, now: T0 - 1000 });
const installing = (over: Partial<BootMachine> = {}) =>
  uefiMachine({ grant, lastDecision: 'install', lastImage: '14.5.1-k-amd64', ...over });

interface Want {
  kind: Answer['kind'];
  events: string[];
  status?: number;
  record?: (m: BootMachine) => void;
}

const check = (a: Answer, want: Want) => {
  expect(a.kind).toBe(want.kind);
  expect(a.events.map((e) => e.type)).toEqual(want.events);
  if (a.kind === 'refuse') expect(a.error.status).toBe(want.status);
  if (a.kind === 'ok') {
    expect(a.record !== undefined).toBe(want.record !== undefined);
    if (a.record) want.record?.(a.record);
  }
};

describe('answerInstalled: the installer callback counts only with the nonce, from the decision IP', () => {
  const table: { name: string; m: BootMachine | undefined; ip: string; q: Record<string, string>; want: Want }[] = [
    {
      name: 'the decision IP with the nonce records the install and closes the grant',
      m: installing(),
      ip: IP,
      q: { nonce: grant.nonce, status: 'ok' },
      want: {
        kind: 'ok',
        events: ['boot.installed'],
        record: (r) => {
          expect(r.installedAt).toBe(T0);
          expect(r.installedVia).toBe('installer');
          expect(r.grant?.closedAt).toBe(T0);
        },
      },
    },
    {
      name: 'a machine that never reported is a 404 and nothing is recorded',
      m: undefined,
      ip: IP,
      q: { nonce: grant.nonce },
      want: { kind: 'refuse', events: [], status: 404 },
    },
    {
      name: 'no nonce is a 403 with a refused-callback event',
      m: installing(),
      ip: IP,
      q: {},
      want: { kind: 'refuse', events: ['boot.callback-refused'], status: 403 },
    },
    {
      name: 'the live nonce from another IP is refused and flagged as suspicious',
      m: installing(),
      ip: '10.0.0.66',
      q: { nonce: grant.nonce },
      want: { kind: 'refuse', events: ['boot.callback-refused', 'trust.suspicious'], status: 403 },
    },
    {
      name: 'a closed grant opens nothing',
      m: installing({ grant: { ...grant, closedAt: T0 - 10 } }),
      ip: IP,
      q: { nonce: grant.nonce },
      want: { kind: 'refuse', events: ['boot.callback-refused'], status: 403 },
    },
  ];
  for (const c of table) it(c.name, () => check(answerInstalled(c.m, MAC, c.ip, c.q, T0), c.want));

  it('the event carries only short copies of what the installer said', () => {
    const a = answerInstalled(installing(), MAC, IP, { nonce: grant.nonce, serial: 'x'.repeat(999) }, T0);
    const e = a.events[0];
    expect(e?.type).toBe('boot.installed');
    if (e?.type === 'boot.installed') expect(e.data.serial).toHaveLength(256);
  });
});

describe('answerBooting: the beacon is always an event, and recorded only for an install with its nonce', () => {
  const table: { name: string; m: BootMachine | undefined; ip: string; q: Record<string, string>; want: Want }[] = [
    {
      name: 'an install beacon with its nonce from the decision IP is recorded',
      m: installing(),
      ip: IP,
      q: { nonce: grant.nonce, stage: 'grub' },
      want: { kind: 'ok', events: ['boot.booting'], record: (r) => expect(r.bootingAt).toBe(T0) },
    },
    {
      name: 'a local-boot beacon (no nonce) changes nothing',
      m: installing(),
      ip: IP,
      q: { stage: 'local' },
      want: { kind: 'ok', events: ['boot.booting'] },
    },
    {
      name: 'a beacon from another IP changes nothing',
      m: installing(),
      ip: '10.0.0.66',
      q: { nonce: grant.nonce, stage: 'grub' },
      want: { kind: 'ok', events: ['boot.booting'] },
    },
    {
      name: 'a beacon for an unknown machine is only an event',
      m: undefined,
      ip: IP,
      q: { stage: 'x' },
      want: { kind: 'ok', events: ['boot.booting'] },
    },
  ];
  for (const c of table) it(c.name, () => check(answerBooting(c.m, MAC, c.ip, c.q, T0), c.want));
});

describe('answerPayloadServed: installer.iso in full to the decision IP uses the install up', () => {
  const iso = '14.5.1-k-amd64/installer.iso';
  const table: { name: string; m: BootMachine | undefined; path: string; ip: string; want: Want }[] = [
    {
      name: 'installer.iso to the decision IP marks the payload served and uses up a reinstall mark',
      m: installing({ reinstall: true }),
      path: iso,
      ip: IP,
      want: {
        kind: 'ok',
        events: ['boot.payload-served'],
        record: (r) => {
          expect(r.payloadServedAt).toBe(T0);
          expect(r.reinstall).toBe(false);
        },
      },
    },
    {
      name: 'to another IP it proves nothing',
      m: installing(),
      path: iso,
      ip: '10.0.0.66',
      want: { kind: 'ok', events: [] },
    },
    {
      name: 'another file is not the payload',
      m: installing(),
      path: '14.5.1-k-amd64/EFI/BOOT/BOOTX64.EFI',
      ip: IP,
      want: { kind: 'ok', events: [] },
    },
    {
      name: 'a machine told to boot local is not marked',
      m: installing({ lastDecision: 'local' }),
      path: iso,
      ip: IP,
      want: { kind: 'ok', events: [] },
    },
    {
      name: 'only the first full download counts',
      m: installing({ payloadServedAt: T0 - 5 }),
      path: iso,
      ip: IP,
      want: { kind: 'ok', events: [] },
    },
  ];
  for (const c of table) it(c.name, () => check(answerPayloadServed(c.m, c.path, c.ip, T0), c.want));
});

describe('answerConfigFetch and grantAt: the CONFIG goes to the decision IP only', () => {
  const held = { mac: MAC };
  const table: {
    name: string;
    held: { mac: string } | undefined;
    m: BootMachine | undefined;
    nonce: string;
    ip: string;
    now?: number;
    want: Want;
  }[] = [
    {
      name: 'the first fetch from the decision IP is allowed and starts the fetch window',
      held,
      m: installing(),
      nonce: grant.nonce,
      ip: IP,
      want: { kind: 'ok', events: [], record: (r) => expect(r.grant?.usedAt).toBe(T0) },
    },
    {
      name: 'a nonce nobody holds is refused',
      held: undefined,
      m: undefined,
      nonce: grant.nonce,
      ip: IP,
      want: { kind: 'refuse', events: ['boot.config-refused'], status: 403 },
    },
    {
      name: 'the live nonce from another IP is refused and flagged',
      held,
      m: installing(),
      nonce: grant.nonce,
      ip: '10.0.0.66',
      want: { kind: 'refuse', events: ['boot.config-refused', 'trust.suspicious'], status: 403 },
    },
    {
      name: 'after the fetch window the CONFIG is not handed out again',
      held,
      m: installing({ grant: { ...grant, usedAt: T0 } }),
      nonce: grant.nonce,
      ip: IP,
      now: T0 + CONFIG_FETCH_WINDOW_MS + 1,
      want: { kind: 'refuse', events: ['boot.config-refused', 'trust.suspicious'], status: 403 },
    },
  ];
  for (const c of table) {
    it(c.name, () => check(answerConfigFetch(c.held, c.m, c.nonce, c.ip, c.now ?? T0), c.want));
  }

  it('grantAt finds the live grant for its own IP only', () => {
    expect(grantAt(installing(), IP, T0)?.nonce).toBe(grant.nonce);
    expect(grantAt(installing(), '10.0.0.66', T0)).toBeUndefined();
    expect(grantAt(installing({ grant: { ...grant, closedAt: T0 - 1 } }), IP, T0)).toBeUndefined();
    expect(grantAt(undefined, IP, T0)).toBeUndefined();
  });
});

describe('answerInstallConfig: the CONFIG in installer.iso and /config.img goes to the decision IP (and nonce)', () => {
  const look = (m: BootMachine | undefined) => ({
    machine: (mac: string) => (m?.mac === mac ? m : undefined),
    held: (n: string) => (n === grant.nonce ? { mac: MAC } : undefined),
  });
  const q = { ip: IP, mac: MAC, nonce: undefined as string | undefined, withNonce: false, what: 'config.img', now: T0 };
  const table: {
    name: string;
    m: BootMachine | undefined;
    q: Partial<typeof q>;
    want: { kind: 'ok' | 'refuse'; events?: string[]; message?: RegExp };
  }[] = [
    {
      name: "GRUB's fixed name from the decision IP: the IP is the binding",
      m: installing(),
      q: {},
      want: { kind: 'ok' },
    },
    {
      name: 'the stand-in with its nonce from the decision IP',
      m: installing(),
      q: { withNonce: true, nonce: grant.nonce },
      want: { kind: 'ok' },
    },
    {
      name: 'the stand-in without its nonce is refused, saying so',
      m: installing(),
      q: { withNonce: true },
      want: { kind: 'refuse', events: ['boot.config-refused'], message: /nonce \(eveboot\.iso=\).*sent none/ },
    },
    {
      name: 'a guessed nonce from the decision IP is refused',
      m: installing(),
      q: { withNonce: true, nonce: 'C'.repeat(22) },
      want: { kind: 'refuse', events: ['boot.config-refused'], message: /not the one of 10\.0\.0\.5/ },
    },
    {
      name: 'an IP with no live decision is refused; a live nonce shown from there is flagged',
      m: installing(),
      q: { ip: '10.0.0.66', mac: undefined, nonce: grant.nonce },
      want: {
        kind: 'refuse',
        events: ['trust.suspicious', 'boot.config-refused'],
        message: /10\.0\.0\.66 is not being installed/,
      },
    },
    {
      name: 'a closed decision hands out nothing',
      m: installing({ grant: { ...grant, closedAt: T0 - 1 } }),
      q: {},
      want: { kind: 'refuse', events: ['boot.config-refused'] },
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const a = answerInstallConfig({ ...q, ...c.q }, look(c.m));
      expect(a.kind).toBe(c.want.kind);
      if (a.kind === 'ok') expect(a.nonce).toBe(grant.nonce);
      if (a.kind === 'refuse') {
        expect(a.events.map((e) => e.type)).toEqual(c.want.events);
        expect(a.error.status).toBe(403);
        if (c.want.message) expect(a.error.message).toMatch(c.want.message);
      }
    });
  }
});
