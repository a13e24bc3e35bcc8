// What K3s and EVE's zedkube do with the app replica sets in a simulated cluster (eve-workloads-facts §4.2-4.3):
// the designated node creates each app's VMI (or, for NOHYPER, pod) with node affinity to itself; when a node is
// lost its pods are evicted after node-monitor-grace-period (40 s) + the 15 s toleration, and the replica set
// starts a replacement: a `preferred` app lands on a surviving node, a `required` one stays Pending (EVE does not
// fail it over, ZK failover.go:57-62) until its node returns. Time comes in as arguments.
import { kubeAppName } from '../core/workloads/leader-apps.js';
import { EVICTION_GRACE_MS } from '../core/workloads/liveness.js';
import type { SimKubeApps } from './k3s-reports.js';

export interface SchedApp {
  uuid: string;
  /** displayname: the K8s names derive from it (§4.6). */
  name: string;
  /** K8s node name of the designated node (the one that creates the replica set). */
  dnidNode: string;
  affinity: 'preferred' | 'required';
  /** virtualizationMode NOHYPER: a plain pod ReplicaSet (eve_apps); else a VMI ReplicaSet (eve_vm_apps). */
  nohyper: boolean;
}

export interface SchedNode {
  name: string;
  up: boolean;
  /** When it stopped answering (set while down). */
  downSince?: number;
}

interface Replica {
  object: string;
  nodeName: string;
  running: boolean;
  createdAt: number;
  changedAt: number;
  nohyper: boolean;
}

export class K3sScheduler {
  private readonly replicas = new Map<string, Replica>();

  constructor(
    private readonly graceMs = EVICTION_GRACE_MS,
    private readonly suffix: () => string = () => Math.random().toString(36).slice(2, 7).padEnd(5, 'x'),
  ) {}

  /** One reconcile pass; `created(uuid)`: the designated node has created the replica set (volumes ready). */
  tick(apps: SchedApp[], nodes: SchedNode[], now: number, created: (uuid: string) => boolean): void {
    const node = (n: string) => nodes.find((x) => x.name === n);
    for (const app of apps) {
      const r = this.replicas.get(app.uuid);
      if (!r) {
        if (node(app.dnidNode)?.up && created(app.uuid)) this.place(app, app.dnidNode, now);
        continue;
      }
      const on = node(r.nodeName);
      if (r.nodeName === '') {
        // A required app's replacement stays Pending until its node is back.
        if (node(app.dnidNode)?.up) this.place(app, app.dnidNode, now);
        continue;
      }
      if (on?.up || on?.downSince === undefined || now - on.downSince < this.graceMs) continue;
      // Evicted: the replica set starts a replacement VMI/pod.
      // Preferred affinity names the designated node; after a manual move zedkube on the new designated node has
      // re-pointed the VMI replica set's affinity to itself (ZK vmirsaffinity.go, VMI apps only, §4.5).
      const repointed = !app.nohyper && app.dnidNode !== r.nodeName && node(app.dnidNode)?.up;
      const target =
        app.affinity === 'preferred'
          ? repointed
            ? app.dnidNode
            : this.leastLoaded(nodes.filter((n) => n.up))
          : undefined;
      if (target) this.place(app, target, now);
      else
        this.replicas.set(app.uuid, {
          ...r,
          object: this.objectName(app),
          nodeName: '',
          running: false,
          changedAt: now,
        });
    }
  }

  /** The node the app's replica runs on, if it runs. */
  runningOn(uuid: string): string | undefined {
    const r = this.replicas.get(uuid);
    return r?.running ? r.nodeName : undefined;
  }

  /** A pod/VMI exists for the app anywhere (then only its node reports ZInfoApp, §6.1). */
  exists(uuid: string): boolean {
    return this.replicas.has(uuid);
  }

  report(): SimKubeApps {
    const all = [...this.replicas.values()];
    const shape = (r: Replica) => ({
      name: r.object,
      nodeName: r.nodeName,
      running: r.running,
      createdAt: r.createdAt,
    });
    return {
      pods: all.filter((r) => r.nohyper).map(shape),
      vmis: all.filter((r) => !r.nohyper).map((r) => ({ ...shape(r), changedAt: r.changedAt })),
    };
  }

  private place(app: SchedApp, nodeName: string, now: number): void {
    const object = this.objectName(app);
    this.replicas.set(app.uuid, {
      object,
      nodeName,
      running: true,
      createdAt: now,
      changedAt: now,
      nohyper: app.nohyper,
    });
  }

  /** VMI `<kube name>-<5 random>`; native pod `<kube name>-<random>` (§4.6). */
  private objectName(app: SchedApp): string {
    return `${kubeAppName(app.name, app.uuid)}-${this.suffix()}`;
  }

  private leastLoaded(up: SchedNode[]): string | undefined {
    const load = (n: string) => [...this.replicas.values()].filter((r) => r.nodeName === n && r.running).length;
    return up.map((n) => n.name).sort((a, b) => load(a) - load(b) || a.localeCompare(b))[0];
  }
}
