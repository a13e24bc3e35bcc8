// A scripted TFTP client for crafted-packet tests: sends exactly what a test says and hands back
// what arrives, with the sender's port so tests can check transfer IDs.
import { createSocket, type Socket } from 'node:dgram';
import { decodePacket, encodePacket, type Packet } from '../../src/core/tftp/packet.js';

export interface Received {
  packet: ReturnType<typeof decodePacket>;
  port: number;
}

export class TftpProbe {
  private readonly queue: Received[] = [];
  private waiter: ((r: Received) => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('message', (msg, rinfo) => {
      const r = { packet: decodePacket(msg), port: rinfo.port };
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(r);
      } else this.queue.push(r);
    });
  }

  static async open(): Promise<TftpProbe> {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
    return new TftpProbe(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(p: Packet | Uint8Array, port: number): void {
    this.socket.send(p instanceof Uint8Array ? p : encodePacket(p), port, '127.0.0.1');
  }

  /** Next datagram, or rejects after `ms` (used only to prove that nothing arrives). */
  next(ms = 3000): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no datagram within ${ms} ms`));
      }, ms);
      this.waiter = (r) => {
        clearTimeout(t);
        resolve(r);
      };
    });
  }

  /** Downloads after the first reply (`first`), ACKing every block; returns the bytes. */
  async download(first: Received, windowsize = 1): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    let r = first;
    const tid = first.port;
    if (r.packet.kind === 'oack') {
      this.send({ kind: 'ack', block: 0 }, tid);
      r = await this.next();
    }
    let blksize = 512;
    if (first.packet.kind === 'oack') {
      const b = first.packet.options.find(([k]) => k === 'blksize');
      if (b) blksize = Number(b[1]);
    }
    let expected = 1;
    for (;;) {
      if (r.packet.kind !== 'data') throw new Error(`expected DATA, got ${JSON.stringify(r.packet)}`);
      if (r.packet.block === (expected & 0xffff)) {
        chunks.push(Buffer.from(r.packet.data));
        const last = r.packet.data.length < blksize;
        if (last || expected % windowsize === 0) this.send({ kind: 'ack', block: expected & 0xffff }, tid);
        if (last) return Buffer.concat(chunks);
        expected++;
      }
      r = await this.next();
    }
  }

  close(): void {
    this.socket.close();
  }
}
