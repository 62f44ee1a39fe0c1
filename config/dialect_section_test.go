package config

import (
	"strings"
	"testing"
)

// TestDialectSections: a registered dialect's section is kept undecoded and
// decoded strictly on demand, with the file's line numbers; the built-in
// sections still decode as before.
func TestDialectSections(t *testing.T) {
	RegisterDialectSection("glacier", DialectSection{Order: 40})
	const file = `version: 1
server:
  upload_id_secret: 0123456789abcdef0123
users:
  - access_key: ak
    secret_key: sk
backends:
  - name: local
    type: fs
    options: {root: /tmp/x}
dialects:
  s3:
    max_part_number: 42
  glacier:
    vault_bucket_prefix: vaults-
    job_delay: 3
`
	c, err := Parse([]byte(file), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.s3Rules().MaxPartNumber != 42 {
		t.Fatalf("s3 section lost: %+v", c.Dialects.Limits)
	}
	type opts struct {
		VaultBucketPrefix string `yaml:"vault_bucket_prefix"`
		JobDelay          int    `yaml:"job_delay"`
		Kept              string `yaml:"kept"`
	}
	o := opts{Kept: "default"}
	if err := c.DecodeDialect("glacier", &o); err != nil {
		t.Fatal(err)
	}
	if o.VaultBucketPrefix != "vaults-" || o.JobDelay != 3 || o.Kept != "default" {
		t.Fatalf("decoded %+v", o)
	}
	var strict struct {
		Other string `yaml:"other"`
	}
	err = c.DecodeDialect("glacier", &strict)
	if err == nil || !strings.Contains(err.Error(), "t.yaml:15") {
		t.Fatalf("unknown key: %v, want an error at t.yaml:15", err)
	}
	if err := c.DecodeDialect("absent", &strict); err != nil {
		t.Fatalf("absent section: %v", err)
	}
	if err := c.DialectErrorf("glacier", "job_delay", "bad"); err == nil || !strings.HasPrefix(err.Error(), "t.yaml:16: dialects.glacier.job_delay: bad") {
		t.Fatalf("DialectErrorf = %v", err)
	}
}
