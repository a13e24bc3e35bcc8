// The request payloads EVE builds in unexported code, field by field as EVE sets them. Signing, TLS and the
// AuthContainer are EVE's own (controllerconn); only these few proto messages are ours.
package main

import (
	"crypto/sha256"

	"github.com/lf-edge/eve-api/go/attest"
	zcert "github.com/lf-edge/eve-api/go/certs"
	zconfig "github.com/lf-edge/eve-api/go/config"
	zcommon "github.com/lf-edge/eve-api/go/evecommon"
	eveuuid "github.com/lf-edge/eve-api/go/eveuuid"
	"github.com/lf-edge/eve-api/go/register"
	"google.golang.org/protobuf/proto"
)

// registerMsg: cmd/client/client.go selfRegister — the device cert PEM, base64-encoded, plus both serials.
func registerMsg(deviceCertPEM []byte, serial, softSerial string) ([]byte, error) {
	return proto.Marshal(&register.ZRegisterMsg{
		PemCert:    []byte(b64(deviceCertPEM)),
		Serial:     serial,
		SoftSerial: softSerial,
	})
}

// uuidRequest: cmd/client/parseuuid.go generateUUIDRequest — an empty UuidRequest.
func uuidRequest() ([]byte, error) { return proto.Marshal(&eveuuid.UuidRequest{}) }

// configRequest: cmd/zedagent/handleconfig.go generateConfigRequest — the previous config hash and the
// integrity token from the last successful quote.
func configRequest(prevHash string, integrityToken []byte) ([]byte, error) {
	return proto.Marshal(&zconfig.ConfigRequest{ConfigHash: prevHash, IntegrityToken: integrityToken})
}

// certHash16 is tpmmgr getCertHash(CertHashTypeSha256First16): sha256 over the PEM bytes, first 16 bytes.
func certHash16(pemBytes []byte) []byte {
	h := sha256.Sum256(pemBytes)
	return h[:16]
}

// attestCertReq: cmd/zedagent/handlecertconfig.go publishEdgeNodeCertsToController — every EdgeNodeCert
// tpmmgr published; on a device without a TPM that is the ECDH cert (IsTpm false).
func attestCertReq(ecdhPEM []byte) ([]byte, error) {
	return proto.Marshal(&attest.ZAttestReq{
		ReqType: attest.ZAttestReqType_ATTEST_REQ_CERT,
		Certs: []*zcert.ZCert{{
			HashAlgo: zcommon.HashAlgorithm_HASH_ALGORITHM_SHA256_16BYTES,
			Type:     zcert.ZCertType_CERT_TYPE_DEVICE_ECDH_EXCHANGE,
			Cert:     ecdhPEM,
			CertHash: certHash16(ecdhPEM),
		}},
	})
}

// nonceReq: attesttask.go SendNonceRequest.
func nonceReq() ([]byte, error) {
	return proto.Marshal(&attest.ZAttestReq{ReqType: attest.ZAttestReqType_ATTEST_REQ_NONCE})
}

// pcr is one PCR as tpmmgr reads it (index, SHA256 bank, digest).
type pcr struct {
	index  uint32
	digest []byte
}

// quoteReq: attesttask.go SendAttestQuote with encodePCRValues and encodeVersions. Without a TPM tpmmgr's
// getQuote returns no quote, no signature and no PCRs, so those stay empty; the versions are always sent:
// the EVE version (type 1, from /run/eve-release), then the firmware "vendor-version-date" (type 2) when the
// BIOS reports one. No origin-version file exists on this peer, so type 3 is left out as EVE does then.
func quoteReq(attestData, signature []byte, pcrs []pcr, eveVersion, firmware string) ([]byte, error) {
	q := &attest.ZAttestQuote{AttestData: attestData, Signature: signature}
	q.PcrValues = make([]*attest.TpmPCRValue, 0)
	for _, p := range pcrs {
		q.PcrValues = append(q.PcrValues, &attest.TpmPCRValue{
			Index: p.index, HashAlgo: attest.TpmHashAlgo_TPM_HASH_ALGO_SHA256, Value: p.digest,
		})
	}
	q.Versions = []*attest.AttestVersionInfo{{
		VersionType: attest.AttestVersionType_ATTEST_VERSION_TYPE_EVE, Version: eveVersion,
	}}
	if firmware != "" {
		q.Versions = append(q.Versions, &attest.AttestVersionInfo{
			VersionType: attest.AttestVersionType_ATTEST_VERSION_TYPE_FIRMWARE, Version: firmware,
		})
	}
	return proto.Marshal(&attest.ZAttestReq{ReqType: attest.ZAttestReqType_ATTEST_REQ_QUOTE, Quote: q})
}

// escrowReq: attesttask.go SendAttestEscrow — the vault key as one VSK, with the integrity token.
func escrowReq(vaultKey, integrityToken []byte) ([]byte, error) {
	return proto.Marshal(&attest.ZAttestReq{
		ReqType: attest.ZAttestReqType_Z_ATTEST_REQ_TYPE_STORE_KEYS,
		StorageKeys: &attest.AttestStorageKeys{
			IntegrityToken: integrityToken,
			Keys: []*attest.AttestVolumeKey{{
				KeyType: attest.AttestVolumeKeyType_ATTEST_VOLUME_KEY_TYPE_VSK, Key: vaultKey,
			}},
		},
	})
}
