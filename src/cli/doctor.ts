// eveboot doctor: what the appliance sees, in plain words: its NICs, which one it would serve and why, whether
// another DHCP server answers there (so --dhcp auto would pick proxy mode), and whether it may bind 67/69.
import { probeDhcpServers } from '../adapters/dhcp-probe.js';
import { probeHostNics } from '../adapters/host-probe.js';
import { loadNativeNet, loadNativePump } from '../adapters/native-addon.js';
import { chooseServingInterface } from '../core/site/serving-interface.js';
import { parse } from './args.js';

const USAGE = `usage: eveboot doctor [--interface IF] [--probe-seconds N]
  --interface IF     check this NIC instead of the one the host probe would choose
  --probe-seconds N  how long to listen for other DHCP servers after the DISCOVER (default 5)`;

export async function doctorCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parse(
    argv,
    { interface: { type: 'string' }, 'probe-seconds': { type: 'string', default: '5' } },
    USAGE,
  );
  const nics = await probeHostNics();
  out('Interfaces:');
  for (const n of nics) {
    const ip = n.ipv4.map((a) => a.cidr).join(', ') || 'no IPv4';
    const kind = n.loopback ? 'loopback' : n.wireless ? 'wireless' : n.physical ? 'wired' : 'virtual';
    out(
      `  ${n.name.padEnd(12)} ${n.up ? 'up  ' : 'down'} ${kind.padEnd(8)} ${n.mac.padEnd(17)} ${ip}${n.defaultRoute ? '  (default route)' : ''}${n.speedMbps ? `  ${n.speedMbps} Mb/s` : ''}`,
    );
  }
  const choice = chooseServingInterface(nics, values.interface);
  if (choice.kind === 'error') {
    out(`Serving interface: none. ${choice.message}`);
    return 1;
  }
  out(`Serving interface: ${choice.why}`);
  const root = process.getuid?.() === 0;
  out(
    root
      ? 'Privileges: root, so ports 67 (DHCP), 69 (TFTP) and 4011 can be bound.'
      : 'Privileges: not root. Ports 67, 69 and 4011 need root or CAP_NET_BIND_SERVICE (and CAP_NET_RAW for interface binding); use high ports on loopback to rehearse (eveboot demo).',
  );
  const addon = loadNativeNet();
  out(
    typeof addon === 'string'
      ? `Interface binding: unavailable, ${addon}`
      : 'Interface binding: native addon loaded (SO_BINDTODEVICE).',
  );
  const pump = loadNativePump();
  out(
    typeof pump === 'string'
      ? `TFTP data path: node:dgram, slower (${pump}).`
      : 'TFTP data path: native data pump (a thread per transfer, busy-polling for ACKs).',
  );
  if (!root) {
    out('DHCP survey: skipped (needs root to listen on port 68).');
    return 0;
  }
  const r = await probeDhcpServers({
    interface: choice.nic.name,
    mac: choice.nic.mac,
    timeoutMs: Number(values['probe-seconds']) * 1000,
  });
  if (r.warning) out(`DHCP survey warning: ${r.warning}`);
  if (r.servers.length === 0) {
    out(
      `DHCP survey: no DHCP server answered on ${choice.nic.name} within ${values['probe-seconds']} s, so --dhcp auto runs the full DHCP server.`,
    );
  } else {
    for (const s of r.servers)
      out(
        `DHCP survey: ${s.serverId} offered ${s.offered}${s.bootsPxe ? ` and already boots PXE (${s.bootFile})` : ''}`,
      );
    out(
      'So --dhcp auto runs proxyDHCP: the existing server keeps handing out addresses, eveboot adds only boot information.',
    );
  }
  return 0;
}
