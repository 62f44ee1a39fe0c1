package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/translate"
)

// adminBackends opens, through the same code as serve, an fs backend named
// local and, for each extra name, an s3 backend whose store is at that
// name's address.
func adminBackends(t *testing.T, stores map[string]string) map[string]translate.Backend {
	t.Helper()
	yaml := fmt.Sprintf(`version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
default_backend: local
backends:
  - {name: local, type: fs, options: {root: %q}}
`, filepath.Join(t.TempDir(), "data"))
	for name, addr := range stores {
		yaml += fmt.Sprintf("  - {name: %s, type: s3, options: {endpoint: \"http://%s\", access_key: a, secret_key: b, path_style: true, region: us-east-1, retries: 0, connect_timeout: 1s, request_timeout: 10s}}\n", name, addr)
	}
	cfg, err := config.Parse([]byte(yaml), "admin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := openBackends(context.Background(), cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, b := range bs {
			if c, ok := b.(io.Closer); ok {
				c.Close()
			}
		}
	})
	return instrumentBackends(bs)
}

// refusedAddr is a loopback address nothing listens on.
func refusedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentAddr is a loopback address that accepts connections and never
// answers: a hung store.
func silentAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func adminGet(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

func TestAdminHandler(t *testing.T) {
	const timeout = 300 * time.Millisecond
	for _, tc := range []struct {
		name     string
		stores   map[string]string
		draining bool
		pprof    bool
		path     string
		status   int
		has      []string
		hasNot   []string
	}{
		{name: "healthz", path: "/healthz", status: 200, has: []string{"ok"}},
		{name: "healthz while draining", draining: true, path: "/healthz", status: 200, has: []string{"ok"}},
		{name: "ready", path: "/readyz", status: 200, has: []string{"ready"}},
		{name: "draining", draining: true, path: "/readyz", status: 503, has: []string{"draining"}},
		{name: "store refuses", stores: map[string]string{"dead": refusedAddr(t)}, path: "/readyz", status: 503,
			has: []string{"backend dead: ServiceUnavailable"}, hasNot: []string{"backend local"}},
		{name: "store hangs", stores: map[string]string{"hung": silentAddr(t)}, path: "/readyz", status: 503,
			has: []string{"backend hung: no answer within 300ms"}, hasNot: []string{"backend local"}},
		{name: "metrics", path: "/metrics", status: 200, has: []string{"babelgate_build_info{", "go_goroutines"}},
		{name: "no pprof unless asked", path: "/debug/pprof/", status: 404},
		{name: "pprof", pprof: true, path: "/debug/pprof/", status: 200, has: []string{"goroutine"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var draining atomic.Bool
			draining.Store(tc.draining)
			startAdmin(&config.Config{}, nil, nil) // sets build info; no listener without an address
			h := newAdminHandler(adminBackends(t, tc.stores), &draining, timeout, tc.pprof)
			status, body := adminGet(t, h, tc.path)
			if status != tc.status {
				t.Errorf("GET %s = %d, want %d; body:\n%s", tc.path, status, tc.status, body)
			}
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Errorf("GET %s body lacks %q:\n%s", tc.path, s, body)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("GET %s body has %q:\n%s", tc.path, s, body)
				}
			}
		})
	}
}

// TestMetricsListenFlag: --metrics-listen sets server.metrics_listen and is
// validated like it.
func TestMetricsListenFlag(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"--data", data}, "", ""},
		{[]string{"--data", data, "--metrics-listen", "127.0.0.1:9100"}, "127.0.0.1:9100", ""},
		{[]string{"--data", data, "--metrics-listen", "nonsense"}, "", "server.metrics_listen"},
		{[]string{"--data", data, "--listen", "127.0.0.1:9000", "--metrics-listen", "127.0.0.1:9000"}, "", "must differ from server.listen"},
	} {
		f, err := parseServeFlags(tc.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := loadServeConfig(f, io.Discard)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case cfg.Server.MetricsListen != tc.want:
			t.Errorf("%v: metrics_listen %q, want %q", tc.args, cfg.Server.MetricsListen, tc.want)
		}
	}
}
