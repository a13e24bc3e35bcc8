// A simulated node's life as the demo and rehearsals run it: onboard, attest, report its NICs, poll config
// every few seconds; when a config with a cluster arrives (again, if the seed moved) decrypt the token and hand
// it to the K3s stand-in; and send whatever cluster reports the node has (the leader's ZInfoKubeCluster).
// Like EVE-k, a node may stay single-node for a while after the cluster config arrives (its first boot brings up
// Longhorn, KubeVirt and CDI first: pkg/kube/kube-init/monitor/monitor.go) and then enters cluster mode with the
// config it holds at that moment.
import type { EdgeNodeCluster } from '../gen/config/edge_node_cluster_pb.js';
import type { ZInfoMsg } from '../gen/info/info_pb.js';
import type { SimDevice } from './eve-device.js';
import { deviceInfo, hardwareInfo, type SimNic } from './sim-info.js';

export interface SimNodeOptions {
  device: SimDevice;
  nics: SimNic[];
  pollMs: number;
  /** SMBIOS UUID, as EVE reports it in ZInfoManufacturer.UUID. */
  smbiosUuid?: string;
  log: (msg: string) => void;
  /** Called with the decrypted token whenever the cluster part of the config changes. */
  onCluster?: (token: string, cluster: EdgeNodeCluster, deviceName: string) => Promise<void>;
  /** Extra info messages to send after each poll (e.g. the leader's ZInfoKubeCluster). */
  reports?: () => Promise<ZInfoMsg[]>;
  /** Single-node time after the cluster config arrives (and again after a power cycle); default 0. */
  clusterModeDelayMs?: number;
  /** Failure story: given the first cluster config, how long the node is powered off (no requests at all). */
  outageMs?: (cluster: EdgeNodeCluster) => number;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function runSimNode(o: SimNodeOptions, signal: AbortSignal): Promise<void> {
  const d = o.device;
  while (!signal.aborted) {
    try {
      await d.onboard();
      await d.attest();
      await d.sendInfo(deviceInfo(d.opts.serial, o.nics, o.smbiosUuid));
      await d.sendInfo(hardwareInfo(o.nics));
      break;
    } catch (e) {
      o.log(`onboarding failed, retrying: ${(e as Error).message}`);
      await wait(o.pollMs, signal);
    }
  }
  let clusterSeen = '';
  let clusterSince: number | undefined;
  let outageDecided = false;
  while (!signal.aborted) {
    try {
      await d.pollConfig();
      const c = d.config?.cluster;
      const off = c && !outageDecided ? (o.outageMs?.(c) ?? 0) : 0;
      outageDecided ||= c !== undefined;
      if (off > 0) {
        o.log(`power off for ${off} ms: no requests to the controller`);
        await wait(off, signal);
        o.log('power on: single-node again until the cluster-mode delay has passed');
        clusterSince = undefined;
        continue;
      }
      if (c) clusterSince ??= Date.now();
      const clusterMode = clusterSince !== undefined && Date.now() - clusterSince >= (o.clusterModeDelayMs ?? 0);
      const key = c ? `${c.clusterIpPrefix}|${c.joinServerIp}` : '';
      if (c && clusterMode && key !== clusterSeen) {
        clusterSeen = key;
        const token = await d.clusterToken();
        o.log(`cluster config: ${c.clusterIpPrefix} on ${c.clusterInterface}, join ${c.joinServerIp}`);
        await o.onCluster?.(token, c, d.config?.deviceName ?? '');
      }
      for (const msg of (await o.reports?.()) ?? []) await d.sendInfo(msg);
    } catch (e) {
      o.log(`config poll failed: ${(e as Error).message}`);
    }
    await wait(o.pollMs, signal);
  }
}
