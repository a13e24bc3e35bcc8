// Shared helpers for DHCP core tests: fixture paths and packet builders.
import { join } from 'node:path';
import { type DhcpPacket, decodePacket } from '../../../src/core/dhcp/codec.js';
import { readPcapDhcp } from '../../fixtures/pcap-reader.js';

export const fixtureNames = [
  'bios-ipxe-rom',
  'uefi-ovmf-pxe',
  'uefi-ipxe-second-dhcp',
  'dhclient',
  'udhcpc-pxe-arch0',
  'udhcpc-pxe-arch7',
] as const;

export function fixturePath(name: string): string {
  return join(import.meta.dirname, '../../fixtures/pcap', `${name}.pcap`);
}

export function mustDecode(b: Uint8Array): DhcpPacket {
  const r = decodePacket(b);
  if (r.kind !== 'packet') throw new Error(`fixture did not decode: ${r.reason}`);
  return r.packet;
}

/** Client packets (to port 67) of one capture, decoded. */
export function clientPackets(name: string): DhcpPacket[] {
  return readPcapDhcp(fixturePath(name))
    .filter((d) => d.dstPort === 67)
    .map((d) => mustDecode(d.payload));
}
