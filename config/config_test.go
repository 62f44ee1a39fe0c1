package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// base is a minimal valid config. Tests edit it by line number, so keep the
// numbers in the comments right.
const base = `version: 1
server:
  listen: 127.0.0.1:9000
  domains: [s3.example.test]
  upload_id_secret: 0123456789abcdef
users:
  - access_key: AKIDEXAMPLE
    secret_key: secret
    buckets:
      - {name: "alice-*", access: readwrite}
backends:
  - name: local
    type: fs
    options: {root: ./data}
`

// 1 version, 2 server, 3 listen, 4 domains, 5 upload_id_secret, 6 users,
// 7 access_key, 8 secret_key, 9 buckets, 10 grant, 11 backends, 12 name,
// 13 type, 14 options; 15 is the first line after base.

// edit returns base with lines from..to (1-based, inclusive) replaced by
// text, which may span several lines.
func edit(from, to int, text string) string {
	lines := strings.Split(strings.TrimSuffix(base, "\n"), "\n")
	out := append([]string{}, lines[:from-1]...)
	out = append(out, strings.Split(text, "\n")...)
	out = append(out, lines[to:]...)
	return strings.Join(out, "\n") + "\n"
}

// problemsOf splits an error from this package into its *Error values.
func problemsOf(t *testing.T, err error) []*Error {
	t.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []*Error
	for _, e := range errs {
		var pe *Error
		if !errors.As(e, &pe) {
			t.Fatalf("error %v (%T) is not a *config.Error", e, e)
		}
		out = append(out, pe)
	}
	return out
}

// wantProblem fails unless err holds a problem at line (0: no line) whose
// message contains want, printed with the file:line prefix.
func wantProblem(t *testing.T, err error, file string, line int, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want line %d: %s", line, want)
	}
	prefix := file + ": "
	if line > 0 {
		prefix = file + ":" + strconv.Itoa(line) + ": "
	}
	for _, p := range problemsOf(t, err) {
		if p.Line == line && strings.Contains(p.Error(), want) {
			if !strings.HasPrefix(p.Error(), prefix) {
				t.Errorf("message %q does not start with %q", p.Error(), prefix)
			}
			return
		}
	}
	t.Fatalf("no problem at line %d containing %q in:\n%v", line, want, err)
}

func TestParseValid(t *testing.T) {
	c, err := Parse([]byte(base), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "config.yaml" || c.Version != 1 {
		t.Errorf("File, Version = %q, %d", c.File, c.Version)
	}
	s := c.Server
	if s.Listen != "127.0.0.1:9000" || len(s.Domains) != 1 || s.Domains[0] != "s3.example.test" {
		t.Errorf("server = %+v", s)
	}
	if s.MaxSkew.Duration != 15*time.Minute || s.ShutdownTimeout.Duration != 30*time.Second ||
		s.ReadHeaderTimeout.Duration != 30*time.Second || s.IdleTimeout.Duration != 120*time.Second {
		t.Errorf("duration defaults = %v %v %v %v", s.MaxSkew, s.ShutdownTimeout, s.ReadHeaderTimeout, s.IdleTimeout)
	}
	if c.Log != (Log{Level: "info", Format: "json"}) {
		t.Errorf("log = %+v", c.Log)
	}
	if c.DefaultBackend != "local" {
		t.Errorf("default_backend = %q, want the only backend", c.DefaultBackend)
	}
	if g := c.Users[0].Buckets[0]; g.Name != "alice-*" || g.Access != AccessReadWrite {
		t.Errorf("grant = %+v", g)
	}
	if b := c.Backends[0]; b.Name != "local" || b.Type != "fs" || b.Options.Line != 14 {
		t.Errorf("backend = %s %s, options at line %d", b.Name, b.Type, b.Options.Line)
	}
	if r := c.s3Rules(); r.MinPartSize != translate.S3Rules.MinPartSize || r.MaxPartNumber != 10000 {
		t.Errorf("S3Rules without overrides = %+v", r)
	}
}

func TestParseExplicitValues(t *testing.T) {
	c, err := Parse([]byte(edit(3, 5, `  listen: ":0"
  domains: [S3.Example.TEST, files.example.test]
  upload_id_secret: 0123456789abcdef
  max_skew: 5m
  shutdown_timeout: 1s
  read_header_timeout: 2s
  idle_timeout: 1h30m`)+`log: {level: debug, format: text}
default_backend: local
dialects:
  s3:
    min_part_size: 1MiB
    max_part_size: 1.5GiB
    max_part_number: 100
    max_object_size: 1T
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Server
	if s.Listen != ":0" || s.Domains[0] != "s3.example.test" || s.MaxSkew.Duration != 5*time.Minute ||
		s.ShutdownTimeout.Duration != time.Second || s.ReadHeaderTimeout.Duration != 2*time.Second ||
		s.IdleTimeout.Duration != 90*time.Minute {
		t.Errorf("server = %+v", s)
	}
	if c.Log != (Log{Level: "debug", Format: "text"}) {
		t.Errorf("log = %+v", c.Log)
	}
	r := c.s3Rules()
	if r.MinPartSize != 1<<20 || r.MaxPartSize != 3<<29 || r.MaxPartNumber != 100 || r.MaxObjectSize != 1<<40 {
		t.Errorf("S3Rules = %+v", r)
	}
	if r.MaxKeyLength != translate.S3Rules.MaxKeyLength || r.MinPartNumber != 1 {
		t.Errorf("S3Rules lost fields it does not override: %+v", r)
	}
	if translate.S3Rules.MinPartSize != 5<<20 {
		t.Errorf("s3Rules() modified translate.S3Rules")
	}
}

func TestParseErrors(t *testing.T) {
	secondUser := "      - {name: \"alice-*\", access: readwrite}\n  - access_key: AKIDEXAMPLE\n    secret_key: other"
	tests := []struct {
		name string
		yaml string
		line int
		want string
	}{
		// Syntax.
		{"unclosed flow sequence", edit(4, 4, "  domains: [s3.example.test"), 4, "did not find expected ',' or ']'"},
		{"tab indentation", edit(3, 3, "\tlisten: x"), 3, "found character that cannot start any token"},
		{"bad mapping", edit(3, 3, "  listen: a: b"), 3, "mapping values are not allowed in this context"},
		{"two documents", base + "---\nversion: 1\n", 15, "only one YAML document is allowed"},
		{"top level list", "- version: 1\n", 1, "the top level must be a mapping"},
		{"empty", "# nothing here\n", 0, "empty config, want at least version: 1"},

		// Version.
		{"no version", edit(1, 1, "# version: 1"), 0, "version: required, want 1"},
		{"version 2 with unknown keys", edit(1, 1, "version: 2") + "future: {}\n", 1, "version: unsupported config version 2, want 1"},
		{"version text", edit(1, 1, "version: one"), 1, `version: unsupported config version "one", want 1`},

		// Strict decoding.
		{"unknown top-level key", base + "bogus: 1\n", 15, `bogus: unknown field "bogus"`},
		{"unknown server key", edit(3, 3, "  listn: 127.0.0.1:9000"), 3, `server.listn: unknown field "listn"`},
		{"unknown key in flow grant", edit(10, 10, `      - {name: "alice-*", acess: readwrite}`), 10, `users[0].buckets[0].acess: unknown field "acess"`},
		{"unknown key with block value", base + "extra:\n  a: 1\n", 15, `extra: unknown field "extra"`},
		{"route to a missing backend", base + "routes:\n  - {bucket: photos, backend: nosuch}\n", 16, `routes[0].backend: no backend named "nosuch"`},
		{"route with a bad bucket", base + "routes:\n  - {bucket: Photos, backend: local}\n", 16, `routes[0].bucket: "Photos" is not a valid bucket name`},
		{"anonymous write", base + "anonymous:\n  - {bucket: assets, prefix: public/, access: write}\n", 16, `anonymous[0].access: must be read: anonymous writes are granted only by a bucket policy`},
		{"anonymous bad bucket", base + "anonymous:\n  - {bucket: Assets, access: read}\n", 16, `anonymous[0].bucket: "Assets" is not a valid bucket name`},
		{"anonymous unknown key", base + "anonymous:\n  - {bucket: assets, prefx: a/, access: read}\n", 16, `anonymous[0].prefx: unknown field "prefx"`},
		{"anonymous reserved prefix", base + "anonymous:\n  - {bucket: assets, prefix: .babelgate/x, access: read}\n", 16, `anonymous[0].prefix: ".babelgate/x" names the gateway's reserved keys`},
		{"negative settings ttl", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  bucket_settings_ttl: -1s"), 6, "server.bucket_settings_ttl: must not be negative"},
		// Migrating routes: from and to, each a configured backend.
		{"migration to a missing backend", base + "routes:\n  - bucket: photos\n    from: {backend: local, bucket: old}\n    to: {backend: nosuch}\n", 18, `routes[0].to.backend: no backend named "nosuch"`},
		{"migration without to", base + "routes:\n  - bucket: photos\n    from: {backend: local, bucket: old}\n", 16, `routes[0]: a migrating route needs both from and to (to is missing)`},
		{"migration with backend too", base + "routes:\n  - {bucket: photos, backend: local, from: {backend: local, bucket: a}, to: {backend: local, bucket: b}}\n", 16, `routes[0]: a migrating route names its backends in from and to`},
		{"migration onto itself", base + "routes:\n  - {bucket: photos, from: {backend: local}, to: {backend: local}}\n", 16, `routes[0].to: the destination is the source`},
		{"migration with a bad bucket", base + "routes:\n  - {bucket: photos, from: {backend: local, bucket: Old}, to: {backend: local}}\n", 16, `routes[0].from.bucket: "Old" is not a valid bucket name`},
		{"unknown key in from", base + "routes:\n  - {bucket: photos, from: {backend: local, bukket: a}, to: {backend: local}}\n", 16, `routes[0].from.bukket: unknown field "bukket"`},
		{"copy on read without a migration", base + "routes:\n  - {bucket: photos, backend: local, copy_on_read: true}\n", 16, `routes[0].copy_on_read: only a migrating route`},
		{"unknown dialect", base + "dialects:\n  nosuch: {}\n", 16, `dialects.nosuch: unknown field "nosuch"`},
		{"domain in two lists", base + "dialects:\n  oss:\n    domains: [s3.example.test]\n", 17, `dialects.oss.domains[0]: duplicate domain "s3.example.test" (first at server.domains[0])`},
		{"duplicate key", edit(4, 4, "  domains: [s3.example.test]\n  listen: 0.0.0.0:9000"), 5, `server.listen: duplicate key "listen" (first at line 3)`},
		{"bad access", edit(10, 10, `      - {name: "alice-*", access: rw}`), 10, `users[0].buckets[0].access: unknown access "rw", want read, write or readwrite`},
		{"access not scalar", edit(10, 10, `      - {name: "alice-*", access: [read]}`), 10, "users[0].buckets[0].access: cannot unmarshal !!seq into access"},
		{"duration without unit", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  max_skew: 15"), 6, `server.max_skew: invalid duration "15"`},
		{"duration not scalar", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  max_skew: {a: 1}"), 6, "server.max_skew: cannot unmarshal !!map into duration"},
		{"size unit", base + "dialects:\n  s3:\n    min_part_size: 5MB\n", 17, `dialects.s3.min_part_size: invalid size "5MB": unknown unit "MB"`},
		{"size fraction", base + "dialects:\n  s3:\n    max_part_size: 0.1K\n", 17, "not a whole number of bytes"},
		{"int field", base + "dialects:\n  s3:\n    max_part_number: many\n", 17, "dialects.s3.max_part_number: cannot unmarshal !!str `many` into int"},
		{"sequence for string", edit(3, 3, "  listen: [a, b]"), 3, "server.listen: cannot unmarshal !!seq into string"},
		{"scalar for struct", base + "log: info\n", 15, "log: cannot unmarshal !!str `info` into config.Log"},
		{"mapping for list", edit(6, 10, "users: {}"), 6, "users: cannot unmarshal !!map into []config.User"},
		{"unset variable", edit(5, 5, "  upload_id_secret: ${BABELGATE_TEST_UNSET}"), 5, "server.upload_id_secret: environment variable BABELGATE_TEST_UNSET is not set"},

		// Validation: server.
		{"listen without port", edit(3, 3, "  listen: 127.0.0.1"), 3, `server.listen: invalid address "127.0.0.1": missing port in address`},
		{"listen bad port", edit(3, 3, `  listen: ":99999"`), 3, `server.listen: invalid port in ":99999"`},
		{"listen named port", edit(3, 3, "  listen: localhost:http"), 3, "invalid port"},
		{"listen bad host", edit(3, 3, "  listen: bad_host:9000"), 3, "invalid host"},
		{"domain with port", edit(4, 4, "  domains: [s3.example.test:9000]"), 4, `server.domains[0]: "s3.example.test:9000" has a port`},
		{"domain is URL", edit(4, 4, `  domains: ["https://s3.example.test"]`), 4, "is a URL"},
		{"domain is IP", edit(4, 4, "  domains: [127.0.0.1]"), 4, "is an IP address"},
		{"domain invalid", edit(4, 4, "  domains:\n    - s3.example.test\n    - -bad.example"), 6, `server.domains[1]: invalid host name "-bad.example"`},
		{"domain duplicate", edit(4, 4, "  domains: [a.test, A.test]"), 4, `server.domains[1]: duplicate domain "a.test"`},
		{"no upload secret", edit(5, 5, "  max_skew: 1m"), 2, "server.upload_id_secret: required: at least 16 bytes"},
		{"short upload secret", edit(5, 5, "  upload_id_secret: short"), 5, "server.upload_id_secret: too short, want at least 16 bytes"},
		{"negative duration", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  idle_timeout: -1s"), 6, "server.idle_timeout: must be positive"},
		{"tls key missing", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  tls: {cert: cert.pem}"), 6, "server.tls.key: required when server.tls.cert is set"},
		{"tls unreadable", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  tls:\n    cert: /nonexistent/cert.pem\n    key: /nonexistent/key.pem"), 7, `server.tls.cert: cannot read "/nonexistent/cert.pem": no such file or directory`},

		// Validation: log.
		{"log level", base + "log: {level: verbose}\n", 15, `log.level: unknown level "verbose", want debug, info, warn or error`},
		{"log format", base + "log:\n  format: xml\n", 16, `log.format: unknown format "xml", want json or text`},

		// Validation: users.
		{"no users", edit(6, 10, "users: []"), 6, "users: at least one user is required"},
		{"users absent", edit(6, 10, "# users"), 0, "users: at least one user is required"},
		{"empty access key", edit(7, 7, `  - access_key: ""`), 7, "users[0].access_key: required"},
		{"access key colon", edit(7, 7, `  - access_key: "AK:ID"`), 7, `users[0].access_key: "AK:ID" must not contain ':' or white space`},
		{"access key space", edit(7, 7, `  - access_key: "AK ID"`), 7, "must not contain ':' or white space"},
		{"duplicate access key", edit(10, 10, secondUser), 11, `users[1].access_key: duplicate access key "AKIDEXAMPLE" (first at users[0])`},
		{"empty secret", edit(8, 8, `    secret_key: ""`), 8, "users[0].secret_key: required"},
		{"absent secret", edit(8, 8, "    # secret_key"), 7, "users[0].secret_key: required"},
		{"bad pattern", edit(10, 10, `      - {name: "[", access: read}`), 10, `users[0].buckets[0].name: invalid bucket pattern "[": syntax error in pattern`},
		{"bad pattern after mismatch", edit(10, 10, `      - {name: "a[", access: read}`), 10, "invalid bucket pattern"},
		{"empty pattern", edit(10, 10, `      - {name: "", access: read}`), 10, "users[0].buckets[0].name: required"},
		{"absent access", edit(10, 10, "      - name: shared"), 10, "users[0].buckets[0].access: required, want read, write or readwrite"},

		// Validation: backends.
		{"no backends", edit(11, 14, "backends: []"), 11, "backends: at least one backend is required"},
		{"backend without name", edit(12, 13, "  - type: fs"), 12, "backends[0].name: required"},
		{"backend without type", edit(13, 13, "    # type"), 12, "backends[0].type: required"},
		{"options not a mapping", edit(14, 14, "    options: [root]"), 14, "backends[0].options: want a mapping of options, not !!seq"},
		{"duplicate backend", base + "  - name: local\n    type: s3\ndefault_backend: local\n", 15, `backends[1].name: duplicate backend name "local" (first at backends[0])`},
		{"default backend required", base + "  - name: cloud\n    type: s3\n", 0, `default_backend: required when there is more than one backend (have "local", "cloud")`},
		{"default backend unknown", base + "default_backend: nope\n", 15, `default_backend: no backend named "nope" (have "local")`},

		// Validation: dialects.
		{"min above max", base + "dialects:\n  s3:\n    min_part_size: 6GiB\n", 17, `dialects.s3.min_part_size: min_part_size "6GiB" is larger than max_part_size "5GiB"`},
		{"max below default min", base + "dialects:\n  s3:\n    max_part_size: 1MiB\n", 17, `dialects.s3.max_part_size: min_part_size "5MiB" is larger than max_part_size "1MiB"`},
		{"too many parts", base + "dialects:\n  s3:\n    max_part_number: 10001\n", 17, `dialects.s3.max_part_number: "10001" is out of range, want 1 to 10000`},
		{"negative parts", base + "dialects:\n  s3:\n    max_part_number: -1\n", 17, "out of range"},
		{"empty region", base + "dialects:\n  s3:\n    regions: [us-east-1, \"\"]\n", 17, `dialects.s3.regions[1]: "" is not a region name`},
		{"region with a slash", base + "dialects:\n  obs:\n    regions: [cn/north]\n", 17, `dialects.obs.regions[0]: "cn/north" is not a region name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml")
			if c != nil {
				t.Errorf("Parse returned a Config with an error")
			}
			wantProblem(t, err, "config.yaml", tt.line, tt.want)
		})
	}
}

// TestParseErrorExample pins the message format the package comment shows.
func TestParseErrorExample(t *testing.T) {
	t.Setenv("BABELGATE_UPLOAD_SECRET", "0123456789abcdef")
	t.Setenv("ALICE_SECRET", "alice")
	const y = `version: 1
server:
  upload_id_secret: ${BABELGATE_UPLOAD_SECRET}
users:
  - access_key: AKIDEXAMPLE
    secret_key: ${ALICE_SECRET}
    buckets:
      - name: "alice-*"
        access: readwrite
      - name: shared
        # shared with bob
        access: rw
backends:
  - {name: local, type: fs}
`
	_, err := Parse([]byte(y), "config.yaml")
	const want = `config.yaml:12: users[0].buckets[1].access: unknown access "rw", want read, write or readwrite`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
}

// TestVersionFirst checks that another version is refused for that reason
// alone, without reports of keys it may know and this one does not.
func TestVersionFirst(t *testing.T) {
	_, err := Parse([]byte("version: 2\nstorage: {}\nserver:\n  bogus: ${BABELGATE_TEST_UNSET}\n"), "c.yaml")
	if err == nil || err.Error() != "c.yaml:1: version: unsupported config version 2, want 1" {
		t.Fatalf("error = %v", err)
	}
}

func TestValidateCollectsAll(t *testing.T) {
	y := edit(3, 3, "  listen: nowhere") + "log: {level: loud, format: xml}\ndefault_backend: other\n"
	y = strings.Replace(y, `access: readwrite`, `access: read`, 1)
	_, err := Parse([]byte(y), "c.yaml")
	got := problemsOf(t, err)
	want := []struct {
		line int
		path string
	}{{3, "server.listen"}, {15, "log.level"}, {15, "log.format"}, {16, "default_backend"}}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		if got[i].Line != w.line || got[i].Path != w.path || got[i].File != "c.yaml" {
			t.Errorf("problem %d = %s, want line %d path %s", i, got[i], w.line, w.path)
		}
	}
}

func TestDecodeCollectsAll(t *testing.T) {
	y := edit(10, 10, "      - {name: a, access: rw}\n      - {name: b, acces: read}") + "log: {level: info, colour: true}\n"
	_, err := Parse([]byte(y), "c.yaml")
	got := problemsOf(t, err)
	if len(got) != 3 || got[0].Line != 10 || got[1].Line != 11 || got[2].Line != 16 {
		t.Fatalf("problems:\n%v", err)
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for _, f := range []string{cert, key} {
		if err := os.WriteFile(f, []byte("placeholder\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	y := edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  tls: {cert: "+cert+", key: "+key+"}")
	c, err := Parse([]byte(y), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Server.TLS.Enabled() || c.Server.TLS.Cert != cert || c.Server.TLS.Key != key {
		t.Errorf("tls = %+v", c.Server.TLS)
	}
	y = edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  tls: {cert: "+cert+", key: "+dir+"}")
	_, err = Parse([]byte(y), "c.yaml")
	wantProblem(t, err, "c.yaml", 6, "server.tls.key: \""+dir+"\" is a directory")
}

func TestLoad(t *testing.T) {
	t.Setenv("BABELGATE_UPLOAD_SECRET", "a-secret-of-32-bytes-for-sealing")
	t.Setenv("ALICE_SECRET", "alice-secret")
	c, err := Load(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.File != filepath.Join("testdata", "config.yaml") {
		t.Errorf("File = %q", c.File)
	}
	if c.Server.UploadIDSecret != "a-secret-of-32-bytes-for-sealing" || c.Users[0].SecretKey != "alice-secret" {
		t.Errorf("secrets not expanded: %+v", c.Users[0])
	}
	if len(c.Backends) != 2 || c.DefaultBackend != "local" {
		t.Errorf("backends = %d, default %q", len(c.Backends), c.DefaultBackend)
	}
	if r := c.s3Rules(); r.MinPartSize != 5<<20 || r.MaxPartSize != 5<<30 || r.MaxPartNumber != 10000 || r.MaxObjectSize != 5<<30 {
		t.Errorf("S3Rules = %+v", r)
	}

	_, err = Load(filepath.Join("testdata", "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestPrincipal(t *testing.T) {
	u := User{AccessKey: "AK", Buckets: []Grant{
		{Name: "pub-*", Access: AccessRead},
		{Name: "logs", Access: AccessWrite},
		{Name: "home-*", Access: AccessReadWrite},
	}}
	p := u.Principal()
	if p.AccessKey != "AK" || len(p.Grants) != 3 {
		t.Fatalf("principal = %+v", p)
	}
	want := []translate.Access{translate.AccessRead, translate.AccessWrite, translate.AccessWrite}
	for i, g := range p.Grants {
		if g.Pattern != u.Buckets[i].Name || g.Access != want[i] {
			t.Errorf("grant %d = %+v, want %s %v", i, g, u.Buckets[i].Name, want[i])
		}
	}
	for _, c := range []struct {
		bucket string
		access translate.Access
		ok     bool
	}{
		{"pub-a", translate.AccessRead, true},
		{"pub-a", translate.AccessWrite, false},
		{"logs", translate.AccessRead, true}, // write implies read
		{"logs", translate.AccessWrite, true},
		{"home-x", translate.AccessWrite, true},
		{"other", translate.AccessRead, false},
	} {
		if got := p.Allowed(c.bucket, c.access); got != c.ok {
			t.Errorf("Allowed(%s, %v) = %v, want %v", c.bucket, c.access, got, c.ok)
		}
	}
}

func TestDev(t *testing.T) {
	dir := t.TempDir()
	c := Dev(dir, "AKIDDEV", "dev-secret", "0123456789abcdef0123456789abcdef")
	if err := c.Validate(); err != nil {
		t.Fatalf("Dev config does not validate: %v", err)
	}
	if c.DefaultBackend != "local" || c.Backends[0].Type != "fs" || c.Server.Listen != DefaultListen {
		t.Errorf("dev = %+v", c)
	}
	var opts struct {
		Root string `yaml:"root"`
	}
	if err := c.Backends[0].DecodeOptions(&opts); err != nil || opts.Root != dir {
		t.Errorf("DecodeOptions = %v, root %q, want %q", err, opts.Root, dir)
	}
	if p := c.Users[0].Principal(); !p.Allowed("any-bucket", translate.AccessWrite) {
		t.Errorf("dev user cannot write any bucket: %+v", p)
	}

	// A Config built in code has no lines; its messages still name the path.
	err := Dev(dir, "AK ID", "s", "short").Validate()
	wantProblem(t, err, "config", 0, "server.upload_id_secret: too short")
	wantProblem(t, err, "config", 0, `users[0].access_key: "AK ID" must not contain`)
}

// TestCompleteKeepAlive: server.complete_keepalive defaults to
// DefaultCompleteKeepAlive when unset (in a file or in Dev), keeps an
// explicit 0s (commit at once) apart from unset, and refuses a negative or
// unitless value.
func TestCompleteKeepAlive(t *testing.T) {
	withKA := func(v string) string {
		return edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  complete_keepalive: "+v)
	}
	for _, tc := range []struct {
		yaml string
		want time.Duration
	}{
		{base, DefaultCompleteKeepAlive},
		{withKA("0s"), 0},
		{withKA("250ms"), 250 * time.Millisecond},
		{withKA("1m"), time.Minute},
	} {
		c, err := Parse([]byte(tc.yaml), "config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if ka := c.Server.CompleteKeepAlive; ka == nil || ka.Duration != tc.want {
			t.Errorf("complete_keepalive = %v, want %v in\n%s", ka, tc.want, tc.yaml)
		}
	}
	if DefaultCompleteKeepAlive != time.Second {
		t.Errorf("DefaultCompleteKeepAlive = %v", DefaultCompleteKeepAlive)
	}
	if ka := Dev(t.TempDir(), "AKIDEXAMPLE", "secret", "0123456789abcdef").Server.CompleteKeepAlive; ka == nil || ka.Duration != DefaultCompleteKeepAlive {
		t.Errorf("Dev complete_keepalive = %v", ka)
	}
	_, err := Parse([]byte(withKA("-1s")), "config.yaml")
	wantProblem(t, err, "config.yaml", 6, "server.complete_keepalive: must not be negative")
	_, err = Parse([]byte(withKA("1")), "config.yaml")
	wantProblem(t, err, "config.yaml", 6, `server.complete_keepalive: invalid duration "1"`)
}
