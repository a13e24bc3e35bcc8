// TFTP packet codec: RRQ/WRQ/DATA/ACK/ERROR (RFC 1350) and OACK (RFC 2347).
// Decoding never throws: bytes that are not a TFTP packet come back as `{kind: 'invalid', reason}`.

/** RFC 1350 §5, RFC 2347 (OACK). */
export enum Opcode {
  Rrq = 1, // RFC 1350 §5: read request
  Wrq = 2, // RFC 1350 §5: write request
  Data = 3, // RFC 1350 §5
  Ack = 4, // RFC 1350 §5
  Error = 5, // RFC 1350 §5
  Oack = 6, // RFC 2347: option acknowledgment
}

/** RFC 1350 appendix "Error Codes", RFC 2347 (code 8). */
export enum ErrorCode {
  NotDefined = 0, // RFC 1350: not defined, see error message
  FileNotFound = 1, // RFC 1350
  AccessViolation = 2, // RFC 1350
  DiskFull = 3, // RFC 1350: disk full or allocation exceeded
  IllegalOperation = 4, // RFC 1350: illegal TFTP operation
  UnknownTid = 5, // RFC 1350: unknown transfer ID
  FileExists = 6, // RFC 1350
  NoSuchUser = 7, // RFC 1350
  OptionRefused = 8, // RFC 2347: client or server refuses the option negotiation
}

/** Options in wire order; names are lower-cased on decode (RFC 2347: names are case-insensitive). */
export type Options = ReadonlyArray<readonly [name: string, value: string]>;

export type Packet =
  | { kind: 'rrq' | 'wrq'; file: string; mode: string; options: Options }
  | { kind: 'data'; block: number; data: Uint8Array }
  | { kind: 'ack'; block: number }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'oack'; options: Options };

/** `request` is set when a RRQ/WRQ was readable up to its file name, so the decision can still answer it. */
export type Decoded = Packet | { kind: 'invalid'; reason: string; request?: { file: string } };

const latin1 = new TextDecoder('latin1');

/** Splits NUL-terminated strings; returns null when the last one is not terminated. */
function cStrings(buf: Uint8Array, start: number): string[] | null {
  const out: string[] = [];
  let from = start;
  for (let i = start; i < buf.length; i++) {
    if (buf[i] === 0) {
      out.push(latin1.decode(buf.subarray(from, i)));
      from = i + 1;
    }
  }
  return from === buf.length ? out : null;
}

function pairs(strings: string[], from: number): Options | null {
  if ((strings.length - from) % 2 !== 0) return null;
  const out: Array<[string, string]> = [];
  for (let i = from; i < strings.length; i += 2) out.push([strings[i]!.toLowerCase(), strings[i + 1]!]);
  return out;
}

export function decodePacket(buf: Uint8Array): Decoded {
  const op = buf.length >= 2 ? (buf[0]! << 8) | buf[1]! : -1;
  // Everything but an (empty) OACK carries at least opcode + one 16-bit word or two NULs.
  if (buf.length < 4 && !(op === Opcode.Oack && buf.length === 2)) {
    return { kind: 'invalid', reason: `too short (${buf.length} bytes)` };
  }
  const word = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
  switch (op) {
    case Opcode.Rrq:
    case Opcode.Wrq: {
      const s = cStrings(buf, 2);
      if (s === null || s.length < 2)
        return { kind: 'invalid', reason: 'request without NUL-terminated file and mode' };
      // RFC 2347: a trailing odd string is malformed; refuse rather than guess.
      const options = pairs(s, 2);
      // An odd string count is a NUL inside the file name or mode, or an option without its value.
      if (options === null)
        return { kind: 'invalid', reason: 'embedded NUL or option name without value', request: { file: s[0]! } };
      return { kind: op === Opcode.Rrq ? 'rrq' : 'wrq', file: s[0]!, mode: s[1]!.toLowerCase(), options };
    }
    case Opcode.Data:
      return { kind: 'data', block: word, data: buf.subarray(4) };
    case Opcode.Ack:
      // Some clients pad ACKs; only the first 4 bytes matter.
      return { kind: 'ack', block: word };
    case Opcode.Error: {
      // RFC 1350 §5: ErrMsg is NUL-terminated, but tolerate a missing terminator from sloppy clients.
      const end = buf.indexOf(0, 4);
      return { kind: 'error', code: word, message: latin1.decode(buf.subarray(4, end < 0 ? buf.length : end)) };
    }
    case Opcode.Oack: {
      const s = buf.length === 2 ? [] : cStrings(buf, 2);
      const options = s === null ? null : pairs(s, 0);
      if (options === null) return { kind: 'invalid', reason: 'malformed OACK' };
      return { kind: 'oack', options };
    }
    default:
      return { kind: 'invalid', reason: `unknown opcode ${op}` };
  }
}

function header(op: Opcode, word: number, extra: number): Uint8Array {
  const out = new Uint8Array(4 + extra);
  out[1] = op;
  out[2] = (word >> 8) & 0xff;
  out[3] = word & 0xff;
  return out;
}

function strings(op: Opcode, parts: string[]): Uint8Array {
  const bytes = parts.map((p) => Uint8Array.from(p, (c) => c.charCodeAt(0) & 0xff));
  const out = new Uint8Array(2 + bytes.reduce((n, b) => n + b.length + 1, 0));
  out[1] = op;
  let at = 2;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length + 1;
  }
  return out;
}

/** The 4-byte DATA header; the adapter sends it together with the payload to avoid a copy. */
export function encodeDataHeader(block: number): Uint8Array {
  return header(Opcode.Data, block & 0xffff, 0);
}

export function encodePacket(p: Packet): Uint8Array {
  switch (p.kind) {
    case 'rrq':
    case 'wrq':
      return strings(p.kind === 'rrq' ? Opcode.Rrq : Opcode.Wrq, [p.file, p.mode, ...p.options.flat()]);
    case 'data': {
      const out = header(Opcode.Data, p.block & 0xffff, p.data.length);
      out.set(p.data, 4);
      return out;
    }
    case 'ack':
      return header(Opcode.Ack, p.block & 0xffff, 0);
    case 'error': {
      const msg = strings(Opcode.Error, [p.message]);
      const out = header(Opcode.Error, p.code, msg.length - 2);
      out.set(msg.subarray(2), 4);
      return out;
    }
    case 'oack':
      return strings(Opcode.Oack, p.options.flat());
  }
}
