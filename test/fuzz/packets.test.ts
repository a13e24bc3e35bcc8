// 100,000 random or mutated DHCP packets and 100,000 TFTP packets through exactly the logic the servers run
// (decode → decide → lease effects; decode → request decision → transfer state machine). Nothing throws, the
// lease table keeps its invariants, and valid clients are still answered afterwards. Mutated ACK and ERROR
// packets go through receive() itself, against live transfers.
import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket } from '../../src/core/dhcp/codec.js';
import { type DhcpConfig, decide } from '../../src/core/dhcp/decide.js';
import { LeaseTable } from '../../src/core/dhcp/lease.js';
import { MessageType } from '../../src/core/dhcp/options.js';
import { negotiateOptions } from '../../src/core/tftp/options.js';
import { decodePacket as decodeTftp, encodePacket as encodeTftp } from '../../src/core/tftp/packet.js';
import { decideRequest } from '../../src/core/tftp/request.js';
import { defaultRetransmit } from '../../src/core/tftp/retransmit.js';
import { receive, type Step, startTransfer, tick } from '../../src/core/tftp/transfer.js';
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

  it('TFTP: 100,000 mutated ACK and ERROR packets through receive() keep every transfer invariant', () => {
    // The LCG's low bits have short periods (bit 0 alternates), which would pin mutate() to one kind on a
    // 4-byte ACK; its high bits are the random part.
    const lcg = rng(1350);
    const r = () => lcg() >>> 8;
    const limits = { maxBlksize: 1468, maxWindowsize: 16 };
    const size = 20_000; // 14 blocks of 1468: transfers finish often, so every phase is exercised
    const start = (): Step =>
      startTransfer(size, negotiateOptions([['windowsize', '4']], size, limits), defaultRetransmit, 0);
    let step = start();
    const seen = { acks: 0, moved: 0, errors: 0, done: 0, aborted: 0 };
    for (let i = 0; i < 100_000; i++) {
      const t = step.state;
      if (t.phase === 'done' || t.phase === 'aborted') {
        seen[t.phase]++;
        step = start();
        continue;
      }
      // Seeds aimed at the live window (in it, just behind, just past it) so mutations land near real blocks.
      const near = (t.acked + (r() % (t.windowsize + 3)) - 1) & 0xffff;
      const seed =
        i % 250 === 0
          ? encodeTftp({ kind: 'error', code: r() % 9, message: 'User aborted the transfer' })
          : encodeTftp({ kind: 'ack', block: near });
      const d = decodeTftp(mutate(seed, r));
      if (d.kind !== 'ack' && d.kind !== 'error') continue;
      const next = receive(t, d, i);
      const s = next.state;
      if (d.kind === 'error') {
        seen.errors++;
        // RFC 1350 §7: an ERROR ends the transfer, and is never answered.
        expect(s.phase).toBe('aborted');
        expect(next.effects).toEqual([{ kind: 'abort', reason: expect.stringContaining(`ERROR ${d.code}`) }]);
      } else {
        seen.acks++;
        // ACK 0 answers the OACK (RFC 2347) and starts the data; any other ACK must move the window to count.
        const progressed = s.acked > t.acked || (t.phase === 'oack' && s.phase === 'data');
        if (progressed) seen.moved++;
        // An ACK never moves the window back, nor past the blocks actually sent.
        expect(s.acked).toBeGreaterThanOrEqual(t.acked);
        expect(s.acked).toBeLessThanOrEqual(Math.max(t.sentTo, t.acked));
        expect(s.phase === 'done').toBe(s.acked === s.lastBlock);
        for (const e of next.effects) {
          // RFC 1123 §4.2.3.1: only a new ACK sends, and only the window after it.
          if (e.kind === 'send-data') {
            expect(progressed).toBe(true);
            expect(e).toEqual({ kind: 'send-data', from: s.acked + 1, to: Math.min(s.lastBlock, s.acked + 4) });
          } else expect(['finish', 'send-oack']).toContain(e.kind);
        }
        if (!progressed) expect(next).toMatchObject({ state: t, effects: [] });
      }
      step = next;
    }
    // The mutations really reached receive() in every way that matters.
    // (counts for this seed: about 11,000 ACKs, 2,100 of them moving a window, 260 ERRORs, 35 transfers done)
    expect(seen.acks).toBeGreaterThan(5_000);
    expect(seen.moved).toBeGreaterThan(1_000);
    expect(seen.errors).toBeGreaterThan(100);
    expect(seen.done).toBeGreaterThan(10);
    expect(seen.aborted).toBe(seen.errors);
  });
});
