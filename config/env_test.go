package config

import (
	"strings"
	"testing"
)

func TestExpandString(t *testing.T) {
	env := map[string]string{"A": "a-value", "B": "b", "EMPTY": ""}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	tests := []struct {
		in, want string
		names    []string
		err      string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "a-value", names: []string{"A"}},
		{in: "pre-${A}-post", want: "pre-a-value-post", names: []string{"A"}},
		{in: "${A}${B}", want: "a-valueb", names: []string{"A", "B"}},
		{in: "${EMPTY}", want: "", names: []string{"EMPTY"}},
		{in: "${UNSET:-dflt}", want: "dflt", names: []string{"UNSET"}},
		{in: "${EMPTY:-dflt}", want: "dflt", names: []string{"EMPTY"}},
		{in: "${A:-dflt}", want: "a-value", names: []string{"A"}},
		{in: "${UNSET:-}", want: "", names: []string{"UNSET"}},
		{in: "${UNSET:-http://x:9000/a}", want: "http://x:9000/a", names: []string{"UNSET"}},
		{in: "${A}}", want: "a-value}", names: []string{"A"}},
		{in: "$${A}", want: "${A}"},
		{in: "$$${A}", want: "$${A}"}, // read left to right: "$", then "$${"
		{in: "cost $5 and $", want: "cost $5 and $"},
		{in: "p$$word", want: "p$$word"},
		{in: "${A", err: `unterminated "${"`},
		{in: "${1A}", err: "invalid environment reference"},
		{in: "${}", err: "invalid environment reference"},
		{in: "${A B}", err: "invalid environment reference"},
		{in: "x${UNSET}", err: "environment variable UNSET is not set (write ${UNSET:-default} for a default)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, names, err := expandString(tt.in, lookup)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want || strings.Join(names, ",") != strings.Join(tt.names, ",") {
				t.Errorf("= %q %v %v, want %q %v", got, names, err, tt.want, tt.names)
			}
		})
	}
}

func TestEnvExpansion(t *testing.T) {
	t.Setenv("BG_UP", "0123456789abcdef0123")
	t.Setenv("BG_SECRET", "p@ss: #word\n$x 'q' \"dq\"")
	t.Setenv("BG_N", "42")
	t.Setenv("BG_TRUE", "true")
	t.Setenv("BG_NULL", "null")
	t.Setenv("BG_LISTEN", "0.0.0.0:9100")
	y := `version: ${BG_VERSION:-1}
server:
  listen: ${BG_LISTEN}
  upload_id_secret: ${BG_UP}
users:
  - access_key: ${BG_TRUE}
    secret_key: ${BG_SECRET}
    buckets:
      - {name: "team-${BG_N}-*", access: read}
      - {name: "${BG_NULL}", access: read}
      - {name: "$${BG_N}", access: read}
backends:
  - name: local
    type: fs
    options: {root: "${BG_ROOT:-./data}"}
dialects:
  s3:
    max_part_number: ${BG_N}
    max_part_size: ${BG_PART:-1GiB}
`
	c, err := Parse([]byte(y), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Listen != "0.0.0.0:9100" || c.Server.UploadIDSecret != "0123456789abcdef0123" {
		t.Errorf("server = %+v", c.Server)
	}
	u := c.Users[0]
	if u.AccessKey != "true" || u.SecretKey != "p@ss: #word\n$x 'q' \"dq\"" {
		t.Errorf("user = %q %q", u.AccessKey, u.SecretKey)
	}
	if u.Buckets[0].Name != "team-42-*" || u.Buckets[1].Name != "null" || u.Buckets[2].Name != "${BG_N}" {
		t.Errorf("grants = %+v", u.Buckets)
	}
	if r := c.s3Rules(); r.MaxPartNumber != 42 || r.MaxPartSize != 1<<30 {
		t.Errorf("limits = %+v", r)
	}
	var opts struct {
		Root string `yaml:"root"`
	}
	if err := c.Backends[0].DecodeOptions(&opts); err != nil || opts.Root != "./data" {
		t.Errorf("options = %q, %v", opts.Root, err)
	}

	// Keys are never expanded.
	_, err = Parse([]byte(base+"${BG_N}: 1\n"), "c.yaml")
	wantProblem(t, err, "c.yaml", 15, `${BG_N}: unknown field "${BG_N}"`)
}

// TestEnvLines checks that a value expanded to several lines moves no line
// number.
func TestEnvLines(t *testing.T) {
	t.Setenv("BG_MULTI", "line one\nline two\nline three")
	y := edit(8, 8, "    secret_key: ${BG_MULTI}") + "log: {level: loud}\n"
	_, err := Parse([]byte(y), "c.yaml")
	wantProblem(t, err, "c.yaml", 15, "log.level: unknown level")
	y = edit(8, 8, "    secret_key: ${BG_MULTI}") + "bogus: 1\n"
	_, err = Parse([]byte(y), "c.yaml")
	wantProblem(t, err, "c.yaml", 15, `bogus: unknown field`)
}

func TestEnvUnset(t *testing.T) {
	y := edit(5, 5, "  upload_id_secret: ${BG_UNSET_ONE}") + "default_backend: x-${BG_UNSET_TWO}-${BG_UNSET_THREE}\n"
	_, err := Parse([]byte(y), "c.yaml")
	got := problemsOf(t, err)
	if len(got) != 2 {
		t.Fatalf("got %d problems, want 2:\n%v", len(got), err)
	}
	wantProblem(t, err, "c.yaml", 5, "server.upload_id_secret: environment variable BG_UNSET_ONE is not set")
	wantProblem(t, err, "c.yaml", 15, "default_backend: environment variable BG_UNSET_TWO is not set")
	_, err = Parse([]byte(edit(8, 8, `    secret_key: "abc${def"`)), "c.yaml")
	wantProblem(t, err, "c.yaml", 8, `users[0].secret_key: unterminated "${"`)
	if strings.Contains(err.Error(), "abc") {
		t.Errorf("message shows the literal value: %v", err)
	}
}

// TestEnvNotPrinted checks that values from the environment never reach a
// message, at any stage: version check, decoding, custom types, validation.
func TestEnvNotPrinted(t *testing.T) {
	const value = "Sup3r S3cret:Value/x"
	t.Setenv("BG_SECRET", value)
	t.Setenv("BG_SHORT", "Sh0rt")
	tests := []struct {
		name string
		yaml string
		line int
		want string
	}{
		{"version", edit(1, 1, "version: ${BG_SECRET}"), 1, `version: unsupported config version "${BG_SECRET}"`},
		{"int", base + "dialects:\n  s3:\n    max_part_number: ${BG_SECRET}\n", 17, `dialects.s3.max_part_number: invalid value from "${BG_SECRET}", want int`},
		{"quoted int", base + "dialects:\n  s3:\n    max_part_number: \"${BG_SHORT}\"\n", 17, `invalid value from "${BG_SHORT}", want int`},
		{"size", base + "dialects:\n  s3:\n    min_part_size: x${BG_SECRET}\n", 17, `invalid value from "x${BG_SECRET}", want bytes or a number with a unit`},
		{"duration", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  max_skew: ${BG_SECRET}"), 6, `invalid value from "${BG_SECRET}", want a number with a unit`},
		{"access", edit(10, 10, `      - {name: a, access: "${BG_SECRET}"}`), 10, `invalid value from "${BG_SECRET}", want read, write or readwrite`},
		{"listen", edit(3, 3, "  listen: ${BG_SECRET}"), 3, `server.listen: invalid port in "${BG_SECRET}"`},
		{"domain", edit(4, 4, "  domains:\n    - ${BG_SECRET}"), 5, `server.domains[0]: "${BG_SECRET}" has a port`},
		{"access key", edit(7, 7, "  - access_key: ${BG_SECRET}"), 7, `"${BG_SECRET}" must not contain`},
		{"upload secret", edit(5, 5, "  upload_id_secret: ${BG_SHORT}"), 5, "too short"},
		{"log level", base + "log:\n  level: ${BG_SECRET}\n", 16, `unknown level "${BG_SECRET}"`},
		{"default backend", base + "default_backend: ${BG_SECRET}\n", 15, `no backend named "${BG_SECRET}"`},
		{"tls", edit(5, 5, "  upload_id_secret: 0123456789abcdef\n  tls:\n    cert: ${BG_SECRET}\n    key: /nonexistent"), 7, `cannot read "${BG_SECRET}"`},
		{"pattern", edit(10, 10, `      - {name: "[${BG_SECRET}", access: read}`), 10, `invalid bucket pattern "[${BG_SECRET}"`},
		{"through an alias", edit(7, 10, "  - access_key: &ak ${BG_SECRET}\n    secret_key: s\n  - access_key: *ak\n    secret_key: s"), 9, `users[1].access_key: "${BG_SECRET}" must not contain`},
		{"through a merge", edit(7, 10, "  - &user {access_key: \"${BG_SECRET}\", secret_key: s}\n  - <<: *user\n    buckets: []"), 8, `users[1].access_key: "${BG_SECRET}" must not contain`},
		{"scalar for list", edit(6, 10, "users: ${BG_SECRET}"), 6, `users: invalid value from "${BG_SECRET}", want []config.User`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "c.yaml")
			wantProblem(t, err, "c.yaml", tt.line, tt.want)
			// go-yaml quotes the first 7 bytes of a long value; check those too.
			for _, leak := range []string{value, value[:7], "Sh0rt"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("message shows the value (%q): %v", leak, err)
				}
			}
		})
	}
}
