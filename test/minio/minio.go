// Package minio starts a real MinIO server on 127.0.0.1 for tests: the
// pinned binary that test/scripts/install-minio.sh builds and caches.
package minio

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

// Root credentials of every test server.
const (
	AccessKey = "babelgate-minio"
	SecretKey = "babelgate-minio-secret-key"
)

// Server is a running MinIO.
type Server struct {
	Endpoint string // http://127.0.0.1:port
	Addr     string
	dir      string
	cmd      *exec.Cmd
	tb       testing.TB
	log      *os.File
}

// Binary returns the MinIO binary: $BABELGATE_MINIO, or what the install
// script builds (running it if needed). A test that needs MinIO fails,
// never skips, when it cannot be had.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("BABELGATE_MINIO"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "scripts", "install-minio.sh")
	out, err := exec.Command("bash", script).Output()
	if err != nil {
		tb.Fatalf("MinIO is needed and %s failed: %v", script, err)
	}
	return strings.TrimSpace(string(out))
}

// Start starts a MinIO on a free loopback port with a fresh data
// directory; it is stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, dir: tb.TempDir()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	ln.Close()
	s.Endpoint = "http://" + s.Addr
	s.log, err = os.Create(filepath.Join(s.dir, "minio.log"))
	if err != nil {
		tb.Fatal(err)
	}
	s.start(Binary(tb))
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) start(bin string) {
	s.tb.Helper()
	cmd := exec.Command(bin, "server", "--quiet", "--address", s.Addr, "--console-address", "127.0.0.1:0", filepath.Join(s.dir, "data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+AccessKey, "MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "CI=true")
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.Endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(s.log.Name())
			s.tb.Fatalf("MinIO did not become ready in 60s: %v\n%s", err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 10s).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// Restart starts the server again on the same address and data.
func (s *Server) Restart() {
	s.tb.Helper()
	s.start(Binary(s.tb))
}

// String describes the server for messages.
func (s *Server) String() string { return fmt.Sprintf("minio at %s", s.Endpoint) }

// Ready reports whether the server answers now.
func (s *Server) Ready(ctx context.Context) bool {
	req, _ := http.NewRequestWithContext(ctx, "GET", s.Endpoint+"/minio/health/ready", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
