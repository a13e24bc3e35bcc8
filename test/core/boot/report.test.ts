import { describe, expect, it } from 'vitest';
import { mintGrant } from '../../../src/core/boot/grant.js';
import { answerReport, type BootSite, type ReportFacts } from '../../../src/core/boot/report.js';
import { EvebootError } from '../../../src/core/errors.js';
import type { BootMachine } from '../../../src/ports/boot-store.js';
import { eveNetbootImage, standInImage, uefiMachine } from './images.js';

const MAC = '52:54:00:99:00:10';
const IP = '10.0.0.5';
const T0 = 5_000_000;
const site: BootSite = {
  nodes: [{ serial: 'SN-A', name: 'node-a' }],
  policy: { localBoot: 'exit', unknownMachines: 'ignore' },
  installArgs: ['eve_install_disk=sda'],
};
const query = (over: Record<string, string> = {}) => ({
  mac: MAC,
  uuid: '8c9b5e7a-1f2d-4c3b-9a8e-0123456789ab',
  serial: 'SN-A',
  buildarch: 'x86_64',
  platform: 'efi',
  net0: `${MAC},up`,
  ...over,
});
const grantTo = (ip: string, byte = 7) =>
  mintGrant({ random16: new Uint8Array(16).fill(byte), mac: MAC, ip, now: T0 - 1000 });
const NEW_NONCE = Buffer.from(new Uint8Array(16).fill(1)).toString('base64url');

interface Case {
  name: string;
  query?: Record<string, string>;
  ip?: string;
  stored?: BootMachine;
  facts?: Partial<ReportFacts>;
  want: {
    decision: string;
    reason?: RegExp;
    recorded: boolean;
    events: string[];
    script: RegExp;
    withdrawn?: string[];
    nonce?: string;
    attributed?: boolean;
  };
}

const table: Case[] = [
  {
    name: 'a listed UEFI machine seen for the first time gets an install decision with a fresh nonce in its script',
    want: {
      decision: 'install',
      reason: /site node node-a.*install 14\.5\.1-k-amd64/,
      recorded: true,
      events: ['boot.report', 'boot.decision'],
      script: new RegExp(`nonce=${NEW_NONCE}`),
      nonce: NEW_NONCE,
      attributed: true,
    },
  },
  {
    name: 'a new install decision withdraws the CONFIG of the last one',
    stored: uefiMachine({ grant: grantTo(IP), ip: IP }),
    want: {
      decision: 'install',
      recorded: true,
      events: ['boot.report', 'boot.decision'],
      script: /chain/,
      withdrawn: [grantTo(IP).nonce],
      nonce: NEW_NONCE,
      attributed: true,
    },
  },
  {
    name: 'an installed machine boots local, and nothing is minted',
    stored: uefiMachine({ installedAt: T0 - 10, installedVia: 'installer' }),
    want: {
      decision: 'local',
      recorded: true,
      events: ['boot.report', 'boot.decision'],
      script: /exit/,
      attributed: true,
    },
  },
  {
    name: 'a machine not in the site file is ignored (the script says why)',
    query: query({ serial: 'SN-X' }),
    want: {
      decision: 'ignore',
      reason: /not in the site file/,
      recorded: true,
      events: ['boot.report', 'boot.decision'],
      script: /not in the site file/,
      attributed: true,
    },
  },
  {
    name: 'with our DHCP serving the site, a MAC we never leased is refused: nothing recorded, the script holds',
    facts: { leaseRequired: true },
    want: {
      decision: 'hold',
      reason: /never got a DHCP lease/,
      recorded: false,
      events: ['trust.suspicious'],
      script: /exit/,
    },
  },
  {
    name: 'a report from another IP than the live install decision raises a conflict and withdraws that decision',
    ip: '10.0.0.66',
    stored: uefiMachine({ grant: grantTo(IP), ip: IP }),
    want: {
      decision: 'hold',
      reason: /install decision went to 10\.0\.0\.5: held for the operator/,
      recorded: true,
      events: ['trust.conflict', 'boot.report', 'boot.decision'],
      script: /exit/,
      withdrawn: [grantTo(IP).nonce],
    },
  },
  {
    name: 'the kernel stand-in gets its cmdline with the controller, the site installer words and the nonce',
    facts: { images: [standInImage()] },
    want: {
      decision: 'install',
      recorded: true,
      events: ['boot.report', 'boot.decision'],
      script: new RegExp(`eve_install_server=10\\.99\\.0\\.1:8443 eve_install_disk=sda.*nonce=${NEW_NONCE}`),
      nonce: NEW_NONCE,
      attributed: true,
    },
  },
];

function facts(stored: BootMachine | undefined, over: Partial<ReportFacts> = {}): ReportFacts {
  return {
    site,
    images: [eveNetbootImage()],
    base: 'http://10.99.0.1:8080',
    controller: '10.99.0.1:8443',
    machine: (mac) => (stored?.mac === mac ? stored : undefined),
    leaseOf: () => undefined,
    leaseRequired: false,
    onboarded: () => undefined,
    random16: () => new Uint8Array(16).fill(1),
    now: T0,
    ...over,
  };
}

describe('answerReport: identity → claim check → decision → script', () => {
  for (const c of table) {
    it(c.name, () => {
      const a = answerReport(c.query ?? query(), c.ip ?? IP, facts(c.stored, c.facts));
      expect(a.decision.kind).toBe(c.want.decision);
      if (c.want.reason) expect(a.decision.reason).toMatch(c.want.reason);
      expect(a.record !== undefined).toBe(c.want.recorded);
      if (a.record) expect(a.record.lastDecision).toBe(c.want.decision);
      expect(a.events.map((e) => e.type)).toEqual(c.want.events);
      expect(a.script).toMatch(c.want.script);
      expect(a.withdrawn).toEqual(c.want.withdrawn ?? []);
      expect(a.grant?.nonce).toBe(c.want.nonce);
      if (c.want.nonce) expect(a.record?.grant?.nonce).toBe(c.want.nonce);
      expect(a.attributed).toBe(c.want.attributed ?? false);
    });
  }

  it('a conflict withdrawn decision is closed in the record, and an already open conflict is not raised again', () => {
    const first = answerReport(query(), '10.0.0.66', facts(uefiMachine({ grant: grantTo(IP), ip: IP })));
    expect(first.raised?.kind).toBe('mac-ip');
    expect(first.record?.grant?.closedAt).toBe(T0);
    const again = answerReport(query(), '10.0.0.66', facts(first.record));
    expect(again.decision.kind).toBe('hold');
    expect(again.raised).toBeUndefined();
    expect(again.events.map((e) => e.type)).toEqual(['boot.report', 'boot.decision']);
  });

  it('randomness is drawn only for an install decision', () => {
    let drawn = 0;
    const random16 = () => {
      drawn++;
      return new Uint8Array(16);
    };
    answerReport(query({ serial: 'SN-X' }), IP, facts(undefined, { random16 }));
    expect(drawn).toBe(0);
    answerReport(query(), IP, facts(undefined, { random16 }));
    expect(drawn).toBe(1);
  });

  it('a report without a usable MAC is a coded 400, not a record', () => {
    for (const mac of ['', 'nope', '52:54:00:99:00']) {
      const err = (() => {
        try {
          answerReport(query({ mac }), IP, facts(undefined));
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(EvebootError);
      expect((err as EvebootError).status).toBe(400);
    }
  });
});
