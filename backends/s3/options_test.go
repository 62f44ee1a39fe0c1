package s3_test

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/babelgate/babelgate/backends/backendtest"
	s3backend "github.com/babelgate/babelgate/backends/s3"
)

// TestValidate: the s3 options are storekit.StoreOptions' (checked in
// storekit's tests) with the endpoint optional (AWS's own).
func TestValidate(t *testing.T) {
	good := func() *s3backend.Options {
		o := s3backend.DefaultOptions()
		o.Endpoint, o.AccessKey, o.SecretKey = "http://127.0.0.1:9000", "ak", "sk"
		return o
	}
	type c = backendtest.OptionCase[s3backend.Options]
	backendtest.CheckOptions(t, good, (*s3backend.Options).Validate, s3backend.New, []c{
		{Name: "valid", Edit: func(*s3backend.Options) {}, Want: ""},
		{Name: "AWS's own endpoint", Edit: func(o *s3backend.Options) { o.Endpoint = "" }, Want: ""},
		{Name: "no keys", Edit: func(o *s3backend.Options) { o.AccessKey, o.SecretKey = "", "" }, Want: "access_key: required"},
		{Name: "IP without scheme", Edit: func(o *s3backend.Options) { o.Endpoint = "127.0.0.1:9000" }, Want: "https://127.0.0.1:9000"},
		{Name: "zero timeout", Edit: func(o *s3backend.Options) { o.RequestTimeout = 0 }, Want: "request_timeout: must be positive"},
	})
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
