// Simulated EVE nodes for every node of a site or line manifest, as the demo and the factory rehearsal run
// them: each onboards over the real API, gets its sealed token, and runs a K3s stand-in whose cluster IP maps to
// loopback ports (rehearsalMaps), so the appliance's readiness watcher probes real servers.
import type { OnboardIssuer } from '../adapters/onboard-issuer.js';
import { createSoftTpm } from '../adapters/soft-tpm.js';
import type { ClusterSpec, Site } from '../config/site.js';
import { softSerialOf } from '../core/boot/identity.js';
import { readFile } from '../core/disk/fat-read.js';
import type { NicObservation } from '../core/plan/inventory.js';
import { k8sNodeName } from '../core/readiness/members.js';
import type { EdgeDevConfig } from '../gen/config/devconfig_pb.js';
import type { ZInfoMsg } from '../gen/info/info_pb.js';
import { createAsyncLock } from './dhcp-client.js';
import { SimDevice } from './eve-device.js';
import { K3sFleet, LoopbackMap } from './k3s-fleet.js';
import { type NetbootResult, netbootSimNode, onboardingFrom, simSmbiosUuid } from './sim-firmware.js';
import { type SimNic, standardNics, topology } from './sim-info.js';
import { runSimNode } from './sim-node.js';
import { WorkloadNode } from './workload-node.js';

export type Failure = 'seed' | 'node2' | 'quorum' | 'cable';

/**
 * The seed story, scaled for the demo (its site sets seedTimeoutSeconds: 10): the first seed powers off as soon as
 * it has its cluster config, and the nodes stay single-node (EVE-k's first boot) long enough for the appliance
 * to see the seed silent, nothing in cluster mode and no etcd member, and move the seed. The old seed comes back
 * later and joins the new one.
 */
export const SEED_STORY = { seedOutageMs: 35_000, clusterModeDelayMs: 25_000 };

/** Cluster k's three first hosts map to loopback ports base+500+8k (6443) and the next one (12346). */
export function rehearsalMaps(specs: ClusterSpec[], base: number): LoopbackMap[] {
  return specs.map((c, k) => {
    const [ip] = c.prefix.split('/') as [string];
    const o = ip.split('.').map(Number);
    const hosts = [1, 2, 3].map((h) => `${o[0]}.${o[1]}.${o[2]}.${(o[3] ?? 0) + h}`);
    return LoopbackMap.fixed(hosts, base + 500 + 8 * k);
  });
}

export function combinedRoute(maps: LoopbackMap[]) {
  return (ip: string, port: number) => {
    for (const m of maps) {
      const r = m.route(ip, port);
      if (r.port !== 1) return r;
    }
    return { host: '127.0.0.1', port: 1 };
  };
}

export interface SiteFleetOptions {
  site: Site;
  specs: ClusterSpec[];
  maps: LoopbackMap[];
  server: string;
  /** The root CA the nodes trust, and the issuer of a per-medium onboarding credential for nodes that do not
   *  netboot (installed from a USB stick); netbooted nodes onboard with the credential from their CONFIG. */
  pki: { rootCaPem: string; issue: OnboardIssuer };
  pollMs: number;
  /** Which cluster (index) gets the injected failure. */
  failure?: { kind: Failure; cluster: number };
  /** Network-boot each node first (DHCP, TFTP, iPXE over HTTP, stand-in installer) against these loopback ports. */
  netboot?: { dhcpPort: number; tftpPort: number; httpPort: number; rateBytesPerSec?: number };
  /** The simulator's cabling, for an in-process appliance (rehearsal evidence); omitted for a separate process. */
  observe?: (obs: NicObservation[]) => void;
  log?: (who: string, msg: string) => void;
}

export interface SiteFleet {
  stop(): Promise<void>;
  /** Stops a node's K3s stand-in (the node2 failure story). */
  nodeDown(cluster: string, name: string): Promise<void>;
}

export function startSiteFleet(o: SiteFleetOptions): SiteFleet {
  const abort = new AbortController();
  const fleets = new Map<string, K3sFleet>();
  const fleetOf = (cluster: string) => [...fleets.entries()].find(([key]) => key.startsWith(`${cluster}|`))?.[1];
  const dhcpLock = createAsyncLock();
  // Each node's workload side and its latest config, per cluster: the designated node's state tells the
  // scheduler when an app's replica set can be created.
  const workloadSides = new Map<string, { node: WorkloadNode; device: SimDevice }[]>();
  const tasks = o.specs.flatMap((spec, k) =>
    spec.nodes.map((node, i) => {
      const fail = o.failure?.cluster === k ? o.failure.kind : undefined;
      // The cable story: node 2's cluster port is unplugged and its site port sits on another VLAN, so no port
      // is shared by all three nodes.
      const cut = fail === 'cable' && i === 1;
      const nics = standardNics(k * 3 + i + 1, { cableEth1: !cut }).map((nic) =>
        cut && nic.ifname === 'eth0'
          ? { ...nic, ipv4: '192.168.78.12', subnet: '192.168.78.0/24', segment: 'other-vlan' }
          : nic,
      );
      o.observe?.(topology(nics));
      const who = node.name ?? node.serial ?? '?';
      const boot = async (): Promise<NetbootResult | undefined> => {
        // The cut node sits on another VLAN: it cannot PXE-boot from us (think: installed from a USB stick).
        if (!o.netboot || cut) return undefined;
        try {
          return await netbootSimNode({
            mac: nics[0]!.mac,
            serial: node.serial ?? '',
            smbiosUuid: simSmbiosUuid(node.serial ?? who),
            nics: nics.map((n) => ({ mac: n.mac, up: n.up })),
            server: '127.0.0.1',
            ...o.netboot,
            dhcpLock,
            signal: abort.signal,
            log: (m) => o.log?.(who, m),
          });
        } catch (e) {
          if (!abort.signal.aborted) o.log?.(who, `netboot failed: ${(e as Error).message}`);
          return undefined;
        }
      };
      return boot().then((booted) => {
        // What the installed node knows: the CONFIG it copied out of installer.iso and the eve_soft_serial its
        // install passed; a node installed otherwise (USB) has its boot NIC's soft serial.
        const device = new SimDevice({
          server: o.server,
          rootCaPem: booted?.config ? configText(booted.config, 'root-certificate.pem') : o.pki.rootCaPem,
          // The install's own onboarding credential from that CONFIG; a node installed otherwise (USB) carries
          // its medium's credential.
          onboarding: async () =>
            booted?.config
              ? onboardingFrom(booted.config)
              : await o.pki.issue({ kind: 'medium', medium: `sim-${node.serial ?? nics[0]!.mac}` }),
          serial: node.serial ?? '',
          softSerial: booted?.softSerial ?? node.softSerial ?? softSerialOf(nics[0]!.mac),
          tpm: createSoftTpm(),
        });
        const workload = new WorkloadNode({
          uuid: () => device.uuid ?? '',
          nodeName: () => k8sNodeName(device.config?.deviceName ?? ''),
          ports: () => portsOf(nics, device.config),
          retryMs: 10_000,
          log: (m) => o.log?.(who, m),
        });
        workloadSides.set(spec.name, [...(workloadSides.get(spec.name) ?? []), { node: workload, device }]);
        return runSimNode(
          {
            device,
            nics,
            smbiosUuid: simSmbiosUuid(node.serial ?? who),
            pollMs: o.pollMs,
            log: (m) => o.log?.(who, m),
            onCluster: async (token, c, deviceName) => {
              const key = `${spec.name}|${c.joinServerIp}`;
              let fleet = fleets.get(key);
              if (!fleet) {
                const previous = fleetOf(spec.name);
                if (previous) await previous.stop();
                fleet = new K3sFleet({
                  clusterId: c.clusterId,
                  joinServerIp: c.joinServerIp,
                  map: o.maps[k]!,
                  delays: { startMs: 3000, readyMs: 2000, pollMs: 2000, joinMs: 3000 },
                  evictionMs: DEMO_EVICTION_MS,
                  log: (m) => o.log?.(`k3s ${spec.name}`, m),
                });
                fleets.set(key, fleet);
              }
              await fleet.startNode(
                { uuid: device.uuid!, name: deviceName, clusterIp: c.clusterIpPrefix.split('/')[0]! },
                token,
              );
            },
            reports: async () => {
              const fleet = fleetOf(spec.name);
              const r = await fleet?.leaderReport();
              const out = r && r.from.o.uuid === device.uuid ? [r.msg] : [];
              return [
                ...out,
                ...(fleet ? workloadInfo(fleet, device, workload, workloadSides.get(spec.name) ?? []) : []),
              ];
            },
            ...(fail === 'seed'
              ? {
                  clusterModeDelayMs: SEED_STORY.clusterModeDelayMs,
                  outageMs: (c) => (c.clusterIpPrefix.split('/')[0] === c.joinServerIp ? SEED_STORY.seedOutageMs : 0),
                }
              : {}),
          },
          abort.signal,
        );
      });
    }),
  );
  return {
    nodeDown: async (cluster, name) => fleetOf(cluster)?.nodeDown(name),
    stop: async () => {
      abort.abort();
      await Promise.allSettled(tasks);
      for (const f of fleets.values()) await f.stop();
    },
  };
}

/** The PKI an EVE node takes from its CONFIG partition (pkg/mkconf: root-certificate.pem, onboard.cert.pem/key). */
function configText(config: Uint8Array, path: string): string {
  return new TextDecoder().decode(readFile(config, path));
}

/** EVE-k's 40 s node-lost + 15 s toleration, scaled by 1/5 for the demo. */
export const DEMO_EVICTION_MS = 11_000;

/**
 * Once the node's config carries workloads: one scheduler pass, then what this node reports of them. A node
 * whose K3s is down (the node2 story: the node is lost) sends nothing.
 */
function workloadInfo(
  fleet: K3sFleet,
  device: SimDevice,
  node: WorkloadNode,
  all: { node: WorkloadNode; device: SimDevice }[],
): ZInfoMsg[] {
  const config = device.config;
  const standin = [...fleet.nodes.values()].find((s) => s.o.uuid === device.uuid);
  if (!config || !standin?.isMember) return [];
  fleet.schedule(config, (app) => all.some((x) => x.node.readyToCreate(x.device.config, app)));
  return node.step(config, fleet.scheduler, Date.now());
}

/** Logical label → MAC: ports keep their ifname as label, and the config's port model may add others. */
function portsOf(nics: SimNic[], config: EdgeDevConfig | undefined): Record<string, string> {
  const ports: Record<string, string> = Object.fromEntries(nics.map((n) => [n.ifname, n.mac]));
  for (const io of config?.deviceIoList ?? []) {
    const nic = nics.find((n) => n.ifname === (io.phyaddrs.ifname ?? io.phylabel));
    if (nic) ports[io.logicallabel] = nic.mac;
  }
  return ports;
}
