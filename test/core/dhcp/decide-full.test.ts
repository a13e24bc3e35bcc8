import { describe, expect, it } from 'vitest';
import { getIpOption, getOption, getTextOption } from '../../../src/core/dhcp/codec.js';
import { type DecideInput, type Decision, type DhcpConfig, decide } from '../../../src/core/dhcp/decide.js';
import { LeaseTable, type PoolConfig } from '../../../src/core/dhcp/lease.js';
import { MessageType, OptionCode } from '../../../src/core/dhcp/options.js';
import { clientPackets } from './fixtures.js';
import { type ClientSpec, clientPacket, pxe } from './packets.js';

const pool: PoolConfig = {
  start: '10.99.0.100',
  end: '10.99.0.102',
  subnetMask: '255.255.255.0',
  router: '10.99.0.1',
  dns: ['10.99.0.1'],
  leaseSeconds: 3600,
  pxeLeaseSeconds: 120,
  reservations: { '52:54:00:00:00:aa': '10.99.0.50' },
};
const config: DhcpConfig = {
  mode: 'full',
  serverIp: '10.99.0.1',
  pool,
  boot: {
    tftpServer: '10.99.0.1',
    scriptBaseUrl: 'http://10.99.0.1:8080/boot/',
    httpBootBaseUrl: 'http://10.99.0.1:8080/ipxe/',
    files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
  },
};
const T0 = 1_700_000_000_000;
const allowed = { allowed: true, reason: 'known machine' };

function run(spec: ClientSpec, leases = new LeaseTable(pool), extra: Partial<DecideInput> = {}): Decision {
  return decide({ packet: clientPacket(spec), via: 'dhcp', config, leases, policy: allowed, now: T0, ...extra });
}
function applyAll(d: Decision, leases: LeaseTable) {
  if (d.kind !== 'ignore') for (const e of d.effects) leases.apply(e);
}
function reply(d: Decision) {
  if (d.kind !== 'reply') throw new Error(`expected a reply, got ${d.kind}: ${d.reason}`);
  return d;
}

describe('full mode', () => {
  it('a BIOS PXE DISCOVER gets an OFFER from the pool with a short lease, siaddr and undionly.kpxe', () => {
    const d = reply(run(pxe(0)));
    expect(d.packet.yiaddr).toBe('10.99.0.100');
    expect(d.packet.siaddr).toBe('10.99.0.1');
    expect(d.packet.file).toBe('undionly.kpxe');
    expect(getTextOption(d.packet, OptionCode.BootfileName)).toBe('undionly.kpxe');
    expect(getOption(d.packet, OptionCode.LeaseTime)).toEqual(Uint8Array.of(0, 0, 0, 120));
    expect(d.dest).toEqual({ kind: 'client', ip: '10.99.0.100', mac: '52:54:00:00:00:01' });
    expect(d.effects[0]).toMatchObject({ op: 'hold', lease: { ip: '10.99.0.100', state: 'offered' } });
  });

  it('dhclient (captured) gets an address with the normal lease and no boot file', () => {
    const leases = new LeaseTable(pool);
    const d = reply(
      decide({ packet: clientPackets('dhclient')[0]!, via: 'dhcp', config, leases, policy: allowed, now: T0 }),
    );
    expect(d.packet.file).toBe('');
    expect(getOption(d.packet, OptionCode.LeaseTime)).toEqual(Uint8Array.of(0, 0, 0x0e, 0x10));
    expect(d.reason).toMatch(/ordinary DHCP client/);
  });

  it('the captured iPXE ROM exchange ends in an ACK with the per-machine script URL', () => {
    const wide = { ...config, pool: { ...pool, end: '10.99.0.150' } };
    const leases = new LeaseTable(wide.pool);
    const [discover, , request] = clientPackets('bios-ipxe-rom');
    const offer = reply(decide({ packet: discover!, via: 'dhcp', config: wide, leases, policy: allowed, now: T0 }));
    expect(offer.packet.file).toBe('http://10.99.0.1:8080/boot/52-54-00-99-00-10.ipxe');
    applyAll(offer, leases);
    // The capture's REQUEST asks for dnsmasq's 10.99.0.115 from server 10.99.0.1 (= us here): free, so ACKed.
    const ack = reply(decide({ packet: request!, via: 'dhcp', config: wide, leases, policy: allowed, now: T0 + 3000 }));
    expect(ack.packet.yiaddr).toBe('10.99.0.115');
    expect(ack.reason).toMatch(/iPXE → per-machine script/);
  });

  it('the captured iPXE REQUEST is NAKed when its address is outside our pool', () => {
    const request = clientPackets('bios-ipxe-rom')[2]!;
    const d = decide({ packet: request, via: 'dhcp', config, leases: new LeaseTable(pool), policy: allowed, now: T0 });
    expect(d).toMatchObject({ kind: 'reply', reason: expect.stringMatching(/^NAK 10\.99\.0\.115: outside the pool/) });
  });

  it('DORA: REQUEST for the offered address is ACKed and bound', () => {
    const leases = new LeaseTable(pool);
    applyAll(run(pxe(7), leases), leases);
    const d = reply(
      run({ ...pxe(7), type: MessageType.Request, serverId: '10.99.0.1', requested: '10.99.0.100' }, leases),
    );
    expect(getIpOption(d.packet, OptionCode.ServerId)).toBe('10.99.0.1');
    expect(d.packet.file).toBe('snponly.efi');
    expect(d.effects).toEqual([
      { op: 'bind', lease: { ip: '10.99.0.100', mac: '52:54:00:00:00:01', state: 'bound', expiresAt: T0 + 120_000 } },
    ]);
  });

  const table: { name: string; input: ClientSpec; want: RegExp; kind: Decision['kind'] }[] = [
    {
      name: 'a REQUEST naming another server is not ACKed',
      input: { type: MessageType.Request, serverId: '10.99.0.254', requested: '10.99.0.100' },
      kind: 'ignore',
      want: /names server 10\.99\.0\.254/,
    },
    {
      name: 'a REQUEST for an address on another network is NAKed',
      input: { type: MessageType.Request, requested: '192.168.1.5' },
      kind: 'reply',
      want: /NAK 192\.168\.1\.5: not on our network/,
    },
    {
      name: 'a REQUEST for an address outside the pool is NAKed',
      input: { type: MessageType.Request, requested: '10.99.0.200' },
      kind: 'reply',
      want: /outside the pool/,
    },
    {
      name: 'a REQUEST for another MAC’s reserved address is NAKed',
      input: { type: MessageType.Request, requested: '10.99.0.50' },
      kind: 'reply',
      want: /in use by another client, reserved/,
    },
    {
      name: 'a REQUEST without address or ciaddr is ignored',
      input: { type: MessageType.Request },
      kind: 'ignore',
      want: /without requested address/,
    },
    {
      name: 'a RELEASE of an address we never leased is ignored',
      input: { type: MessageType.Release, ciaddr: '10.99.0.101' },
      kind: 'ignore',
      want: /not leased/,
    },
    {
      name: 'a DECLINE quarantines the address',
      input: { type: MessageType.Decline, requested: '10.99.0.101', serverId: '10.99.0.1' },
      kind: 'update',
      want: /quarantined/,
    },
    {
      name: 'a relayed DISCOVER from another subnet is ignored',
      input: { giaddr: '10.50.0.1' },
      kind: 'ignore',
      want: /outside the pool subnet/,
    },
    {
      name: 'arm64 PXE without a build is ignored with the reason',
      input: pxe(11),
      kind: 'ignore',
      want: /no arm64 iPXE build/,
    },
    {
      name: 'an OFFER message from a client is ignored',
      input: { type: MessageType.Offer },
      kind: 'ignore',
      want: /not a client message/,
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const d = run(c.input);
      expect(d.kind).toBe(c.kind);
      expect(d.reason).toMatch(c.want);
    });
  }

  it('a NAK is broadcast and carries a message', () => {
    const d = reply(run({ type: MessageType.Request, requested: '192.168.1.5' }));
    expect(d.dest).toEqual({ kind: 'broadcast' });
    expect(getTextOption(d.packet, OptionCode.Message)).toMatch(/not on our network/);
  });

  it('a relayed DISCOVER is answered to giaddr:67 with option 82 echoed last', () => {
    const relay = { code: OptionCode.RelayAgentInfo, data: Uint8Array.of(1, 3, 0x65, 0x74, 0x31) };
    const d = reply(run({ ...pxe(0), giaddr: '10.99.0.2', extra: [relay] }));
    expect(d.dest).toEqual({ kind: 'relay', ip: '10.99.0.2' });
    expect(d.packet.giaddr).toBe('10.99.0.2');
    expect(d.packet.options.at(-1)).toEqual(relay);
  });

  it('the broadcast flag makes the reply a broadcast; ciaddr makes it unicast without ARP', () => {
    expect(reply(run({ ...pxe(0), broadcast: true })).dest).toEqual({ kind: 'broadcast' });
    const leases = new LeaseTable(pool);
    applyAll(run({ type: MessageType.Request, requested: '10.99.0.101' }, leases), leases);
    const renew = reply(run({ type: MessageType.Request, ciaddr: '10.99.0.101' }, leases));
    expect(renew.dest).toEqual({ kind: 'client', ip: '10.99.0.101' });
    expect(renew.packet.ciaddr).toBe('10.99.0.101');
  });

  it('a reserved MAC always gets its reservation', () => {
    expect(reply(run({ mac: '52:54:00:00:00:aa' })).packet.yiaddr).toBe('10.99.0.50');
  });

  it('pool exhaustion is an ignore with a reason, and expired offers free addresses again', () => {
    const leases = new LeaseTable(pool);
    for (const n of [1, 2, 3]) applyAll(run({ mac: `52:54:00:00:01:0${n}` }, leases), leases);
    const full = run({ mac: '52:54:00:00:01:04' }, leases);
    expect(full).toMatchObject({ kind: 'ignore', reason: expect.stringMatching(/exhausted/) });
    const later = run({ mac: '52:54:00:00:01:04' }, leases, { now: T0 + 31_000 });
    expect(reply(later).packet.yiaddr).toMatch(/^10\.99\.0\.10[0-2]$/);
  });

  it('a declined address is skipped until the quarantine ends', () => {
    const leases = new LeaseTable(pool);
    applyAll(run({ type: MessageType.Decline, requested: '10.99.0.100' }, leases), leases);
    expect(reply(run({}, leases)).packet.yiaddr).toBe('10.99.0.101');
    expect(run({ type: MessageType.Request, requested: '10.99.0.100' }, leases).reason).toMatch(/NAK/);
  });

  it('RELEASE frees the address, and the same MAC gets it back next time', () => {
    const leases = new LeaseTable(pool);
    applyAll(run({ type: MessageType.Request, requested: '10.99.0.102' }, leases), leases);
    const rel = run({ type: MessageType.Release, ciaddr: '10.99.0.102', serverId: '10.99.0.1' }, leases);
    expect(rel.kind).toBe('update');
    applyAll(rel, leases);
    expect(leases.activeOf('52:54:00:00:00:01', T0)).toBeUndefined();
    expect(reply(run({}, leases)).packet.yiaddr).toBe('10.99.0.102');
  });

  it('a client that picked another server makes us withdraw our offer', () => {
    const leases = new LeaseTable(pool);
    applyAll(run({}, leases), leases);
    const d = run({ type: MessageType.Request, serverId: '10.99.0.254', requested: '10.99.0.180' }, leases);
    expect(d).toMatchObject({ kind: 'update', effects: [{ op: 'release', ip: '10.99.0.100' }] });
  });

  it('INFORM gets configuration without a lease time', () => {
    const d = reply(run({ type: MessageType.Inform, ciaddr: '10.99.0.77' }));
    expect(d.packet.yiaddr).toBe('0.0.0.0');
    expect(getOption(d.packet, OptionCode.LeaseTime)).toBeUndefined();
    expect(d.dest).toEqual({ kind: 'client', ip: '10.99.0.77' });
  });

  it('a machine the site file does not allow is not booted, with the policy reason', () => {
    const d = run(pxe(0), new LeaseTable(pool), {
      policy: { allowed: false, reason: 'unknown machine; site file boots only known MACs' },
    });
    expect(d).toMatchObject({ kind: 'ignore', reason: 'not booted: unknown machine; site file boots only known MACs' });
  });

  it('UEFI HTTP boot gets the URL and option 60 HTTPClient', () => {
    const d = reply(run({ vendorClass: 'HTTPClient:Arch:00016:UNDI:003000', arch: 16 }));
    expect(getTextOption(d.packet, OptionCode.VendorClass)).toBe('HTTPClient');
    expect(d.packet.file).toBe('http://10.99.0.1:8080/ipxe/snponly.efi');
  });
});
