// eveboot's EVE-code test peer: one EVE device whose controller client is EVE's own code, built inside EVE's
// pillar module (scripts/eve-peer-build.sh). controllerconn fetches and unwraps /certs, verifies the chain
// against CONFIG's root, signs every request (the onboarding cert for register) and verifies every answer;
// cipher decrypts the cluster token with the software ECDH key. It reads /config and /persist at EVE's fixed
// paths, so it runs in a private mount namespace that carries this device's CONFIG (test/e2e/eve-peer-*.ts).
// One JSON object per line on stdout, one per step; a failed step prints EVE's own error and exits 1.
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/lf-edge/eve/pkg/pillar/base"
	"github.com/lf-edge/eve/pkg/pillar/controllerconn"
	"github.com/lf-edge/eve/pkg/pillar/types"
	"github.com/sirupsen/logrus"
)

var ecdhKeyFile = types.CertificateDirname + "/ecdh.key.pem"

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// errorLog keeps what EVE's code logged at error level: some of EVE's failures are only logged (cipher swallows
// a decryption error and returns an empty block, pkg/pillar/cipher/cipher.go GetCipherMarshalledData).
type errorLog struct{ last string }

func (h *errorLog) Levels() []logrus.Level { return []logrus.Level{logrus.ErrorLevel} }

func (h *errorLog) Fire(e *logrus.Entry) error {
	h.last = strings.TrimSpace(e.Message)
	return nil
}

var eveErrors = &errorLog{}

func emit(step string, fields map[string]any) {
	out := map[string]any{"step": step}
	for k, v := range fields {
		out[k] = v
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

func fail(step string, err error) {
	emit(step, map[string]any{"ok": false, "error": err.Error()})
	os.Exit(1)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fetch" {
		fetchMain(os.Args[2:]) // EVE's download client against the datastore and registry (fetch.go)
		return
	}
	ifname := flag.String("ifname", "eth0", "management port")
	ip := flag.String("ip", "", "the port's IPv4 address (source address of every request)")
	serialNo := flag.String("serial", "", "product serial (SMBIOS)")
	softSerial := flag.String("soft-serial", "", "soft serial")
	mac := flag.String("mac", "", "the port's MAC address (reported in ZInfoDevice)")
	subnet := flag.String("subnet", "", "the port's IPv4 subnet, e.g. 192.168.90.0/24")
	eveVersion := flag.String("eve-version", "0.0.0-eveboot-peer", "EVE version reported in the quote")
	firmware := flag.String("firmware", "", "BIOS vendor-version-date as EVE combines dmidecode's fields (quote, type 2)")
	speed := flag.Uint("speed-mbps", 0, "the port's link speed (ZInfoHardware inventory)")
	wait := flag.Duration("wait", 90*time.Second, "how long to poll config for the cluster part")
	flag.Parse()

	logger := logrus.New()
	logger.SetOutput(os.Stderr)
	logger.SetLevel(logrus.WarnLevel)
	logger.AddHook(eveErrors)
	log := base.NewSourceLogObject(logger, "eveboot-peer", os.Getpid())

	if err := ensureIdentity(); err != nil {
		fail("identity", err)
	}
	server, err := os.ReadFile(types.ServerFileName)
	if err != nil {
		fail("config", err)
	}
	dns := &types.DeviceNetworkStatus{Ports: []types.NetworkPortStatus{{
		IfName: *ifname, Phylabel: *ifname, Logicallabel: *ifname,
		IsMgmt: true, IsL3Port: true, Up: true,
		AddrInfoList: []types.AddrInfo{{Addr: net.ParseIP(*ip)}},
		// SendOnIntf wants a DNS server on the port; the CONFIG server is an IP literal, so none is asked.
		DNSServers: []net.IP{net.ParseIP("127.0.0.1")},
	}}}
	client := controllerconn.NewClient(log, controllerconn.ClientOptions{
		AgentName:           "eveboot-peer",
		DeviceNetworkStatus: dns,
		AgentMetrics:        controllerconn.NewAgentMetrics(),
		NetworkSendTimeout:  15 * time.Second,
		NetworkDialTimeout:  10 * time.Second,
		DevSerial:           *serialNo,
		DevSoftSerial:       *softSerial,
		NoLedManager:        true,
	})
	p := &peer{log: log, client: client, server: strings.TrimSpace(string(server)), mac: *mac, subnet: *subnet, speedMbps: uint32(*speed)}
	p.run(*eveVersion, *firmware, *wait)
}
