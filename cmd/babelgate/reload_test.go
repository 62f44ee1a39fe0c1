package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// TestReload runs reloads in order against a gateway's state (credentials
// and engine) built as serve builds it, and checks what each applies,
// refuses and logs.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	file := func(users, routes, extraBackend, server string) string {
		return `version: 1
server: {upload_id_secret: "0123456789abcdef0123"` + server + `}
users:
` + users + `backends:
  - {name: local, type: fs, options: {root: ` + filepath.Join(dir, "local") + `}}
  - {name: other, type: fs, options: {root: ` + filepath.Join(dir, "other") + `}}
` + extraBackend + `default_backend: local
` + routes
	}
	const alice = "  - {access_key: ALICE, secret_key: alice-secret-1, buckets: [{name: \"a-*\", access: readwrite}]}\n"
	const bob = "  - {access_key: BOB, secret_key: bob-secret-1, buckets: [{name: \"*\", access: read}]}\n"
	start := file(alice+bob, "", "", "")
	os.WriteFile(path, []byte(start), 0o600)
	flags := serveFlags{config: path}
	cfg, err := loadServeConfig(flags, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := openBackends(context.Background(), cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := translate.NewEngine(translate.EngineConfig{Backends: bs, Default: cfg.DefaultBackend,
		Routes: cfg.TranslateRoutes(), UploadIDSecret: []byte(cfg.Server.UploadIDSecret)})
	if err != nil {
		t.Fatal(err)
	}
	creds := dialects.NewSwappableCredentials(credentialsOf(cfg))
	var logBuf syncBuffer
	r := newReloader(flags, cfg, slog.New(slog.NewJSONHandler(&logBuf, nil)), creds, engine)
	caller := translate.Caller{Principal: &translate.Principal{AccessKey: "x", Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}},
		Rules: &translate.S3Rules}
	bs["other"].CreateBucket(context.Background(), "routed")

	steps := []struct {
		name    string
		file    string
		wantErr string // "" if applied
		wantLog []string
		check   func(t *testing.T)
	}{
		{"add a user, remove one, change a secret and a grant",
			file("  - {access_key: ALICE, secret_key: alice-secret-2, buckets: [{name: \"a-*\", access: read}]}\n"+
				"  - {access_key: CAROL, secret_key: carol-secret, buckets: [{name: \"c-*\", access: write}]}\n", "", "", ""),
			"", []string{`"msg":"config reloaded"`, `"users_added":["CAROL [c-*:write]"]`, `"users_removed":["BOB"]`,
				`"users_changed":["ALICE: secret, grants [a-*:read]"]`},
			func(t *testing.T) {
				if sec, p, ok := creds.Lookup("ALICE"); !ok || sec != "alice-secret-2" || p.Allowed("a-1", translate.AccessWrite) {
					t.Fatalf("ALICE after reload: %q, %+v, %v", sec, p, ok)
				}
				if _, _, ok := creds.Lookup("BOB"); ok {
					t.Fatal("BOB still known")
				}
				if _, p, ok := creds.Lookup("CAROL"); !ok || !p.Allowed("c-1", translate.AccessWrite) {
					t.Fatal("CAROL not known or without her grant")
				}
			}},
		{"add a route to an open backend",
			file(alice, "routes:\n  - {bucket: rrr, backend: other, backend_bucket: routed}\n", "", ""),
			"", []string{`"routes_added":["rrr -> other:routed/"]`, `"users_removed":["CAROL"]`},
			func(t *testing.T) {
				if _, err := engine.HeadBucket(context.Background(), caller, "rrr"); err != nil {
					t.Fatalf("the new route does not lead to other:routed: %v", err)
				}
			}},
		{"a route to a backend not opened at start",
			file(alice, "routes:\n  - {bucket: rrr, backend: late, backend_bucket: routed}\n",
				"  - {name: late, type: fs, options: {root: "+filepath.Join(dir, "late")+"}}\n", ""),
			`names backend "late", which is not configured (backends are opened at start: adding one needs a restart)`,
			[]string{`"msg":"config reload refused; the config in force stays"`},
			func(t *testing.T) {
				if _, err := engine.HeadBucket(context.Background(), caller, "rrr"); err != nil {
					t.Fatalf("the route in force was lost: %v", err)
				}
			}},
		{"an invalid file",
			file(alice+"  - {access_key: BAD, buckets: []}\n", "", "", ""),
			"config.yaml:5: users[1].secret_key: required",
			[]string{`"msg":"config reload refused; the config in force stays"`, `config.yaml:5: users[1].secret_key: required`},
			func(t *testing.T) {
				if sec, _, ok := creds.Lookup("ALICE"); !ok || sec != "alice-secret-1" {
					t.Fatalf("the users in force were lost: %q %v", sec, ok)
				}
			}},
		{"a setting that needs a restart, and a route changed",
			file(alice, "routes:\n  - {bucket: rrr, backend: local}\n", "", ", idle_timeout: 7s"),
			"", []string{`"settings":["server.idle_timeout"]`, `"routes_changed":["rrr -> local:rrr/"]`},
			func(t *testing.T) {
				if _, err := engine.HeadBucket(context.Background(), caller, "rrr"); translate.CodeOf(err) != translate.ErrNoSuchBucket {
					t.Fatalf("the changed route still leads to other:routed: %v", err)
				}
			}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := len(logBuf.String())
			os.WriteFile(path, []byte(st.file), 0o600)
			err := r.Reload()
			if st.wantErr == "" && err != nil || st.wantErr != "" && (err == nil || !strings.Contains(err.Error(), st.wantErr)) {
				t.Fatalf("Reload() = %v, want %q", err, st.wantErr)
			}
			logged := logBuf.String()[before:]
			for _, w := range st.wantLog {
				if !strings.Contains(logged, w) {
					t.Fatalf("log %s lacks %s", logged, w)
				}
			}
			for _, secret := range []string{"alice-secret", "bob-secret", "carol-secret", "0123456789abcdef0123"} {
				if strings.Contains(logged, secret) {
					t.Fatalf("log shows a secret: %s", logged)
				}
			}
			st.check(t)
		})
	}
}

// TestReloadDevMode checks that development mode says it has nothing to
// reload and changes nothing.
func TestReloadDevMode(t *testing.T) {
	var logBuf bytes.Buffer
	creds := dialects.NewSwappableCredentials(dialects.StaticCredentials{"AK": {Secret: "SK", Principal: &translate.Principal{AccessKey: "AK"}}})
	r := newReloader(serveFlags{}, config.Dev(t.TempDir(), "AK", "SK", "0123456789abcdef0123"), slog.New(slog.NewJSONHandler(&logBuf, nil)), creds, nil)
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logBuf.String(), "development mode has no config file to reload") {
		t.Fatalf("log: %s", logBuf.String())
	}
	if _, _, ok := creds.Lookup("AK"); !ok {
		t.Fatal("the development credential was lost")
	}
}

// TestRestartOnly checks which changes are reported as needing a restart.
func TestRestartOnly(t *testing.T) {
	base := func() *config.Config {
		c := config.Dev("/data", "AK", "SK", "0123456789abcdef0123")
		c.Backends = append(c.Backends, config.FSBackend("other", "/other"))
		return c
	}
	tests := []struct {
		name string
		edit func(c *config.Config)
		want []string
	}{
		{"nothing", func(*config.Config) {}, nil},
		{"users and routes are not restart-only", func(c *config.Config) {
			c.Users = nil
			c.Routes = []config.Route{{Bucket: "b", Backend: "other"}}
		}, nil},
		{"listen and log level", func(c *config.Config) { c.Server.Listen = ":1"; c.Log.Level = "debug" }, []string{"server.listen", "log.level"}},
		{"keep-alive pointer compared by value", func(c *config.Config) {
			d := *c.Server.CompleteKeepAlive
			c.Server.CompleteKeepAlive = &d
		}, nil},
		{"a backend's options", func(c *config.Config) { c.Backends[1] = config.FSBackend("other", "/elsewhere") }, []string{"backends.other"}},
		{"a backend added and one removed", func(c *config.Config) { c.Backends[1] = config.FSBackend("third", "/third") },
			[]string{"backends.other", "backends.third"}},
		{"default backend and dialect limits", func(c *config.Config) {
			c.DefaultBackend = "other"
			c.Dialects.Limits = map[string]config.Limits{"oss": {MaxPartNumber: 5}}
		}, []string{"dialects.oss", "default_backend"}},
		{"a dialect's own section", func(c *config.Config) {
			c.Dialects.Sections = map[string]yaml.Node{"glacier": {Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "job_delay"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "1h"}}}}
		}, []string{"dialects.glacier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := base()
			tt.edit(next)
			if got := restartOnly(base(), next); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("restartOnly = %v, want %v", got, tt.want)
			}
		})
	}
}
