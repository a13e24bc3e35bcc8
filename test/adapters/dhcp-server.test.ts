// The socket loop on loopback (no root): ephemeral ports, a Node client, replies to 127.255.255.255.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DhcpEvent, DhcpServer } from '../../src/adapters/dhcp-server.js';
import { SqliteLeaseStore } from '../../src/adapters/sqlite-lease-store.js';
import type { DhcpPacket } from '../../src/core/dhcp/codec.js';
import { decodePacket, encodePacket, getIpOption } from '../../src/core/dhcp/codec.js';
import type { DhcpConfig } from '../../src/core/dhcp/decide.js';
import { MessageType, OptionCode } from '../../src/core/dhcp/options.js';
import { clientPacket, pxe } from '../core/dhcp/packets.js';

const config: DhcpConfig = {
  mode: 'full',
  serverIp: '127.0.0.1',
  pool: { start: '127.0.0.100', end: '127.0.0.150', subnetMask: '255.0.0.0', leaseSeconds: 600, pxeLeaseSeconds: 60 },
  boot: {
    tftpServer: '127.0.0.1',
    scriptBaseUrl: 'http://127.0.0.1:8080/boot/',
    httpBootBaseUrl: 'http://127.0.0.1:8080/ipxe/',
    files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
  },
};

describe('DhcpServer on loopback', () => {
  const events: DhcpEvent[] = [];
  const db = new Database(':memory:');
  const store = new SqliteLeaseStore(db);
  let client: dgram.Socket;
  let server: DhcpServer;
  let serverPort = 0;
  const inbox: DhcpPacket[] = [];
  const arrivals = new EventEmitter();

  beforeAll(async () => {
    client = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((r) => client.bind(0, '0.0.0.0', () => r()));
    client.on('message', (buf) => {
      const d = decodePacket(buf);
      if (d.kind !== 'packet') return;
      inbox.push(d.packet);
      arrivals.emit('packet');
    });
    server = new DhcpServer({
      config,
      bindAddress: '127.0.0.1',
      ports: { server: 0, client: client.address().port },
      leaseStore: store,
      onEvent: (e) => events.push(e),
      policy: (mac) => ({ allowed: mac !== '52:54:00:00:00:66', reason: 'site file lists known machines only' }),
    });
    serverPort = (await server.start()).serverPort;
  });
  afterAll(async () => {
    await server.stop();
    client.close();
    db.close();
  });

  /** Resolves with (and removes) the first received packet for this MAC byte, or undefined after `ms`. */
  const reply = (macByte: number, ms: number) =>
    new Promise<DhcpPacket | undefined>((resolve) => {
      const check = () => {
        const i = inbox.findIndex((p) => p.chaddr[5] === macByte);
        if (i < 0) return false;
        done(inbox.splice(i, 1)[0]);
        return true;
      };
      const timer = setTimeout(() => done(undefined), ms);
      const done = (p: DhcpPacket | undefined) => {
        clearTimeout(timer);
        arrivals.off('packet', check);
        resolve(p);
      };
      if (!check()) arrivals.on('packet', check);
    });
  const next = async (macByte = 1) => {
    const p = await reply(macByte, 2000);
    if (!p) throw new Error('no reply within 2 s');
    return p;
  };
  const send = (p: DhcpPacket | Uint8Array) =>
    new Promise<void>((r) =>
      client.send(p instanceof Uint8Array ? p : encodePacket(p), serverPort, '127.0.0.1', () => r()),
    );

  it('does DORA and persists the lease', async () => {
    await send(clientPacket({ ...pxe(0), mac: '52:54:00:00:00:01' }));
    const offer = await next();
    expect(offer.yiaddr).toBe('127.0.0.100');
    expect(offer.file).toBe('undionly.kpxe');
    await send(
      clientPacket({
        ...pxe(0),
        mac: '52:54:00:00:00:01',
        type: MessageType.Request,
        serverId: '127.0.0.1',
        requested: offer.yiaddr,
      }),
    );
    const ack = await next();
    expect(getIpOption(ack, OptionCode.ServerId)).toBe('127.0.0.1');
    expect(store.load()).toEqual([
      expect.objectContaining({ ip: '127.0.0.100', state: 'bound', mac: '52:54:00:00:00:01' }),
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'dhcp',
        msgType: 'REQUEST',
        reply: 'ACK',
        yiaddr: '127.0.0.100',
        firmware: 'bios',
      }),
    );
  });

  /** Like a real client: resend every 500 ms until a reply for this MAC arrives (UDP may drop under load). */
  async function exchange(p: DhcpPacket): Promise<DhcpPacket> {
    for (let attempt = 0; attempt < 4; attempt++) {
      await send(p);
      const r = await reply(p.chaddr[5]!, 500);
      if (r) return r;
    }
    throw new Error('no reply after 4 attempts');
  }

  it('a listener that throws does not cost the client its reply', async () => {
    const db2 = new Database(':memory:');
    const broken = new DhcpServer({
      config,
      bindAddress: '127.0.0.1',
      ports: { server: 0, client: client.address().port },
      leaseStore: new SqliteLeaseStore(db2),
      onEvent: () => {
        throw new Error('listener broke');
      },
    });
    const port = (await broken.start()).serverPort;
    try {
      await new Promise<void>((r) =>
        client.send(encodePacket(clientPacket({ ...pxe(0), mac: '52:54:00:00:00:21' })), port, '127.0.0.1', () => r()),
      );
      const offer = await reply(0x21, 2000);
      expect(offer?.yiaddr).toBe('127.0.0.100');
    } finally {
      await broken.stop();
      db2.close();
    }
  });

  it('survives a flood of garbage and still answers', async () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    const good = encodePacket(clientPacket({ mac: '52:54:00:00:00:02' }));
    for (let i = 0; i < 3000; i++) {
      const junk =
        i % 2 ? Uint8Array.from({ length: rnd() % 700 }, () => rnd() & 255) : good.subarray(0, rnd() % good.length);
      await send(junk);
    }
    const p = await exchange(clientPacket({ mac: '52:54:00:00:00:03' }));
    expect(p.yiaddr).toMatch(/^127\.0\.0\.1\d\d$/);
    expect(events.filter((e) => e.type === 'dhcp-malformed').length).toBeGreaterThan(100);
    expect(events.filter((e) => e.type === 'dhcp-error')).toEqual([]);
  });

  it('emits the reason when a machine is not allowed, and sends nothing', async () => {
    await send(clientPacket({ ...pxe(7), mac: '52:54:00:00:00:66' }));
    const p = await exchange(clientPacket({ mac: '52:54:00:00:00:04' }));
    expect(p.chaddr[5]).toBe(4);
    expect(events).toContainEqual(
      expect.objectContaining({
        mac: '52:54:00:00:00:66',
        decision: 'ignore',
        reason: 'not booted: site file lists known machines only',
      }),
    );
  });

  it('reloads persisted leases into a new server', () => {
    const again = new DhcpServer({ config, leaseStore: store });
    expect(again.currentLeases().map((l) => l.ip)).toContain('127.0.0.100');
  });
});
