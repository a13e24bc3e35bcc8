// Three ways to break the controller's answers on purpose, each a real mistake a controller can make. The
// rewriting proxy (eve-peer-proxy.ts) applies one to every signed answer, so the EVE-code peer must refuse it
// with EVE's own error. Test code only: the product has no switch for any of this.
import { createHash, sign } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Credential } from '../../src/adapters/pki.js';
import { pemToDer } from '../../src/core/eve/hashes.js';
import { AuthBodySchema, AuthContainerSchema } from '../../src/gen/auth/auth_pb.js';
import { ConfigResponseSchema } from '../../src/gen/config/devconfig_pb.js';

export const BREAKAGES = ['swap-field', 'wrong-sig', 'cipher-hash'] as const;
export type Breakage = (typeof BREAKAGES)[number];

export interface ControllerKeys {
  signing: Credential;
  ecdh: Credential;
}

const rs = (data: Uint8Array, keys: ControllerKeys) =>
  new Uint8Array(sign('sha256', data, { key: keys.signing.key, dsaEncoding: 'ieee-p1363' }));

/** Rewrites one AuthContainer answer of `action` (the last URL segment). Answers it does not concern pass. */
export function breakAnswer(kind: Breakage, action: string, body: Uint8Array, keys: ControllerKeys): Uint8Array {
  if (action === 'certs' || body.length === 0) return body; // /certs is unwrapped without verification
  const c = fromBinary(AuthContainerSchema, body);
  const payload = c.protectedPayload?.payload ?? new Uint8Array();
  switch (kind) {
    case 'swap-field':
      // senderCertHash (3) and signatureHash (4) with their field numbers exchanged: the same bytes a .proto
      // with the two numbers swapped would write.
      return toBinary(AuthContainerSchema, { ...c, senderCertHash: c.signatureHash, signatureHash: c.senderCertHash });
    case 'wrong-sig':
      // Signed over the encoded AuthBody (tag, length, payload) instead of the payload itself.
      return toBinary(AuthContainerSchema, {
        ...c,
        signatureHash: rs(toBinary(AuthBodySchema, create(AuthBodySchema, { payload })), keys),
      });
    case 'cipher-hash': {
      if (action !== 'config') return body;
      // controllerCertHash over the DER instead of the PEM bytes served in /certs: EVE finds no such cert.
      const resp = fromBinary(ConfigResponseSchema, payload);
      const derHash = createHash('sha256').update(pemToDer(keys.ecdh.certPem)).digest().subarray(0, 16);
      for (const ctx of resp.config?.cipherContexts ?? []) ctx.controllerCertHash = new Uint8Array(derHash);
      const broken = toBinary(ConfigResponseSchema, resp);
      return toBinary(AuthContainerSchema, {
        ...c,
        protectedPayload: create(AuthBodySchema, { payload: broken }),
        signatureHash: rs(broken, keys),
      });
    }
  }
}
