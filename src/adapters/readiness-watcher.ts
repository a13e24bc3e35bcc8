// Watches each cluster whose configs went out until K3s has an HA control plane: probes every node's K3s
// supervisor and zedkube status (when a route reaches the cluster IPs), reads what EVE reported (the leader's
// ZInfoKubeCluster, ZInfoApp.cluster_app_running), evaluates readiness and emits k3s.readiness when it changes.
// It also moves the seed, under the rule in core/readiness/seed-watch.ts: the seed silent for the timeout, no
// cluster-mode activity anywhere, no etcd member.
import type { ClusterService } from '../core/cluster/cluster-service.js';
import type { ClusterPlan } from '../core/plan/cluster-plan.js';
import { clusterActivity } from '../core/readiness/activity.js';
import { evaluateReadiness } from '../core/readiness/evaluate.js';
import {
  appRunningFromReport,
  type KubeClusterView,
  kubeClusterFromReport,
  portAddressesFromReport,
} from '../core/readiness/observation.js';
import { watchSeed } from '../core/readiness/seed-watch.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { type AddressMap, type CaPinStore, createK3sProbe, memoryPin } from './k3s-probe.js';

export interface WatcherDeps {
  store: Store;
  cluster: ClusterService;
  clock: Clock;
  emit: (e: { type: string; node?: string; data: Record<string, unknown> }) => void;
  /** How probes reach cluster IPs (loopback ports in the demo); undefined: no route, rely on EVE's reports. */
  route?: AddressMap;
  intervalMs: number;
  seedTimeoutMs: (cluster: string) => number;
}

export interface Watcher {
  tick(): Promise<void>;
  /** The cluster CA (PEM) pinned at the first probe of this appliance run, if any. */
  pinnedCa(cluster: string): string | undefined;
  stop(): void;
}

export function startReadinessWatcher(deps: WatcherDeps): Watcher {
  const pins = new Map<string, CaPinStore>();
  const last = new Map<string, string>();
  let running = false;

  const reports = (plan: ClusterPlan) => {
    const kubeAll: KubeClusterView[] = [];
    const apps: Record<string, boolean> = {};
    const portAddrs: Record<string, string[]> = {};
    for (const n of plan.nodes) {
      for (const r of deps.store.latestReports(n.uuid)) {
        if (r.kind === 'info.ZiKubeCluster') {
          const v = kubeClusterFromReport(r.json, n.uuid, r.at);
          if (v) kubeAll.push(v);
        }
        // ZInfoApp is stored per app (workload.app/<uuid>): any app running there is activity.
        if (r.kind === 'info.ZiApp' || r.kind.startsWith('workload.app/')) {
          const running = appRunningFromReport(r.json);
          if (running !== undefined) apps[n.uuid] = (apps[n.uuid] ?? false) || running;
        }
        if (r.kind === 'info.ZiDevice') portAddrs[n.uuid] = portAddressesFromReport(r.json);
      }
    }
    // Single-node EVE-k reports its own ZInfoKubeCluster without our cluster_id: that says nothing of the cluster.
    const kube = kubeAll.filter((k) => k.clusterId === plan.clusterId).sort((a, b) => b.at - a.at)[0];
    return { kube, kubeAll, apps, portAddrs };
  };

  const check = async (name: string, plan: ClusterPlan) => {
    const pin = pins.get(name) ?? memoryPin();
    pins.set(name, pin);
    const probe = createK3sProbe({
      clusterId: plan.clusterId,
      token: () => deps.cluster.openToken(name),
      pin,
      map: deps.route,
    });
    const probes = deps.route
      ? await Promise.all(plan.nodes.map((n) => probe.probe({ uuid: n.uuid, name: n.name, ip: n.ip })))
      : [];
    const { kube, kubeAll, apps, portAddrs } = reports(plan);
    const r = evaluateReadiness({ plan, probeRoute: deps.route !== undefined, probes, kube, apps });
    const summary = JSON.stringify([r.ready, r.quorum, r.members, r.liveMembers, r.missing, r.seedInitialised]);
    if (last.get(name) !== summary) {
      last.set(name, summary);
      deps.emit({ type: 'k3s.readiness', data: { cluster: name, ...r } });
    }
    const seed = deps.store.deviceByUuid(plan.seedUuid);
    const activity = clusterActivity({ plan, probes, kube: kubeAll, portAddrs, apps });
    const verdict = watchSeed({
      plan,
      deliveredAt: seed?.configServedAt,
      lastContactAt: seed?.lastContactAt,
      now: deps.clock.now(),
      timeoutMs: deps.seedTimeoutMs(name),
      readiness: r,
      activity,
    });
    if (verdict.kind === 'reassign') {
      deps.cluster.replan(name, verdict.plan);
      deps.emit({
        type: 'k3s.seed.reassigned',
        data: { cluster: name, seed: plan.seedUuid, newSeed: verdict.plan.seedUuid, reason: verdict.reason },
      });
    } else if (verdict.kind === 'refuse' || verdict.kind === 'hold') {
      // Once per cause: the reason's silence count grows every tick.
      const cause = `${verdict.kind}|${verdict.kind === 'hold' ? activity.join('|') : ''}`;
      if (last.get(`${name}/kept`) !== cause) {
        last.set(`${name}/kept`, cause);
        deps.emit({
          type: 'k3s.seed.reassigned',
          data: { cluster: name, seed: plan.seedUuid, reason: verdict.reason },
        });
      }
    }
  };

  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    const pass = (async () => {
      for (const c of deps.store.clusters()) {
        if (stopped) return;
        if (!c.configsOut) continue;
        const plan = deps.cluster.plan(c.name);
        if (plan) await check(c.name, plan);
      }
    })();
    inFlight = pass.catch(() => {});
    try {
      await pass;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), deps.intervalMs);
  return {
    tick,
    // The store closes right after: let a probe pass that is under way finish before anyone closes it.
    stop: () => {
      stopped = true;
      clearInterval(timer);
      return inFlight;
    },
    pinnedCa: (name) => pins.get(name)?.get()?.pem,
  };
}
