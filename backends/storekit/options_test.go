package storekit

import (
	"strings"
	"testing"
)

// TestStoreOptionsCheck: what check-config refuses, for every S3-like
// store type, before serve would fail on it: missing credentials (a
// driver has no other source), an endpoint without a scheme (every call
// would fail), bad timeouts and retries. The drivers' own tests check
// their options beyond these, and that New refuses what Validate does.
func TestStoreOptionsCheck(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*StoreOptions)
		required bool   // the endpoint
		want     string // "" for valid
	}{
		{"valid", func(*StoreOptions) {}, true, ""},
		{"https endpoint", func(o *StoreOptions) { o.Endpoint = "https://s3.example.com" }, true, ""},
		{"no endpoint, not required", func(o *StoreOptions) { o.Endpoint = "" }, false, ""},
		{"no endpoint, required", func(o *StoreOptions) { o.Endpoint = "" }, true, "endpoint: required"},
		{"no keys", func(o *StoreOptions) { o.AccessKey, o.SecretKey = "", "" }, true, "access_key: required"},
		{"no secret", func(o *StoreOptions) { o.SecretKey = "" }, true, "secret_key: required"},
		{"host:port without scheme", func(o *StoreOptions) { o.Endpoint = "minio:9000" }, true, `endpoint: "minio:9000" is not an http:// or https:// URL`},
		{"IP without scheme", func(o *StoreOptions) { o.Endpoint = "127.0.0.1:9000" }, false, "https://127.0.0.1:9000"},
		{"other scheme", func(o *StoreOptions) { o.Endpoint = "ftp://x" }, true, "endpoint"},
		{"zero timeout", func(o *StoreOptions) { o.RequestTimeout = 0 }, true, "request_timeout: must be positive"},
		{"zero connect timeout", func(o *StoreOptions) { o.ConnectTimeout = 0 }, true, "connect_timeout: must be positive"},
		{"negative retries", func(o *StoreOptions) { o.Retries = -1 }, true, "retries: must not be negative"},
		{"negative staging age", func(o *StoreOptions) { o.StagingMaxAge = -1 }, true, "staging_max_age: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultStoreOptions(5<<20, 5<<30)
			o.Endpoint, o.AccessKey, o.SecretKey = "http://127.0.0.1:9000", "ak", "sk"
			tt.edit(&o)
			err := o.Check(tt.required)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Check(%v) = %v, want %q", tt.required, err, tt.want)
			}
		})
	}
}
