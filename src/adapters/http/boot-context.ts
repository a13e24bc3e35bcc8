// What every boot route module gets: the boot API's dependencies plus the state its routes share (which IP is
// which MAC, download progress, the CONFIGs held for live install decisions). A route module is
// `(app, ctx) => void` and registers one line per route; the decisions live in core/boot.
import type { FastifyInstance, FastifyReply, HTTPMethods } from 'fastify';
import type { Logger } from 'pino';
import { type Answer, answerPayloadServed } from '../../core/boot/callbacks.js';
import { normalizeMac } from '../../core/boot/identity.js';
import type { BootSite } from '../../core/boot/report.js';
import { EvebootError } from '../../core/errors.js';
import type { OnboardBinding } from '../../core/eve/onboard-admission.js';
import type { BootMachine, BootStore } from '../../ports/boot-store.js';
import type { Clock, Random } from '../../ports/clock.js';
import type { ImageStore } from '../image-store.js';
import { HeldConfigs } from './boot-configs.js';
import { type Emit, IpMacTable, ProgressMeter } from './boot-progress.js';

/** What goes into one decision's CONFIG besides the site's fixed parts. */
export interface ConfigContext {
  mac: string;
  serial?: string;
  credential: { certPem: string; keyPem: string };
}

export interface BootApiDeps {
  bootStore: BootStore;
  images: ImageStore;
  /** `<ip>:<port>` where machines reach this API (IP literal: firmware may have no DNS). */
  httpServer: string;
  controller: string;
  site: () => BootSite;
  onboarded?: (m: BootMachine) => string | undefined;
  /** The IP our DHCP server leased this MAC, if it did. */
  leaseOf?: (mac: string) => string | undefined;
  /** Our DHCP server is the site's (full mode): a report for a MAC we never leased to is refused. */
  leaseRequired?: boolean;
  issueOnboarding: (b: OnboardBinding) => Promise<{ certPem: string; keyPem: string; certHash: string }>;
  /** The CONFIG partition image for one install decision (FAT, label CONFIG, 5120 KiB: spliced into installer.iso). */
  configImageFor: (ctx: ConfigContext) => Uint8Array;
  random: Random;
  emit: Emit;
  clock: Clock;
  /** Shared with the DHCP server's lease events, so downloads are attributed before the first report. */
  ipMacs?: IpMacTable;
  logger: Logger;
  /** More route modules on the same server, after the boot routes (e.g. a workload datastore, an OCI registry). */
  routes?: BootRoutes[];
}

export interface BootContext extends BootApiDeps {
  /** http://<httpServer> */
  base: string;
  ipMacs: IpMacTable;
  meter: ProgressMeter;
  configs: HeldConfigs;
  log: Logger;
  /** Stores a core answer's record and emits its events; a refusal then throws its coded error. */
  apply(a: Answer): void;
}

export type BootRoutes = (app: FastifyInstance, ctx: BootContext) => void;

export function bootContext(deps: BootApiDeps): BootContext {
  const apply = (a: Answer) => {
    if (a.kind === 'ok' && a.record) deps.bootStore.put(a.record);
    for (const e of a.events) deps.emit(e);
    if (a.kind === 'refuse') throw a.error;
  };
  const meter = new ProgressMeter(deps.emit, deps.clock, (mac, path, ip) =>
    apply(answerPayloadServed(deps.bootStore.machine(mac), path, ip, deps.clock.now())),
  );
  return {
    ...deps,
    base: `http://${deps.httpServer}`,
    ipMacs: deps.ipMacs ?? new IpMacTable(),
    meter,
    configs: new HeldConfigs(),
    log: deps.logger.child({ subsystem: 'boot' }),
    apply,
  };
}

export function macParam(raw: unknown): string {
  const mac = normalizeMac(typeof raw === 'string' ? raw : undefined);
  if (!mac) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'mac must be a MAC address like 52:54:00:12:34:56');
  return mac;
}

/** Files answer HEAD like GET (headers only). */
export const GET: HTTPMethods[] = ['GET', 'HEAD'];

export const text = (reply: FastifyReply, body: string) =>
  reply.header('content-type', 'text/plain; charset=utf-8').send(body);
