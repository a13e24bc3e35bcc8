// proxyDHCP (PXE spec 2.1 §2.2.1, RFC 4578): another server hands out addresses; we only tell netboot clients
// what to boot. We never set yiaddr, answer DISCOVER on 67 with an OFFER and REQUEST on 4011 (or a REQUEST on 67
// naming us) with an ACK, like dnsmasq and the Omni provider; option 43 discovery control 8 + siaddr + option 54
// let most firmware skip the 4011 step, as smee relies on.
import { chooseBoot } from './boot.js';
import type { ClientInfo } from './classify.js';
import { getIpOption } from './codec.js';
import { type DecideInput, type Decision, ignore } from './decision.js';
import { MessageType, OptionCode } from './options.js';
import { addBoot, addPxeIdentity, echoRelayInfo, type ReplyDest, replyDestination, replyTo } from './reply.js';

export function decideProxy(input: DecideInput, client: ClientInfo): Decision {
  const { packet: req, config, policy, via } = input;
  if (!client.netboot) {
    const vc = client.vendorClass ? `vendor class ${JSON.stringify(client.vendorClass)}` : 'no vendor class';
    return ignore(`proxy mode: not a PXE/HTTP boot client (${vc}); the site DHCP server serves it`, client);
  }
  if (!policy.allowed) return ignore(`not booted: ${policy.reason}`, client);
  const target = chooseBoot(client, config.boot);
  if (target.kind === 'none') return ignore(`not booted: ${target.reason}`, client);

  let type: MessageType;
  let dest: ReplyDest | undefined;
  switch (client.msgType) {
    case MessageType.Discover:
      if (via === 'pxe') return ignore('DISCOVER on port 4011 is not part of the PXE exchange', client);
      type = MessageType.Offer;
      break;
    case MessageType.Request:
    case MessageType.Inform: {
      const serverId = getIpOption(req, OptionCode.ServerId);
      // A REQUEST on 67 naming the site server is its business; one naming us (or any on 4011) wants our ACK.
      if (via === 'dhcp' && serverId !== config.serverIp) {
        return ignore(`proxy mode: REQUEST for DHCP server ${serverId ?? '(none named)'}, not us`, client);
      }
      type = MessageType.Ack;
      if (via === 'pxe') dest = { kind: 'source' };
      break;
    }
    default:
      return ignore(`proxy mode keeps no leases: ${MessageType[client.msgType!]} is for the site DHCP server`, client);
  }
  const reply = replyTo(req, type, config.serverIp);
  if (type === MessageType.Ack) reply.ciaddr = req.ciaddr;
  addBoot(reply, target, config.serverIp);
  addPxeIdentity(reply, client, req);
  echoRelayInfo(reply, req);
  return {
    kind: 'reply',
    packet: reply,
    dest: dest ?? replyDestination(req, reply, type, client.mac),
    reason: `proxy ${type === MessageType.Offer ? 'OFFER' : 'ACK'}: ${target.reason}`,
    effects: [],
    client,
  };
}
