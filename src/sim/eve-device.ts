// A simulated EVE node speaking API v2 from the device side, with nothing mocked between it and the appliance:
// certs → register (onboarding key) → uuid → attest (ECDH cert upload, nonce, quote) → config → decrypt the
// cluster token with its TPM (soft or swtpm), exactly as EVE's cipher package does.
import { createHash, createPrivateKey, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { ecdhPublicPoint } from '../core/seal/ecdh-point.js';
import { openSealed } from '../core/seal/seal.js';
import {
  AttestStorageKeysResponseCode,
  ZAttestReqSchema,
  ZAttestReqType,
  ZAttestResponseCode,
  ZAttestResponseSchema,
  ZAttestRespType,
} from '../gen/attest/attest_pb.js';
import { AuthContainerSchema } from '../gen/auth/auth_pb.js';
import { ConfigRequestSchema, ConfigResponseSchema, type EdgeDevConfig } from '../gen/config/devconfig_pb.js';
import { HashAlgorithm } from '../gen/evecommon/evecommon_pb.js';
import { UuidRequestSchema, UuidResponseSchema } from '../gen/eveuuid/eveuuid_pb.js';
import { type ZInfoMsg, ZInfoMsgSchema } from '../gen/info/info_pb.js';
import { ZRegisterMsgSchema } from '../gen/register/register_pb.js';
import type { Tpm } from '../ports/tpm.js';
import { createDeviceIdentity, type DeviceIdentity } from './device-identity.js';
import {
  certUploadRequest,
  type EveVersions,
  encodeVersions,
  escrowRequest,
  quoteRequest,
  wrapVaultKey,
} from './eve-attest.js';
import { EveClient, type HttpReply } from './eve-client.js';
import { type ControllerTrust, verifyCerts, verifySigned } from './eve-verify.js';
import { ovmfBootEvents } from './tpm-eventlog.js';

/** What a QEMU/OVMF node running EVE-k 17.3.0 reports. */
export const SIM_VERSIONS: EveVersions = {
  eve: '17.3.0-k-amd64',
  origin: 'origin.2026-08-25.17.3.0',
  bios: { vendor: 'EFI Development Kit II / OVMF', version: '0.0.0', releaseDate: '02/06/2015' },
};

export interface SimDeviceOptions {
  server: string;
  /**
   * EVE with a TPM (default): quote with PCRs and event log, then vault key escrow. false: EVE's no-TPM path,
   * a quote with versions only and no escrow (tpmmgr getQuote returns nothing, vaultmgr skips escrow).
   */
  measuredBoot?: boolean;
  versions?: EveVersions;
  rootCaPem: string;
  /** The onboarding credential from this node's CONFIG (per install decision or per USB medium). */
  onboardCertPem?: string;
  onboardKeyPem?: string;
  /** Where the credential comes from when it is not known up front (the netboot's config.img, a minted medium). */
  onboarding?: () => Promise<{ certPem: string; keyPem: string }>;
  serial: string;
  softSerial: string;
  tpm: Tpm;
}

export class SimDevice {
  readonly client: EveClient;
  identity?: DeviceIdentity;
  trust?: ControllerTrust;
  integrityToken?: Uint8Array;
  configHash = '';
  config?: EdgeDevConfig;

  constructor(readonly opts: SimDeviceOptions) {
    this.client = new EveClient(opts);
  }

  get uuid(): string | undefined {
    return this.client.uuid;
  }

  envelope(payload: Uint8Array, key: KeyObject, certPem: string, withCert: boolean): Uint8Array {
    const der = new X509Certificate(certPem).raw;
    return toBinary(
      AuthContainerSchema,
      create(AuthContainerSchema, {
        protectedPayload: { payload },
        algo: HashAlgorithm.SHA256_32BYTES,
        senderCertHash: createHash('sha256').update(der).digest(),
        signatureHash: sign('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }),
        senderCert: withCert ? Buffer.from(Buffer.from(certPem).toString('base64')) : new Uint8Array(),
      }),
    );
  }

  /** A device-signed POST. */
  post(action: string, payload: Uint8Array): Promise<HttpReply> {
    if (!this.identity) throw new Error('no identity yet');
    return this.client.call(
      'POST',
      action,
      this.envelope(payload, this.identity.deviceKey, this.identity.deviceCertPem, false),
    );
  }

  private cred?: { certPem: string; keyPem: string };

  /** Fetched once and kept: EVE keeps its CONFIG's onboarding cert across register retries. */
  async onboardCredential(): Promise<{ certPem: string; keyPem: string }> {
    if (this.cred) return this.cred;
    if (this.opts.onboardCertPem && this.opts.onboardKeyPem) {
      this.cred = { certPem: this.opts.onboardCertPem, keyPem: this.opts.onboardKeyPem };
    } else if (this.opts.onboarding) {
      this.cred = await this.opts.onboarding();
    } else throw new Error('no onboarding credential: this node has no CONFIG');
    return this.cred;
  }

  async onboard(): Promise<void> {
    this.identity ??= await createDeviceIdentity(this.opts.tpm);
    const certs = await this.client.call('GET', 'certs');
    expectStatus(certs, [200], 'certs');
    this.trust = verifyCerts(certs.body, this.opts.rootCaPem);
    const reg = toBinary(
      ZRegisterMsgSchema,
      create(ZRegisterMsgSchema, {
        pemCert: Buffer.from(Buffer.from(this.identity.deviceCertPem).toString('base64')),
        serial: this.opts.serial,
        softSerial: this.opts.softSerial,
      }),
    );
    const cred = await this.onboardCredential();
    const r = await this.client.call(
      'POST',
      'register',
      this.envelope(reg, createPrivateKey(cred.keyPem), cred.certPem, true),
    );
    expectStatus(r, [200, 201], 'register');
    const u = await this.post('uuid', toBinary(UuidRequestSchema, create(UuidRequestSchema)));
    expectStatus(u, [200], 'uuid');
    this.client.uuid = fromBinary(UuidResponseSchema, verifySigned(u.body, this.requireTrust())).uuid;
  }

  async attest(): Promise<void> {
    const id = this.identity!;
    const tpm = this.opts.measuredBoot ?? true;
    const c = await this.post('attest', toBinary(ZAttestReqSchema, certUploadRequest(id)));
    expectStatus(c, [200, 201], 'attest cert');
    const n = await this.post(
      'attest',
      toBinary(ZAttestReqSchema, create(ZAttestReqSchema, { reqType: ZAttestReqType.ATTEST_REQ_NONCE })),
    );
    expectStatus(n, [200, 201], 'attest nonce');
    const nonce = fromBinary(ZAttestResponseSchema, verifySigned(n.body, this.requireTrust())).nonce?.nonce;
    // tpmmgr getQuote refuses a nonce outside 12..32 bytes.
    if (!nonce || nonce.length < 12 || nonce.length > 32) throw new Error('attest: no usable nonce');
    const versions = this.opts.versions ?? SIM_VERSIONS;
    const req = tpm
      ? quoteRequest({ id, nonce, versions, events: ovmfBootEvents(versions.eve) })
      : create(ZAttestReqSchema, {
          reqType: ZAttestReqType.ATTEST_REQ_QUOTE,
          quote: { versions: encodeVersions(versions) },
        });
    const q = await this.post('attest', toBinary(ZAttestReqSchema, req));
    expectStatus(q, [200, 201], 'attest quote');
    const resp = fromBinary(ZAttestResponseSchema, verifySigned(q.body, this.requireTrust())).quoteResp;
    if (resp?.response !== ZAttestResponseCode.SUCCESS) throw new Error(`attest quote refused: ${resp?.response}`);
    this.integrityToken = resp.integrityToken;
    if (tpm) await this.escrow();
  }

  /** The vault key this node escrows (EVE: sealed in its TPM); the same for the node's lifetime. */
  readonly vaultKey = new Uint8Array(randomBytes(32));

  /** STORE_KEYS after the quote, as SendAttestEscrow; returns the storage_keys_resp code. */
  async escrow(token = this.integrityToken ?? new Uint8Array()): Promise<AttestStorageKeysResponseCode> {
    const wrapped = await wrapVaultKey(this.opts.tpm, this.identity!.deviceCertPem, this.vaultKey);
    const r = await this.post('attest', toBinary(ZAttestReqSchema, escrowRequest(token, wrapped)));
    expectStatus(r, [200, 201], 'attest escrow');
    const resp = fromBinary(ZAttestResponseSchema, verifySigned(r.body, this.requireTrust()));
    if (resp.respType !== ZAttestRespType.Z_ATTEST_RESP_TYPE_STORE_KEYS || !resp.storageKeysResp) {
      throw new Error(`attest escrow: got respType ${resp.respType}, EVE wants Z_ATTEST_RESP_TYPE_STORE_KEYS`);
    }
    const code = resp.storageKeysResp.response;
    if (token === this.integrityToken && code !== AttestStorageKeysResponseCode.SUCCESS) {
      throw new Error(`attest escrow refused: ${AttestStorageKeysResponseCode[code]}`);
    }
    return code;
  }

  /** One config poll; returns the HTTP status (200 new config, 304 unchanged). */
  async pollConfig(): Promise<number> {
    const req = create(ConfigRequestSchema, {
      configHash: this.configHash,
      integrityToken: this.integrityToken ?? new Uint8Array(),
    });
    const r = await this.post('config', toBinary(ConfigRequestSchema, req));
    if (r.status === 304) return 304;
    expectStatus(r, [200], 'config');
    const resp = fromBinary(ConfigResponseSchema, verifySigned(r.body, this.requireTrust()));
    this.config = resp.config;
    this.configHash = resp.configHash;
    return 200;
  }

  /** Decrypts the cluster token the way EVE does: context from the same config, controller cert by hash. */
  async clusterToken(): Promise<string> {
    const cluster = this.config?.cluster;
    const block = cluster?.encryptedClusterToken;
    if (!block) throw new Error('config has no encrypted_cluster_token');
    const ctx = this.config!.cipherContexts.find((c) => c.contextId === block.cipherContextId);
    if (!ctx) throw new Error('cipher context is not in the same config');
    const ecdh = Buffer.from(this.identity!.ecdhCertPem);
    if (!Buffer.from(ctx.deviceCertHash).equals(createHash('sha256').update(ecdh).digest().subarray(0, 16))) {
      throw new Error('deviceCertHash does not name our ECDH cert');
    }
    const ctrlPem = this.requireTrust().byHash.get(Buffer.from(ctx.controllerCertHash).toString('hex'));
    if (!ctrlPem) throw new Error('controllerCertHash names no cert from /certs');
    const shared = await this.opts.tpm.ecdhZGen(ecdhPublicPoint(ctrlPem.toString()));
    return openSealed(ctx, block, shared);
  }

  /** zedagent sets devId and atTimeStamp on every ZInfoMsg it sends. */
  async sendInfo(msg: ZInfoMsg): Promise<number> {
    msg.devId = this.uuid ?? '';
    msg.atTimeStamp ??= timestampNow();
    return (await this.post('info', toBinary(ZInfoMsgSchema, msg))).status;
  }

  private requireTrust(): ControllerTrust {
    if (!this.trust) throw new Error('no controller certs yet');
    return this.trust;
  }
}

function expectStatus(r: HttpReply, ok: number[], what: string): void {
  if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
}
