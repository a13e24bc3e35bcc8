// The workload info messages a simulated node sends, field by field as EVE's zedagent builds them
// (eve-workloads-facts §6; pkg/pillar/cmd/zedagent/handlemetrics.go PublishAppInfoToZedCloud,
// PublishContentInfoToZedCloud, PublishVolumeToZedCloud; handlenetworkinstance.go
// prepareAndPublishNetworkInstanceInfoMsg). The node's runtime status comes in; nothing EVE leaves unset is set.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { AppInstanceConfig } from '../gen/config/appconfig_pb.js';
import type { NetworkInstanceConfig } from '../gen/config/netinst_pb.js';
import type { ContentTree, Volume } from '../gen/config/storage_pb.js';
import { PhyIoType } from '../gen/evecommon/devmodelcommon_pb.js';
import {
  Severity,
  type ZInfoMsg,
  ZInfoMsgSchema,
  ZInfoTypes,
  ZNetworkInstanceState,
  type ZSwState,
} from '../gen/info/info_pb.js';

/** An error as ErrorDescription.ToProto gives it: description, time, severity. */
export interface SimError {
  description: string;
  at: number;
}

const errorInfo = (e: SimError) => ({
  description: e.description,
  timestamp: timestampFromMs(e.at),
  severity: Severity.ERROR,
});

/** ContentTreeStatus as volumemgr keeps it (§3.5). */
export interface ContentStatus {
  state: ZSwState;
  /** Σ blob sizes (TotalSize) and 100·Σcurrent/Σtotal (Progress). */
  totalBytes: number;
  progress: number;
  /** Blob shas (Blobs); empty on a node that does not download (§4.1). */
  blobs: string[];
  createdAt: number;
  error?: SimError;
}

/** ZInfoContentTree: usage has RefCount hard-coded 1 ("XXX RefCount") and both times = CreateTime. */
export function contentTreeInfo(ct: ContentTree, s: ContentStatus): ZInfoMsg {
  const created = timestampFromMs(s.createdAt);
  return info(ZInfoTypes.ZiContentTree, {
    case: 'cinfo',
    value: {
      uuid: ct.uuid,
      displayName: ct.displayName,
      state: s.state,
      ...(s.error ? { err: errorInfo(s.error) } : {}),
      resources: { curSizeBytes: BigInt(s.totalBytes) },
      usage: { refCount: 1, lastRefcountChangeTime: created, createTime: created },
      // ContentSha256 is the config's, lower-cased by zedagent (handlecontent.go:99).
      sha256: ct.sha256.toLowerCase(),
      progressPercentage: s.progress,
      generationCount: ct.generationCount,
      componentShaList: s.blobs,
    },
  });
}

/** VolumeStatus as volumemgr keeps it (§6.2). */
export interface VolumeStatus {
  state: ZSwState;
  progress: number;
  /** Apps referencing it (RefCount) and when that last changed. */
  refCount: number;
  refChangedAt: number;
  createdAt: number;
  /** Set once the volume exists (FileLocation is set): max and current size. */
  resources?: { maxSizeBytes: number; curSizeBytes: number };
  error?: SimError;
}

export function volumeInfo(v: Volume, s: VolumeStatus): ZInfoMsg {
  return info(ZInfoTypes.ZiVolume, {
    case: 'vinfo',
    value: {
      uuid: v.uuid,
      displayName: v.displayName,
      state: s.state,
      ...(s.error ? { volumeErr: errorInfo(s.error) } : {}),
      ...(s.resources
        ? {
            resources: {
              maxSizeBytes: BigInt(s.resources.maxSizeBytes),
              curSizeBytes: BigInt(s.resources.curSizeBytes),
            },
          }
        : {}),
      usage: {
        refCount: s.refCount,
        lastRefcountChangeTime: timestampFromMs(s.refChangedAt),
        createTime: timestampFromMs(s.createdAt),
      },
      progressPercentage: s.progress,
      generationCount: v.generationCount,
    },
  });
}

/** NetworkInstanceStatus as zedrouter keeps it on this node (every node creates every NI, §2.5). */
export interface NiStatus {
  activated: boolean;
  changeInProgress: boolean;
  /** The uplink port (logical label) and its MAC; none for an air-gapped NI. */
  port?: { label: string; mac: string };
  bridgeNum: number;
  /** Local NI: the bridge address (gateway) and the subnet. */
  bridgeIp?: string;
  subnet?: string;
  mtu: number;
  /** One VIF per app interface on this node, with the lease it got. */
  vifs: { name: string; mac: string; appId: string; ip?: string }[];
  error?: SimError;
}

export function networkInstanceInfo(ni: NetworkInstanceConfig, s: NiStatus): ZInfoMsg {
  const ports = s.port ? [s.port.label] : [];
  // State: ERROR on any error, else INIT while a change is in progress, ONLINE when activated.
  const state = s.error
    ? ZNetworkInstanceState.ZNETINST_STATE_ERROR
    : s.changeInProgress
      ? ZNetworkInstanceState.ZNETINST_STATE_INIT
      : s.activated
        ? ZNetworkInstanceState.ZNETINST_STATE_ONLINE
        : ZNetworkInstanceState.ZNETINST_STATE_UNSPECIFIED;
  return info(ZInfoTypes.ZiNetworkInstance, {
    case: 'niinfo',
    value: {
      networkID: ni.uuidandversion?.uuid ?? '',
      networkVersion: ni.uuidandversion?.version ?? '',
      displayname: ni.displayname,
      instType: ni.instType,
      ports,
      ...(ports[0] ? { CurrentUplinkIntf: ports[0] } : {}),
      mtu: s.mtu,
      // CurrentRoutes of a local NI: the connected subnet, and the default route out of its port.
      ipRoutes:
        s.subnet && s.bridgeIp
          ? [
              { destinationNetwork: s.subnet, port: s.port?.label ?? '' },
              ...(s.port ? [{ destinationNetwork: '0.0.0.0/0', port: s.port.label }] : []),
            ]
          : [],
      ...(s.error ? { networkErr: [errorInfo(s.error)] } : {}),
      state,
      activated: s.activated,
      bridgeNum: s.bridgeNum,
      bridgeName: `bn${s.bridgeNum}`,
      ...(s.bridgeIp ? { bridgeIPAddr: s.bridgeIp } : {}),
      ipAssignments: s.vifs.filter((v) => v.ip).map((v) => ({ macAddress: v.mac, ipAddress: [v.ip!] })),
      vifs: s.vifs.map((v) => ({ vifName: v.name, macAddress: v.mac, appID: v.appId })),
      assignedAdapters: s.port
        ? [
            {
              type: PhyIoType.PhyIoNetEth,
              name: s.port.label,
              usedByAppUUID: '',
              members: [s.port.label],
              ioAddressList: [{ macAddress: s.port.mac }],
            },
          ]
        : [],
    },
  });
}

/** AppInstanceStatus as zedmanager keeps it on the node that reports it (§6.1). */
export interface AppStatus {
  state: ZSwState;
  /** cluster_app_running = Activated on this node. */
  activated: boolean;
  bootTime?: number;
  /** One per interface: VIF name, MAC, lease, and the NI's gateway/DNS/NTP. */
  interfaces: { vif: string; mac: string; ip?: string; gateway?: string; dns: string[]; ntp: string[] }[];
  error?: SimError;
}

export function appInfo(app: AppInstanceConfig, s: AppStatus): ZInfoMsg {
  return info(ZInfoTypes.ZiApp, {
    case: 'ainfo',
    value: {
      AppID: app.uuidandversion?.uuid ?? '',
      systemApp: false,
      appVersion: app.uuidandversion?.version ?? '',
      AppName: app.displayname,
      state: s.state,
      ...(s.error ? { appErr: [errorInfo(s.error)] } : {}),
      ...(s.bootTime !== undefined ? { bootTime: timestampFromMs(s.bootTime) } : {}),
      network: s.interfaces.map((i, k) => ({
        localName: i.vif,
        IPAddrs: i.ip ? [i.ip] : [],
        macAddr: i.mac,
        ipv4Up: i.ip !== undefined,
        // appIfnameToName: the interface's name in the app config.
        devName: app.interfaces[k]?.name ?? '',
        ntpServers: i.ntp,
        ...(i.gateway ? { defaultRouters: [i.gateway] } : {}),
        dns: { DNSservers: i.dns },
      })),
      volumeRefs: app.volumeRefList.map((v) => v.uuid),
      clusterAppRunning: s.activated,
    },
  });
}

/**
 * What every node that had the object sends when it leaves the config: the identity only (zedagent publishes
 * with a nil status: handleAppInstanceStatusDelete, PublishVolumeToZedCloud, PublishContentInfoToZedCloud;
 * for an NI the UUID and version, prepareAndPublishNetworkInstanceInfoMsg with deleted set).
 */
export function deletedInfo(kind: 'ainfo' | 'vinfo' | 'cinfo' | 'niinfo', uuid: string, version = ''): ZInfoMsg {
  switch (kind) {
    case 'ainfo':
      return info(ZInfoTypes.ZiApp, { case: 'ainfo', value: { AppID: uuid } });
    case 'vinfo':
      return info(ZInfoTypes.ZiVolume, { case: 'vinfo', value: { uuid } });
    case 'cinfo':
      return info(ZInfoTypes.ZiContentTree, { case: 'cinfo', value: { uuid } });
    case 'niinfo':
      return info(ZInfoTypes.ZiNetworkInstance, {
        case: 'niinfo',
        value: { networkID: uuid, networkVersion: version },
      });
  }
}

function info(ztype: ZInfoTypes, content: MessageInitShape<typeof ZInfoMsgSchema>['InfoContent']): ZInfoMsg {
  // devId and atTimeStamp are set at send time (SimDevice.sendInfo), as zedagent does just before queueing.
  return create(ZInfoMsgSchema, { ztype, InfoContent: content });
}
