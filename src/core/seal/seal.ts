// Per-device sealing of the cluster join token, exactly as EVE decrypts it (eve-api-facts §2.2, §2.3):
// ECDH P-256 between the controller ECDH key and the device ECDH cert's key, key = SHA-256(X32 || Y32),
// AES-256-CFB (128-bit feedback) with a 16-byte IV, plaintext = EncryptionBlock{cluster_token}.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { p256 } from '@noble/curves/nist.js';
import {
  type CipherBlock,
  CipherBlockSchema,
  type CipherContext,
  CipherContextSchema,
  EncryptionBlockSchema,
  EncryptionScheme,
  KeyExchangeScheme,
} from '../../gen/evecommon/acipherinfo_pb.js';
import { HashAlgorithm } from '../../gen/evecommon/evecommon_pb.js';
import { sealError } from './errors.js';

export interface SealInput {
  /** Controller ECDH private scalar, 32 bytes. */
  controllerPrivate: Uint8Array;
  /** Device ECDH public point from its ECDH cert, 65 bytes 0x04||X||Y. */
  devicePublic: Uint8Array;
  /** 16-byte hash the device sent for its ECDH cert (SHA-256 of the PEM file bytes, first 16). */
  deviceCertHash: Uint8Array;
  /** The exact certHash bytes we publish for our ECDH cert in /certs. */
  controllerCertHash: Uint8Array;
  /** The cluster join token. */
  token: string;
  /** A fresh 16-byte IV (from the caller's random source: the core draws no randomness). */
  iv: Uint8Array;
  contextId: string;
}

export interface SealedToken {
  context: CipherContext;
  block: CipherBlock;
}

/** SHA-256(X||Y) of the uncompressed shared point: the AES-256 key EVE derives. */
export function deriveKey(sharedPoint: Uint8Array): Uint8Array {
  if (sharedPoint.length !== 65 || sharedPoint[0] !== 0x04) throw sealError('shared point must be 65 bytes 0x04||X||Y');
  return new Uint8Array(createHash('sha256').update(sharedPoint.subarray(1)).digest());
}

/** d · Q on P-256 as an uncompressed point. */
export function sharedPoint(privateScalar: Uint8Array, publicPoint: Uint8Array): Uint8Array {
  try {
    return p256.getSharedSecret(privateScalar, publicPoint, false);
  } catch (e) {
    throw sealError(`not a valid P-256 key pair: ${(e as Error).message}`);
  }
}

export function sealToken(input: SealInput): SealedToken {
  if (input.iv.length !== 16) throw sealError(`IV must be exactly 16 bytes, got ${input.iv.length}`);
  if (input.deviceCertHash.length !== 16) {
    throw sealError(`device ECDH cert hash must be the 16-byte hash EVE sends, got ${input.deviceCertHash.length}`);
  }
  if (input.token.length === 0) throw sealError('token is empty');
  const key = deriveKey(sharedPoint(input.controllerPrivate, input.devicePublic));
  const plaintext = toBinary(EncryptionBlockSchema, create(EncryptionBlockSchema, { clusterToken: input.token }));
  const cipher = createCipheriv('aes-256-cfb', key, input.iv);
  const cipherData = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const context = create(CipherContextSchema, {
    contextId: input.contextId,
    hashScheme: HashAlgorithm.SHA256_16BYTES,
    keyExchangeScheme: KeyExchangeScheme.KEA_ECDH,
    encryptionScheme: EncryptionScheme.SA_AES_256_CFB,
    deviceCertHash: input.deviceCertHash,
    controllerCertHash: input.controllerCertHash,
  });
  const block = create(CipherBlockSchema, {
    cipherContextId: input.contextId,
    initialValue: input.iv,
    cipherData: new Uint8Array(cipherData),
    clearTextSha256: new Uint8Array(createHash('sha256').update(plaintext).digest()),
  });
  return { context, block };
}

/**
 * The device side (what EVE's cipher package does), given the shared point its TPM or soft key computed.
 * Used by the simulator and by tests; checks every condition EVE checks.
 */
export function openSealed(context: CipherContext, block: CipherBlock, shared: Uint8Array): string {
  if (context.contextId !== block.cipherContextId) throw sealError('cipher context id does not match the block');
  if (context.keyExchangeScheme !== KeyExchangeScheme.KEA_ECDH) throw sealError('key exchange is not KEA_ECDH');
  if (context.encryptionScheme !== EncryptionScheme.SA_AES_256_CFB) throw sealError('encryption is not AES-256-CFB');
  if (block.cipherData.length === 0) throw sealError('empty cipherData');
  if (block.initialValue.length !== 16) throw sealError('IV is not 16 bytes');
  const decipher = createDecipheriv('aes-256-cfb', deriveKey(shared), block.initialValue);
  const plaintext = Buffer.concat([decipher.update(block.cipherData), decipher.final()]);
  const digest = createHash('sha256').update(plaintext).digest();
  if (!digest.equals(Buffer.from(block.clearTextSha256))) throw sealError('clearTextSha256 mismatch');
  return fromBinary(EncryptionBlockSchema, plaintext).clusterToken;
}

/** Serialises a sealed token for offline delivery (factory line): CipherContext and CipherBlock, bytes base64. */
export function sealedToJson(sealed: SealedToken): Record<string, unknown> {
  const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
  return {
    cipherContext: {
      contextId: sealed.context.contextId,
      hashScheme: HashAlgorithm[sealed.context.hashScheme],
      keyExchangeScheme: KeyExchangeScheme[sealed.context.keyExchangeScheme],
      encryptionScheme: EncryptionScheme[sealed.context.encryptionScheme],
      deviceCertHash: b64(sealed.context.deviceCertHash),
      controllerCertHash: b64(sealed.context.controllerCertHash),
    },
    cipherBlock: {
      cipherContextId: sealed.block.cipherContextId,
      initialValue: b64(sealed.block.initialValue),
      cipherData: b64(sealed.block.cipherData),
      clearTextSha256: b64(sealed.block.clearTextSha256),
    },
  };
}
