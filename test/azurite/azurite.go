// Package azurite starts a real Azurite, Microsoft's Azure Storage
// emulator, on 127.0.0.1 for tests: the pinned azurite-blob that
// test/scripts/install-azurite.sh installs from npm and caches.
package azurite

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Azurite's well-known development account (the same in every Azurite:
// https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key).
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is a running Azurite blob service.
type Server struct {
	// Endpoint is the account URL, http://127.0.0.1:port/devstoreaccount1.
	Endpoint string
	Addr     string
	dir      string
	cmd      *exec.Cmd
	tb       testing.TB
	log      *os.File
}

// Binary returns the azurite-blob binary: $BABELGATE_AZURITE, or what the
// install script installs (running it if needed). A test that needs
// Azurite fails, never skips, when it cannot be had.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("BABELGATE_AZURITE"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "scripts", "install-azurite.sh")
	out, err := exec.Command("bash", script).Output()
	if err != nil {
		tb.Fatalf("Azurite is needed and %s failed: %v", script, err)
	}
	return strings.TrimSpace(string(out))
}

// Start starts Azurite's blob service on a free loopback port with a fresh
// data directory; it is stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, dir: tb.TempDir()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	ln.Close()
	s.Endpoint = "http://" + s.Addr + "/" + Account
	s.log, err = os.Create(filepath.Join(s.dir, "azurite.log"))
	if err != nil {
		tb.Fatal(err)
	}
	s.start(Binary(tb))
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) start(bin string) {
	s.tb.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	// --skipApiVersionCheck: the SDK may be newer than the emulator's
	// newest API version; --loose: ignore headers Azurite does not know;
	// no telemetry (no network in tests); the account is the first path
	// segment.
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", port,
		"--location", filepath.Join(s.dir, "data"), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry", "--disableProductStyleUrl")
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // node may start children
	if err := cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for !s.Ready(context.Background()) {
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(s.log.Name())
			s.Stop()
			s.tb.Fatalf("Azurite did not become ready in 60s:\n%s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 10s) and waits for
// it to exit, so that its port is free again.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	pgid := s.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
	s.cmd = nil
}

// Restart starts the server again on the same address and data directory.
func (s *Server) Restart() {
	s.tb.Helper()
	s.start(Binary(s.tb))
}

// String describes the server for messages.
func (s *Server) String() string { return fmt.Sprintf("azurite at %s", s.Endpoint) }

// Ready reports whether the blob service answers now: any HTTP answer
// counts (Azurite has no health endpoint; an unsigned request is refused
// with 403, which only a running service sends).
func (s *Server) Ready(ctx context.Context) bool {
	req, _ := http.NewRequestWithContext(ctx, "GET", s.Endpoint+"?comp=list", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}
