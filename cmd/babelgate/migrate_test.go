package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/translate"
)

func TestParseMigrateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // error text, "" for none
	}{
		{[]string{"--config", "c.yaml"}, ""},
		{[]string{"--config", "c.yaml", "--rate", "10MiB", "--prefix", "a/", "--route", "app"}, ""},
		{[]string{}, "migrate needs --config"},
		{[]string{"--config", "c", "--concurrency", "0"}, "--concurrency must be at least 1"},
		{[]string{"--config", "c", "--cleanup"}, "--cleanup needs --bucket"},
		{[]string{"--config", "c", "--rate", "10MB"}, `unknown unit "MB"`},
		{[]string{"--config", "c", "extra"}, "unexpected arguments"},
	} {
		f, err := parseMigrateFlags(tc.args, io.Discard)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
		if tc.want == "" && len(tc.args) > 2 && (f.rate != 10<<20 || f.bucket != "app" || f.prefix != "a/") {
			t.Errorf("%v parsed as %+v", tc.args, f)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestLimiter: reading 3000 bytes at 10000 bytes/s cannot take less than
// the 0.2 s the bytes after the first chunk are owed (a lower bound, so
// a loaded machine cannot make it fail).
func TestLimiter(t *testing.T) {
	l := &limiter{rate: 10000}
	start := time.Now()
	n, err := io.Copy(io.Discard, &limitedReader{ctx: context.Background(), r: bytes.NewReader(make([]byte, 3000)), l: l})
	if err != nil || n != 3000 {
		t.Fatalf("copied %d, %v", n, err)
	}
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Fatalf("3000 bytes at 10000 B/s took %v", d)
	}
}

// TestMigrateCommand runs the command in-process on two fs backends:
// dry run, copy, a second copy that copies nothing, verify, a verify that
// finds a difference made behind the gateway's back, and cleanup refused
// while the route still migrates.
func TestMigrateCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	oldRoot, newRoot := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	old, err := fs.New(fs.Options{Root: oldRoot})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.CreateBucket(ctx, "app-old"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		body, _ := translate.NewBody(strings.NewReader(strings.Repeat("x", i*100)), int64(i*100), translate.BodyOptions{})
		if _, err := old.PutObject(ctx, "app-old", fmt.Sprintf("k%02d", i), body, translate.Metadata{ContentType: "a/b"}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
log: {level: warn}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends:
  - {name: old, type: fs, options: {root: %q}}
  - {name: new, type: fs, options: {root: %q}}
default_backend: new
routes:
  - {bucket: app, from: {backend: old, bucket: app-old}, to: {backend: new, bucket: app-new}}
`, oldRoot, newRoot)), 0o600)
	run1 := func(wantCode int, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(ctx, append([]string{"migrate", "--config", cfg}, args...), &out, &errb); code != wantCode {
			t.Fatalf("migrate %v: exit %d, want %d\n%s%s", args, code, wantCode, out.String(), errb.String())
		}
		return out.String()
	}
	if out := run1(0, "--dry-run", "--prefix", "k0"); !strings.Contains(out, "dry run app: would copy 10 of 10 objects, 4.4 KiB") {
		t.Fatalf("dry run:\n%s", out)
	}
	out := run1(0, "--concurrency", "3", "--rate", "1MiB")
	if !strings.Contains(out, "app: done: 12 copied (6.4 KiB), 0 already on the destination") || !strings.Contains(out, "app: 12/12 objects (0 left)") {
		t.Fatalf("copy:\n%s", out)
	}
	if out := run1(0); !strings.Contains(out, "a previous copy completed") || !strings.Contains(out, "done: 0 copied") {
		t.Fatalf("second copy:\n%s", out)
	}
	if out := run1(0, "--verify"); !strings.Contains(out, "verify app: 12 keys compared, 0 differences") {
		t.Fatalf("verify:\n%s", out)
	}
	// Change the source behind the gateway's back: verify must see it.
	body, _ := translate.NewBody(strings.NewReader("changed"), 7, translate.BodyOptions{})
	if _, err := old.PutObject(ctx, "app-old", "k03", body, translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	if out := run1(1, "--verify"); !strings.Contains(out, `DIFF app "k03": size 7 on the source, 300 on the destination`) {
		t.Fatalf("verify of a difference:\n%s", out)
	}
	var errb bytes.Buffer
	if code := run(ctx, []string{"migrate", "--config", cfg, "--cleanup", "--bucket", "app"}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "still migrating") {
		t.Fatalf("cleanup while migrating: %d %s", code, errb.String())
	}
}

// TestRouteChangesOfMigrations: a migrating route read twice from the
// same YAML is unchanged (From and To are pointers), and a changed end is
// reported with both ends.
func TestRouteChangesOfMigrations(t *testing.T) {
	mk := func(to string) config.Route {
		return config.Route{Bucket: "app", From: &config.RouteEnd{Backend: "old"}, To: &config.RouteEnd{Backend: to}}
	}
	if a, r, c := routeChanges([]config.Route{mk("new")}, []config.Route{mk("new")}); len(a)+len(r)+len(c) != 0 {
		t.Fatalf("an unchanged migration reported: %v %v %v", a, r, c)
	}
	_, _, c := routeChanges([]config.Route{mk("new")}, []config.Route{mk("other")})
	if len(c) != 1 || !strings.Contains(c[0], "migrating old:/ to other:/") {
		t.Fatalf("changed migration: %v", c)
	}
}
