// Golden decode of the TFTP packets in the real captures (OVMF, iPXE ROM, iPXE snponly), plus a replay
// of the clients' requests through our own decision, negotiation and state machine.
// UPDATE_GOLDEN=1 rewrites the golden files.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { negotiateOptions } from '../../../src/core/tftp/options.js';
import { decodePacket, encodePacket, type Packet } from '../../../src/core/tftp/packet.js';
import { decideRequest } from '../../../src/core/tftp/request.js';
import { defaultRetransmit } from '../../../src/core/tftp/retransmit.js';
import { receive, startTransfer } from '../../../src/core/tftp/transfer.js';
import { readPcapUdp, type UdpDatagram } from '../../fixtures/pcap-reader.js';
import { expectGoldenFile } from '../../support/golden-file.js';

const pcapDir = join(import.meta.dirname, '../../fixtures/pcap');
const goldenDir = join(import.meta.dirname, 'golden');
const notTftp = new Set([67, 68, 546, 547, 4011]);

function tftpDatagrams(name: string): UdpDatagram[] {
  return readPcapUdp(join(pcapDir, `${name}.pcap`)).filter((d) => !notTftp.has(d.srcPort) && !notTftp.has(d.dstPort));
}

function describePacket(p: ReturnType<typeof decodePacket>): string {
  switch (p.kind) {
    case 'rrq':
    case 'wrq':
      return `${p.kind.toUpperCase()} file=${p.file} mode=${p.mode}${p.options.map(([k, v]) => ` ${k}=${v}`).join('')}`;
    case 'oack':
      return `OACK${p.options.map(([k, v]) => ` ${k}=${v}`).join('')}`;
    case 'data': {
      const sum = createHash('sha256').update(p.data).digest('hex').slice(0, 16);
      return `DATA block=${p.block} len=${p.data.length} sha256=${sum}`;
    }
    case 'ack':
      return `ACK block=${p.block}`;
    case 'error':
      return `ERROR code=${p.code} message=${JSON.stringify(p.message)}`;
    case 'invalid':
      return `INVALID ${p.reason}`;
  }
}

const captures = ['uefi-ovmf-pxe', 'bios-ipxe-rom', 'uefi-ipxe-second-dhcp'];

describe('TFTP packets in the pcap fixtures', () => {
  for (const name of captures) {
    it(`${name} decodes to its golden text and re-encodes byte for byte`, () => {
      const dgrams = tftpDatagrams(name);
      expect(dgrams.length).toBeGreaterThan(0);
      const lines = dgrams.map((d) => {
        const p = decodePacket(d.payload);
        expect(p.kind).not.toBe('invalid');
        expect(encodePacket(p as Packet)).toEqual(d.payload);
        return `#${d.index} ${d.srcIp}:${d.srcPort} > ${d.dstIp}:${d.dstPort} ${describePacket(p)}`;
      });
      const text = `${lines.join('\n')}\n`;
      expectGoldenFile(join(goldenDir, `${name}.tftp.txt`), text);
    });
  }
});

describe('replaying the captured clients against our core', () => {
  const limits = { maxBlksize: 1468, maxWindowsize: 16 };

  it('OVMF: tsize probe gets the real size, its ERROR 8 aborts, the real RRQ gets windowsize 4', () => {
    const [probe, , abort, real] = tftpDatagrams('uefi-ovmf-pxe').map((d) => decodePacket(d.payload));
    const first = decideRequest(probe!);
    if (first.kind !== 'read') throw new Error(`expected a read, got ${first.kind}`);
    const n1 = negotiateOptions(first.options, 20480, limits);
    expect(n1.oack).toEqual([
      ['tsize', '20480'],
      ['blksize', '1468'],
      ['windowsize', '4'],
    ]);
    const started = startTransfer(20480, n1, defaultRetransmit, 0);
    const aborted = receive(started.state, abort as Packet, 2);
    expect(aborted.effects).toEqual([{ kind: 'abort', reason: 'client sent ERROR 8: User aborted the transfer' }]);
    // dnsmasq ignored windowsize, so the capture is lock-step; we grant it (RFC 7440).
    const second = decideRequest(real!);
    if (second.kind !== 'read') throw new Error(`expected a read, got ${second.kind}`);
    const n2 = negotiateOptions(second.options, 20480, limits);
    expect(n2).toMatchObject({ blksize: 1468, windowsize: 4 });
    const s = startTransfer(20480, n2, defaultRetransmit, 0);
    expect(receive(s.state, { kind: 'ack', block: 0 }, 1).effects).toEqual([{ kind: 'send-data', from: 1, to: 4 }]);
  });

  it('iPXE: blksize=1432 tsize=0 is answered like dnsmasq did', () => {
    const dgrams = tftpDatagrams('bios-ipxe-rom');
    const rrq = decideRequest(decodePacket(dgrams[0]!.payload));
    if (rrq.kind !== 'read') throw new Error(`expected a read, got ${rrq.kind}`);
    const ours = encodePacket({ kind: 'oack', options: negotiateOptions(rrq.options, 20000, limits).oack });
    expect(ours).toEqual(dgrams[1]!.payload);
  });
});
