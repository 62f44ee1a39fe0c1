// Package versitygw starts a real versitygw (github.com/versity/versitygw)
// with its posix backend on 127.0.0.1 for tests: the pinned binary that
// test/scripts/install-versitygw.sh builds and caches. It is the second,
// independent S3 implementation the s3 driver is run against besides
// MinIO.
package versitygw

import (
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
	AccessKey = "babelgate-versitygw"
	SecretKey = "babelgate-versitygw-secret-key"
)

// Server is a running versitygw.
type Server struct {
	Endpoint string // http://127.0.0.1:port
	cmd      *exec.Cmd
	done     chan struct{}
}

// Binary returns the versitygw binary: $BABELGATE_VERSITYGW, or what the
// install script builds (running it if needed). A test that needs
// versitygw fails, never skips, when it cannot be had.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("BABELGATE_VERSITYGW"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "scripts", "install-versitygw.sh")
	out, err := exec.Command("bash", script).Output()
	if err != nil {
		tb.Fatalf("versitygw is needed and %s failed: %v", script, err)
	}
	return strings.TrimSpace(string(out))
}

// StartPosix starts versitygw's posix backend on a free loopback port over
// a fresh directory; it is stopped when the test ends.
func StartPosix(tb testing.TB) *Server {
	tb.Helper()
	dir := tb.TempDir()
	root := filepath.Join(dir, "data")
	if err := os.Mkdir(root, 0o700); err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(filepath.Join(dir, "versitygw.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(Binary(tb), "--access", AccessKey, "--secret", SecretKey, "--port", addr, "--quiet", "posix", root)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	s := &Server{Endpoint: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(s.done) }()
	tb.Cleanup(s.Stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Any HTTP answer (an anonymous request is refused) means it
		// serves.
		resp, err := http.Get(s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return s
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(logf.Name())
			tb.Fatalf("versitygw exited before serving: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			tb.Fatalf("versitygw did not serve in 60s: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 10s).
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}
