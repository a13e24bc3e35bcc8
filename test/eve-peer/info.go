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
