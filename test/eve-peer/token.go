// The cluster token through EVE's cipher package. The two lookups GetCipherCredentials makes are pubsub
// Getters in EVE; here they are maps holding what zedagent would publish: ControllerCert per cert from /certs
// (keyed by hex of its certHash, handlecertconfig.go) and the EdgeNodeCert tpmmgr publishes for the ECDH cert
// (keyed by hex of CertID, IsTpm false so evetpm takes the key from the file SetECDHPrivateKeyFile names).
package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	zconfig "github.com/lf-edge/eve-api/go/config"
	"github.com/lf-edge/eve/pkg/pillar/cipher"
	"github.com/lf-edge/eve/pkg/pillar/evetpm"
	"github.com/lf-edge/eve/pkg/pillar/types"
)

type mapGetter map[string]any

func (m mapGetter) Get(key string) (any, error) {
	if v, ok := m[key]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("no item %s", key)
}

func (p *peer) decryptToken(cfg *zconfig.EdgeDevConfig) {
	block := cfg.GetCluster().GetEncryptedClusterToken()
	if block == nil {
		fail("token", errors.New("config has no cluster.encrypted_cluster_token"))
	}
	controllerCerts := mapGetter{}
	for _, c := range p.certs {
		controllerCerts[hex.EncodeToString(c.GetCertHash())] = types.ControllerCert{
			HashAlgo: c.GetHashAlgo(), Type: c.GetType(), Cert: c.GetCert(), CertHash: c.GetCertHash(),
		}
	}
	ecdhPEM, err := os.ReadFile(ecdhCertFile)
	if err != nil {
		fail("token", err)
	}
	id := certHash16(ecdhPEM)
	edgeNodeCerts := mapGetter{hex.EncodeToString(id): types.EdgeNodeCert{
		HashAlgo: types.CertHashTypeSha256First16, CertID: id, CertType: types.CertTypeEcdhXchange,
		Cert: ecdhPEM, IsTpm: false,
	}}
	evetpm.SetECDHPrivateKeyFile(ecdhKeyFile)

	// zedagent parseCipherContext + parseCipherBlock (handlecipherconfig.go): the context of the same config,
	// embedded into the block.
	status := types.CipherBlockStatus{
		CipherBlockID:   "cluster-token",
		CipherContextID: block.GetCipherContextId(),
		InitialValue:    block.GetInitialValue(),
		CipherData:      block.GetCipherData(),
		ClearTextHash:   block.GetClearTextSha256(),
		IsCipher:        true,
	}
	for _, c := range cfg.GetCipherContexts() {
		if c.GetContextId() == status.CipherContextID {
			status.CipherContext = &types.CipherContext{
				ContextID: c.GetContextId(), HashScheme: c.GetHashScheme(),
				KeyExchangeScheme: c.GetKeyExchangeScheme(), EncryptionScheme: c.GetEncryptionScheme(),
				DeviceCertHash: c.GetDeviceCertHash(), ControllerCertHash: c.GetControllerCertHash(),
			}
		}
	}
	ctx := &cipher.DecryptCipherContext{
		Log:                  p.log,
		AgentName:            "eveboot-peer",
		AgentMetrics:         cipher.NewAgentMetrics("eveboot-peer"),
		PubSubControllerCert: controllerCerts,
		PubSubEdgeNodeCert:   edgeNodeCerts,
	}
	_, dec, err := cipher.GetCipherCredentials(ctx, status)
	if err != nil {
		fail("token", err)
	}
	if dec.ClusterToken == "" {
		// What zedkube then sees: no error, an empty token (kube-init waits forever). EVE's cause is in its log.
		fail("token", fmt.Errorf("GetCipherCredentials gave an empty ClusterToken; EVE logged: %s", eveErrors.last))
	}
	// The token itself never leaves this process: only its SHA-256.
	emit("token", map[string]any{"ok": true, "sha256": hash256([]byte(dec.ClusterToken))})
}
