// POST id/<uuid>/config (eve-api-facts §3.7): integrity token required (403 makes EVE re-attest, as adam
// does), 304 with an empty body when the device already has this config, else a signed ConfigResponse.
// configHash = base64url(SHA-256(EdgeDevConfig bytes)), so it changes exactly when the config changes.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ConfigRequestSchema,
  ConfigResponseSchema,
  type EdgeDevConfig,
  EdgeDevConfigSchema,
} from '../../gen/config/devconfig_pb.js';
import type { DeviceRecord } from '../../ports/store.js';
import { EvebootError } from '../errors.js';
import type { Controller, Reply } from './controller.js';
import { decodeOr400, sealEnvelope } from './envelope.js';
import { sha256 } from './hashes.js';
import { integrityTokenMatches } from './integrity-token.js';

export type ConfigBuilder = (device: DeviceRecord) => EdgeDevConfig;

export function configHash(config: EdgeDevConfig): string {
  return Buffer.from(sha256(toBinary(EdgeDevConfigSchema, config))).toString('base64url');
}

export function config(ctrl: Controller, uuid: string, body: Uint8Array, build: ConfigBuilder): Reply {
  const { device, payload } = ctrl.authenticate(body, uuid);
  const req = decodeOr400('ConfigRequest', () => fromBinary(ConfigRequestSchema, payload));
  if (!integrityTokenMatches(device.integrityToken, req.integrityToken)) {
    throw new EvebootError(
      'EVEBOOT_ERR_NO_INTEGRITY_TOKEN',
      'config request without the integrity token of the last successful attestation: the device must attest again',
    );
  }
  ctrl.noteContact(device);
  return ctrl.deps.store.tx(() => serve(ctrl, device, req.configHash, build(device)));
}

function serve(ctrl: Controller, device: DeviceRecord, known: string, cfg: EdgeDevConfig): Reply {
  const hash = configHash(cfg);
  const { store, clock, emit } = ctrl.deps;
  if (device.lastConfigHash !== hash) {
    store.updateDevice(device.uuid, { lastConfigHash: hash, configServedAt: clock.now() });
    emit({
      type: 'eve.config.delivered',
      node: device.uuid,
      data: {
        hash,
        cluster: cfg.cluster !== undefined,
        clusterName: device.cluster,
        role: cfg.cluster
          ? cfg.cluster.clusterIpPrefix.split('/')[0] === cfg.cluster.joinServerIp
            ? 'seed'
            : 'joiner'
          : undefined,
        clusterIp: cfg.cluster?.clusterIpPrefix,
      },
    });
  }
  if (known === hash) return { status: 304 };
  const resp = toBinary(ConfigResponseSchema, create(ConfigResponseSchema, { config: cfg, configHash: hash }));
  return { status: 200, body: sealEnvelope(resp, ctrl.deps.signer) };
}
