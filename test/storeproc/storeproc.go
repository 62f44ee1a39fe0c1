// Package storeproc runs the store servers the tests need (MinIO, Azurite,
// versitygw) as real processes, one way for all of them. The packages
// test/minio, test/azurite and test/versitygw describe their store with a
// Spec; this package starts, watches and stops it.
//
// The contract:
//   - A server listens on 127.0.0.1 only, on a port that was free when Start
//     picked it, and keeps its data in a fresh directory of the test's.
//     Restart starts it again on the same address and the same data.
//   - Start and Restart return only once the server serves: the Spec's
//     readiness condition (an HTTP answer on a path) is polled until it
//     holds, within a deadline of a minute. Should the process exit first,
//     or the deadline pass, the test fails with the server's log. The pause
//     between polls decides nothing; only the condition, the exit and the
//     deadline do.
//   - The server is stopped by t.Cleanup: SIGTERM to its process group
//     (Azurite's node may start children), SIGKILL after ten seconds. Stop
//     waits for the exit, so the port is free again once it returns; should
//     the test binary itself die, the kernel kills the server
//     (PR_SET_PDEATHSIG).
//   - The server's stdout and stderr go to <name>.log in the test's
//     temporary directory; when the test fails, its tail is logged.
//   - A test that needs a store fails, never skips, when it cannot be had.
//
// A Proc is used from the test's goroutine; it is not safe for concurrent
// use.
package storeproc

import (
	"context"
	"errors"
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

// Timing of the process's life. The poll interval only paces the polling;
// the outcome is decided by the condition, the process's exit or the
// deadline.
const (
	readyWithin  = time.Minute
	pollEvery    = 100 * time.Millisecond
	probeTimeout = 2 * time.Second
	killAfter    = 10 * time.Second
	logTail      = 4 << 10
)

// Spec describes a store server.
type Spec struct {
	// Name names the server in messages and its log file: "minio".
	Name string
	// Bin is the executable (see Binary).
	Bin string
	// Args returns the command line (without the executable) of a server
	// listening on addr (127.0.0.1:port) and keeping its data in data, a
	// directory that exists and survives restarts.
	Args func(addr, data string) []string
	// Env is added to the test's environment.
	Env []string
	// ReadyPath is the path (and query) a GET is sent to to see whether
	// the server serves.
	ReadyPath string
	// ReadyStatus is the status of that GET that means ready; 0 means any
	// HTTP answer (as a 403 to an unsigned request shows a running store).
	ReadyStatus int
	// EndpointPath follows http://Addr in the Endpoint clients are given
	// (Azurite's account, "/devstoreaccount1"); often empty.
	EndpointPath string
}

// Proc is a running (or stopped) store server.
type Proc struct {
	// Addr is the server's address, 127.0.0.1:port.
	Addr string
	// Endpoint is the URL clients are given: http://Addr and the Spec's
	// EndpointPath.
	Endpoint string

	spec Spec
	tb   testing.TB
	data string
	log  string // the log file's path
	cmd  *exec.Cmd
	done chan struct{} // closed once cmd has exited and been reaped
}

// Start starts the server spec describes on a free loopback port over a
// fresh data directory, waits until it serves, and has it stopped when
// the test ends.
func Start(tb testing.TB, spec Spec) *Proc {
	tb.Helper()
	dir := tb.TempDir()
	p := &Proc{spec: spec, tb: tb, data: filepath.Join(dir, "data"), log: filepath.Join(dir, spec.Name+".log")}
	if err := os.Mkdir(p.data, 0o700); err != nil {
		tb.Fatalf("%s: %v", spec.Name, err)
	}
	p.Addr = FreeAddr(tb)
	p.Endpoint = "http://" + p.Addr + spec.EndpointPath
	// Registered after TempDir, so it runs before the directory goes.
	tb.Cleanup(func() {
		p.Stop()
		if tb.Failed() {
			tb.Logf("the end of %s's log:\n%s", spec.Name, p.logTail())
		}
	})
	if err := p.launch(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// Restart starts the stopped server again on the same address and data,
// and waits until it serves.
func (p *Proc) Restart() {
	p.tb.Helper()
	if p.running() {
		p.tb.Fatalf("%s: Restart while it runs", p.spec.Name)
	}
	if err := p.launch(); err != nil {
		p.tb.Fatal(err)
	}
}

// Stop stops the server (SIGTERM to its process group, SIGKILL after ten
// seconds) and waits until it has exited. Stopping a stopped server does
// nothing.
func (p *Proc) Stop() {
	if !p.running() {
		return
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(killAfter):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// Ready reports whether the server serves now: whether a GET of the
// Spec's ReadyPath gets the ReadyStatus (any answer if that is 0).
func (p *Proc) Ready(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Addr+p.spec.ReadyPath, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return p.spec.ReadyStatus == 0 || resp.StatusCode == p.spec.ReadyStatus
}

// String describes the server for messages.
func (p *Proc) String() string { return fmt.Sprintf("%s at %s", p.spec.Name, p.Endpoint) }

func (p *Proc) running() bool {
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// launch starts the process and waits until it serves; on failure the
// process is stopped and the error carries its log.
func (p *Proc) launch() error {
	logf, err := os.OpenFile(p.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("%s: %w", p.spec.Name, err)
	}
	cmd := exec.Command(p.spec.Bin, p.spec.Args(p.Addr, p.data)...)
	cmd.Env = append(os.Environ(), p.spec.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s: %w", p.spec.Name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	p.cmd, p.done = cmd, done
	if err := p.waitReady(); err != nil {
		p.Stop()
		return fmt.Errorf("%w; its log:\n%s", err, p.logTail())
	}
	return nil
}

// waitReady polls Ready until it holds, the process exits or the deadline
// passes.
func (p *Proc) waitReady() error {
	deadline := time.NewTimer(readyWithin)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		ok := p.Ready(ctx)
		cancel()
		if ok {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v) before it served on %s", p.spec.Name, p.cmd.ProcessState, p.Addr)
		case <-deadline.C:
			return fmt.Errorf("%s did not serve on %s within %v", p.spec.Name, p.Addr, readyWithin)
		case <-tick.C:
		}
	}
}

// logTail returns the last few KiB of the server's log.
func (p *Proc) logTail() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > logTail {
		b = append([]byte("…"), b[len(b)-logTail:]...)
	}
	return string(b)
}

// FreeAddr returns a loopback address, 127.0.0.1:port, whose port was free
// when it was picked.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("picking a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Binary returns a store's executable: the path in the environment
// variable env when it is set, else the one the install script
// test/scripts/<script> prints (it finds the pinned build in its cache,
// or makes it once). It fails the test when neither gives one.
func Binary(tb testing.TB, env, script string) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin, err := binary(env, filepath.Join(filepath.Dir(file), "..", "scripts", script))
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

func binary(env, script string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	out, err := exec.Command("bash", script).Output()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	bin := strings.TrimSpace(string(out))
	if err == nil && bin == "" {
		err = errors.New("it printed no path")
	}
	if err != nil {
		return "", fmt.Errorf("$%s is not set and %s failed: %w", env, script, err)
	}
	return bin, nil
}
