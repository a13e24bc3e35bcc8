// 100,000 random or mutated DHCP packets and 100,000 TFTP packets through exactly the logic the servers run
// (decode → decide → lease effects; decode → request decision → transfer state machine). Nothing throws, the
// lease table keeps its invariants, and valid clients are still answered afterwards.
import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket } from '../../src/core/dhcp/codec.js';
import { type DhcpConfig, decide } from '../../src/core/dhcp/decide.js';
import { LeaseTable } from '../../src/core/dhcp/lease.js';
import { MessageType } from '../../src/core/dhcp/options.js';
import { negotiateOptions } from '../../src/core/tftp/options.js';
import { decodePacket as decodeTftp, encodePacket as encodeTftp } from '../../src/core/tftp/packet.js';
import { decideRequest } from '../../src/core/tftp/request.js';
import { defaultRetransmit } from '../../src/core/tftp/retransmit.js';
import { receive, startTransfer, tick } from '../../src/core/tftp/transfer.js';
import { clientPacket, pxe } from '../core/dhcp/packets.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s;
  };
}

function mutate(base: Uint8Array, r: () => number): Uint8Array {
  const kind = r() % 4;
  if (kind === 0) return Uint8Array.from({ length: r() % 600 }, () => r() & 255);
  if (kind === 1) return base.subarray(0, r() % (base.length + 1));
  const out = Uint8Array.from(base);
  for (let i = 0, n = 1 + (r() % 8); i < n; i++) out[r() % out.length] = r() & 255;
  if (kind === 3) return Uint8Array.from([...out, ...Array.from({ length: r() % 64 }, () => r() & 255)]);
  return out;
}

const config: DhcpConfig = {
  mode: 'full',
  serverIp: '10.99.0.1',
  pool: {
    start: '10.99.0.100',
    end: '10.99.0.150',
    subnetMask: '255.255.255.0',
    leaseSeconds: 600,
    pxeLeaseSeconds: 60,
  },
  boot: {
    tftpServer: '10.99.0.1',
    scriptBaseUrl: 'http://10.99.0.1:8080/boot/',
    httpBootBaseUrl: 'http://10.99.0.1:8080/ipxe/',
    files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
  },
};

describe('fuzz', () => {
  it('DHCP: 100,000 random/mutated packets never throw, leases stay consistent, a valid client still gets an OFFER', () => {
    const r = rng(42);
    const leases = new LeaseTable(config.pool!, []);
    const seeds = [
      encodePacket(clientPacket({ mac: '52:54:00:00:00:01', ...pxe(7) })),
      encodePacket(
        clientPacket({
          mac: '52:54:00:00:00:02',
          type: MessageType.Request,
          serverId: '10.99.0.1',
          requested: '10.99.0.100',
        }),
      ),
      encodePacket(clientPacket({ mac: '52:54:00:00:00:03', ...pxe(0), type: MessageType.Release })),
    ];
    let now = 1_000_000;
    let malformed = 0;
    for (let i = 0; i < 100_000; i++) {
      const d = decodePacket(mutate(seeds[i % seeds.length]!, r));
      now += 10;
      if (d.kind !== 'packet') {
        malformed++;
        continue;
      }
      const out = decide({
        packet: d.packet,
        via: 'dhcp',
        config,
        leases,
        policy: { allowed: true, reason: 'fuzz' },
        now,
      });
      if (out.kind !== 'ignore') for (const e of out.effects) leases.apply(e);
    }
    expect(malformed).toBeGreaterThan(5_000);
    const all = leases.all();
    expect(new Set(all.map((l) => l.ip)).size).toBe(all.length);
    for (const l of all) expect(leases.inPool(l.ip)).toBe(true);
    const ok = decide({
      packet: clientPacket({ mac: '52:54:00:aa:bb:cc', ...pxe(7) }),
      via: 'dhcp',
      config,
      leases,
      policy: { allowed: true, reason: 'ok' },
      now: now + 10 * 60_000,
    });
    expect(ok.kind).toBe('reply');
  });

  it('TFTP: 100,000 random/mutated packets never throw, and a transfer in progress completes afterwards', () => {
    const r = rng(7);
    const seeds = [
      encodeTftp({
        kind: 'rrq',
        file: 'snponly.efi',
        mode: 'octet',
        options: [
          ['blksize', '1468'],
          ['tsize', '0'],
          ['windowsize', '4'],
        ],
      }),
      encodeTftp({ kind: 'ack', block: 1 }),
      encodeTftp({ kind: 'error', code: 8, message: 'User aborted the transfer' }),
    ];
    const size = 100_000;
    let step = startTransfer(
      size,
      negotiateOptions([['blksize', '1468']], size, { maxBlksize: 1468, maxWindowsize: 16 }),
      defaultRetransmit,
      0,
    );
    let now = 0;
    let invalid = 0;
    for (let i = 0; i < 100_000; i++) {
      const d = decodeTftp(mutate(seeds[i % seeds.length]!, r));
      if (d.kind === 'invalid') {
        invalid++;
        continue;
      }
      decideRequest(d);
      // Stray packets from the right TID that are not ACKs must not derail the transfer; only our own ACKs drive it.
      if (d.kind !== 'ack' && d.kind !== 'error') step = receive(step.state, d, now);
    }
    expect(invalid).toBeGreaterThan(10_000);
    expect(step.state.phase).not.toBe('aborted');
    for (let block = step.state.acked; step.state.phase !== 'done' && block <= step.state.lastBlock + 1; block++) {
      now += 1;
      step = receive(step.state, { kind: 'ack', block: block % 65536 }, now);
      step = tick(step.state, now);
    }
    expect(step.state.phase).toBe('done');
  });
});
