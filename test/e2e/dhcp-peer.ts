// A peer process for the netns tests (compiled with tsc and run with `ip netns exec`): `serve` runs DhcpServer,
// `probe` runs probeDhcpServers, `pxe-client` collects OFFERs (and a port-4011 ACK), `flood` sends junk,
// `load` is the DORA load generator of bench/dhcp-bench.ts.
// Prints one JSON object per line on stdout.
import dgram from 'node:dgram';
import { probeDhcpServers } from '../../src/adapters/dhcp-probe.js';
import { DhcpServer, type DhcpServerOptions } from '../../src/adapters/dhcp-server.js';
import { type DhcpPacket, decodePacket, encodePacket, getIpOption, getTextOption } from '../../src/core/dhcp/codec.js';
import { MessageType, OptionCode } from '../../src/core/dhcp/options.js';
import { buildProbeDiscover } from '../../src/core/dhcp/probe.js';
import { opt } from '../../src/core/dhcp/reply.js';

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const [cmd, arg] = process.argv.slice(2);
const params = JSON.parse(arg ?? '{}');

function summary(p: DhcpPacket, from: string) {
  const type = p.options.find((o) => o.code === OptionCode.MessageType)?.data[0];
  return {
    from,
    type: MessageType[type ?? 0],
    yiaddr: p.yiaddr,
    siaddr: p.siaddr,
    file: p.file,
    vendorClass: getTextOption(p, OptionCode.VendorClass),
    has43: p.options.some((o) => o.code === OptionCode.VendorSpecific),
  };
}

async function serve(o: DhcpServerOptions) {
  const server = new DhcpServer({ ...o, onEvent: out });
  out({ ready: await server.start() });
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

async function pxeClient(p: { mac: string; arch: number; ms: number; pxeServer?: string }) {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => sock.bind(68, '0.0.0.0', () => r()));
  sock.setBroadcast(true);
  const seen: ReturnType<typeof summary>[] = [];
  sock.on('message', (buf, rinfo) => {
    const d = decodePacket(buf);
    if (d.kind === 'packet') seen.push(summary(d.packet, `${rinfo.address}:${rinfo.port}`));
  });
  const pxe = `PXEClient:Arch:${String(p.arch).padStart(5, '0')}:UNDI:002001`;
  const discover = buildProbeDiscover(p.mac, 0x5eed);
  discover.options = [
    opt.u8(OptionCode.MessageType, MessageType.Discover),
    opt.text(OptionCode.VendorClass, pxe),
    { code: OptionCode.ClientArch, data: Uint8Array.of(p.arch >> 8, p.arch & 255) },
  ];
  const report = (err: Error | null) => err && out({ sendError: err.message });
  sock.send(encodePacket(discover), 67, '255.255.255.255', report);
  if (p.pxeServer) {
    // PXE spec §2.2.1 step 6: REQUEST to the boot server on 4011, from port 68 of the (by now) configured client.
    const request = {
      ...discover,
      options: [opt.u8(OptionCode.MessageType, MessageType.Request), ...discover.options.slice(1)],
    };
    sock.send(encodePacket(request), 4011, p.pxeServer, report);
  }
  await new Promise((r) => setTimeout(r, p.ms));
  out({ replies: seen });
  sock.close();
}

async function flood(p: { target: string; port: number; count: number }) {
  const sock = dgram.createSocket('udp4');
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  const good = encodePacket(buildProbeDiscover('02:00:00:00:00:99', 1));
  for (let i = 0; i < p.count; i++) {
    const junk =
      i % 2 ? Uint8Array.from({ length: rnd() % 700 }, () => rnd() & 255) : good.subarray(0, rnd() % good.length);
    await new Promise<void>((r) => sock.send(junk, p.port, p.target, () => r()));
  }
  out({ flooded: p.count });
  sock.close();
}

/** DORA one client at a time, distinct chaddrs, broadcast flag set; stops at `count` leases or `ms`. */
async function load(p: { count: number; ms: number; target: string }) {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => sock.bind(68, '0.0.0.0', () => r()));
  sock.setBroadcast(true);
  let pending: { xid: number; type: MessageType; resolve: (p: DhcpPacket | undefined) => void } | undefined;
  sock.on('message', (buf) => {
    const d = decodePacket(buf);
    if (d.kind !== 'packet' || !pending || d.packet.xid !== pending.xid) return;
    if (d.packet.options.find((o) => o.code === OptionCode.MessageType)?.data[0] !== pending.type) return;
    pending.resolve(d.packet);
  });
  const ask = (pkt: DhcpPacket, type: MessageType) =>
    new Promise<DhcpPacket | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), 1000);
      pending = {
        xid: pkt.xid,
        type,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
      };
      sock.send(encodePacket(pkt), 67, p.target);
    });
  const start = performance.now();
  const latencies: number[] = [];
  let leases = 0;
  let timeouts = 0;
  for (let i = 0; i < p.count && performance.now() - start < p.ms; i++) {
    const mac = `02:b0:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    const t0 = performance.now();
    const discover = buildProbeDiscover(mac, 0x10000 + i);
    const offer = await ask(discover, MessageType.Offer);
    if (!offer) {
      timeouts++;
      continue;
    }
    const request = {
      ...discover,
      options: [
        opt.u8(OptionCode.MessageType, MessageType.Request),
        opt.ip(OptionCode.ServerId, getIpOption(offer, OptionCode.ServerId) ?? p.target),
        opt.ip(OptionCode.RequestedAddress, offer.yiaddr),
      ],
    };
    if (await ask(request, MessageType.Ack)) {
      leases++;
      latencies.push(performance.now() - t0);
    } else timeouts++;
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  out({
    leases,
    timeouts,
    seconds,
    perSecond: leases / seconds,
    p50ms: latencies[Math.floor(latencies.length / 2)] ?? null,
  });
  sock.close();
}

const run: Record<string, () => Promise<unknown>> = {
  load: () => load(params),
  serve: () => serve(params),
  probe: async () => out(await probeDhcpServers(params)),
  'pxe-client': () => pxeClient(params),
  flood: () => flood(params),
};
const fn = cmd ? run[cmd] : undefined;
if (!fn) {
  out({ error: `unknown command ${cmd}` });
  process.exit(2);
}
fn().catch((err: Error) => {
  out({ error: err.message });
  process.exit(1);
});
