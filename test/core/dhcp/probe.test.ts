import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket } from '../../../src/core/dhcp/codec.js';
import { buildProbeDiscover, summarizeOffers } from '../../../src/core/dhcp/probe.js';
import { readPcapDhcp } from '../../fixtures/pcap-reader.js';
import { fixturePath, mustDecode } from './fixtures.js';

describe('probe', () => {
  it('builds a broadcast DISCOVER that decodes', () => {
    const p = buildProbeDiscover('02:00:00:00:00:01', 0xdeadbeef);
    const d = decodePacket(encodePacket(p));
    expect(d.kind).toBe('packet');
    expect(p.flags & 0x8000).toBe(0x8000);
  });

  it('summarizes the captured dnsmasq OFFERs as one PXE-serving server', () => {
    const replies = readPcapDhcp(fixturePath('bios-ipxe-rom'))
      .filter((d) => d.srcPort === 67)
      .map((d) => mustDecode(d.payload));
    expect(summarizeOffers(replies, 0xf27e2e2f)).toEqual([
      { serverId: '10.99.0.1', offered: '10.99.0.115', bootsPxe: true, bootFile: 'boot.ipxe' },
    ]);
    expect(summarizeOffers(replies, 1)).toEqual([]);
  });
});
