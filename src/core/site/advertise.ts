// The address the nodes use to reach the appliance: CONFIG's `server`, the controller's TLS SANs, the URLs shown.
// A node that installs with `server = 127.0.0.1:8443` talks to itself and never onboards, so a loopback address
// is refused whenever real nodes will read it (network boot on a real interface, USB media). A DNS name is
// allowed and recommended: a permanent site box can then take over without taking the laptop's IP.

export type AdvertiseResult = { kind: 'ok'; address: string; why: string } | { kind: 'error'; message: string };

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h.startsWith('127.') || h === '::1' || h === '[::1]';
}

export interface AdvertiseInput {
  /** listen.advertise from the site file (or --advertise), when given. */
  configured?: string;
  /** The interface the nodes boot on, when network boot runs on a real one. */
  serving?: { name: string; address: string };
  /** What reads the address: `serve` (network boot or not) or `usb` media for real boxes. */
  for: 'serve' | 'usb';
  /** listen.host: where the controller listens. */
  host: string;
}

export function resolveAdvertise(i: AdvertiseInput): AdvertiseResult {
  const realNodes = i.for === 'usb' || i.serving !== undefined;
  if (i.configured !== undefined) {
    if (realNodes && isLoopbackHost(i.configured)) {
      const where = i.serving
        ? `nodes boot on ${i.serving.name} (${i.serving.address})`
        : 'USB media is for real boxes';
      const use = i.serving ? `${i.serving.address} or a DNS name` : "the appliance's site address or a DNS name";
      return {
        kind: 'error',
        message: `listen.advertise is ${i.configured}, but ${where}: every node would try to reach itself and never onboard. Set listen.advertise to ${use}${i.serving ? ', or leave it out to use the serving address' : ''}`,
      };
    }
    return { kind: 'ok', address: i.configured, why: 'listen.advertise in the site file' };
  }
  if (i.serving) {
    return {
      kind: 'ok',
      address: i.serving.address,
      why: `the address of ${i.serving.name}, the interface the nodes boot on`,
    };
  }
  if (i.for === 'usb') {
    return {
      kind: 'error',
      message:
        "USB media needs the address the nodes will reach the appliance at: set listen.advertise in the site file (the appliance's IP on the site network, or better a DNS name) or pass --advertise",
    };
  }
  if (i.host !== '0.0.0.0' && i.host !== '::') {
    return { kind: 'ok', address: i.host, why: 'listen.host (no network boot on a real interface)' };
  }
  return {
    kind: 'ok',
    address: '127.0.0.1',
    why: 'no listen.advertise and no network boot: only this machine can reach the controller; set listen.advertise for nodes on the site network',
  };
}
