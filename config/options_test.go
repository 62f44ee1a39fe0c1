package config

import (
	"strings"
	"testing"
)

// testOptions stands for a backend's options struct.
type testOptions struct {
	Root   string `yaml:"root"`
	Sync   bool   `yaml:"sync"`
	Limit  Size   `yaml:"limit"`
	Tuning struct {
		Workers int `yaml:"workers"`
	} `yaml:"tuning"`
}

// optionsBase has three backends: local (block options, lines 9-13), other
// (flow options with an unknown key, line 16) and bare (no options).
const optionsBase = `version: 1
server:
  upload_id_secret: 0123456789abcdef
users:
  - {access_key: AK, secret_key: s, buckets: [{name: "*", access: readwrite}]}
backends:
  - name: local
    type: fs
    options:
      root: ./data
      sync: true
      tuning:
        workers: 4
  - name: other
    type: fs
    options: {root: ./other, rooot: typo}
  - name: bare
    type: fs
default_backend: local
`

func parseOptionsConfig(t *testing.T, y string) *Config {
	t.Helper()
	c, err := Parse([]byte(y), "c.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err) // Parse does not look inside options
	}
	return c
}

func TestDecodeOptions(t *testing.T) {
	c := parseOptionsConfig(t, optionsBase)

	opts := testOptions{Limit: 7} // a default from NewOptions
	if err := c.Backends[0].DecodeOptions(&opts); err != nil {
		t.Fatal(err)
	}
	if opts.Root != "./data" || !opts.Sync || opts.Tuning.Workers != 4 || opts.Limit != 7 {
		t.Errorf("options = %+v", opts)
	}

	err := c.Backends[1].DecodeOptions(new(testOptions))
	wantProblem(t, err, "c.yaml", 16, `backends[1].options.rooot: unknown field "rooot"`)

	bare := testOptions{Root: "default"}
	if err := c.Backends[2].DecodeOptions(&bare); err != nil || bare.Root != "default" {
		t.Errorf("no options: %v, %+v", err, bare)
	}

	// A copy of the Backend decodes the same.
	for _, b := range c.Backends[:1] {
		if err := b.DecodeOptions(new(testOptions)); err != nil {
			t.Errorf("copy: %v", err)
		}
	}

	if err := c.Backends[0].DecodeOptions(testOptions{}); err == nil {
		t.Error("non-pointer accepted")
	}
	if err := c.Backends[0].DecodeOptions(nil); err == nil {
		t.Error("nil accepted")
	}

	err = c.Backends[0].Errorf("type", "unknown backend type %q", c.Backends[0].Type)
	if err == nil || err.Error() != `c.yaml:8: backends[0].type: unknown backend type "fs"` {
		t.Errorf("Errorf = %v", err)
	}
}

func TestDecodeOptionsErrors(t *testing.T) {
	const (
		localOptions = "    options:\n      root: ./data\n      sync: true\n      tuning:\n        workers: 4\n" // lines 9-13
		otherOptions = "    options: {root: ./other, rooot: typo}\n"                                             // line 16
	)
	// Each case replaces the local backend's options (lines 9-13) and, if
	// other is set, the other backend's, and expects a problem at line when
	// decoding the options of the backend with index backend.
	tests := []struct {
		name    string
		local   string
		other   string
		backend int
		line    int
		want    string
	}{
		{"unknown nested key", "    options:\n      root: ./data\n      tuning:\n        workers: 4\n        threads: 2\n", "", 0, 13, `backends[0].options.tuning.threads: unknown field "threads"`},
		{"unknown key with block value", "    options:\n      root: ./data\n      extra:\n        a: 1\n", "", 0, 11, `backends[0].options.extra: unknown field "extra"`},
		{"int", "    options:\n      tuning: {workers: many}\n", "", 0, 10, "backends[0].options.tuning.workers: cannot unmarshal !!str `many` into int"},
		{"bool", "    options:\n      root: ./data\n      sync: maybe\n", "", 0, 11, "backends[0].options.sync: cannot unmarshal !!str `maybe` into bool"},
		{"custom type", "    options:\n      limit: 5MB\n", "", 0, 10, `backends[0].options.limit: invalid size "5MB"`},
		{"mapping for string", "    options:\n      root:\n        path: x\n", "", 0, 11, "backends[0].options.root: cannot unmarshal !!map into string"},
		{"sequence for struct", "    options:\n      tuning: [1, 2]\n", "", 0, 10, "backends[0].options.tuning: cannot unmarshal !!seq into struct"},
		{"duplicate", "    options:\n      root: a\n      root: b\n", "", 0, 11, `backends[0].options.root: duplicate key "root" (first at line 10)`},
		{"value on next line", "    options:\n      rooot:\n        ./data\n", "", 0, 10, `backends[0].options.rooot: unknown field "rooot"`},
		{"flow over lines", "    options: {root: ./data,\n      rooot: x}\n", "", 0, 10, `backends[0].options.rooot: unknown field "rooot"`},
		{"not a mapping", "    options: ./data\n", "", 0, 9, "backends[0].options: want a mapping of options, not !!str"},
		// The other backend takes the local one's options by alias: the
		// problem is reported where the anchored value is written.
		{"alias", "    options: &shared\n      root: ./data\n      roots: x\n", "    options: *shared\n", 1, 11, `backends[1].options.roots: unknown field "roots"`},
		{"merge", "    options: &shared\n      root: ./data\n", "    options:\n      <<: *shared\n      extra: 1\n", 1, 15, `backends[1].options.extra: unknown field "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(optionsBase, localOptions, tt.local, 1)
			if tt.other != "" {
				y = strings.Replace(y, otherOptions, tt.other, 1)
			}
			c, err := Parse([]byte(y), "c.yaml")
			if err == nil {
				err = c.Backends[tt.backend].DecodeOptions(new(testOptions))
			}
			wantProblem(t, err, "c.yaml", tt.line, tt.want)
		})
	}
}

func TestDecodeOptionsMerge(t *testing.T) {
	y := strings.Replace(optionsBase, "    options:\n      root: ./data", "    options: &shared\n      root: ./data", 1)
	y = strings.Replace(y, "    options: {root: ./other, rooot: typo}", "    options:\n      <<: *shared\n      root: ./other", 1)
	c := parseOptionsConfig(t, y)
	var o testOptions
	if err := c.Backends[1].DecodeOptions(&o); err != nil {
		t.Fatal(err)
	}
	if o.Root != "./other" || !o.Sync || o.Tuning.Workers != 4 {
		t.Errorf("merged options = %+v", o)
	}
}

func TestDecodeOptionsCollectsAll(t *testing.T) {
	y := strings.Replace(optionsBase, "        workers: 4", "        workers: four\n      colour: blue\n      limit: lots", 1)
	c := parseOptionsConfig(t, y)
	err := c.Backends[0].DecodeOptions(new(testOptions))
	got := problemsOf(t, err)
	if len(got) != 3 || got[0].Line != 13 || got[1].Line != 14 || got[2].Line != 15 {
		t.Fatalf("problems:\n%v", err)
	}
}

func TestDecodeOptionsEnv(t *testing.T) {
	t.Setenv("BG_ROOT", "/srv/data")
	t.Setenv("BG_WORKERS", "Sup3rSecret")
	y := strings.Replace(optionsBase, "      root: ./data", "      root: ${BG_ROOT}", 1)
	c := parseOptionsConfig(t, y)
	var o testOptions
	if err := c.Backends[0].DecodeOptions(&o); err != nil || o.Root != "/srv/data" {
		t.Fatalf("root = %q, %v", o.Root, err)
	}
	y = strings.Replace(y, "        workers: 4", "        workers: ${BG_WORKERS}", 1)
	c = parseOptionsConfig(t, y)
	err := c.Backends[0].DecodeOptions(&o)
	wantProblem(t, err, "c.yaml", 13, `backends[0].options.tuning.workers: invalid value from "${BG_WORKERS}", want int`)
	if strings.Contains(err.Error(), "Sup3r") {
		t.Errorf("message shows the value: %v", err)
	}
}
