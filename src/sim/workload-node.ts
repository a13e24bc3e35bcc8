// One simulated node's workload side, as EVE's volumemgr, zedrouter, zedmanager and zedagent behave in cluster
// mode (eve-workloads-facts §4.1, §6): every node creates every NI and reports it; content trees are downloaded
// by the designated node only, except CONTAINER which every node downloads; a non-designated node reports other
// content DELIVERED without downloading and its volumes CREATED_VOLUME early; ZInfoApp comes only from the node
// the app's pod runs on, or from the designated node while no pod exists (§6.1). Each step returns the info
// messages whose content changed, as zedagent publishes on change.

import { toJsonString } from '@bufbuild/protobuf';
import { SHARED_PORT_LABELS } from '../core/workloads/checks.js';
import { AffinityType, type AppInstanceConfig } from '../gen/config/appconfig_pb.js';
import type { EdgeDevConfig } from '../gen/config/devconfig_pb.js';
import { ZNetworkInstType } from '../gen/config/netinst_pb.js';
import { type ContentTree, Format } from '../gen/config/storage_pb.js';
import { VmMode } from '../gen/config/vm_pb.js';
import { type ZInfoMsg, ZInfoMsgSchema, ZSwState } from '../gen/info/info_pb.js';
import { fetchContent } from './content-fetch.js';
import type { SchedApp } from './k3s-scheduler.js';
import { niAddresses, vifMac } from './workload-config.js';
import {
  appInfo,
  type ContentStatus,
  contentTreeInfo,
  deletedInfo,
  type NiStatus,
  networkInstanceInfo,
  type VolumeStatus,
  volumeInfo,
} from './workload-info.js';

/** What the cluster (the K3s stand-in's scheduler) says about an app. */
export interface ClusterApps {
  /** K8s node name the app's replica runs on, if it runs. */
  runningOn(appUuid: string): string | undefined;
  exists(appUuid: string): boolean;
}

export interface WorkloadNodeOptions {
  uuid: () => string;
  /** This node's K8s node name. */
  nodeName: () => string;
  /** Its ports: logical label → MAC (an NI on a label the node lacks is an error, §2.5). */
  ports: () => Record<string, string>;
  /** Download retry after an error (EVE: timer.download.retry, 600 s). */
  retryMs?: number;
  log?: (m: string) => void;
}

/** DNID empty or our own UUID: this node is designated (§4.1). */
const designated = (dnid: string, me: string) => dnid === '' || dnid === me;

export class WorkloadNode {
  private readonly content = new Map<string, ContentStatus & { busy?: boolean; retryAt?: number; fetched?: boolean }>();
  private readonly volumes = new Map<string, VolumeStatus>();
  private readonly nis = new Map<string, NiStatus>();
  private readonly boots = new Map<string, number>();
  private readonly sent = new Map<string, string>();
  /** Every workload object of the last config, by `<info case>/<uuid>` (value: the NI version). */
  private known = new Map<string, string>();

  constructor(private readonly o: WorkloadNodeOptions) {}

  /** The apps of a config as the scheduler sees them. */
  static schedApps(config: EdgeDevConfig | undefined, nodeNameOf: (uuid: string) => string): SchedApp[] {
    return (config?.apps ?? []).map((a) => ({
      uuid: a.uuidandversion?.uuid ?? '',
      name: a.displayname,
      dnidNode: nodeNameOf(a.designatedNodeId),
      affinity: a.affinity === AffinityType.REQUIRED ? 'required' : 'preferred',
      nohyper: a.fixedresources?.virtualizationMode === VmMode.NOHYPER,
    }));
  }

  /** The designated node has what it needs to create the app's replica set: all its volumes created. */
  readyToCreate(config: EdgeDevConfig | undefined, appUuid: string): boolean {
    const app = config?.apps.find((a) => a.uuidandversion?.uuid === appUuid);
    if (!app || !designated(app.designatedNodeId, this.o.uuid()) || !app.activate) return false;
    return app.volumeRefList.every((r) => this.volumes.get(r.uuid)?.state === ZSwState.CREATED_VOLUME);
  }

  step(config: EdgeDevConfig | undefined, cluster: ClusterApps, now: number): ZInfoMsg[] {
    if (!config) return [];
    const out: ZInfoMsg[] = [];
    const me = this.o.uuid();
    for (const ni of config.networkInstances) out.push(networkInstanceInfo(ni, this.niStep(config, ni, cluster, now)));
    for (const ct of config.contentInfo) out.push(contentTreeInfo(ct, this.contentStep(config, ct, now)));
    for (const v of config.volumes) {
      const refs = config.apps.filter((a) => a.volumeRefList.some((r) => r.uuid === v.uuid)).length;
      const prev = this.volumes.get(v.uuid) ?? {
        state: ZSwState.INITIAL,
        progress: 0,
        refCount: refs,
        refChangedAt: now,
        createdAt: now,
      };
      const origin = v.origin?.downloadContentTreeID;
      const contentReady = !origin || this.content.get(origin)?.state === ZSwState.DELIVERED;
      let next: VolumeStatus = prev;
      if (prev.state === ZSwState.INITIAL && (contentReady || !designated(v.designatedNodeId, me))) {
        next = { ...prev, state: ZSwState.CREATING_VOLUME };
      } else if (prev.state === ZSwState.CREATING_VOLUME) {
        const size =
          Number(v.maxsizebytes) || Number(config.contentInfo.find((c) => c.uuid === origin)?.maxSizeBytes ?? 0n);
        next = {
          ...prev,
          state: ZSwState.CREATED_VOLUME,
          progress: 100,
          // Only the designated node's report reflects the real PVC (§6.2).
          ...(designated(v.designatedNodeId, me) ? { resources: { maxSizeBytes: size, curSizeBytes: size } } : {}),
        };
      }
      this.volumes.set(v.uuid, next);
      out.push(volumeInfo(v, next));
    }
    for (const app of config.apps) {
      const msg = this.appStep(app, cluster, now);
      if (msg) out.push(msg);
    }
    return [...out.filter((m) => this.changed(m)), ...this.removed(config)];
  }

  /** Objects that left the config: every node had them, every node says so once (identity only). */
  private removed(config: EdgeDevConfig): ZInfoMsg[] {
    const now = new Map<string, string>([
      ...config.networkInstances.map((n): [string, string] => [
        `niinfo/${n.uuidandversion?.uuid}`,
        n.uuidandversion?.version ?? '',
      ]),
      ...config.contentInfo.map((c): [string, string] => [`cinfo/${c.uuid}`, '']),
      ...config.volumes.map((v): [string, string] => [`vinfo/${v.uuid}`, '']),
      ...config.apps.map((a): [string, string] => [`ainfo/${a.uuidandversion?.uuid}`, '']),
    ]);
    const gone = [...this.known].filter(([key]) => !now.has(key));
    this.known = now;
    return gone.map(([key, version]) => {
      this.sent.delete(key);
      const [kind, uuid] = key.split('/') as ['ainfo' | 'vinfo' | 'cinfo' | 'niinfo', string];
      return deletedInfo(kind, uuid, version);
    });
  }

  private changed(m: ZInfoMsg): boolean {
    const c = m.InfoContent;
    const key = `${c.case}/${c.case === 'ainfo' ? c.value.AppID : c.case === 'niinfo' ? c.value.networkID : (c.value as { uuid: string }).uuid}`;
    const json = toJsonString(ZInfoMsgSchema, m);
    if (this.sent.get(key) === json) return false;
    this.sent.set(key, json);
    return true;
  }

  private niStep(
    config: EdgeDevConfig,
    ni: EdgeDevConfig['networkInstances'][number],
    cluster: ClusterApps,
    now: number,
  ): NiStatus {
    const uuid = ni.uuidandversion?.uuid ?? '';
    const index = config.networkInstances.indexOf(ni) + 1;
    const label = ni.port?.name ?? '';
    const ports = this.o.ports();
    // A shared label (uplink, freeuplink, all) names the node's management ports, which EVE labels itself
    // (eve-workloads-facts §2.5); the simulated node's first port is its management port.
    const mac = SHARED_PORT_LABELS.includes(label) ? Object.values(ports)[0] : ports[label];
    const prev = this.nis.get(uuid);
    const local = ni.instType === ZNetworkInstType.ZnetInstLocal;
    const addr = local ? niAddresses(ni.ip?.subnet ?? '', ni.ip?.gateway ?? '') : undefined;
    const here = config.apps.filter((a) => this.runsHere(a, cluster));
    const vifs = here.flatMap((a, k) =>
      a.interfaces
        .filter((i) => i.networkId === uuid)
        .map((_, j) => ({
          name: `nbu${index}x${k + 1}${j ? `.${j}` : ''}`,
          mac: vifMac(a.uuidandversion?.uuid ?? '', index),
          appId: a.uuidandversion?.uuid ?? '',
          ...(addr ? { ip: addr.lease(k) } : {}),
        })),
    );
    const s: NiStatus = {
      activated: prev !== undefined && mac !== undefined && ni.activate,
      changeInProgress: prev === undefined,
      ...(mac ? { port: { label, mac } } : {}),
      bridgeNum: index,
      ...(addr ? { bridgeIp: addr.gateway, subnet: addr.subnet } : {}),
      mtu: ni.mtu || 1500,
      vifs,
      ...(label && !mac ? { error: { description: `no port is matching label ${label}`, at: now } } : {}),
    };
    this.nis.set(uuid, s);
    return s;
  }

  private contentStep(config: EdgeDevConfig, ct: ContentTree, now: number): ContentStatus {
    const me = this.o.uuid();
    // CONTAINER content is downloaded on every node (ZA handlecontent.go:111-113).
    const local = ct.iformat === Format.CONTAINER || designated(ct.designatedNodeId, me);
    const prev = this.content.get(ct.uuid);
    if (!local) {
      const s = prev ?? { state: ZSwState.DELIVERED, totalBytes: 0, progress: 0, blobs: [], createdAt: now };
      this.content.set(ct.uuid, s);
      return s;
    }
    if (!prev) {
      // createContentTreeStatus publishes INITIAL before anything is fetched.
      const s = {
        state: ZSwState.INITIAL,
        totalBytes: Number(ct.maxSizeBytes),
        progress: 0,
        blobs: [],
        createdAt: now,
      };
      this.content.set(ct.uuid, s);
      return { ...s };
    }
    const s = prev;
    // Once fetched: VERIFYING → VERIFIED → LOADING → DELIVERED, one publication each.
    const after: Partial<Record<ZSwState, ZSwState>> = {
      [ZSwState.VERIFYING]: ZSwState.VERIFIED,
      [ZSwState.VERIFIED]: ZSwState.LOADING,
      [ZSwState.LOADING]: ZSwState.DELIVERED,
    };
    if (s.fetched) {
      // The verifier starts on the next publication after the last byte (VM/ updatestatus.go).
      s.fetched = false;
      s.state = ZSwState.VERIFYING;
      return { ...s };
    }
    const next = after[s.state];
    if (next !== undefined) {
      s.state = next;
      return { ...s };
    }
    const start = s.state === ZSwState.INITIAL || (s.state === ZSwState.ERROR && now >= (s.retryAt ?? 0));
    if (start && !s.busy) this.download(config, ct, s, now);
    return { ...s };
  }

  private download(
    config: EdgeDevConfig,
    ct: ContentTree,
    s: ContentStatus & { busy?: boolean; retryAt?: number; fetched?: boolean },
    now: number,
  ): void {
    const dsId = ct.dsIdsList[0] ?? ct.dsId;
    const ds = config.datastores.find((d) => d.id === dsId);
    // Content waits, without an error, until its datastore is in the config (VM/ handlecontent.go:175-199).
    if (!ds) return;
    s.busy = true;
    s.state = ZSwState.DOWNLOAD_STARTED;
    delete s.error;
    void fetchContent(ds, ct, (p) => {
      s.totalBytes = p.total;
      s.blobs = p.blobs;
      s.progress = p.total > 0 ? Math.min(100, Math.floor((100 * p.current) / p.total)) : 0;
    }).then((r) => {
      s.busy = false;
      if (r.ok) {
        s.blobs = r.blobs;
        s.totalBytes = r.bytes;
        s.progress = 100;
        s.fetched = true;
        return;
      }
      this.o.log?.(`content ${ct.displayName}: ${r.error}`);
      s.state = ZSwState.ERROR;
      s.error = { description: r.error, at: Date.now() };
      s.retryAt = now + (this.o.retryMs ?? 600_000);
    });
  }

  private runsHere(app: AppInstanceConfig, cluster: ClusterApps): boolean {
    return cluster.runningOn(app.uuidandversion?.uuid ?? '') === this.o.nodeName();
  }

  private appStep(app: AppInstanceConfig, cluster: ClusterApps, now: number): ZInfoMsg | undefined {
    const uuid = app.uuidandversion?.uuid ?? '';
    const here = this.runsHere(app, cluster);
    // Suppressed nodes send nothing at all (NoUploadStatsToController, §6.1).
    if (!here && !(designated(app.designatedNodeId, this.o.uuid()) && !cluster.exists(uuid))) {
      this.boots.delete(uuid);
      return undefined;
    }
    const res = app.fixedresources;
    // zedmanager refuses zero memory or vCPUs (ZM zedmanager.go:1302-1309).
    const invalid = !res?.memory ? 'Invalid Memory Size - 0' : !res.vcpus ? 'Invalid Cpu count - 0' : undefined;
    if (invalid)
      return appInfo(app, {
        state: ZSwState.ERROR,
        activated: false,
        interfaces: [],
        error: { description: invalid, at: now },
      });
    if (here && !this.boots.has(uuid)) this.boots.set(uuid, now);
    const volumes = app.volumeRefList.map((r) => this.volumes.get(r.uuid)?.state);
    const state = here
      ? ZSwState.RUNNING
      : volumes.some((v) => v !== ZSwState.CREATED_VOLUME)
        ? ZSwState.CREATING_VOLUME
        : ZSwState.SCHEDULING;
    const interfaces = app.interfaces.map((i) => {
      const ni = this.nis.get(i.networkId);
      const vif = ni?.vifs.find((v) => v.appId === uuid);
      return {
        vif: vif?.name ?? '',
        mac: vif?.mac ?? '',
        ...(vif?.ip ? { ip: vif.ip } : {}),
        ...(ni?.bridgeIp ? { gateway: ni.bridgeIp } : {}),
        dns: ni?.bridgeIp ? [ni.bridgeIp] : [],
        ntp: [],
      };
    });
    const boot = this.boots.get(uuid);
    return appInfo(app, {
      state,
      activated: here,
      ...(boot !== undefined ? { bootTime: boot } : {}),
      interfaces: here ? interfaces : [],
    });
  }
}
