// A simulated EVE node speaking API v2 from the device side, with nothing mocked between it and the appliance:
// certs → register (onboarding key) → uuid → attest (ECDH cert upload, nonce, quote) → config → decrypt the
// cluster token with its TPM (soft or swtpm), exactly as EVE's cipher package does.
import { createHash, createPrivateKey, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ecdhPublicPoint } from '../core/cluster/cluster-service.js';
import { openSealed } from '../core/seal/seal.js';
import {
  ZAttestReqSchema,
  ZAttestReqType,
  ZAttestResponseCode,
  ZAttestResponseSchema,
} from '../gen/attest/attest_pb.js';
import { AuthContainerSchema } from '../gen/auth/auth_pb.js';
import { ZCertType } from '../gen/certs/certs_pb.js';
import { ConfigRequestSchema, ConfigResponseSchema, type EdgeDevConfig } from '../gen/config/devconfig_pb.js';
import { HashAlgorithm } from '../gen/evecommon/evecommon_pb.js';
import { UuidRequestSchema, UuidResponseSchema } from '../gen/eveuuid/eveuuid_pb.js';
import { type ZInfoMsg, ZInfoMsgSchema } from '../gen/info/info_pb.js';
import { ZRegisterMsgSchema } from '../gen/register/register_pb.js';
import type { Tpm } from '../ports/tpm.js';
import { createDeviceIdentity, type DeviceIdentity } from './device-identity.js';
import { EveClient, type HttpReply } from './eve-client.js';
import { type ControllerTrust, verifyCerts, verifySigned } from './eve-verify.js';

export interface SimDeviceOptions {
  server: string;
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
    const ecdh = Buffer.from(id.ecdhCertPem);
    const certReq = create(ZAttestReqSchema, {
      reqType: ZAttestReqType.ATTEST_REQ_CERT,
      certs: [
        {
          hashAlgo: HashAlgorithm.SHA256_16BYTES,
          certHash: createHash('sha256').update(ecdh).digest().subarray(0, 16),
          type: ZCertType.CERT_TYPE_DEVICE_ECDH_EXCHANGE,
          cert: ecdh,
        },
      ],
    });
    expectStatus(await this.post('attest', toBinary(ZAttestReqSchema, certReq)), [200, 201], 'attest cert');
    const n = await this.post(
      'attest',
      toBinary(ZAttestReqSchema, create(ZAttestReqSchema, { reqType: ZAttestReqType.ATTEST_REQ_NONCE })),
    );
    expectStatus(n, [200, 201], 'attest nonce');
    const nonce = fromBinary(ZAttestResponseSchema, verifySigned(n.body, this.requireTrust())).nonce?.nonce;
    if (!nonce || nonce.length < 12) throw new Error('attest: no usable nonce');
    // Without a TPM quote key EVE sends a quote with no attestData/PCRs (eve-api-facts §3.6).
    const q = await this.post(
      'attest',
      toBinary(ZAttestReqSchema, create(ZAttestReqSchema, { reqType: ZAttestReqType.ATTEST_REQ_QUOTE, quote: {} })),
    );
    expectStatus(q, [200, 201], 'attest quote');
    const resp = fromBinary(ZAttestResponseSchema, verifySigned(q.body, this.requireTrust())).quoteResp;
    if (resp?.response !== ZAttestResponseCode.SUCCESS) throw new Error(`attest quote refused: ${resp?.response}`);
    this.integrityToken = resp.integrityToken;
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

  async sendInfo(msg: ZInfoMsg): Promise<number> {
    msg.devId = this.uuid ?? '';
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
