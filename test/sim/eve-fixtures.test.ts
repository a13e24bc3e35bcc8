// The simulator's EVE-shaped messages, serialised and decoded again with our generated code, checked for the
// fields the controller relies on and for the shape EVE's code gives them (attesttask.go, tpmmgr.go,
// reportinfo.go, hardwareinfo.go, handleedgenodecluster.go).
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { parseTpmsAttest } from '../../src/core/eve/tpms-attest.js';
import { ecdhPublicPoint } from '../../src/core/seal/ecdh-point.js';
import { deriveKey } from '../../src/core/seal/seal.js';
import {
  AttestVersionType,
  AttestVolumeKeyDataSchema,
  AttestVolumeKeyType,
  TpmHashAlgo,
  type ZAttestReq,
  ZAttestReqSchema,
  ZAttestReqType,
} from '../../src/gen/attest/attest_pb.js';
import { ZCertType } from '../../src/gen/certs/certs_pb.js';
import { DHCPType, NetworkConfigOrigin } from '../../src/gen/evecommon/netcmn_pb.js';
import { KubeNodeConditionType, NodeAdmission } from '../../src/gen/info/edge_node_cluster_pb.js';
import { NetworkDeviceType } from '../../src/gen/info/hardware_pb.js';
import { type ZInfoMsg, ZInfoMsgSchema, ZInfoTypes } from '../../src/gen/info/info_pb.js';
import { createDeviceIdentity, type DeviceIdentity } from '../../src/sim/device-identity.js';
import { certUploadRequest, escrowRequest, quoteRequest, wrapVaultKey } from '../../src/sim/eve-attest.js';
import { SIM_VERSIONS } from '../../src/sim/eve-device.js';
import { kubeClusterInfo } from '../../src/sim/k3s-reports.js';
import { deviceInfo, hardwareInfo, standardNics } from '../../src/sim/sim-info.js';
import { ovmfBootEvents, replayPcrs } from '../../src/sim/tpm-eventlog.js';
import { QUOTE_PCRS } from '../../src/sim/tpm-quote.js';

const tpm = createSoftTpm();
let id: DeviceIdentity;
const nonce = new Uint8Array(32).fill(7);
const vaultKey = new Uint8Array(32).fill(0x42);
const token = new Uint8Array(64).fill(9);
const roundTrip = (r: ZAttestReq) => fromBinary(ZAttestReqSchema, toBinary(ZAttestReqSchema, r));
const roundTripInfo = (m: ZInfoMsg) => fromBinary(ZInfoMsgSchema, toBinary(ZInfoMsgSchema, m));

beforeAll(async () => {
  id = await createDeviceIdentity(tpm);
});

describe('EVE-shaped attestation messages decode with our generated code', () => {
  it('cert upload: ECDH (13) and quote cert (11), each with a 16-byte hash of its PEM and no attributes', () => {
    const req = roundTrip(certUploadRequest(id));
    expect(req.reqType).toBe(ZAttestReqType.ATTEST_REQ_CERT);
    expect(req.certs.map((c) => c.type)).toEqual([
      ZCertType.CERT_TYPE_DEVICE_ECDH_EXCHANGE,
      ZCertType.CERT_TYPE_DEVICE_RESTRICTED_SIGNING,
    ]);
    for (const c of req.certs) {
      expect(Buffer.from(c.certHash)).toEqual(createHash('sha256').update(c.cert).digest().subarray(0, 16));
      expect(c.attributes).toBeUndefined();
      expect(new X509Certificate(Buffer.from(c.cert)).verify(new X509Certificate(id.deviceCertPem).publicKey)).toBe(
        true,
      );
    }
  });

  describe('quote', () => {
    let req: ZAttestReq;
    beforeAll(() => {
      req = roundTrip(quoteRequest({ id, nonce, versions: SIM_VERSIONS, events: ovmfBootEvents(SIM_VERSIONS.eve) }));
    });
    const cases: { name: string; want: () => void }[] = [
      { name: 'is a quote request', want: () => expect(req.reqType).toBe(ZAttestReqType.ATTEST_REQ_QUOTE) },
      {
        name: 'carries PCR 0-23 of the SHA-256 bank, 32 bytes each',
        want: () => {
          const p = req.quote!.pcrValues;
          expect(p.map((v) => v.index)).toEqual([...Array(24).keys()]);
          for (const v of p) {
            expect(v.hashAlgo).toBe(TpmHashAlgo.SHA256);
            expect(v.value).toHaveLength(32);
          }
        },
      },
      {
        name: 'TPMS_ATTEST carries the nonce as extraData (what the controller checks)',
        want: () => {
          const parsed = parseTpmsAttest(req.quote!.attestData);
          expect(parsed.ok && Buffer.from(parsed.value.extraData)).toEqual(Buffer.from(nonce));
        },
      },
      {
        name: 'TPMS_ATTEST ends with the SHA-256 of PCRs 0-15 as sent',
        want: () => {
          const h = createHash('sha256');
          for (const i of QUOTE_PCRS) h.update(req.quote!.pcrValues[i]!.value);
          expect(Buffer.from(req.quote!.attestData).subarray(-32)).toEqual(h.digest());
        },
      },
      {
        name: 'the signature is ASN.1 DER ECDSA by the quote cert key',
        want: () => {
          const sig = Buffer.from(req.quote!.signature);
          expect(sig[0]).toBe(0x30);
          const key = createPublicKey(
            new X509Certificate(id.attestCertPem).publicKey.export({ type: 'spki', format: 'pem' }),
          );
          expect(verify('sha256', req.quote!.attestData, { key, dsaEncoding: 'der' }, sig)).toBe(true);
        },
      },
      {
        name: 'versions: EVE (1), EVE origin (3), firmware vendor-version-date (2), in that order',
        want: () =>
          expect(req.quote!.versions.map((v) => [v.versionType, v.version])).toEqual([
            [AttestVersionType.EVE, '17.3.0-k-amd64'],
            [AttestVersionType.EVE_ORIGIN, 'origin.2026-08-25.17.3.0'],
            [AttestVersionType.FIRMWARE, 'EFI Development Kit II / OVMF-0.0.0-02/06/2015'],
          ]),
      },
      {
        name: 'the gzipped event log replays to the PCR values sent',
        want: () => {
          const log = gunzipSync(req.quote!.tpmBinaryEventLog);
          expect(log.subarray(32, 48).toString('latin1')).toBe('Spec ID Event03\0');
          const pcrs = replayPcrs(ovmfBootEvents(SIM_VERSIONS.eve));
          expect(req.quote!.pcrValues.map((v) => Buffer.from(v.value).toString('hex'))).toEqual(
            pcrs.map((p) => Buffer.from(p).toString('hex')),
          );
          expect(Buffer.from(pcrs[0]!).equals(Buffer.alloc(32))).toBe(false);
          expect(Buffer.from(pcrs[17]!).equals(Buffer.alloc(32, 0xff))).toBe(true);
        },
      },
    ];
    for (const c of cases) it(c.name, c.want);
  });

  it('escrow: STORE_KEYS with the token and one VSK that only this TPM can unwrap', async () => {
    const req = roundTrip(escrowRequest(token, await wrapVaultKey(tpm, id.deviceCertPem, vaultKey)));
    expect(req.reqType).toBe(ZAttestReqType.Z_ATTEST_REQ_TYPE_STORE_KEYS);
    expect(Buffer.from(req.storageKeys!.integrityToken)).toEqual(Buffer.from(token));
    expect(req.storageKeys!.keys.map((k) => k.keyType)).toEqual([AttestVolumeKeyType.VSK]);
    const data = fromBinary(AttestVolumeKeyDataSchema, req.storageKeys!.keys[0]!.key);
    expect(Buffer.from(data.encryptedKey).equals(Buffer.from(vaultKey))).toBe(false);
    expect(Buffer.from(data.digestSha256)).toEqual(createHash('sha256').update(vaultKey).digest());
    // vaultmgr's unwrap: same TPM key, same device cert point, AES-256-CFB with a zero IV.
    const key = deriveKey(await tpm.ecdhZGen(ecdhPublicPoint(id.deviceCertPem)));
    const { createDecipheriv } = await import('node:crypto');
    const d = createDecipheriv('aes-256-cfb', key, Buffer.alloc(16));
    expect(Buffer.concat([d.update(data.encryptedKey), d.final()])).toEqual(Buffer.from(vaultKey));
  });
});

describe('EVE-shaped info messages decode with our generated code', () => {
  const nics = standardNics(1);
  it('ZInfoDevice: the full last-resort systemAdapter status', () => {
    const m = roundTripInfo(deviceInfo('SN-A', nics, 'smbios-uuid', 1_700_000_000_000));
    expect(m.ztype).toBe(ZInfoTypes.ZiDevice);
    if (m.InfoContent.case !== 'dinfo') throw new Error('not dinfo');
    const sa = m.InfoContent.value.systemAdapter!;
    expect(sa.currentIndex).toBe(0);
    expect(sa.status[0]!.key).toBe('lastresort');
    expect(sa.status[0]!.timePriority).toBeDefined();
    const [eth0, eth1] = sa.status[0]!.ports;
    expect(eth0).toMatchObject({ ifname: 'eth0', name: 'eth0', isMgmt: true, free: true, up: true, mtu: 1500 });
    expect(eth0!.macAddr).toBe(nics[0]!.mac);
    expect(eth0!.IPAddrs).toEqual(['192.168.77.11']);
    expect(eth0!.dhcpType).toBe(DHCPType.Client);
    expect(eth0!.configSource?.origin).toBe(NetworkConfigOrigin.LASTRESORT);
    expect(eth0!.proxy).toBeDefined();
    expect(eth0!.pnacStatus).toBeDefined();
    expect(eth0!.dns?.DNSservers).toEqual(['192.168.77.1']);
    expect(eth1!.IPAddrs).toEqual([]);
    expect(eth1!.err?.description).toContain('no suitable IP address');
    expect(m.InfoContent.value.minfo?.serialNumber).toBe('SN-A');
    expect(m.InfoContent.value.minfo?.UUID).toBe('smbios-uuid');
  });

  it('ZInfoHardware: NIC inventory with type, MAC, link speed and PCI parent', () => {
    const m = roundTripInfo(hardwareInfo(nics));
    if (m.InfoContent.case !== 'hwinfo') throw new Error('not hwinfo');
    const devs = m.InfoContent.value.inventory!.networkDevices;
    expect(devs.map((d) => [d.ifname, d.macAddress, d.type, d.speedMbps])).toEqual([
      ['eth0', nics[0]!.mac, NetworkDeviceType.ETHERNET, 1000],
      ['eth1', nics[1]!.mac, NetworkDeviceType.ETHERNET, 10000],
    ]);
    expect(devs[0]!.parent?.pciParent).toBeDefined();
    expect(m.InfoContent.value.eveRelease).toBe('17.3.0-k-amd64');
  });

  it('ZInfoKubeCluster from the leader: READY, role_server, JOINED, node UUID, storage', () => {
    const member = { name: 'node-a-0123abcd', peerURLs: [], clientURLs: [], uuid: 'u-a', ip: '10.244.244.1' };
    const m = roundTripInfo(kubeClusterInfo('c-1', [{ member, up: true }], 1_700_000_000_000));
    if (m.InfoContent.case !== 'clusterInfo') throw new Error('not clusterInfo');
    const v = m.InfoContent.value;
    expect(v.clusterId).toBe('c-1');
    expect(v.nodes[0]).toMatchObject({
      name: 'node-a',
      roleServer: true,
      internalIp: '10.244.244.1',
      admissionStatus: NodeAdmission.JOINED,
      nodeId: 'u-a',
    });
    expect(v.nodes[0]!.conditions.map((c) => [c.type, c.set])).toEqual([[KubeNodeConditionType.READY, true]]);
    expect(v.storage?.transitionTime).toBeDefined();
  });
});
