// GET /boot/report, decided: the identity an iPXE script reports → second-claimant check → boot decision → the
// decision script. Pure: the stored record, the lease and the onboarding state come in as lookups, time as `now`,
// randomness as a function called only for an install decision. The adapter (adapters/http/boot-report-route.ts)
// stores the record, issues the install's onboarding credential, holds its CONFIG and emits the events.
import type { BootMachine } from '../../ports/boot-store.js';
import type { NetbootEvent } from '../../ports/events.js';
import { EvebootError } from '../errors.js';
import { type Conflict, checkBootClaim } from './claims.js';
import {
  type BootDecision,
  type BootPolicy,
  decideBoot,
  type Known,
  matchSiteNode,
  type SiteNodeRef,
} from './decide.js';
import { type ConfigGrant, mintGrant } from './grant.js';
import { normalizeMac, parseIdentity, recordDecision, recordReport } from './identity.js';
import { renderBootScript, standInKernelArgs } from './ipxe-script.js';
import type { ImageManifest } from './manifest.js';

export interface BootSite {
  nodes: SiteNodeRef[];
  policy: BootPolicy;
  /** Installer options from the site (eve_install_disk=…, …), see installerArgs(). */
  installArgs: string[];
}

export interface ReportFacts {
  site: BootSite;
  images: ImageManifest[];
  /** http://<ip>:<port> of the boot API. */
  base: string;
  /** `host:port` of the EVE controller (kernel stand-in cmdline). */
  controller: string;
  machine: (mac: string) => BootMachine | undefined;
  /** The IP our DHCP server leased this MAC, if it did. */
  leaseOf: (mac: string) => string | undefined;
  /** Our DHCP server is the site's (full mode): a report for a MAC we never leased to is refused. */
  leaseRequired: boolean;
  /** Serial of the onboarded controller device matching this machine, if any. */
  onboarded: (m: BootMachine) => string | undefined;
  /** 16 random bytes for an install grant's nonce. */
  random16: () => Uint8Array;
  now: number;
}

/** What the boot side records (ports/events.ts). */
export type BootEvent = NetbootEvent;

export interface ReportAnswer {
  mac: string;
  ip: string;
  /** The MAC's record before this report. */
  prev: BootMachine | undefined;
  /** The record to store; undefined when the report is refused (nothing is recorded). */
  record: BootMachine | undefined;
  decision: BootDecision;
  /** The report came from the MAC's rightful IP: downloads from this IP count for this MAC. */
  attributed: boolean;
  /** Nonces whose held CONFIG no longer opens anything (superseded or withdrawn). */
  withdrawn: string[];
  /** An install decision's new grant: its onboarding credential is issued and its CONFIG held under the nonce. */
  grant?: ConfigGrant;
  /** A conflict this report raised (not one already open). */
  raised?: Conflict;
  /** In order: what happened, for the event log. */
  events: BootEvent[];
  script: string;
}

type Query = Record<string, string | string[] | undefined>;

export function answerReport(query: Query, ip: string, f: ReportFacts): ReportAnswer {
  const raw = query.mac;
  const mac = normalizeMac(Array.isArray(raw) ? raw[0] : raw);
  if (!mac) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'mac must be a MAC address like 52:54:00:12:34:56');
  const { now, site } = f;
  const prev = f.machine(mac);
  let m = recordReport(prev, mac, parseIdentity(query), ip, now);
  const known = matchSiteNode(site.nodes, m);
  const claim = checkBootClaim({
    machine: prev,
    mac,
    ip,
    leaseIp: f.leaseOf(mac),
    leaseRequired: f.leaseRequired,
    now,
  });
  const base = { mac, ip, prev, withdrawn: [] as string[], attributed: false };

  if (claim.kind === 'refuse') {
    // Nothing recorded: a stranger's words must not change the record of the machine it names.
    const decision: BootDecision = { kind: 'hold', method: site.policy.localBoot, reason: claim.reason };
    return {
      ...base,
      record: undefined,
      decision,
      events: [{ type: 'trust.suspicious', node: known.name, data: { mac, ip, reason: claim.reason } }],
      script: renderBootScript({ base: f.base, mac, decision }),
    };
  }

  const events: BootEvent[] = [];
  let d: BootDecision;
  let raised: Conflict | undefined;
  if (claim.kind === 'conflict') {
    const c = claim.conflict;
    if (prev?.conflict !== c) {
      raised = c;
      events.push({ type: 'trust.conflict', node: known.name, data: { ...c } });
    }
    // The live decision is withdrawn: its nonce no longer opens anything, for either claimant.
    if (prev?.grant) base.withdrawn.push(prev.grant.nonce);
    m = { ...m, conflict: c, ...(m.grant ? { grant: { ...m.grant, closedAt: m.grant.closedAt ?? now } } : {}) };
    d = { kind: 'hold', method: site.policy.localBoot, reason: `${c.reason}: held for the operator` };
  } else {
    base.attributed = true;
    d = decideBoot({ machine: m, known, onboarded: f.onboarded(m), images: f.images, policy: site.policy });
  }
  m = recordDecision(m, { kind: d.kind, reason: d.reason, image: d.kind === 'install' ? d.image : undefined });

  let grant: ConfigGrant | undefined;
  if (d.kind === 'install') {
    // A new install decision supersedes the last one: its nonce opens nothing any more.
    if (m.grant) base.withdrawn.push(m.grant.nonce);
    grant = mintGrant({ random16: f.random16(), mac, ip, now });
    m = { ...m, grant };
  }
  events.push(reportEvent(m, ip, known), decisionEvent(mac, d, known));
  return {
    ...base,
    record: m,
    decision: d,
    grant,
    raised,
    events,
    script: decisionScript(f, mac, d, grant?.nonce),
  };
}

function reportEvent(m: BootMachine, ip: string, known: Known): BootEvent {
  const id = m.identity;
  return {
    type: 'boot.report',
    node: known.name,
    data: {
      mac: m.mac,
      ip,
      uuid: id.uuid,
      serial: id.serial,
      buildarch: id.buildarch,
      platform: id.platform,
      nics: id.nics,
    },
  };
}

function decisionEvent(mac: string, d: BootDecision, known: Known): BootEvent {
  const image = d.kind === 'install' ? d.image.id : undefined;
  return { type: 'boot.decision', node: known.name, data: { mac, decision: d.kind, reason: d.reason, image } };
}

function decisionScript(f: ReportFacts, mac: string, d: BootDecision, nonce: string | undefined): string {
  const kernelArgs =
    d.kind === 'install' && d.image.boot.mode === 'kernel'
      ? standInKernelArgs({
          base: f.base,
          mac,
          controller: f.controller,
          installArgs: f.site.installArgs,
          imageId: d.image.id,
          nonce,
        })
      : undefined;
  return renderBootScript({ base: f.base, mac, decision: d, kernelArgs, nonce });
}
