package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte(`version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends: [{name: local, type: fs, options: {root: `+dir+`}}]
`), 0o600)
	tests := []struct {
		name, yaml string
		wantCode   int
		wantOut    string
	}{
		{"valid", "", 0, "good.yaml: ok"},
		{"unknown key", "version: 1\nserver:\n  listn: x\n", 1, "bad.yaml:3"},
		{"unknown backend type", `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends:
  - {name: local, type: nosuch}
`, 1, "bad.yaml:5"},
		{"unknown fs option", `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends:
  - name: local
    type: fs
    options:
      root: /tmp/x
      rooot: /tmp/y
`, 1, "bad.yaml:9"},
		{"fs root below a file", `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends:
  - name: local
    type: fs
    options:
      root: ` + filepath.Join(good, "data") + `
`, 1, "bad.yaml:8: backends[0].options.root: " + good + " is not a directory"},
		{"s3 without keys", `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends:
  - name: store
    type: s3
    options:
      endpoint: http://127.0.0.1:9000
`, 1, "bad.yaml:7: backends[0].options.access_key: required"},
		{"endpoint without a scheme", `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends:
  - name: store
    type: s3
    options:
      access_key: a
      secret_key: b
      endpoint: minio:9000
`, 1, `bad.yaml:10: backends[0].options.endpoint: "minio:9000" is not an http:// or https:// URL`},
		{"oss without an endpoint", `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends:
  - name: store
    type: oss
    options: {access_key: a, secret_key: b}
`, 1, "bad.yaml:7: backends[0].options.endpoint: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := good
			if tt.yaml != "" {
				path = filepath.Join(dir, "bad.yaml")
				os.WriteFile(path, []byte(tt.yaml), 0o600)
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"check-config", path}, &out, &errOut)
			if tt.wantCode == 0 && errOut.Len() > 0 {
				t.Fatalf("stderr on success: %q", errOut.String())
			}
			if code != tt.wantCode || !strings.Contains(out.String()+errOut.String(), tt.wantOut) {
				t.Fatalf("exit %d, output %q %q; want exit %d containing %q", code, out.String(), errOut.String(), tt.wantCode, tt.wantOut)
			}
		})
	}
}

// TestDevModeStartup starts the zero-config gateway in-process, checks that
// it prints a credential and listens, that a restart prints the same
// credential, and that cancelling stops it.
func TestDevModeStartup(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	credRE := regexp.MustCompile(`access key: (\S+)\s+secret key: (\S+)`)
	var first string
	for i := 0; i < 2; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan int, 1)
		go func() { done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--data", data}, &out, &errOut) }()
		deadline := time.Now().Add(20 * time.Second)
		// The start-up line is a log event on stderr, naming the mode; the
		// credential banner is on stdout.
		for !strings.Contains(errOut.String(), `"msg":"babelgate listening","url":"http://127.0.0.1:`) {
			if time.Now().After(deadline) {
				t.Fatalf("no listening line; stdout %q stderr %q", out.String(), errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(errOut.String(), `"mode":"development","data":"`+data+`"`) {
			t.Fatalf("start-up line does not name development mode and %s: %q", data, errOut.String())
		}
		m := credRE.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no credential printed: %q", out.String())
		}
		if i == 0 {
			first = m[0]
		} else if m[0] != first {
			t.Fatalf("restart printed another credential: %q then %q", first, m[0])
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("exit code %d; stderr %q", code, errOut.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatal("gateway did not stop after cancel")
		}
	}
	if st, err := os.Stat(filepath.Join(data, devIdentityFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("identity file: %v, %v", st, err)
	}
}

// TestCheckConfigConnect reaches each backend with --connect and reports
// each on its own line: an fs backend answers, an S3 store where nothing
// listens does not, and the exit code says so.
func TestCheckConfigConnect(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a port nothing serves once closed
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	write := func(name, backends string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(`version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
default_backend: local
backends:
`+backends), 0o600)
		return p
	}
	fsOnly := write("fs.yaml", "  - {name: local, type: fs, options: {root: "+filepath.Join(dir, "data")+"}}\n")
	withDead := write("dead.yaml", "  - {name: local, type: fs, options: {root: "+filepath.Join(dir, "data")+"}}\n"+
		"  - {name: store, type: s3, options: {endpoint: \"http://"+dead+"\", access_key: a, secret_key: b, retries: 0, connect_timeout: 2s, request_timeout: 5s}}\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"fs answers", []string{"check-config", "--connect", fsOnly}, 0, []string{"backend local (fs): ok, ", "fs.yaml: ok (1 users, 1 backends)"}},
		{"flag after the file", []string{"check-config", fsOnly, "--connect"}, 0, []string{"backend local (fs): ok"}},
		{"a store that does not answer", []string{"check-config", "--connect", withDead}, 1,
			[]string{"backend local (fs): ok", "backend store (s3): FAILED: ", "dead.yaml: 1 of 2 backends could not be reached"}},
		{"without --connect nothing is reached", []string{"check-config", withDead}, 0, []string{"dead.yaml: ok (1 users, 2 backends)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; output %q", code, tt.wantCode, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Fatalf("output %q lacks %q", all, w)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Fatalf("--connect did not open the fs backend: %v", err)
	}
}

// TestVersionAndHelp checks the informational commands: each prints to
// stdout and exits 0; an unknown command prints the usage to stderr and
// exits 1.
func TestVersionAndHelp(t *testing.T) {
	versionRE := regexp.MustCompile(`^babelgate \S+ commit \S+( \(modified\))?\n$`)
	tests := []struct {
		args     []string
		wantCode int
		want     string // in stdout (stderr for a failure)
	}{
		{[]string{"version"}, 0, "babelgate "},
		{[]string{"--version"}, 0, "babelgate "},
		{[]string{"--help"}, 0, "babelgate check-config [--connect] FILE"},
		{[]string{"-h"}, 0, "babelgate version"},
		{[]string{"help"}, 0, "babelgate help [COMMAND]"},
		{[]string{"check-config", "--help"}, 0, "Usage: babelgate check-config [--connect] FILE"},
		{[]string{"check-config", "-h", "x.yaml"}, 0, "-connect"},
		{[]string{"help", "check-config"}, 0, "Usage: babelgate check-config"},
		{[]string{"help", "serve"}, 0, "-config"},
		{[]string{"serve", "--help"}, 0, "-access-key"},
		{[]string{"nosuch"}, 1, `unknown command "nosuch"`},
		{[]string{"check-config"}, 1, "check-config takes one file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			got := out.String()
			if tt.wantCode != 0 {
				got = errOut.String()
			}
			if code != tt.wantCode || !strings.Contains(got, tt.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d with %q", code, out.String(), errOut.String(), tt.wantCode, tt.want)
			}
			if tt.args[len(tt.args)-1] == "version" || tt.args[0] == "--version" {
				if !versionRE.MatchString(out.String()) {
					t.Fatalf("version line %q does not match %v", out.String(), versionRE)
				}
			}
		})
	}
}

// TestBuildInfoString checks the version line's forms.
func TestBuildInfoString(t *testing.T) {
	for _, tt := range []struct {
		b    buildInfo
		want string
	}{
		{buildInfo{Version: "v1.2.3", Commit: "abc123"}, "babelgate v1.2.3 commit abc123"},
		{buildInfo{Version: "v1.2.3", Commit: "abc123", Modified: true}, "babelgate v1.2.3 commit abc123 (modified)"},
		{buildInfo{Version: "(devel)"}, "babelgate (devel) commit unknown"},
	} {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.b, got, tt.want)
		}
	}
}
