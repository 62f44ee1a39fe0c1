package main

import (
	"strings"
	"testing"

	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/dialects/glacier"
)

// TestRegisteredOptions: a registered dialect's section (glacier) is
// decoded strictly into its options with their defaults, checked, and its
// problems carry the file's line.
func TestRegisteredOptions(t *testing.T) {
	const base = `version: 1
server: {upload_id_secret: "0123456789abcdef0123"}
users: [{access_key: AK, secret_key: SK, buckets: [{name: "*", access: readwrite}]}]
backends: [{name: local, type: fs, options: {root: /tmp/x}}]
dialects:
  glacier:
`
	tests := []struct {
		section, want string
	}{
		{"    job_delay: 2h\n", ""},
		{"    job_delay: soon\n", `t.yaml:7: dialects.glacier.job_delay: invalid duration "soon"`},
		{"    vault_bucket_prefix: Vaults_\n", `t.yaml:7: dialects.glacier.vault_bucket_prefix: "Vaults_" is not a valid bucket-name prefix`},
		{"    vault_prefix: x\n", `t.yaml:7: dialects.glacier.vault_prefix: unknown field "vault_prefix"`},
	}
	for _, tt := range tests {
		cfg, err := config.Parse([]byte(base+tt.section), "t.yaml")
		if err != nil {
			t.Fatalf("%q: %v", tt.section, err)
		}
		opts, err := registeredOptions(cfg)
		if tt.want == "" {
			o, _ := opts[glacier.Name].(*glacier.Options)
			if err != nil || o == nil || o.JobDelay != "2h" || o.VaultBucketPrefix != "glacier-" {
				t.Errorf("%q: %+v, %v", tt.section, o, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.section, err, tt.want)
		}
	}
}
