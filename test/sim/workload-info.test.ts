// The workload info messages as the simulator builds them, encoded, walked against EVE's wire table (field
// numbers and kinds), decoded again, and checked for the fields eve-workloads-facts §6 says zedagent sends.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { AppInstanceConfigSchema } from '../../src/gen/config/appconfig_pb.js';
import { NetworkInstanceConfigSchema, ZNetworkInstType } from '../../src/gen/config/netinst_pb.js';
import { ContentTreeSchema, Format, VolumeSchema } from '../../src/gen/config/storage_pb.js';
import { ZInfoMsgSchema, ZInfoTypes, ZNetworkInstanceState, ZSwState } from '../../src/gen/info/info_pb.js';
import { kubeClusterInfo } from '../../src/sim/k3s-reports.js';
import { appInfo, contentTreeInfo, networkInstanceInfo, volumeInfo } from '../../src/sim/workload-info.js';
import { wireTable } from '../core/eve/wire-table.js';
import { walkWire } from './wire-walk.js';

const info = wireTable().filter((r) => r.pkg === 'info');
const T = 1_800_000_000_000;
const APP = 'a1b2c3d4-0000-4000-8000-000000000001';
const NI = 'a1b2c3d4-0000-4000-8000-000000000002';
const VOL = 'a1b2c3d4-0000-4000-8000-000000000003';
const CT = 'a1b2c3d4-0000-4000-8000-000000000004';
const SHA = 'AB'.repeat(32);

const ct = create(ContentTreeSchema, {
  uuid: CT,
  displayName: 'debian',
  sha256: SHA,
  iformat: Format.QCOW2,
  maxSizeBytes: 4096n,
});
const vol = create(VolumeSchema, { uuid: VOL, displayName: 'db-disk', generationCount: 0n });
const ni = create(NetworkInstanceConfigSchema, {
  uuidandversion: { uuid: NI, version: '1' },
  displayname: 'lan',
  instType: ZNetworkInstType.ZnetInstLocal,
  activate: true,
});
const app = create(AppInstanceConfigSchema, {
  uuidandversion: { uuid: APP, version: '1' },
  displayname: 'db-vm',
  interfaces: [{ name: 'eth0', networkId: NI }],
  volumeRefList: [{ uuid: VOL }],
});

const cases = [
  {
    name: 'ZInfoContentTree of the designated node mid-download (cinfo 14, ztype 8)',
    msg: contentTreeInfo(ct, {
      state: ZSwState.DOWNLOAD_STARTED,
      totalBytes: 4096,
      progress: 42,
      blobs: [SHA.toLowerCase()],
      createdAt: T,
    }),
    ztype: ZInfoTypes.ZiContentTree,
    must: [
      'ZInfoMsg.cinfo',
      'ZInfoContentTree.uuid',
      'ZInfoContentTree.state',
      'ZInfoContentTree.progressPercentage',
      'ZInfoContentTree.componentShaList',
      'ZInfoContentTree.sha256',
      'ContentResources.curSizeBytes',
      'UsageInfo.refCount',
    ],
  },
  {
    name: 'ZInfoContentTree with a download error carries err (8) with its description',
    msg: contentTreeInfo(ct, {
      state: ZSwState.ERROR,
      totalBytes: 0,
      progress: 0,
      blobs: [],
      createdAt: T,
      error: { description: 'connection refused', at: T },
    }),
    ztype: ZInfoTypes.ZiContentTree,
    must: ['ZInfoContentTree.err', 'ErrorInfo.description', 'ErrorInfo.severity', 'ErrorInfo.timestamp'],
  },
  {
    name: 'ZInfoVolume created, with resources (vinfo 13, ztype 7)',
    msg: volumeInfo(vol, {
      state: ZSwState.CREATED_VOLUME,
      progress: 100,
      refCount: 1,
      refChangedAt: T,
      createdAt: T,
      resources: { maxSizeBytes: 4096, curSizeBytes: 4096 },
    }),
    ztype: ZInfoTypes.ZiVolume,
    must: [
      'ZInfoMsg.vinfo',
      'ZInfoVolume.uuid',
      'ZInfoVolume.state',
      'ZInfoVolume.progressPercentage',
      'VolumeResources.maxSizeBytes',
      'UsageInfo.createTime',
    ],
  },
  {
    name: 'ZInfoNetworkInstance of a local NI online with one VIF (niinfo 12, ztype 6)',
    msg: networkInstanceInfo(ni, {
      activated: true,
      changeInProgress: false,
      port: { label: 'eth0', mac: '52:54:00:de:01:00' },
      bridgeNum: 1,
      bridgeIp: '10.1.0.1',
      subnet: '10.1.0.0/24',
      mtu: 1500,
      vifs: [{ name: 'nbu1x1', mac: '02:16:3e:00:00:01', appId: APP, ip: '10.1.0.2' }],
    }),
    ztype: ZInfoTypes.ZiNetworkInstance,
    must: [
      'ZInfoMsg.niinfo',
      'ZInfoNetworkInstance.networkID',
      'ZInfoNetworkInstance.state',
      'ZInfoNetworkInstance.activated',
      'ZInfoNetworkInstance.vifs',
      'ZmetVifInfo.appID',
      'ZmetIPAssignmentEntry.ipAddress',
      'ZioBundle.ioAddressList',
      'IPRoute.destination_network',
      'ZInfoNetworkInstance.CurrentUplinkIntf',
    ],
  },
  {
    name: 'ZInfoApp running on this node (ainfo 5, ztype 3)',
    msg: appInfo(app, {
      state: ZSwState.RUNNING,
      activated: true,
      bootTime: T,
      interfaces: [
        { vif: 'nbu1x1', mac: '02:16:3e:00:00:01', ip: '10.1.0.2', gateway: '10.1.0.1', dns: ['10.1.0.1'], ntp: [] },
      ],
    }),
    ztype: ZInfoTypes.ZiApp,
    must: [
      'ZInfoMsg.ainfo',
      'ZInfoApp.AppID',
      'ZInfoApp.state',
      'ZInfoApp.cluster_app_running',
      'ZInfoApp.network',
      'ZInfoNetwork.localName',
      'ZInfoNetwork.devName',
      'ZInfoApp.volumeRefs',
      'ZInfoApp.bootTime',
    ],
  },
  {
    name: "the leader's ZInfoKubeCluster with eve_apps (3) and eve_vm_apps (6), READY since the node was lost",
    msg: kubeClusterInfo(
      'c1c1c1c1-0000-4000-8000-00000000c1c1',
      [
        {
          member: { name: 'edge-2-0a1b2c3d', peerURLs: [], clientURLs: [], uuid: APP, ip: '10.244.244.2' },
          up: false,
          since: T - 5000,
        },
      ],
      T,
      {
        pods: [{ name: 'web-a1b2c-0-x7k2p', nodeName: 'edge-1', running: true, createdAt: T }],
        vmis: [{ name: 'db-vm-a1b2c-0-q2w3e', nodeName: '', running: false, createdAt: T - 60_000, changedAt: T }],
      },
    ),
    ztype: ZInfoTypes.ZiKubeCluster,
    must: [
      'ZInfoMsg.cluster_info',
      'ZInfoKubeCluster.eve_apps',
      'KubeEVEAppPodInfo.node_name',
      'KubeEVEAppPodInfo.status',
      'ZInfoKubeCluster.eve_vm_apps',
      'KubeVMIInfo.name',
      'KubeVMIInfo.status',
      'KubeNodeCondition.last_transition_time',
    ],
  },
];

describe('workload info as the simulator builds it, on EVE wire', () => {
  for (const c of cases) {
    it(c.name, () => {
      c.msg.devId = 'dev';
      const bytes = toBinary(ZInfoMsgSchema, c.msg);
      const seen = walkWire(bytes, 'ZInfoMsg', info);
      for (const f of c.must) expect(seen, f).toContain(f);
      const back = fromBinary(ZInfoMsgSchema, bytes);
      expect(back.ztype).toBe(c.ztype);
      expect(back).toEqual(c.msg);
    });
  }

  it('the NI state follows zedagent: ERROR on an error, INIT while changing, ONLINE when activated', () => {
    const base = { activated: false, changeInProgress: false, bridgeNum: 1, mtu: 1500, vifs: [] };
    const state = (s: Partial<typeof base> & { error?: { description: string; at: number } }) => {
      const m = networkInstanceInfo(ni, { ...base, ...s });
      return m.InfoContent.case === 'niinfo' ? m.InfoContent.value.state : undefined;
    };
    expect(state({ error: { description: 'no port is matching label', at: T }, activated: true })).toBe(
      ZNetworkInstanceState.ZNETINST_STATE_ERROR,
    );
    expect(state({ changeInProgress: true, activated: true })).toBe(ZNetworkInstanceState.ZNETINST_STATE_INIT);
    expect(state({ activated: true })).toBe(ZNetworkInstanceState.ZNETINST_STATE_ONLINE);
    expect(state({})).toBe(ZNetworkInstanceState.ZNETINST_STATE_UNSPECIFIED);
  });

  it('the walk refuses a field number EVE does not have', () => {
    // Field 99 (varint) inside ZInfoApp: tag 99<<3 = 792 = 0x98 0x06.
    const inner = new Uint8Array([0x98, 0x06, 0x01]);
    const outer = new Uint8Array([0x2a, inner.length, ...inner]);
    expect(() => walkWire(outer, 'ZInfoMsg', info)).toThrow('ZInfoApp: EVE has no field 99');
  });
});
