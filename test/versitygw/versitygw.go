// Package versitygw starts a real versitygw (github.com/versity/versitygw)
// with its posix backend on 127.0.0.1 for tests: the pinned binary that
// test/scripts/install-versitygw.sh builds and caches (or
// $BABELGATE_VERSITYGW), run by test/storeproc, whose contract it follows:
// loopback only, stopped by t.Cleanup, readiness polled with a deadline.
// It is the second, independent S3 implementation the s3 driver is run
// against besides MinIO.
package versitygw

import (
	"testing"

	"github.com/babelgate/babelgate/test/storeproc"
)

// Root credentials of every test server.
const (
	AccessKey = "babelgate-versitygw"
	SecretKey = "babelgate-versitygw-secret-key"
)

// Server is a running versitygw; its Endpoint is http://127.0.0.1:port.
type Server = storeproc.Proc

// StartPosix starts versitygw's posix backend on a free loopback port over
// a fresh directory, and has it stopped when the test ends.
func StartPosix(tb testing.TB) *Server {
	tb.Helper()
	return storeproc.Start(tb, storeproc.Spec{
		Name: "versitygw",
		Bin:  storeproc.Binary(tb, "BABELGATE_VERSITYGW", "install-versitygw.sh"),
		Args: func(addr, data string) []string {
			return []string{"--access", AccessKey, "--secret", SecretKey, "--port", addr, "--quiet", "posix", data}
		},
		// Any HTTP answer (an anonymous request is refused) means it
		// serves.
		ReadyPath: "/",
	})
}
