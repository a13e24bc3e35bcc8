// The device's own keys, made the way EVE's tpmmgr makes them on a device without a TPM
// (pkg/pillar/cmd/tpmmgr/tpmmgr.go createDeviceCertSoft, createEcdhCertSoft; unexported there): a self-signed
// P-256 device cert (CN "EVE") at /config/device.{cert,key}.pem, and an ECDH cert signed by the device key at
// /persist/certs/ecdh.{cert,key}.pem. Existing files are kept, so a device keeps its identity across runs.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/lf-edge/eve/pkg/pillar/types"
)

// ecdhCertFile is tpmmgr's unexported ecdhCertFile (types.CertificateDirname + "/ecdh.cert.pem").
var ecdhCertFile = filepath.Join(types.CertificateDirname, "ecdh.cert.pem")

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	return n
}

func writePair(certPath, keyPath string, der []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return err
	}
	// tpmmgr labels the SEC1 key "PRIVATE KEY".
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ensureIdentity creates the device cert and the ECDH cert when they are missing.
func ensureIdentity() error {
	if !exists(types.DeviceCertName) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		yesterday := time.Now().AddDate(0, 0, -1)
		tmpl := &x509.Certificate{
			SerialNumber:          serial(),
			Subject:               pkix.Name{Organization: []string{"The Linux Foundation"}, CommonName: "EVE"},
			NotBefore:             yesterday,
			NotAfter:              yesterday.AddDate(20, 0, 0),
			IsCA:                  true,
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			return err
		}
		if err := writePair(types.DeviceCertName, types.DeviceKeyName, der, key); err != nil {
			return err
		}
	}
	if exists(ecdhCertFile) {
		return nil
	}
	devPEM, err := os.ReadFile(types.DeviceCertName)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(devPEM)
	devCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	devKey, err := readECKey(types.DeviceKeyName)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject: pkix.Name{
			Country: []string{"US"}, Province: []string{"CA"}, Locality: []string{"San Francisco"},
			Organization: []string{"The Linux Foundation"}, CommonName: "Device ECDH certificate",
		},
		NotBefore:             devCert.NotBefore,
		NotAfter:              devCert.NotAfter,
		KeyUsage:              x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, devCert, key.Public(), devKey)
	if err != nil {
		return err
	}
	return writePair(ecdhCertFile, ecdhKeyFile, der, key)
}

func readECKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	return x509.ParseECPrivateKey(block.Bytes)
}
