package oss_test

import (
	"strings"
	"testing"

	ossbackend "github.com/babelgate/babelgate/backends/oss"
)

// TestValidate checks, for the OSS backend, what check-config refuses before serve would fail
// on it: missing credentials (the backend has no other source), an
// endpoint without a scheme (every call would fail), bad timeouts.
func TestValidate(t *testing.T) {
	good := func() *ossbackend.Options {
		o := ossbackend.DefaultOptions()
		o.Endpoint, o.AccessKey, o.SecretKey = "http://127.0.0.1:9000", "ak", "sk"
		return o
	}
	tests := []struct {
		name string
		edit func(*ossbackend.Options)
		want string // "" for valid
	}{
		{"valid", func(*ossbackend.Options) {}, ""},
		{"no endpoint", func(o *ossbackend.Options) { o.Endpoint = "" }, "endpoint: required"},
		{"https endpoint", func(o *ossbackend.Options) { o.Endpoint = "https://s3.example.com" }, ""},
		{"no keys", func(o *ossbackend.Options) { o.AccessKey, o.SecretKey = "", "" }, "access_key: required"},
		{"no secret", func(o *ossbackend.Options) { o.SecretKey = "" }, "secret_key: required"},
		{"host without scheme", func(o *ossbackend.Options) { o.Endpoint = "oss-cn-hangzhou.aliyuncs.com" }, `endpoint: "oss-cn-hangzhou.aliyuncs.com" is not an http:// or https:// URL`},
		{"auth_v4 without region", func(o *ossbackend.Options) { o.AuthV4, o.Region = true, "" }, "region: required with auth_v4"},
		{"IP without scheme", func(o *ossbackend.Options) { o.Endpoint = "127.0.0.1:9000" }, "https://127.0.0.1:9000"},
		{"other scheme", func(o *ossbackend.Options) { o.Endpoint = "ftp://x" }, "endpoint"},
		{"zero timeout", func(o *ossbackend.Options) { o.RequestTimeout = 0 }, "request_timeout: must be positive"},
		{"negative retries", func(o *ossbackend.Options) { o.Retries = -1 }, "retries: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good()
			tt.edit(o)
			err := o.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
			b, nerr := ossbackend.New(*o)
			if b != nil {
				b.Close()
			}
			if (nerr == nil) != (err == nil) {
				t.Fatalf("New and Validate disagree: %v vs %v", nerr, err)
			}
		})
	}
}
