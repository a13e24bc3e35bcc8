// The DHCP/proxyDHCP socket loop: receive → decode → decide → send. All decisions live in src/core/dhcp.
import type dgram from 'node:dgram';
import { BROADCAST_IP } from '../core/dhcp/address.js';
import { clientMac, type DhcpPacket, decodePacket, encodePacket } from '../core/dhcp/codec.js';
import { type Decision, type DhcpConfig, decide, type PolicyVerdict } from '../core/dhcp/decide.js';
import { type Lease, type LeaseEffect, LeaseTable } from '../core/dhcp/lease.js';
import type { ReplyDest } from '../core/dhcp/reply.js';
import { EvebootError } from '../core/errors.js';
import type { LeaseStore } from '../ports/lease-store.js';
import { type DhcpEvent, decisionEvent } from './dhcp-events.js';
import { directedBroadcast, injectArp, openDhcpSocket } from './dhcp-socket.js';

export type { DhcpEvent } from './dhcp-events.js';

export interface DhcpServerOptions {
  config: DhcpConfig;
  /** Serving NIC (e.g. "eth1"). With the native addon the sockets see and send packets on this NIC only. */
  interface?: string;
  /** Default 0.0.0.0: broadcast DISCOVERs only reach sockets bound to the wildcard address (deps-evaluation §3.2). */
  bindAddress?: string;
  /** Defaults 67 / 68 / 4011; the PXE port is opened in proxy mode only (false: never). */
  ports?: { server?: number; client?: number; pxe?: number | false };
  /** Where broadcast replies go; default 255.255.255.255 (or the NIC's directed broadcast when not device-bound). */
  broadcastAddress?: string;
  leaseStore?: LeaseStore;
  /** May this MAC be netbooted? Default: everyone, reason "no allow-list". */
  policy?: (mac: string) => PolicyVerdict;
  onEvent?: (e: DhcpEvent) => void;
  /** Refuse to start when the sockets cannot be bound to `interface`. */
  requireInterfaceBinding?: boolean;
  now?: () => number;
}

export interface DhcpServerInfo {
  serverPort: number;
  pxePort: number | undefined;
  boundToDevice: boolean;
  warnings: string[];
}

const allowAll = (): PolicyVerdict => ({ allowed: true, reason: 'no allow-list configured' });

export class DhcpServer {
  private readonly leases: LeaseTable | undefined;
  private readonly sockets: dgram.Socket[] = [];
  private broadcastTo = BROADCAST_IP;
  private clientPort = 68;
  private serverPort = 67;

  constructor(private readonly opts: DhcpServerOptions) {
    const pool = opts.config.pool;
    if (opts.config.mode === 'full' && !pool) throw new EvebootError('EVEBOOT_ERR_DHCP', 'full DHCP mode needs a pool');
    this.leases = pool ? new LeaseTable(pool, opts.leaseStore?.load() ?? []) : undefined;
  }

  async start(): Promise<DhcpServerInfo> {
    const { opts } = this;
    const address = opts.bindAddress ?? '0.0.0.0';
    this.clientPort = opts.ports?.client ?? 68;
    const pxeWanted = opts.config.mode === 'proxy' && opts.ports?.pxe !== false;
    const main = await openDhcpSocket(opts.ports?.server ?? 67, address, opts.interface);
    const pxe = pxeWanted ? await openDhcpSocket(opts.ports?.pxe || 4011, address, opts.interface) : undefined;
    const opened = pxe ? [main, pxe] : [main];
    const warnings = opened.flatMap((o) => (o.warning ? [o.warning] : [])).slice(0, 1);
    const boundToDevice = opened.every((o) => o.boundToDevice);
    for (const o of opened) this.sockets.push(o.socket);
    if (opts.interface && !boundToDevice) {
      if (opts.requireInterfaceBinding) {
        await this.stop();
        throw new EvebootError('EVEBOOT_ERR_DHCP', `cannot bind the DHCP sockets to the interface: ${warnings[0]}`);
      }
      warnings.push(`DHCP answers broadcasts from every interface, not only ${opts.interface}`);
    }
    this.serverPort = main.socket.address().port;
    this.broadcastTo = opts.broadcastAddress ?? this.defaultBroadcast(address, boundToDevice);
    main.socket.on('message', (buf, rinfo) => this.onMessage(main.socket, buf, rinfo, 'dhcp'));
    pxe?.socket.on('message', (buf, rinfo) => this.onMessage(pxe.socket, buf, rinfo, 'pxe'));
    for (const s of this.sockets) s.on('error', (err) => this.emit({ type: 'dhcp-error', message: err.message }));
    for (const message of warnings) this.emit({ type: 'dhcp-warning', message });
    return { serverPort: this.serverPort, pxePort: pxe?.socket.address().port, boundToDevice, warnings };
  }

  async stop(): Promise<void> {
    const all = this.sockets.splice(0);
    await Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** Current lease table (full mode), for the UI and tests. */
  currentLeases(): Lease[] {
    return this.leases?.all() ?? [];
  }

  private onMessage(sock: dgram.Socket, buf: Buffer, rinfo: dgram.RemoteInfo, via: 'dhcp' | 'pxe'): void {
    const from = `${rinfo.address}:${rinfo.port}`;
    try {
      const decoded = decodePacket(buf);
      if (decoded.kind === 'malformed') {
        this.emit({ type: 'dhcp-malformed', from, reason: decoded.reason });
        return;
      }
      const packet = decoded.packet;
      const now = this.opts.now?.() ?? Date.now();
      const policy = (this.opts.policy ?? allowAll)(clientMac(packet));
      const decision = decide({ packet, via, config: this.opts.config, leases: this.leases, policy, now });
      const to = decision.kind === 'reply' ? this.route(sock, decision.dest, rinfo) : undefined;
      // The reply goes out first: event work (the UI, the record log) must never delay or drop it.
      this.act(decision, sock, to);
      this.emit(decisionEvent(decision, via, from, to && `${to[0]}:${to[1]}`));
    } catch (err) {
      // A bad packet never stops the loop.
      this.emit({ type: 'dhcp-error', message: `packet from ${from}: ${(err as Error).message}` });
    }
  }

  private act(d: Decision, sock: dgram.Socket, to: [string, number] | undefined): void {
    switch (d.kind) {
      case 'reply':
        this.applyEffects(d.effects);
        if (to) this.send(sock, d.packet, to);
        return;
      case 'update':
        this.applyEffects(d.effects);
        return;
      case 'ignore':
        return;
    }
  }

  private applyEffects(effects: LeaseEffect[]): void {
    for (const e of effects) {
      this.leases?.apply(e);
      const stored = e.op === 'release' ? this.leases?.get(e.ip) : e.lease;
      if (stored) this.opts.leaseStore?.save(stored);
    }
  }

  private send(sock: dgram.Socket, packet: DhcpPacket, [ip, port]: [string, number]): void {
    sock.send(encodePacket(packet), port, ip, (err) => {
      if (err) this.emit({ type: 'dhcp-error', message: `send to ${ip}:${port}: ${err.message}` });
    });
  }

  /** RFC 2131 §4.1 destinations; a client without an address gets unicast only if we could add its ARP entry. */
  private route(sock: dgram.Socket, dest: ReplyDest, rinfo: dgram.RemoteInfo): [string, number] {
    switch (dest.kind) {
      case 'broadcast':
        return [this.broadcastTo, this.clientPort];
      case 'client':
        if (dest.mac && !injectArp(sock, this.opts.interface, dest.ip, dest.mac))
          return [this.broadcastTo, this.clientPort];
        return [dest.ip, this.clientPort];
      case 'relay':
        return [dest.ip, this.serverPort === 0 ? 67 : this.serverPort];
      case 'source':
        return [rinfo.address, rinfo.port];
    }
  }

  private defaultBroadcast(address: string, boundToDevice: boolean): string {
    if (address.startsWith('127.')) return '127.255.255.255';
    if (!boundToDevice && this.opts.interface) return directedBroadcast(this.opts.interface) ?? BROADCAST_IP;
    return BROADCAST_IP;
  }

  /** Event listeners never throw into the packet path. */
  private emit(e: DhcpEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // A broken listener loses its own event, nothing else.
    }
  }
}
