// ZInfoDevice with the ports, the part of zedagent's device info (cmd/zedagent/reportinfo.go
// encodeSystemAdapterInfo + encodeNetworkPortStatus) a controller needs to plan a cluster: the current DPC
// (key "lastresort" before the controller sent a port model) with this port's status.
package main

import (
	"net"

	"github.com/lf-edge/eve-api/go/info"
	"github.com/lf-edge/eve/pkg/pillar/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func deviceInfo(devID string, port types.NetworkPortStatus, mac, subnet string) ([]byte, error) {
	dp := &info.DevicePort{
		Ifname:         port.IfName,
		Name:           port.Logicallabel,
		Cost:           uint32(port.Cost),
		IsMgmt:         port.IsMgmt,
		Free:           port.Cost == 0,
		Subnet:         subnet,
		Up:             port.Up,
		MacAddr:        mac,
		DefaultRouters: []string{},
		Dns:            &info.ZInfoDNS{DNSservers: ipStrings(port.DNSServers)},
	}
	for _, a := range port.AddrInfoList {
		dp.IPAddrs = append(dp.IPAddrs, a.Addr.String())
	}
	return proto.Marshal(&info.ZInfoMsg{
		Ztype:       info.ZInfoTypes_ZiDevice,
		DevId:       devID,
		AtTimeStamp: timestamppb.Now(),
		InfoContent: &info.ZInfoMsg_Dinfo{Dinfo: &info.ZInfoDevice{
			MachineArch: "x86_64",
			SystemAdapter: &info.SystemAdapterInfo{
				CurrentIndex: 0,
				Status:       []*info.DevicePortStatus{{Key: "lastresort", Ports: []*info.DevicePort{dp}}},
			},
		}},
	})
}

func ipStrings(ips []net.IP) []string {
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out
}

// hardwareInfo: zedagent's ZInfoHardware (cmd/zedagent/hardwareinfo.go PublishHardwareInfoToZedCloud): the EVE
// release and the hardware inventory's network devices (ifname, type, MAC, link speed). Disks, kernel and
// platform fields come from sysfs, SMART and dmidecode, which this namespace does not have; they stay empty.
func hardwareInfo(devID, eveRelease, ifname, mac string, speedMbps uint32) ([]byte, error) {
	return proto.Marshal(&info.ZInfoMsg{
		Ztype:       info.ZInfoTypes_ZiHardware,
		DevId:       devID,
		AtTimeStamp: timestamppb.Now(),
		InfoContent: &info.ZInfoMsg_Hwinfo{Hwinfo: &info.ZInfoHardware{
			EveRelease: eveRelease,
			Inventory: &info.HardwareInventory{NetworkDevices: []*info.NetworkDevice{{
				Ifname: ifname, Type: info.NetworkDeviceType_NETWORK_DEVICE_TYPE_ETHERNET, MacAddress: mac, SpeedMbps: speedMbps,
			}}},
		}},
	})
}
