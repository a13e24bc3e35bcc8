// Transfer I/O on plain node:dgram: a socket connected to the client, preallocated DATA datagrams, and
// one lazily re-armed timer. Used when the native data pump (tftp-io-native.ts) is not available.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Opcode } from '../core/tftp/packet.js';
import { blockRange, type Transfer } from '../core/tftp/transfer.js';
import { bindSocket, type IoOptions, type TransferIo } from './tftp-io.js';
import { openSpec } from './tftp-source.js';

/**
 * Preallocated DATA datagrams, one contiguous buffer each (a single iovec is cheapest for Node's send
 * path). Block b uses slot b mod 2·windowsize: a slot is rewritten with new bytes only once the block
 * a full window later is sent, i.e. after the client acknowledged its old block, so its send is done.
 */
function packetRing(windowsize: number, blksize: number): Buffer[] {
  const slots = 2 * windowsize;
  const all = Buffer.allocUnsafeSlow(slots * (4 + blksize));
  return Array.from({ length: slots }, (_, i) => {
    const slot = all.subarray(i * (4 + blksize), (i + 1) * (4 + blksize));
    slot.writeUInt16BE(Opcode.Data, 0); // RFC 1350 §5
    return slot;
  });
}

export async function openNodeIo(o: IoOptions): Promise<TransferIo> {
  const socket = createSocket({ type: isIPv6(o.bindAddress) ? 'udp6' : 'udp4', reuseAddr: true });
  try {
    await bindSocket(socket, o.bindAddress, 0);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(o.client.port, o.client.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  const source = openSpec(o.source);
  const ring = packetRing(o.negotiated.windowsize, o.negotiated.blksize);
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let closed = false;

  const onTimer = () => {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    o.handlers.due();
  };
  socket.on('message', (msg) => {
    if (!closed) o.handlers.packet(msg);
  });
  // Send failures (e.g. EPERM from a firewall) are left to the retransmit timer.
  socket.on('error', () => {});

  return {
    kind: 'node',
    port: socket.address().port,
    send: (bytes) => socket.send(bytes),
    sendBlocks(t: Transfer, from: number, to: number) {
      for (let block = from; block <= to; block++) {
        const r = blockRange(t, block);
        const slot = ring[block % ring.length]!;
        source.copy(r.offset, r.length, slot, 4);
        slot.writeUInt16BE(block & 0xffff, 2); // block numbers roll over past 65535
        socket.send(r.length + 4 === slot.length ? slot : slot.subarray(0, r.length + 4));
      }
    },
    // One timer per transfer; it may fire early and re-arm, which beats clear/set on every packet.
    wait(t: Transfer, now: number) {
      if (timer !== undefined && t.deadline >= timerDue) return;
      clearTimeout(timer);
      timerDue = t.deadline;
      timer = setTimeout(onTimer, Math.max(1, t.deadline - now));
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      socket.close();
    },
  };
}
