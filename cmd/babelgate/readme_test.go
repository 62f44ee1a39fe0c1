package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/config"
)

// readmeBlockRE matches a fenced block of README.md: its info string and
// its text.
var readmeBlockRE = regexp.MustCompile("(?ms)^```([^\\n]*)\\n(.*?)^```")

// TestREADMEConfigs parses every ```yaml block of README.md as babelgate
// parses a config file: strict decoding, defaults, validation, and each
// backend's options decoded strictly and validated by the backend, so the
// README's examples cannot drift from the code. The environment variables
// the blocks name are set; the absolute paths they use (TLS files, an fs
// root) are mapped into a temporary directory, because validation reads
// the one and checks the other can be created. A YAML block that is not a
// babelgate config (a Kubernetes snippet) is fenced with more after
// "yaml" ("```yaml kubernetes") and must only be valid YAML.
func TestREADMEConfigs(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"cert.pem", "key.pem"} {
		os.WriteFile(filepath.Join(dir, f), []byte("-"), 0o600)
	}
	paths := strings.NewReplacer("/etc/babelgate/", dir+"/", "/var/lib/babelgate", filepath.Join(dir, "data"))
	envRE := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`)
	configs := 0
	for _, loc := range readmeBlockRE.FindAllStringSubmatchIndex(string(readme), -1) {
		infoString, text := string(readme[loc[2]:loc[3]]), string(readme[loc[4]:loc[5]])
		info := strings.Fields(infoString)
		if len(info) == 0 || info[0] != "yaml" {
			continue
		}
		// Config messages say "<name>:<line in the block>: ...".
		name := fmt.Sprintf("README.md (block at line %d)", 2+strings.Count(string(readme[:loc[0]]), "\n"))
		if len(info) > 1 {
			var v any
			if err := yaml.Unmarshal([]byte(text), &v); err != nil {
				t.Errorf("%s (%s) is not valid YAML: %v", name, infoString, err)
			}
			continue
		}
		configs++
		for _, e := range envRE.FindAllStringSubmatch(text, -1) {
			t.Setenv(e[1], "readme-example-"+strings.ToLower(e[1])+"-0123456789")
		}
		cfg, err := config.Parse([]byte(paths.Replace(text)), name)
		if err != nil {
			t.Errorf("%s does not load:\n%v\n%s", name, err, text)
			continue
		}
		if _, err := registeredOptions(cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for j := range cfg.Backends {
			bc := &cfg.Backends[j]
			info, err := backends.Lookup(bc.Type)
			if err != nil {
				t.Errorf("%s: backends[%d]: %v", name, j, err)
				continue
			}
			opts := info.NewOptions()
			if err := bc.DecodeOptions(opts); err != nil {
				t.Errorf("%s: %v", name, err)
			} else if err := backends.ValidateOptions(opts); err != nil {
				t.Errorf("%s: backend %s: %v", name, bc.Name, err)
			}
		}
	}
	if configs < 4 {
		t.Fatalf("found %d config blocks in README.md, want at least 4 (the reference and the three typical ones)", configs)
	}
}
