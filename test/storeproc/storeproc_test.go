package storeproc

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The tests run this test binary itself as the "store": with
// $STOREPROC_TEST_STORE set it is a small HTTP server (see fakeStore)
// instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("STOREPROC_TEST_STORE") != "" {
		fakeStore(os.Args[1:])
		return
	}
	os.Exit(m.Run())
}

// fakeStore serves as a store does: args are "serve ADDR DATA" or "fail".
// Each start appends a line to DATA/starts; GET /starts answers how many
// there are; GET /ready answers 503 to the first $STOREPROC_TEST_NOTREADY
// requests, 200 after; GET /polls answers how many /ready requests came.
func fakeStore(args []string) {
	if len(args) != 3 || args[0] != "serve" {
		fmt.Fprintf(os.Stderr, "fake store: cannot serve with %q\n", args)
		os.Exit(3)
	}
	addr, data := args[1], args[2]
	f, err := os.OpenFile(filepath.Join(data, "starts"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		panic(err)
	}
	fmt.Fprintln(f, "start")
	f.Close()
	notReady, _ := strconv.Atoi(os.Getenv("STOREPROC_TEST_NOTREADY"))
	var polls atomic.Int64
	http.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if polls.Add(1) <= int64(notReady) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	http.HandleFunc("/polls", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, polls.Load()) })
	http.HandleFunc("/starts", func(w http.ResponseWriter, r *http.Request) {
		b, _ := os.ReadFile(filepath.Join(data, "starts"))
		fmt.Fprint(w, strings.Count(string(b), "\n"))
	})
	fmt.Println("fake store: serving on", addr)
	panic(http.ListenAndServe(addr, nil))
}

func fakeSpec(t *testing.T, notReady int, args ...string) Spec {
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Spec{
		Name: "fake",
		Bin:  bin,
		Args: func(addr, data string) []string {
			if args != nil {
				return args
			}
			return []string{"serve", addr, data}
		},
		Env:          []string{"STOREPROC_TEST_STORE=1", "STOREPROC_TEST_NOTREADY=" + strconv.Itoa(notReady)},
		ReadyPath:    "/ready",
		ReadyStatus:  http.StatusOK,
		EndpointPath: "/account",
	}
}

func get(t *testing.T, p *Proc, path string) string {
	t.Helper()
	resp, err := http.Get("http://" + p.Addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return string(b)
}

// Start returns only once the readiness condition holds (here after three
// 503s); Stop frees the port; Restart serves again on the same address
// over the same data.
func TestStartStopRestart(t *testing.T) {
	p := Start(t, fakeSpec(t, 3))
	if host, _, _ := net.SplitHostPort(p.Addr); host != "127.0.0.1" {
		t.Fatalf("Addr = %q, want a 127.0.0.1 address", p.Addr)
	}
	if p.Endpoint != "http://"+p.Addr+"/account" {
		t.Fatalf("Endpoint = %q for Addr %q", p.Endpoint, p.Addr)
	}
	if polls, _ := strconv.Atoi(get(t, p, "/polls")); polls < 4 {
		t.Fatalf("Start returned after %d readiness polls, want at least 4 (three 503s, then 200)", polls)
	}
	if got := get(t, p, "/starts"); got != "1" {
		t.Fatalf("starts = %s, want 1", got)
	}
	addr := p.Addr

	p.Stop()
	if p.Ready(context.Background()) {
		t.Fatal("Ready after Stop")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Stop", addr)
	}
	p.Stop() // stopping a stopped server does nothing

	p.Restart()
	if p.Addr != addr {
		t.Fatalf("Restart moved the server from %s to %s", addr, p.Addr)
	}
	if !p.Ready(context.Background()) {
		t.Fatal("not Ready after Restart")
	}
	if got := get(t, p, "/starts"); got != "2" {
		t.Fatalf("starts = %s after Restart, want 2 (the same data directory)", got)
	}
	if log := p.logTail(); strings.Count(log, "fake store: serving on "+addr) != 2 {
		t.Fatalf("the log does not hold both runs' output:\n%s", log)
	}
	if got := p.String(); got != "fake at "+p.Endpoint {
		t.Fatalf("String() = %q", got)
	}
}

// A server that exits before it serves fails the start at once (not at
// the deadline), with its log in the error.
func TestExitBeforeServing(t *testing.T) {
	dir := t.TempDir()
	p := &Proc{spec: fakeSpec(t, 0, "fail"), tb: t, data: dir, log: filepath.Join(dir, "fake.log"), Addr: FreeAddr(t)}
	err := p.launch()
	if err == nil {
		p.Stop()
		t.Fatal("launch of a server that exits succeeded")
	}
	for _, want := range []string{"fake exited (exit status 3) before it served", `fake store: cannot serve with ["fail"]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if p.running() {
		t.Error("the process is still running")
	}
}

// The server is stopped when the test that started it ends.
func TestCleanupStops(t *testing.T) {
	var p *Proc
	t.Run("user", func(t *testing.T) { p = Start(t, fakeSpec(t, 0)) })
	select {
	case <-p.done:
	default:
		t.Fatal("the server still runs after its test ended")
	}
	if c, err := net.DialTimeout("tcp", p.Addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after the test ended", p.Addr)
	}
}

func TestBinary(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("#!/usr/bin/env bash\n"+body+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const env = "STOREPROC_TEST_BINARY"
	tests := []struct {
		name, env, script string
		want, wantErr     string
	}{
		{"the variable wins", "/from/env", script("unused.sh", "exit 1"), "/from/env", ""},
		{"else the script's path", "", script("ok.sh", "echo 'installing' >&2\necho /cache/store/bin"), "/cache/store/bin", ""},
		{"a failing script", "", script("fail.sh", "echo 'no network' >&2\nexit 2"), "", "exit status 2: no network"},
		{"a script that prints nothing", "", script("empty.sh", "true"), "", "it printed no path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(env, tc.env)
			got, err := binary(env, tc.script)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "$"+env+" is not set") {
					t.Fatalf("binary = %q, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("binary = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
