package s3_test

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	s3backend "github.com/babelgate/babelgate/backends/s3"
)

// TestValidate checks what check-config refuses before serve would fail
// on it: missing credentials (the backend has no other source), an
// endpoint without a scheme (every call would fail), bad timeouts.
func TestValidate(t *testing.T) {
	good := func() *s3backend.Options {
		o := s3backend.DefaultOptions()
		o.Endpoint, o.AccessKey, o.SecretKey = "http://127.0.0.1:9000", "ak", "sk"
		return o
	}
	tests := []struct {
		name string
		edit func(*s3backend.Options)
		want string // "" for valid
	}{
		{"valid", func(*s3backend.Options) {}, ""},
		{"AWS's own endpoint", func(o *s3backend.Options) { o.Endpoint = "" }, ""},
		{"https endpoint", func(o *s3backend.Options) { o.Endpoint = "https://s3.example.com" }, ""},
		{"no keys", func(o *s3backend.Options) { o.AccessKey, o.SecretKey = "", "" }, "access_key: required"},
		{"no secret", func(o *s3backend.Options) { o.SecretKey = "" }, "secret_key: required"},
		{"host:port without scheme", func(o *s3backend.Options) { o.Endpoint = "minio:9000" }, `endpoint: "minio:9000" is not an http:// or https:// URL`},
		{"IP without scheme", func(o *s3backend.Options) { o.Endpoint = "127.0.0.1:9000" }, "https://127.0.0.1:9000"},
		{"other scheme", func(o *s3backend.Options) { o.Endpoint = "ftp://x" }, "endpoint"},
		{"zero timeout", func(o *s3backend.Options) { o.RequestTimeout = 0 }, "request_timeout: must be positive"},
		{"negative retries", func(o *s3backend.Options) { o.Retries = -1 }, "retries: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good()
			tt.edit(o)
			err := o.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
			b, nerr := s3backend.New(*o)
			if b != nil {
				b.Close()
			}
			if (nerr == nil) != (err == nil) {
				t.Fatalf("New and Validate disagree: %v vs %v", nerr, err)
			}
		})
	}
}

// TestOptionsYAML: the options storekit.StoreOptions holds are spelled in
// config beside the s3 ones, as before the kit (inlined), and a strict
// decoder knows every one of them.
func TestOptionsYAML(t *testing.T) {
	const doc = `endpoint: http://127.0.0.1:9000
region: eu-west-1
access_key: ak
secret_key: sk
path_style: true
checksums: false
min_part_size: 1048576
max_part_size: 2097152
connect_timeout: 2s
request_timeout: 3s
retries: 4
staging_max_age: 5h
`
	o := s3backend.DefaultOptions()
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(o); err != nil {
		t.Fatal(err)
	}
	if o.Endpoint != "http://127.0.0.1:9000" || o.Region != "eu-west-1" || o.AccessKey != "ak" || o.SecretKey != "sk" ||
		!o.PathStyle || o.Checksums || o.MinPartSize != 1<<20 || o.MaxPartSize != 2<<20 || o.ConnectTimeout != 2*time.Second ||
		o.RequestTimeout != 3*time.Second || o.Retries != 4 || o.StagingMaxAge != 5*time.Hour {
		t.Fatalf("decoded %+v", o)
	}
}
