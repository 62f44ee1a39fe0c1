// Package minio starts a real MinIO server on 127.0.0.1 for tests: the
// pinned binary that test/scripts/install-minio.sh builds and caches (or
// $BABELGATE_MINIO), run by test/storeproc, whose contract it follows:
// loopback only, stopped by t.Cleanup, readiness polled with a deadline.
package minio

import (
	"net/http"
	"testing"

	"github.com/babelgate/babelgate/test/storeproc"
)

// Root credentials of every test server.
const (
	AccessKey = "babelgate-minio"
	SecretKey = "babelgate-minio-secret-key"
)

// Server is a running MinIO; its Endpoint is http://127.0.0.1:port.
type Server = storeproc.Proc

// Start starts a MinIO on a free loopback port with a fresh data
// directory; it is ready when its readiness probe answers 200
// (https://docs.min.io/minio/baremetal/monitoring/healthcheck-probe.html),
// and stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return storeproc.Start(tb, storeproc.Spec{
		Name: "minio",
		Bin:  storeproc.Binary(tb, "BABELGATE_MINIO", "install-minio.sh"),
		Args: func(addr, data string) []string {
			return []string{"server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:0", data}
		},
		Env: []string{"MINIO_ROOT_USER=" + AccessKey, "MINIO_ROOT_PASSWORD=" + SecretKey,
			"MINIO_BROWSER=off", "MINIO_UPDATE=off", "CI=true"},
		ReadyPath:   "/minio/health/ready",
		ReadyStatus: http.StatusOK,
	})
}
