// `--dhcp auto`: broadcast one DISCOVER on the serving NIC and collect OFFERs for a while.
import { randomInt } from 'node:crypto';
import { BROADCAST_IP } from '../core/dhcp/address.js';
import { type DhcpPacket, decodePacket, encodePacket } from '../core/dhcp/codec.js';
import { buildProbeDiscover, type ForeignServer, summarizeOffers } from '../core/dhcp/probe.js';
import { openDhcpSocket } from './dhcp-socket.js';

export interface ProbeOptions {
  /** NIC to probe on; without the native addon the probe hears OFFERs from every NIC. */
  interface?: string;
  /** chaddr of the probe: the NIC's own MAC is the polite choice. */
  mac: string;
  timeoutMs: number;
  bindAddress?: string;
  /** Destination address of the DISCOVER; default 255.255.255.255. */
  target?: string;
  ports?: { server?: number; client?: number };
}

export interface ProbeResult {
  servers: ForeignServer[];
  boundToDevice: boolean;
  warning?: string;
}

export async function probeDhcpServers(o: ProbeOptions): Promise<ProbeResult> {
  const opened = await openDhcpSocket(o.ports?.client ?? 68, o.bindAddress ?? '0.0.0.0', o.interface);
  const xid = randomInt(1, 0xffffffff);
  const replies: DhcpPacket[] = [];
  opened.socket.on('message', (buf) => {
    const d = decodePacket(buf);
    if (d.kind === 'packet') replies.push(d.packet);
  });
  try {
    await new Promise<void>((resolve, reject) =>
      opened.socket.send(
        encodePacket(buildProbeDiscover(o.mac, xid)),
        o.ports?.server ?? 67,
        o.target ?? BROADCAST_IP,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, o.timeoutMs));
  } finally {
    await new Promise<void>((resolve) => opened.socket.close(() => resolve()));
  }
  const result: ProbeResult = { servers: summarizeOffers(replies, xid), boundToDevice: opened.boundToDevice };
  if (opened.warning) result.warning = opened.warning;
  return result;
}
