// Transfer I/O through the native data pump (native/src/tftp_pump.c). The pump owns the transfer
// socket and runs on a thread of its own: it sends each burst as soon as the client acknowledges the
// previous one, and returns to JavaScript only for what the state machine must decide (the OACK's
// ACK 0, a duplicate or stray packet, a timeout) or once per progress interval. Everything it did
// on its own is folded into the state with core/tftp/transfer `advance`.
import { performance } from 'node:perf_hooks';
import { getSystemErrorName } from 'node:util';
import type { Transfer } from '../core/tftp/transfer.js';
import { loadNativePump, type PumpCallback, PumpOutcome } from './native-addon.js';
import type { IoOptions, TransferIo } from './tftp-io.js';
import { sourceSize } from './tftp-source.js';

const errnoName = (errno: number) => {
  try {
    return getSystemErrorName(-Math.abs(errno));
  } catch {
    return `errno ${errno}`;
  }
};

/** The native I/O, or undefined when the addon (or its pump) is not built. */
export async function openNativeIo(o: IoOptions): Promise<TransferIo | undefined> {
  const pump = loadNativePump();
  if (typeof pump === 'string') return undefined;
  const { handlers: h, negotiated: n } = o;
  let running = false;
  let closed = false;
  const onRun: PumpCallback = (outcome, acked, sentTo, burstAgeMs, rttOrErrno, packet) => {
    running = false;
    if (closed || outcome === PumpOutcome.Stopped) return;
    if (outcome === PumpOutcome.ReadError) return h.fail(`read error: ${errnoName(rttOrErrno)}`, true);
    if (outcome === PumpOutcome.SocketError) return h.fail(`socket error: ${errnoName(rttOrErrno)}`, false);
    const now = performance.now();
    if (!h.pumped({ acked, sentTo, burstAt: now - burstAgeMs, rttMs: rttOrErrno >= 0 ? rttOrErrno : null })) return;
    switch (outcome) {
      case PumpOutcome.Packet:
        return h.packet(packet!);
      case PumpOutcome.Timeout:
        return h.due();
      default:
        return h.idle();
    }
  };
  const { handle, port } = pump.tftpPumpOpen(
    o.bindAddress,
    o.client.address,
    o.client.port,
    o.source.kind === 'file' ? o.source.fd : o.source.bytes,
    sourceSize(o.source),
    n.blksize,
    n.windowsize,
    o.busyPollUs ?? 0,
    onRun,
  );
  return {
    kind: 'native',
    port,
    send: (bytes) => void pump.tftpPumpSend(handle, bytes),
    sendBlocks(_t: Transfer, from: number, to: number) {
      const r = pump.tftpPumpSendBlocks(handle, from, to);
      if (r < 0) throw new Error(errnoName(r));
    },
    wait(t: Transfer, now: number) {
      if (running || closed) return;
      running = true;
      const r = pump.tftpPumpRun(
        handle,
        t.acked,
        t.sentTo,
        t.lastBlock,
        now - t.burstAt,
        Math.max(0, t.deadline - now),
        t.rto.current,
        o.progressIntervalMs,
        t.retried,
        t.retried || t.rto.srtt === null,
      );
      if (r !== 0) {
        running = false;
        h.fail(`tftp pump: ${errnoName(r)}`, false);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      pump.tftpPumpClose(handle);
    },
  };
}
