package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// The open set, proved: "toy" is a dialect defined and registered in this
// test file alone. Nothing else in the repository names it, yet the
// gateway detects it (its own row), reads its section from the config
// file (its defaults, its strict decoding and its own check, both with
// the file's line numbers), builds it with the shared environment
// (credentials from users:) and serves it next to S3, OSS, OBS and Glacier.

// toyOptions is the dialects.toy section.
type toyOptions struct {
	Greeting string `yaml:"greeting"`
	Repeat   int    `yaml:"repeat"`
}

// Check implements dialects.OptionsChecker.
func (o *toyOptions) Check() (string, error) {
	if o.Repeat < 1 || o.Repeat > 3 {
		return "repeat", fmt.Errorf("%d is out of range, want 1 to 3", o.Repeat)
	}
	return "", nil
}

// toyDialect answers GET /{bucket} with its greeting, for a caller named by
// the X-Toy-Key header (a configured access key).
type toyDialect struct {
	opts  toyOptions
	creds dialects.Credentials
}

var errToyDenied = errors.New("toy: unknown key")

func (d *toyDialect) Name() string { return "toy" }
func (d *toyDialect) Begin(w http.ResponseWriter, r *dialects.Request) {
	w.Header().Set("X-Toy-Request-Id", r.ID)
}
func (d *toyDialect) Resolve(r *dialects.Request) (dialects.Route, error) {
	return dialects.Route{Op: translate.OpHeadBucket, Handle: func(w http.ResponseWriter, r *dialects.Request) error {
		_, err := io.WriteString(w, strings.Repeat(d.opts.Greeting+" "+r.Bucket+";", d.opts.Repeat))
		return err
	}}, nil
}
func (d *toyDialect) Authenticate(r *dialects.Request) (translate.Caller, error) {
	_, p, ok := d.creds.Lookup(r.HTTP.Header.Get("X-Toy-Key"))
	if !ok {
		return translate.Caller{}, errToyDenied
	}
	return translate.Caller{Principal: p}, nil
}
func (d *toyDialect) EncodeError(w http.ResponseWriter, _ *dialects.Request, err error) {
	http.Error(w, "toy says no: "+err.Error(), http.StatusForbidden)
}

func init() {
	dialects.Register(dialects.Plugin{
		Name:       "toy",
		Order:      90,
		NewOptions: func() any { return &toyOptions{Greeting: "hello", Repeat: 1} },
		Rows: []dialects.DetectRow{{Name: "x-toy-* header", Match: dialects.HeaderPrefix("x-toy-"),
			Order: dialects.OrderVendorHeader + 50}},
		Build: func(env dialects.Env, opts any) (dialects.Dialect, error) {
			return &toyDialect{opts: *opts.(*toyOptions), creds: env.Credentials}, nil
		},
	})
	registerSections() // cmd's init ran before this file's
}

func TestOpenSetToyDialect(t *testing.T) {
	dir := t.TempDir()
	head := `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends: [{name: local, type: fs, options: {root: ` + dir + `}}]
dialects:
  toy:
`
	for _, tt := range []struct {
		name, section, want string
	}{
		{"own check", "    repeat: 7\n", "bad.yaml:7: dialects.toy.repeat: 7 is out of range, want 1 to 3"},
		{"strict decoding", "    greting: hi\n", `bad.yaml:7: dialects.toy.greting: unknown field "greting"`},
		{"wrong type", "    repeat: twice\n", "bad.yaml:7: dialects.toy.repeat"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad.yaml")
			os.WriteFile(bad, []byte(head+tt.section), 0o600)
			var out, errOut syncBuffer
			if code := run(context.Background(), []string{"check-config", bad}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), tt.want) {
				t.Fatalf("check-config: code %d, stderr %q, want %q", code, errOut.String(), tt.want)
			}
		})
	}

	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte(head+"    greeting: ahoy\n    repeat: 2\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--config", good, "--listen", "127.0.0.1:0"}, &out, &errOut) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit code %d; stderr %q", code, errOut.String())
		}
	}()
	urlRE := regexp.MustCompile(`"msg":"babelgate listening","url":"(http://127\.0\.0\.1:\d+)"`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == ""; {
		if m := urlRE.FindStringSubmatch(errOut.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no listening line; stderr %q", errOut.String())
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	get := func(header map[string]string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/bkt", nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
	// Detected by its row, configured from the file, authenticated
	// against users:.
	if code, h, body := get(map[string]string{"X-Toy-Key": "AK"}); code != 200 || body != "ahoy bkt;ahoy bkt;" || h.Get("X-Toy-Request-Id") == "" {
		t.Fatalf("toy request: %d %q %v", code, body, h)
	}
	if code, _, body := get(map[string]string{"X-Toy-Key": "nobody"}); code != 403 || !strings.HasPrefix(body, "toy says no") {
		t.Fatalf("toy request with an unknown key: %d %q", code, body)
	}
	// Nothing else changed dialect: an anonymous request without the
	// header is still S3's (AccessDenied in S3's XML).
	if code, h, body := get(nil); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || h.Get("x-amz-request-id") == "" {
		t.Fatalf("anonymous request: %d %q", code, body)
	}
}
