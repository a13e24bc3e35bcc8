// Full DHCP server (RFC 2131 §4.3): pool + reservations, DISCOVER/REQUEST/RELEASE/DECLINE/INFORM.
import { sameSubnet, ZERO_IP } from './address.js';
import { type BootTarget, chooseBoot } from './boot.js';
import type { ClientInfo } from './classify.js';
import { type DhcpPacket, getIpOption } from './codec.js';
import { type DecideInput, type Decision, ignore } from './decision.js';
import { DECLINE_QUARANTINE_MS, type LeaseEffect, type LeaseTable, OFFER_HOLD_MS, type PoolConfig } from './lease.js';
import { MessageType, OptionCode } from './options.js';
import { addBoot, echoRelayInfo, hostNameOf, opt, replyDestination, replyTo } from './reply.js';

type FullInput = DecideInput & { leases: LeaseTable; pool: PoolConfig };

export function decideFull(input: DecideInput & { leases: LeaseTable }, client: ClientInfo): Decision {
  const pool = input.config.pool;
  if (!pool) return ignore('full mode without a pool (configuration error)', client);
  const req = input.packet;
  if (input.via === 'pxe')
    return ignore('full mode puts the boot file in the DHCP reply; port 4011 is not served', client);
  if (req.giaddr !== ZERO_IP && !sameSubnet(req.giaddr, pool.start, pool.subnetMask)) {
    return ignore(`relayed from ${req.giaddr}, outside the pool subnet ${pool.start}/${pool.subnetMask}`, client);
  }
  let boot: BootTarget = { kind: 'none', reason: 'ordinary DHCP client: address only' };
  if (client.netboot || client.ipxe) {
    if (!input.policy.allowed) return ignore(`not booted: ${input.policy.reason}`, client);
    boot = chooseBoot(client, input.config.boot);
    if (boot.kind === 'none') return ignore(`not booted: ${boot.reason}`, client);
  }
  const fi: FullInput = { ...input, pool };
  switch (client.msgType) {
    case MessageType.Discover:
      return offer(fi, client, boot);
    case MessageType.Request:
      return request(fi, client, boot);
    case MessageType.Inform:
      return inform(fi, client, boot);
    case MessageType.Release:
      return release(fi, client);
    case MessageType.Decline:
      return decline(fi, client);
    default:
      return ignore(`message type ${client.msgType} is not handled`, client);
  }
}

function leaseSeconds(pool: PoolConfig, client: ClientInfo): number {
  // Firmware and iPXE get short leases so the several DHCP identities of one boot do not pin addresses (MAAS: 30 s).
  return client.netboot ? pool.pxeLeaseSeconds : pool.leaseSeconds;
}

function offer(fi: FullInput, client: ClientInfo, boot: BootTarget): Decision {
  const req = fi.packet;
  const ip = fi.leases.pick(client.mac, getIpOption(req, OptionCode.RequestedAddress), fi.now);
  if (!ip) {
    const reserved = fi.leases.reservationOf(client.mac);
    const why = reserved
      ? `reserved address ${reserved} is in use or declined`
      : `pool ${fi.pool.start}-${fi.pool.end} is exhausted`;
    return ignore(`no OFFER: ${why}`, client);
  }
  const reply = leaseReply(fi, client, MessageType.Offer, ip, boot);
  const current = fi.leases.get(ip);
  const keep = current?.state === 'bound' && current.mac === client.mac && current.expiresAt > fi.now + OFFER_HOLD_MS;
  const effects: LeaseEffect[] = keep
    ? []
    : [{ op: 'hold', lease: { ip, mac: client.mac, state: 'offered', expiresAt: fi.now + OFFER_HOLD_MS } }];
  return replyDecision(fi, client, reply, MessageType.Offer, `OFFER ${ip}; ${boot.reason}`, effects);
}

function request(fi: FullInput, client: ClientInfo, boot: BootTarget): Decision {
  const req = fi.packet;
  const serverId = getIpOption(req, OptionCode.ServerId);
  const requested = getIpOption(req, OptionCode.RequestedAddress);
  if (serverId && serverId !== fi.config.serverIp) {
    // RFC 2131 §4.3.2: the client chose another server; drop our offer, never ACK.
    const held = fi.leases.activeOf(client.mac, fi.now);
    const reason = `REQUEST names server ${serverId}, not us`;
    if (held?.state !== 'offered') return ignore(reason, client);
    return {
      kind: 'update',
      reason: `${reason}; offer of ${held.ip} withdrawn`,
      client,
      effects: [{ op: 'release', ip: held.ip, mac: client.mac }],
    };
  }
  const ip = requested ?? (req.ciaddr !== ZERO_IP ? req.ciaddr : undefined);
  if (!ip) return ignore('REQUEST without requested address (50) or ciaddr', client);
  const nak = nakReason(fi, client, ip);
  if (nak) return replyDecision(fi, client, nakPacket(fi, nak), MessageType.Nak, `NAK ${ip}: ${nak}`, []);
  const reply = leaseReply(fi, client, MessageType.Ack, ip, boot);
  reply.ciaddr = req.ciaddr;
  const seconds = leaseSeconds(fi.pool, client);
  const lease = {
    ip,
    mac: client.mac,
    state: 'bound' as const,
    expiresAt: fi.now + seconds * 1000,
    hostname: hostNameOf(req),
  };
  if (lease.hostname === undefined) delete lease.hostname;
  return replyDecision(fi, client, reply, MessageType.Ack, `ACK ${ip} for ${seconds}s; ${boot.reason}`, [
    { op: 'bind', lease },
  ]);
}

/** RFC 2131 §4.3.2: NAK an address that is wrong for this network or belongs to someone else. */
function nakReason(fi: FullInput, client: ClientInfo, ip: string): string | undefined {
  if (!sameSubnet(ip, fi.pool.start, fi.pool.subnetMask))
    return `not on our network ${fi.pool.start}/${fi.pool.subnetMask}`;
  const reserved = fi.leases.reservationOf(client.mac);
  if (reserved && reserved !== ip) return `this MAC is reserved ${reserved}`;
  if (!fi.leases.inPool(ip)) return 'outside the pool';
  if (!fi.leases.usableBy(ip, client.mac, fi.now)) return 'in use by another client, reserved or declined';
  return undefined;
}

function nakPacket(fi: FullInput, message: string): DhcpPacket {
  const nak = replyTo(fi.packet, MessageType.Nak, fi.config.serverIp);
  nak.options.push(opt.text(OptionCode.Message, message));
  echoRelayInfo(nak, fi.packet);
  return nak;
}

function inform(fi: FullInput, client: ClientInfo, boot: BootTarget): Decision {
  // RFC 2131 §3.4: configuration only, no lease time, no yiaddr; goes to ciaddr.
  const reply = leaseReply(fi, client, MessageType.Ack, ZERO_IP, boot);
  reply.ciaddr = fi.packet.ciaddr;
  reply.options = reply.options.filter((o) => ![OptionCode.LeaseTime, 58, 59].includes(o.code));
  return replyDecision(fi, client, reply, MessageType.Ack, `ACK to INFORM; ${boot.reason}`, []);
}

function release(fi: FullInput, client: ClientInfo): Decision {
  const ip = fi.packet.ciaddr;
  if (!ownServer(fi)) return ignore('RELEASE for another server', client);
  if (ip === ZERO_IP || fi.leases.get(ip)?.mac !== client.mac) {
    return ignore(`RELEASE of ${ip}, which is not leased to ${client.mac}`, client);
  }
  return { kind: 'update', reason: `RELEASE of ${ip}`, client, effects: [{ op: 'release', ip, mac: client.mac }] };
}

function decline(fi: FullInput, client: ClientInfo): Decision {
  const ip = getIpOption(fi.packet, OptionCode.RequestedAddress);
  if (!ownServer(fi)) return ignore('DECLINE for another server', client);
  if (!ip || !fi.leases.inPool(ip)) return ignore(`DECLINE of ${ip ?? '(no address)'}, not one of ours`, client);
  // RFC 2131 §4.3.3: the address is in use by someone else; keep it out of the pool for a while.
  const lease = { ip, mac: '', state: 'declined' as const, expiresAt: fi.now + DECLINE_QUARANTINE_MS };
  return { kind: 'update', reason: `DECLINE of ${ip}: quarantined`, client, effects: [{ op: 'decline', lease }] };
}

function ownServer(fi: FullInput): boolean {
  const id = getIpOption(fi.packet, OptionCode.ServerId);
  return id === undefined || id === fi.config.serverIp;
}

function leaseReply(fi: FullInput, client: ClientInfo, type: MessageType, ip: string, boot: BootTarget): DhcpPacket {
  const reply = replyTo(fi.packet, type, fi.config.serverIp);
  const seconds = leaseSeconds(fi.pool, client);
  reply.yiaddr = ip;
  reply.options.push(
    opt.u32(OptionCode.LeaseTime, seconds),
    opt.u32(OptionCode.RenewalTime, Math.floor(seconds / 2)), // RFC 2131 §4.4.5 T1 = 0.5
    opt.u32(OptionCode.RebindingTime, Math.floor(seconds * 0.875)), // T2 = 0.875
    opt.ip(OptionCode.SubnetMask, fi.pool.subnetMask),
  );
  if (fi.pool.router) reply.options.push(opt.ips(OptionCode.Router, [fi.pool.router]));
  if (fi.pool.dns?.length) reply.options.push(opt.ips(OptionCode.DomainServer, fi.pool.dns));
  if (fi.pool.domain) reply.options.push(opt.text(OptionCode.DomainName, fi.pool.domain));
  addBoot(reply, boot, fi.config.serverIp);
  if (client.httpBoot) reply.options.push(opt.text(OptionCode.VendorClass, 'HTTPClient')); // UEFI HTTP boot needs it echoed
  echoRelayInfo(reply, fi.packet);
  return reply;
}

function replyDecision(
  fi: FullInput,
  client: ClientInfo,
  packet: DhcpPacket,
  type: MessageType,
  reason: string,
  effects: LeaseEffect[],
): Decision {
  return {
    kind: 'reply',
    packet,
    dest: replyDestination(fi.packet, packet, type, client.mac),
    reason,
    client,
    effects,
  };
}
