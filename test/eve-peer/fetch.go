// `eve-peer fetch`: EVE's own download client (eve-libs zedUpload, driven the way pkg/pillar/cmd/downloader drives
// it) against eveboot's HTTP datastore and read-only registry (issue 13). The URLs are composed as the downloader
// composes them from DatastoreConfig.fqdn + dpath + ContentTree.URL (cmd/downloader/syncop.go
// constructDatastoreContext, getServerURL, oci.go ociRepositorySplit); an OCI tag is resolved with
// SyncOpGetObjectMetaData (resolveconfig.go) and its blobs fetched as `<URL>@<digest>` (volumemgr oci.go
// replaceSha). One JSON object per line on stdout; a failed step prints EVE's error and exits 1.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/lf-edge/eve-libs/zedUpload"
)

func fetchMain(args []string) {
	fs := flag.NewFlagSet("fetch", flag.ExitOnError)
	kind := fs.String("kind", "http", "http (DsHttp, a VM disk) or oci (DsContainerRegistry)")
	fqdn := fs.String("fqdn", "", "DatastoreConfig.fqdn")
	dpath := fs.String("dpath", "", "DatastoreConfig.dpath")
	name := fs.String("url", "", "ContentTree.URL")
	size := fs.Int64("size", 0, "ContentTree.maxSizeBytes")
	out := fs.String("out", "", "directory for the downloaded files")
	_ = fs.Parse(args)

	dctx, err := zedUpload.NewDronaCtx("eveboot-fetch", 0)
	if err != nil {
		fail("fetch", err)
	}
	downloadURL, err := url.JoinPath(*fqdn, *dpath, *name)
	if err != nil {
		fail("fetch", err)
	}
	if *kind == "http" {
		u, err := url.Parse(downloadURL)
		if err != nil {
			fail("http", err)
		}
		file := filepath.Join(*out, "disk")
		auth := &zedUpload.AuthInput{AuthType: "http"}
		if _, err := transfer(dctx, zedUpload.SyncHttpTr, zedUpload.SyncOpDownload, u.Scheme+"://"+u.Host, *dpath, *name, file, *size, auth); err != nil {
			fail("http", err)
		}
		emit("http", map[string]any{"ok": true, "sha256": fileSha(file), "size": fileSize(file)})
		return
	}
	u, err := url.Parse(downloadURL)
	if err != nil || (u.Scheme != "docker" && u.Scheme != "oci") {
		fail("oci", fmt.Errorf("not a registry URL: %s", downloadURL))
	}
	registry, remote := u.Host, strings.TrimPrefix(u.Path, "/")
	auth := &zedUpload.AuthInput{AuthType: "apikey"}
	resolved, err := transfer(dctx, zedUpload.SyncOCIRegistryTr, zedUpload.SyncOpGetObjectMetaData, registry, remote, remote, "", 0, auth)
	if err != nil {
		fail("resolve", err)
	}
	// zedUpload reports the hash upper-case; volumemgr lower-cases it (updatestatus.go: foundSha).
	emit("resolve", map[string]any{"ok": true, "sha256": resolved})
	resolved = strings.ToLower(resolved)
	fetchBlob := func(digest string, size int64) (string, string) {
		ref := strings.Split(remote, "@")[0] + "@" + digest
		file := filepath.Join(*out, strings.ReplaceAll(digest, ":", "-"))
		ctype, err := transfer(dctx, zedUpload.SyncOCIRegistryTr, zedUpload.SyncOpDownload, registry, ref, ref, file, size, auth)
		if err != nil {
			fail("blob", fmt.Errorf("%s: %w", digest, err))
		}
		return file, ctype
	}
	rootFile, rootType := fetchBlob("sha256:"+resolved, 0)
	var m struct {
		Config struct {
			Digest string `json:"digest"`
			Size   int64  `json:"size"`
		} `json:"config"`
		Layers []struct {
			Digest string `json:"digest"`
			Size   int64  `json:"size"`
		} `json:"layers"`
	}
	raw, _ := os.ReadFile(rootFile)
	if err := json.Unmarshal(raw, &m); err != nil {
		fail("manifest", err)
	}
	blobs := map[string]string{"sha256:" + resolved: "sha256:" + fileSha(rootFile)}
	for _, d := range append([]struct {
		Digest string `json:"digest"`
		Size   int64  `json:"size"`
	}{m.Config}, m.Layers...) {
		f, _ := fetchBlob(d.Digest, d.Size)
		blobs[d.Digest] = "sha256:" + fileSha(f)
	}
	emit("oci", map[string]any{"ok": true, "contentType": rootType, "blobs": blobs})
}

// transfer posts one request and waits for its answer, as cmd/downloader's download() does; it returns the
// resolved sha256 (metadata) or the content type (download).
func transfer(dctx *zedUpload.DronaCtx, tr zedUpload.SyncTransportType, op zedUpload.SyncOpType,
	server, pathOrRepo, name, local string, size int64, auth *zedUpload.AuthInput) (string, error) {
	ep, err := dctx.NewSyncerDest(tr, server, "", pathOrRepo, auth)
	if err != nil {
		return "", err
	}
	defer ep.Close()
	respChan := make(chan *zedUpload.DronaRequest)
	req := ep.NewRequest(op, name, local, size, true, respChan)
	if req == nil {
		return "", errors.New("NewRequest failed")
	}
	req = req.WithCancel(context.Background())
	defer req.Cancel()
	if err := req.Post(); err != nil {
		return "", err
	}
	for resp := range respChan {
		if resp.IsDnUpdate() {
			if cur, total, _ := resp.Progress(); total > 0 && cur > total {
				return "", fmt.Errorf("size %d provided in image config is incorrect (%d downloaded)", total, cur)
			}
			continue
		}
		// GetDnStatus/GetUpStatus always return an error value; IsError says whether it is one (download.go).
		if op == zedUpload.SyncOpGetObjectMetaData {
			if resp.IsError() {
				return "", resp.GetDnStatus()
			}
			return resp.GetSha256(), nil
		}
		if _, err := resp.GetUpStatus(); resp.IsError() {
			return "", err
		}
		return resp.GetContentType(), nil
	}
	return "", errors.New("respChan closed")
}

func fileSha(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	_, _ = io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return st.Size()
}
