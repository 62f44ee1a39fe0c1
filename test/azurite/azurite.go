// Package azurite starts a real Azurite, Microsoft's Azure Storage
// emulator, on 127.0.0.1 for tests: the pinned azurite-blob that
// test/scripts/install-azurite.sh installs from npm and caches (or
// $BABELGATE_AZURITE), run by test/storeproc, whose contract it follows:
// loopback only, stopped by t.Cleanup, readiness polled with a deadline.
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

// Server is a running Azurite blob service; its Endpoint is the account
// URL, http://127.0.0.1:port/devstoreaccount1.
type Server = storeproc.Proc

// Start starts Azurite's blob service on a free loopback port with a fresh
// data directory, and has it stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return storeproc.Start(tb, storeproc.Spec{
		Name: "azurite",
		Bin:  storeproc.Binary(tb, "BABELGATE_AZURITE", "install-azurite.sh"),
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
		ReadyPath:    "/" + Account + "?comp=list",
		EndpointPath: "/" + Account,
	})
}
