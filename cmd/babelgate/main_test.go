package main

import (
	"bytes"
	"context"
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
