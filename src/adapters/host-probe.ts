// The appliance's own NICs. systeminformation gives the details (type, speed, default interface) but runs
// execSync for ~300 ms, so it is called once at start-up and by `eveboot doctor`, never on the packet path.
// os.networkInterfaces() and /sys give the facts that decide, and work even where systeminformation fails.
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import si from 'systeminformation';
import type { HostNic } from '../core/site/serving-interface.js';

function sys(ifname: string, file: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${ifname}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export async function probeHostNics(): Promise<HostNic[]> {
  const details = await si.networkInterfaces().catch(() => []);
  const list = Array.isArray(details) ? details : [details];
  const defaultIf = await si.networkInterfaceDefault().catch(() => '');
  const os = networkInterfaces();
  return Object.entries(os).map(([name, addrs]) => {
    const d = list.find((x) => x.iface === name);
    const speed = Number(sys(name, 'speed'));
    return {
      name,
      mac: addrs?.[0]?.mac ?? d?.mac ?? '',
      up: sys(name, 'operstate') === 'up' || (sys(name, 'operstate') === 'unknown' && sys(name, 'carrier') === '1'),
      ipv4: (addrs ?? [])
        .filter((a) => a.family === 'IPv4')
        .map((a) => ({ address: a.address, cidr: a.cidr ?? `${a.address}/32` })),
      physical: existsSync(`/sys/class/net/${name}/device`),
      wireless: existsSync(`/sys/class/net/${name}/wireless`) || d?.type === 'wireless',
      loopback: (addrs ?? []).some((a) => a.internal),
      defaultRoute: name === defaultIf,
      speedMbps: speed > 0 ? speed : undefined,
    };
  });
}
