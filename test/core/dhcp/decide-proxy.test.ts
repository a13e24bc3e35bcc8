import { describe, expect, it } from 'vitest';
import { getOption, getTextOption } from '../../../src/core/dhcp/codec.js';
import { type DecideInput, type Decision, type DhcpConfig, decide } from '../../../src/core/dhcp/decide.js';
import { MessageType, OptionCode } from '../../../src/core/dhcp/options.js';
import { pxeVendorOptions } from '../../../src/core/dhcp/reply.js';
import { clientPackets } from './fixtures.js';
import { type ClientSpec, clientPacket, pxe } from './packets.js';

const config: DhcpConfig = {
  mode: 'proxy',
  serverIp: '10.99.0.5',
  boot: {
    tftpServer: '10.99.0.5',
    scriptBaseUrl: 'http://10.99.0.5:8080/boot/',
    httpBootBaseUrl: 'http://10.99.0.5:8080/ipxe/',
    files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
  },
};
const allowed = { allowed: true, reason: 'known' };

function run(spec: ClientSpec, extra: Partial<DecideInput> = {}): Decision {
  return decide({ packet: clientPacket(spec), via: 'dhcp', config, policy: allowed, now: 0, ...extra });
}
function reply(d: Decision) {
  if (d.kind !== 'reply') throw new Error(`expected a reply, got ${d.kind}: ${d.reason}`);
  return d;
}

describe('proxy mode', () => {
  it('an OVMF DISCOVER (captured) gets a proxy OFFER: no address, PXEClient, option 43, boot file, broadcast', () => {
    const packet = clientPackets('uefi-ovmf-pxe')[0]!;
    const d = reply(decide({ packet, via: 'dhcp', config, policy: allowed, now: 0 }));
    expect(d.packet.yiaddr).toBe('0.0.0.0');
    expect(d.packet.siaddr).toBe('10.99.0.5');
    expect(d.packet.file).toBe('snponly.efi');
    expect(getTextOption(d.packet, OptionCode.VendorClass)).toBe('PXEClient');
    expect(getOption(d.packet, OptionCode.VendorSpecific)).toEqual(pxeVendorOptions());
    expect(getOption(d.packet, OptionCode.VendorSpecific)?.subarray(0, 3)).toEqual(Uint8Array.of(6, 1, 8));
    expect(getOption(d.packet, OptionCode.ClientGuid)).toEqual(getOption(packet, OptionCode.ClientGuid));
    expect(getOption(d.packet, OptionCode.LeaseTime)).toBeUndefined();
    expect(d.dest).toEqual({ kind: 'broadcast' });
    expect(d.effects).toEqual([]);
  });

  it('a REQUEST on port 4011 gets an ACK back to its source', () => {
    const d = reply(run({ ...pxe(7), type: MessageType.Request, ciaddr: '10.99.0.120' }, { via: 'pxe' }));
    expect(d.dest).toEqual({ kind: 'source' });
    expect(d.packet.ciaddr).toBe('10.99.0.120');
    expect(d.packet.yiaddr).toBe('0.0.0.0');
    expect(d.packet.file).toBe('snponly.efi');
  });

  it('iPXE (captured 2nd DHCP) gets its script URL from the proxy', () => {
    const packet = clientPackets('uefi-ipxe-second-dhcp')[2]!;
    const d = reply(decide({ packet, via: 'dhcp', config, policy: allowed, now: 0 }));
    expect(d.packet.file).toBe('http://10.99.0.5:8080/boot/52-54-00-99-00-30.ipxe');
  });

  const table: { name: string; input: ClientSpec; via?: 'dhcp' | 'pxe'; want: RegExp }[] = [
    { name: 'dhclient-like clients are left to the site server', input: {}, want: /not a PXE\/HTTP boot client/ },
    {
      name: 'a REQUEST to the site server on 67 is not ours',
      input: { ...pxe(0), type: MessageType.Request, serverId: '10.99.0.1', requested: '10.99.0.115' },
      want: /REQUEST for DHCP server 10\.99\.0\.1/,
    },
    {
      name: 'a RELEASE is for the site server',
      input: { ...pxe(0), type: MessageType.Release },
      want: /keeps no leases/,
    },
    { name: 'a DISCOVER on 4011 is not part of PXE', input: pxe(0), via: 'pxe', want: /not part of the PXE exchange/ },
  ];
  for (const c of table) {
    it(c.name, () => {
      const d = run(c.input, { via: c.via ?? 'dhcp' });
      expect(d.kind).toBe('ignore');
      expect(d.reason).toMatch(c.want);
    });
  }

  it('a REQUEST on 67 naming us is ACKed (clients that took our offer)', () => {
    expect(reply(run({ ...pxe(0), type: MessageType.Request, serverId: '10.99.0.5' })).packet.yiaddr).toBe('0.0.0.0');
  });

  it('HTTP boot clients get HTTPClient and no option 43', () => {
    const d = reply(run({ vendorClass: 'HTTPClient:Arch:00016:UNDI:003000', arch: 16 }));
    expect(getTextOption(d.packet, OptionCode.VendorClass)).toBe('HTTPClient');
    expect(getOption(d.packet, OptionCode.VendorSpecific)).toBeUndefined();
    expect(d.packet.file).toBe('http://10.99.0.5:8080/ipxe/snponly.efi');
  });

  it('machines that are not allowed get no answer, with the policy reason', () => {
    const d = run(pxe(0), { policy: { allowed: false, reason: 'MAC not in site file' } });
    expect(d).toMatchObject({ kind: 'ignore', reason: 'not booted: MAC not in site file' });
  });
});
