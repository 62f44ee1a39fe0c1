package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It
// is 100 on every Linux architecture Go supports (the kernel fixes it for
// user space whatever CONFIG_HZ is).
const clockTicks = 100

// server is one process the benchmark started and stops.
type server struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	addr string        // 127.0.0.1:port
	done chan struct{} // closed when the process has exited and been reaped
}

// pid returns the process ID.
func (s *server) pid() int { return s.cmd.Process.Pid }

// endpoint returns the server's base URL.
func (s *server) endpoint() string { return "http://" + s.addr }

// stop sends SIGTERM, then SIGKILL after 10 s, and waits for the exit.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.log.Close()
}

// freeAddr returns a loopback address with a port free at the time of the
// call.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts bin with args and env, logging to dir/name.log, and
// waits until ready(addr) holds (at most a minute) or the process exits.
func startServer(ctx context.Context, name, dir, addr, bin string, args, env []string, ready func(context.Context, string) bool) (*server, error) {
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Should the benchmark die without stopping it, the kernel does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd, log: logf, addr: addr, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(time.Minute)
	for !ready(ctx, addr) {
		select {
		case <-s.done:
			b, _ := os.ReadFile(logf.Name())
			logf.Close()
			return nil, fmt.Errorf("%s exited before it was ready:\n%s", name, b)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			s.stop()
			return nil, fmt.Errorf("%s not ready in a minute:\n%s", name, b)
		}
	}
	return s, nil
}

// httpReady reports whether GET path on addr answers below 500 (any S3
// error, such as AccessDenied for an anonymous request, shows the server
// is serving).
func httpReady(path string) func(context.Context, string) bool {
	return func(ctx context.Context, addr string) bool {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode < 500
	}
}

// repoRoot returns the module's root directory (this file is test/bench/procs.go).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// installed returns $env when set, or what script (under test/scripts)
// prints: the pinned, cached binary it builds once.
func installed(env, script string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	path := filepath.Join(repoRoot(), "test", "scripts", script)
	cmd := exec.Command("bash", path)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// readCPU returns the user plus system CPU time the process has used,
// from fields 14 and 15 of /proc/PID/stat (proc(5)).
func readCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU parses utime+stime out of a /proc/PID/stat line. The
// command name (field 2) is in parentheses and may hold spaces, so fields
// are counted after the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("stat: no ')'")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields after the name", len(f))
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("stat: %w", err)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// readHWM returns the process's peak resident set (VmHWM) in bytes.
func readHWM(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseHWM(bufio.NewScanner(f))
}

// parseHWM finds the "VmHWM:  N kB" line of /proc/PID/status.
func parseHWM(sc *bufio.Scanner) (int64, error) {
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmHWM: %w", err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("status: no VmHWM line")
}

// resetHWM resets the process's peak RSS to its current RSS (writing 5 to
// /proc/PID/clear_refs, Linux ≥ 4.0), so VmHWM afterwards is the peak of
// one workload. It reports whether the kernel allowed it.
func resetHWM(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}
