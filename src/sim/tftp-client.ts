// A read-only TFTP client as UEFI firmware runs it (OVMF: RRQ octet with blksize 1468, tsize 0, windowsize 4).
// One transfer = one socket, so one client TID (RFC 1350 §4); the server answers from its own new port, which
// becomes the only peer we accept. Lost packets are handled by re-sending our last packet on timeout.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { decodePacket, ErrorCode, encodePacket, type Packet } from '../core/tftp/packet.js';

export interface TftpGet {
  server: string;
  port: number;
  file: string;
  /** Source address (the node's leased IP on loopback, so the server sees which node is asking). */
  localAddress?: string;
  blksize?: number;
  windowsize?: number;
  /** Per-try wait for the next packet. Default 1000 ms. */
  timeoutMs?: number;
  retries?: number;
  signal: AbortSignal;
  onProgress?: (bytes: number, total: number | undefined) => void;
}

export interface TftpResult {
  data: Buffer;
  /** What the server's OACK granted (RFC 2348/2349/7440); 512/1/undefined without an OACK. */
  blksize: number;
  windowsize: number;
  tsize: number | undefined;
}

export async function tftpGet(o: TftpGet): Promise<TftpResult> {
  const sock = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: o.localAddress ?? '0.0.0.0', port: 0 }, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', () => {}); // send errors are covered by the retry timer
  try {
    return await transfer(sock, o);
  } finally {
    sock.close();
  }
}

function transfer(sock: Socket, o: TftpGet): Promise<TftpResult> {
  const what = `TFTP ${o.file} from ${o.server}:${o.port}`;
  const rrq = encodePacket({
    kind: 'rrq',
    file: o.file,
    mode: 'octet',
    options: [
      ['blksize', String(o.blksize ?? 1468)],
      ['tsize', '0'],
      ['windowsize', String(o.windowsize ?? 4)],
    ],
  });
  let peer: { address: string; port: number } = { address: o.server, port: o.port };
  let last = rrq;
  let blksize = 512;
  let windowsize = 1;
  let tsize: number | undefined;
  let expected = 1;
  let inWindow = 0;
  let retries = 0;
  const chunks: Buffer[] = [];
  let bytes = 0;
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined) => {
      clearTimeout(timer);
      sock.off('message', onMessage);
      o.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve({ data: Buffer.concat(chunks), blksize, windowsize, tsize });
    };
    const send = (p: Uint8Array) => {
      last = p;
      sock.send(p, peer.port, peer.address);
      arm();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(onTimeout, o.timeoutMs ?? 1000);
    };
    const onTimeout = () => {
      if (++retries > (o.retries ?? 5)) return finish(new Error(`${what}: timed out after ${retries - 1} retries`));
      inWindow = 0;
      send(last);
    };
    const onAbort = () => {
      sock.send(
        encodePacket({ kind: 'error', code: ErrorCode.NotDefined, message: 'aborted' }),
        peer.port,
        peer.address,
      );
      finish(new Error(`${what}: aborted`));
    };
    const ack = (block: number) => send(encodePacket({ kind: 'ack', block: block & 0xffff }));
    const onMessage = (msg: Buffer, rinfo: RemoteInfo) => {
      if (expected === 1 && chunks.length === 0 && rinfo.address === o.server) {
        peer = { address: rinfo.address, port: rinfo.port }; // the server's TID (RFC 1350 §4)
      } else if (rinfo.port !== peer.port || rinfo.address !== peer.address) {
        const err = encodePacket({ kind: 'error', code: ErrorCode.UnknownTid, message: 'unknown transfer ID' });
        sock.send(err, rinfo.port, rinfo.address);
        return;
      }
      const p = decodePacket(msg);
      if (p.kind === 'invalid') return;
      retries = 0;
      handle(p);
    };
    const handle = (p: Packet) => {
      switch (p.kind) {
        case 'oack': {
          if (expected !== 1) return;
          const opt = new Map(p.options);
          blksize = Number(opt.get('blksize') ?? 512);
          windowsize = Number(opt.get('windowsize') ?? 1);
          tsize = opt.has('tsize') ? Number(opt.get('tsize')) : undefined;
          o.onProgress?.(0, tsize);
          return ack(0); // RFC 2347: ACK 0 accepts the options
        }
        case 'data': {
          if (p.block !== (expected & 0xffff)) {
            // RFC 7440 §4: out of order inside a window → ACK the last in-order block so the server resends.
            inWindow = 0;
            return ack(expected - 1);
          }
          chunks.push(Buffer.from(p.data));
          bytes += p.data.length;
          expected++;
          inWindow++;
          o.onProgress?.(bytes, tsize);
          const lastBlock = p.data.length < blksize;
          if (lastBlock || inWindow >= windowsize) {
            inWindow = 0;
            ack(p.block);
          }
          if (lastBlock) {
            if (tsize !== undefined && tsize !== bytes) {
              return finish(new Error(`${what}: got ${bytes} bytes, the server announced tsize ${tsize}`));
            }
            return finish(undefined);
          }
          return;
        }
        case 'error':
          return finish(new Error(`${what}: server sent ERROR ${p.code}: ${p.message}`));
        default:
          return;
      }
    };
    sock.on('message', onMessage);
    o.signal.addEventListener('abort', onAbort, { once: true });
    if (o.signal.aborted) return onAbort();
    send(rrq);
  });
}
