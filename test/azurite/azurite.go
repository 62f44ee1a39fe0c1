// Package azurite starts a real Azurite, Microsoft's Azure Storage
// emulator, on 127.0.0.1 for tests: the pinned azurite-blob that
// test/scripts/install-azurite.sh installs from npm and caches, run by
// test/storeproc (whose contract it follows: loopback only, stopped by
// t.Cleanup, readiness polled with a deadline).
package azurite

import (
	"net"
	"testing"

	"github.com/babelgate/babelgate/test/storeproc"
)

// Azurite's well-known development account (the same in every Azurite:
// https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key).
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is a running Azurite blob service; its Stop, Restart and Ready
// come from storeproc.Proc.
type Server struct {
	*storeproc.Proc
	// Endpoint is the account URL, http://127.0.0.1:port/devstoreaccount1.
	Endpoint string
}

// Binary returns the azurite-blob binary: $BABELGATE_AZURITE, or what the
// install script installs (running it if needed).
func Binary(tb testing.TB) string {
	tb.Helper()
	return storeproc.Binary(tb, "BABELGATE_AZURITE", "install-azurite.sh")
}

// Start starts Azurite's blob service on a free loopback port with a fresh
// data directory, and has it stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	p := storeproc.Start(tb, storeproc.Spec{
		Name: "azurite",
		Bin:  Binary(tb),
		// --skipApiVersionCheck: the SDK may be newer than the emulator's
		// newest API version; --loose: ignore headers Azurite does not
		// know; no telemetry (no network in tests); the account is the
		// first path segment.
		Args: func(addr, data string) []string {
			_, port, _ := net.SplitHostPort(addr)
			return []string{"--blobHost", "127.0.0.1", "--blobPort", port, "--location", data,
				"--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry", "--disableProductStyleUrl"}
		},
		// Azurite has no health endpoint: any answer counts (an unsigned
		// request is refused with 403, which only a running service sends).
		ReadyPath: "/" + Account + "?comp=list",
	})
	return &Server{Proc: p, Endpoint: p.URL + "/" + Account}
}
