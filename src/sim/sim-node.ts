// A simulated node's life as the demo and rehearsals run it: onboard, attest, report its NICs, poll config
// every few seconds, and once the cluster config arrives decrypt its token (the K3s stand-in starts from there).
import type { SimDevice } from './eve-device.js';
import { deviceInfo, hardwareInfo, type SimNic } from './sim-info.js';

export interface SimNodeOptions {
  device: SimDevice;
  nics: SimNic[];
  pollMs: number;
  log: (msg: string) => void;
  onToken?: (token: string) => void;
}

export async function runSimNode(o: SimNodeOptions, signal: AbortSignal): Promise<void> {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const d = o.device;
  while (!signal.aborted) {
    try {
      await d.onboard();
      await d.attest();
      break;
    } catch (e) {
      o.log(`onboarding failed, retrying: ${(e as Error).message}`);
      await wait(o.pollMs);
    }
  }
  await d.sendInfo(deviceInfo(d.opts.serial, o.nics));
  await d.sendInfo(hardwareInfo(o.nics));
  let delivered = false;
  while (!signal.aborted) {
    try {
      const status = await d.pollConfig();
      if (status === 200 && d.config?.cluster && !delivered) {
        delivered = true;
        const token = await d.clusterToken();
        o.log(`cluster config received: ${d.config.cluster.clusterIpPrefix}, join ${d.config.cluster.joinServerIp}`);
        o.onToken?.(token);
      }
    } catch (e) {
      o.log(`config poll failed: ${(e as Error).message}`);
    }
    await wait(o.pollMs);
  }
}
