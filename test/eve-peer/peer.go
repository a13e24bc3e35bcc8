// The device's conversation with its controller, in EVE's order: certs → register → uuid (cmd/client), then
// the attestation cert upload, nonce, quote and escrow (cmd/zedagent attesttask.go), then config, then the
// cluster token through EVE's cipher package (as cmd/zedkube/clusterstatus.go does).
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lf-edge/eve-api/go/attest"
	zcert "github.com/lf-edge/eve-api/go/certs"
	zconfig "github.com/lf-edge/eve-api/go/config"
	eveuuid "github.com/lf-edge/eve-api/go/eveuuid"
	"github.com/lf-edge/eve/pkg/pillar/base"
	"github.com/lf-edge/eve/pkg/pillar/controllerconn"
	"github.com/lf-edge/eve/pkg/pillar/types"
	uuid "github.com/satori/go.uuid"
	"google.golang.org/protobuf/proto"
)

type peer struct {
	log    *base.LogObject
	client *controllerconn.Client
	server string
	mac    string
	subnet string
	// speedMbps is the link speed reported in ZInfoHardware.
	speedMbps uint32
	certs     []*zcert.ZCert
}

// post sends through EVE's SendOnAllIntf (which signs /edgedevice/ POSTs) and unwraps the answer with
// RemoveAndVerifyAuthContainer. A nil body is a GET.
func (p *peer) post(action string, body []byte, skipVerify bool) (controllerconn.SendRetval, error) {
	url := controllerconn.URLPathString(p.server, p.client.DevUUID, action)
	ctx, cancel := p.client.GetContextForAllIntfFunctions()
	defer cancel()
	var buf *bytes.Buffer
	if body != nil {
		buf = bytes.NewBuffer(body)
	}
	rv, err := p.client.SendOnAllIntf(ctx, url, buf, controllerconn.RequestOptions{BailOnHTTPErr: true})
	if err != nil {
		return rv, err
	}
	if len(rv.RespContents) == 0 {
		return rv, nil
	}
	if err := p.client.RemoveAndVerifyAuthContainer(&rv, skipVerify); err != nil {
		return rv, err
	}
	return rv, nil
}

func status(rv controllerconn.SendRetval) int {
	if rv.HTTPResp == nil {
		return 0
	}
	return rv.HTTPResp.StatusCode
}

func (p *peer) tlsWith(cert *tls.Certificate) {
	cfg, err := p.client.GetTLSConfig(cert)
	if err != nil {
		fail("tls", err)
	}
	p.client.TLSConfig = cfg
}

func (p *peer) run(eveVersion, firmware string, wait time.Duration) {
	p.tlsWith(nil) // the device cert, from /config/device.*.pem (controllerconn.GetClientCert)
	p.fetchCerts()
	p.register()
	p.getUUID()
	token := p.attest(eveVersion, firmware)
	p.sendInfo(eveVersion)
	cfg := p.getConfig(token, wait)
	p.decryptToken(cfg)
}

// fetchCerts: cmd/client fetchCertChain, with the root from CONFIG passed in (VerifyLeavesCertChainWithRootPEM).
func (p *peer) fetchCerts() {
	rv, err := p.post("certs", nil, true)
	if err != nil {
		fail("certs", err)
	}
	var zc zcert.ZControllerCert
	if err := proto.Unmarshal(rv.RespContents, &zc); err != nil {
		fail("certs", err)
	}
	root, err := os.ReadFile(types.RootCertFileName)
	if err != nil {
		fail("certs", err)
	}
	signer, err := controllerconn.VerifyLeavesCertChainWithRootPEM(p.log, zc.GetCerts(), true, root)
	if err != nil {
		fail("certs", err)
	}
	if err := p.client.StoreServerSigningCert(signer); err != nil {
		fail("certs", err)
	}
	p.certs = zc.GetCerts()
	emit("certs", map[string]any{"ok": true, "certs": len(p.certs)})
}

// register: TLS and AuthContainer with the onboarding cert (send.go picks it for a /register URL). EVE does not
// judge register by its HTTP status (cmd/client/client.go): the uuid call that follows decides.
func (p *peer) register() {
	onboard, err := tls.LoadX509KeyPair(types.OnboardCertName, types.OnboardKeyName)
	if err != nil {
		fail("register", err)
	}
	p.tlsWith(&onboard)
	devPEM, err := os.ReadFile(types.DeviceCertName)
	if err != nil {
		fail("register", err)
	}
	msg, err := registerMsg(devPEM, p.client.DevSerial, p.client.DevSoftSerial)
	if err != nil {
		fail("register", err)
	}
	rv, err := p.post("register", msg, false)
	fields := map[string]any{"ok": err == nil, "status": status(rv)}
	if err != nil {
		fields["error"] = err.Error()
	}
	emit("register", fields)
	p.tlsWith(nil)
}

func (p *peer) getUUID() {
	msg, _ := uuidRequest()
	rv, err := p.post("uuid", msg, false)
	if err != nil {
		fail("uuid", err)
	}
	var resp eveuuid.UuidResponse
	if err := proto.Unmarshal(rv.RespContents, &resp); err != nil {
		fail("uuid", err)
	}
	id, err := uuid.FromString(resp.GetUuid())
	if err != nil {
		fail("uuid", err)
	}
	p.client.DevUUID = id
	emit("uuid", map[string]any{"ok": true, "uuid": id.String()})
}

func (p *peer) attestAnswer(step string, body []byte) *attest.ZAttestResponse {
	rv, err := p.post("attest", body, false)
	if err != nil {
		fail(step, err)
	}
	var resp attest.ZAttestResponse
	if err := proto.Unmarshal(rv.RespContents, &resp); err != nil {
		fail(step, fmt.Errorf("[ATTEST] Error %v in Unmarshaling response", err))
	}
	return &resp
}

// attest returns the integrity token.
func (p *peer) attest(eveVersion, firmware string) []byte {
	ecdhPEM, err := os.ReadFile(ecdhCertFile)
	if err != nil {
		fail("attest-cert", err)
	}
	msg, _ := attestCertReq(ecdhPEM)
	rv, err := p.post("attest", msg, false)
	if err != nil {
		fail("attest-cert", err)
	}
	emit("attest-cert", map[string]any{"ok": true, "status": status(rv)})

	msg, _ = nonceReq()
	n := p.attestAnswer("attest-nonce", msg)
	if n.GetRespType() != attest.ZAttestRespType_ATTEST_RESP_NONCE || n.GetNonce() == nil {
		fail("attest-nonce", fmt.Errorf("[ATTEST] Got %v, but want %v", n.GetRespType(), attest.ZAttestRespType_ATTEST_RESP_NONCE))
	}
	emit("attest-nonce", map[string]any{"ok": true, "nonceBytes": len(n.GetNonce().GetNonce())})

	msg, _ = quoteReq(nil, nil, nil, eveVersion, firmware)
	q := p.attestAnswer("attest-quote", msg)
	qr := q.GetQuoteResp()
	if q.GetRespType() != attest.ZAttestRespType_ATTEST_RESP_QUOTE_RESP || qr == nil {
		fail("attest-quote", fmt.Errorf("[ATTEST] Got %v, but want %v", q.GetRespType(), attest.ZAttestRespType_ATTEST_RESP_QUOTE_RESP))
	}
	if qr.GetResponse() != attest.ZAttestResponseCode_Z_ATTEST_RESPONSE_CODE_SUCCESS {
		fail("attest-quote", fmt.Errorf("[ATTEST] quote response %v", qr.GetResponse()))
	}
	token := qr.GetIntegrityToken()
	emit("attest-quote", map[string]any{"ok": true, "integrityToken": len(token) > 0})

	// Escrow of the vault key (attesttask.go SendAttestEscrow); reported, not fatal: EVE retries it forever.
	vaultKey := make([]byte, 32)
	_, _ = rand.Read(vaultKey)
	msg, _ = escrowReq(vaultKey, token)
	rv, err = p.post("attest", msg, false)
	esc := map[string]any{"status": status(rv)}
	if err != nil {
		esc["ok"], esc["error"] = false, err.Error()
	} else {
		var r attest.ZAttestResponse
		perr := proto.Unmarshal(rv.RespContents, &r)
		code := r.GetStorageKeysResp().GetResponse()
		esc["respType"], esc["response"] = r.GetRespType().String(), code.String()
		esc["ok"] = perr == nil && r.GetRespType() == attest.ZAttestRespType_Z_ATTEST_RESP_TYPE_STORE_KEYS &&
			code == attest.AttestStorageKeysResponseCode_ATTEST_STORAGE_KEYS_RESPONSE_CODE_SUCCESS
	}
	emit("attest-escrow", esc)
	return token
}

// sendInfo: the ZInfoDevice and ZInfoHardware zedagent posts to /info, with this port.
func (p *peer) sendInfo(eveVersion string) {
	port := p.client.DeviceNetworkStatus.Ports[0]
	dev, err := deviceInfo(p.client.DevUUID.String(), port, p.mac, p.subnet)
	if err != nil {
		fail("info", err)
	}
	hw, err := hardwareInfo(p.client.DevUUID.String(), eveVersion, port.IfName, p.mac, p.speedMbps)
	if err != nil {
		fail("info", err)
	}
	statuses := []int{}
	for _, msg := range [][]byte{dev, hw} {
		rv, err := p.post("info", msg, false)
		if err != nil {
			fail("info", err)
		}
		statuses = append(statuses, status(rv))
	}
	emit("info", map[string]any{"ok": true, "status": statuses})
}

// getConfig polls as zedagent does (hash of the last config, the integrity token; 304 = unchanged) until the
// config carries the cluster with its encrypted token, or wait runs out.
func (p *peer) getConfig(token []byte, wait time.Duration) *zconfig.EdgeDevConfig {
	var cfg *zconfig.EdgeDevConfig
	prevHash := ""
	polls := 0
	for end := time.Now().Add(wait); ; time.Sleep(time.Second) {
		polls++
		msg, _ := configRequest(prevHash, token)
		rv, err := p.post("config", msg, false)
		if err != nil {
			fail("config", err)
		}
		if status(rv) == 200 {
			var resp zconfig.ConfigResponse
			if err := proto.Unmarshal(rv.RespContents, &resp); err != nil {
				fail("config", err)
			}
			cfg, prevHash = resp.GetConfig(), resp.GetConfigHash()
		}
		if cfg.GetCluster().GetEncryptedClusterToken() != nil || time.Now().After(end) {
			break
		}
	}
	if cfg == nil {
		fail("config", errors.New("no config received"))
	}
	emit("config", map[string]any{"ok": true, "polls": polls, "configHash": prevHash,
		"cluster": cfg.GetCluster() != nil, "cipherContexts": len(cfg.GetCipherContexts())})
	return cfg
}

func hash256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
