// Cost of bring-up's decision point: from the third node's ECDH cert upload to all three sealed configs being
// ready (plan, three ECDH+AES seals, three EdgeDevConfigs with their hashes). Runs the real controller and cluster
// service in-process (through inject, no sockets), 20 rounds, prints the median and worst.
// Usage: npx tsx bench/seal-cost.ts

import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { create, toBinary } from '@bufbuild/protobuf';
import { createLogger } from '../src/adapters/logger.js';
import { createSoftTpm } from '../src/adapters/soft-tpm.js';
import { compose } from '../src/compose.js';
import { parseSite } from '../src/config/site.js';
import { configHash } from '../src/core/eve/config.js';
import { ZAttestReqSchema, ZAttestReqType } from '../src/gen/attest/attest_pb.js';
import { ZCertType } from '../src/gen/certs/certs_pb.js';
import { HashAlgorithm } from '../src/gen/evecommon/evecommon_pb.js';
import { createDeviceIdentity } from '../src/sim/device-identity.js';
import { SimDevice } from '../src/sim/eve-device.js';
import { deviceInfo, standardNics, topology } from '../src/sim/sim-info.js';

const site = parseSite(`site: { name: bench }
cluster: { name: b }
nodes: [{ serial: B-1 }, { serial: B-2 }, { serial: B-3 }]
listen: { advertise: 127.0.0.1 }
`);
const samples: number[] = [];
for (let round = 0; round < 20; round++) {
  const app = await compose({
    stateDir: mkdtempSync(join(tmpdir(), 'eveboot-seal-')),
    site,
    logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    uiAccessToken: 'bench-token-0123456789',
    watchIntervalMs: 3_600_000,
  });
  await app.controllerApi.listen({ host: '127.0.0.1', port: 0 });
  const server = `127.0.0.1:${(app.controllerApi.server.address() as { port: number }).port}`;
  const devices = ['B-1', 'B-2', 'B-3'].map(
    (serial) =>
      new SimDevice({
        server,
        rootCaPem: app.pki.root.certPem,
        onboardCertPem: app.pki.onboard.certPem,
        onboardKeyPem: app.pki.onboard.keyPem,
        serial,
        softSerial: '',
        tpm: createSoftTpm(),
      }),
  );
  for (const [i, d] of devices.entries()) {
    await d.onboard();
    const nics = standardNics(i + 1);
    app.cluster.observe(topology(nics));
    await d.sendInfo(deviceInfo(d.opts.serial, nics));
    if (i < 2) await d.attest();
  }
  // The third node's ECDH cert upload, then the three configs, timed in-process.
  const last = devices[2]!;
  last.identity ??= await createDeviceIdentity(last.opts.tpm);
  const ecdh = Buffer.from(last.identity.ecdhCertPem);
  const req = toBinary(
    ZAttestReqSchema,
    create(ZAttestReqSchema, {
      reqType: ZAttestReqType.ATTEST_REQ_CERT,
      certs: [
        {
          hashAlgo: HashAlgorithm.SHA256_16BYTES,
          certHash: createHash('sha256').update(ecdh).digest().subarray(0, 16),
          type: ZCertType.CERT_TYPE_DEVICE_ECDH_EXCHANGE,
          cert: ecdh,
        },
      ],
    }),
  );
  const body = last.envelope(req, last.identity.deviceKey, last.identity.deviceCertPem, false);
  const t0 = performance.now();
  const r = await app.controllerApi.inject({
    method: 'POST',
    url: `/api/v2/edgedevice/id/${last.uuid}/attest`,
    payload: Buffer.from(body),
    headers: { 'content-type': 'application/x-proto-binary' },
  });
  const configs = app.store.devices().map((d) => app.cluster.configFor(d));
  const hashes = configs.map(configHash);
  const ms = performance.now() - t0;
  if (r.statusCode !== 201 || configs.some((c) => !c.cluster?.encryptedClusterToken) || hashes.length !== 3)
    throw new Error('bench setup failed');
  if (round > 0) samples.push(ms); // round 0 warms up the JIT
  await app.close();
}
samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
console.log(
  `third ECDH cert upload → plan + 3 sealed configs (SQLite ${process.env.EVEBOOT_SQLITE_SYNC === 'FULL' ? 'FULL' : 'NORMAL'}): median ${at(0.5)} ms, p90 ${at(0.9)} ms, worst ${at(1)} ms over ${samples.length} rounds (target: well under 50 ms)`,
);
