// The port model a node gets with its cluster config: every Ethernet port keeps the logical label EVE already
// uses (last-resort label = ifname, eve-api-facts §4.3), management ports keep DHCP, and a dedicated cluster port
// gets a network without DHCP so the cluster IP EVE adds (eve-api-facts §5.1) is its only address.
import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { PhysicalIOSchema, SystemAdapterSchema } from '../../gen/config/devmodel_pb.js';
import { NetworkConfigSchema } from '../../gen/config/netconfig_pb.js';
import { PhyIoMemberUsage, PhyIoType } from '../../gen/evecommon/devmodelcommon_pb.js';
import { DHCPType, NetworkType } from '../../gen/evecommon/netcmn_pb.js';
import type { PortModel } from '../eve/device-config.js';
import { carriesManagement, focusManagement, isEthernet, labelOf, type Nic } from './inventory.js';

/** RFC 9562 §5.5 name-based UUID (SHA-1) with the cluster id as namespace: same on every node, every restart. */
export function nameUuid(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function networkUuids(clusterId: string): { dhcp: string; cluster: string } {
  return { dhcp: nameUuid(clusterId, 'network/dhcp-client'), cluster: nameUuid(clusterId, 'network/cluster') };
}

/** applianceSubnets: as given to planCluster, so both agree on which port is management. */
export function buildPortModel(
  nics: Nic[],
  clusterLabel: string,
  clusterId: string,
  applianceSubnets: string[] = [],
): PortModel {
  const ports = focusManagement(nics, applianceSubnets).filter(isEthernet);
  const ids = networkUuids(clusterId);
  // EVE ignores the SystemAdapter list unless a management port references a network with IP config
  // (eve-api-facts §4.3). If no port is known to reach us, keep every port as management, as last-resort does.
  const anyMgmt = ports.some(carriesManagement);
  const model: PortModel = { deviceIoList: [], systemAdapterList: [], networks: [] };
  let dedicated = false;
  for (const nic of ports) {
    const label = labelOf(nic);
    const isCluster = label === clusterLabel;
    const mgmt = anyMgmt ? carriesManagement(nic) : !isCluster;
    dedicated ||= isCluster && !mgmt;
    model.deviceIoList.push(
      create(PhysicalIOSchema, {
        ptype: PhyIoType.PhyIoNetEth,
        phylabel: nic.ifname!,
        // phyaddrs keys are matched case-insensitively by EVE; ifname pins the label to this NIC.
        phyaddrs: { ifname: nic.ifname! },
        logicallabel: label,
        usage: mgmt ? PhyIoMemberUsage.PhyIoUsageMgmtAndApps : PhyIoMemberUsage.PhyIoUsageShared,
      }),
    );
    model.systemAdapterList.push(
      create(SystemAdapterSchema, {
        name: label,
        // The PhysicalIO (logicallabel) under this adapter. Empty makes EVE warn on every config parse and fall
        // back to name (pkg/pillar/cmd/zedagent/parseconfig.go, parseOneSystemAdapterConfig).
        lowerLayerName: label,
        uplink: mgmt,
        networkUUID: isCluster && !mgmt ? ids.cluster : ids.dhcp,
      }),
    );
  }
  model.networks.push(
    create(NetworkConfigSchema, { id: ids.dhcp, type: NetworkType.V4, ip: { dhcp: DHCPType.Client } }),
  );
  if (dedicated) {
    // DHCPNone: EVE starts no DHCP client on the port (pillar dpcreconciler, dhcpcd configurator).
    model.networks.push(
      create(NetworkConfigSchema, { id: ids.cluster, type: NetworkType.V4, ip: { dhcp: DHCPType.DHCPNone } }),
    );
  }
  return model;
}
