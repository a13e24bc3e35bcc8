// What to do with a datagram that arrived on the listening port (69): start a read, refuse it with
// a TFTP error, or ignore it. The adapter then looks the path up and calls negotiateOptions.
import { type Decoded, ErrorCode, type Options } from './packet.js';
import { confinePath } from './request-path.js';

export type RequestDecision =
  | { kind: 'read'; path: string; requested: string; options: Options }
  | { kind: 'refuse'; code: ErrorCode; message: string; requested: string }
  | { kind: 'ignore'; reason: string };

export function decideRequest(p: Decoded): RequestDecision {
  switch (p.kind) {
    case 'invalid':
      // A request we could read up to its name gets ERROR 4, not silence: the client stops at once instead of
      // retrying into a timeout (RFC 1350 §7, "Illegal TFTP operation").
      if (p.request) {
        const message = `malformed request (${p.reason})`;
        return { kind: 'refuse', code: ErrorCode.IllegalOperation, message, requested: p.request.file };
      }
      return { kind: 'ignore', reason: p.reason };
    case 'data':
    case 'ack':
    case 'error':
    case 'oack':
      // Only requests belong on the well-known port (RFC 1350 §4); answering strays could ping-pong.
      return { kind: 'ignore', reason: `${p.kind} sent to the request port` };
    case 'wrq':
      return { kind: 'refuse', code: ErrorCode.AccessViolation, message: 'read-only server', requested: p.file };
    case 'rrq': {
      // RFC 1350 §5 modes: netascii would need CR/LF rewriting (and a different tsize); boot clients use octet.
      if (p.mode !== 'octet') {
        const message = `transfer mode ${p.mode} not supported, use octet (binary)`;
        return { kind: 'refuse', code: ErrorCode.IllegalOperation, message, requested: p.file };
      }
      const path = confinePath(p.file);
      if (path.kind === 'refuse') {
        return { kind: 'refuse', code: ErrorCode.AccessViolation, message: path.reason, requested: p.file };
      }
      return { kind: 'read', path: path.path, requested: p.file, options: p.options };
    }
  }
}
