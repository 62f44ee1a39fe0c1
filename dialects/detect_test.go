package dialects_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"

	// The S3, OSS and OBS dialects register their rows: the table below
	// is theirs, merged by Order.
	"github.com/babelgate/babelgate/dialects/obs"
	"github.com/babelgate/babelgate/dialects/oss"
	"github.com/babelgate/babelgate/dialects/s3"
)

const (
	S3  = s3.Name
	OSS = oss.Name
	OBS = obs.Name
)

type fakeDialect string

func (f fakeDialect) Name() string                                              { return string(f) }
func (f fakeDialect) Begin(http.ResponseWriter, *dialects.Request)              {}
func (f fakeDialect) Resolve(*dialects.Request) (dialects.Route, error)         { return dialects.Route{}, nil }
func (f fakeDialect) EncodeError(http.ResponseWriter, *dialects.Request, error) {}
func (f fakeDialect) Authenticate(*dialects.Request) (translate.Caller, error) {
	return translate.Caller{}, nil
}

// TestDetect has one case per row of the detection table, plus the
// ambiguous cases of protocols.md §5.
func TestDetect(t *testing.T) {
	d := dialects.NewDetector(dialects.DetectConfig{
		Dialects: map[string]dialects.Dialect{S3: fakeDialect(S3), OSS: fakeDialect(OSS), OBS: fakeDialect(OBS)},
		Domains:  map[string][]string{OSS: {"oss.example.test"}, OBS: {"obs.example.test"}},
	})
	tests := []struct {
		name   string
		target string
		host   string
		header map[string]string
		want   string
	}{
		{"OSS V4 Authorization", "/b/k", "", map[string]string{"Authorization": "OSS4-HMAC-SHA256 Credential=ak/20250101/cn-hangzhou/oss/aliyun_v4_request,Signature=x"}, OSS},
		{"OSS V1 Authorization", "/b/k", "", map[string]string{"Authorization": "OSS ak:sig"}, OSS},
		{"OBS Authorization", "/b/k", "", map[string]string{"Authorization": "OBS ak:sig"}, OBS},
		{"OSS V1 presigned", "/b/k?OSSAccessKeyId=ak&Expires=1&Signature=s", "", nil, OSS},
		{"OSS V4 presigned", "/b/k?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=c&x-oss-signature=s", "", nil, OSS},
		{"OBS presigned", "/b/k?AccessKeyId=ak&Expires=1&Signature=s", "", nil, OBS},
		{"S3 SigV4 header", "/b/k", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=ak/20250101/us-east-1/s3/aws4_request"}, S3},
		{"S3 SigV4 presigned", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=c&X-Amz-Signature=s", "", nil, S3},
		{"S3 SigV2 header (also the OBS SDK's default)", "/b/k", "", map[string]string{"Authorization": "AWS ak:sig"}, S3},
		{"S3 SigV2 presigned", "/b/k?AWSAccessKeyId=ak&Expires=1&Signature=s", "", nil, S3},
		{"AWS signature wins over an x-oss header", "/b/k", "", map[string]string{"Authorization": "AWS ak:sig", "x-oss-meta-a": "1"}, S3},
		{"AWS signature wins over an OSS domain", "/k", "b.oss.example.test", map[string]string{"Authorization": "AWS4-HMAC-SHA256 x"}, S3},
		{"anonymous with x-oss header", "/b/k", "", map[string]string{"x-oss-date": "x"}, OSS},
		{"anonymous with x-obs header", "/b/k", "", map[string]string{"x-obs-date": "x"}, OBS},
		{"anonymous on an OSS domain", "/k", "b.oss.example.test:9000", nil, OSS},
		{"anonymous on an OBS domain", "/k", "b.obs.example.test", nil, OBS},
		{"anonymous with nothing else: S3", "/b/k", "", nil, S3},
		{"x-amz headers only: S3", "/b/k", "", map[string]string{"x-amz-date": "x"}, S3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			if tt.host != "" {
				r.Host = tt.host
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if got := d.Detect(r).Name(); got != tt.want {
				t.Fatalf("detected %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDetectOnlyConfiguredDialects(t *testing.T) {
	d := dialects.NewDetector(dialects.DetectConfig{Dialects: map[string]dialects.Dialect{S3: fakeDialect(S3)}})
	r := httptest.NewRequest("GET", "/b/k", nil)
	r.Header.Set("Authorization", "OSS ak:sig")
	if got := d.Detect(r).Name(); got != S3 {
		t.Fatalf("with only S3 configured, detected %s", got)
	}
}

// TestRegisteredRowsOrder: a registered dialect's rows go where their
// Order puts them among the S3, OSS and OBS rows, and those keep
// their order (TestDetect's table is unchanged).
func TestRegisteredRowsOrder(t *testing.T) {
	extra := fakeDialect("extra")
	header := func(name string) func(*http.Request) bool {
		return func(r *http.Request) bool { return r.Header.Get(name) != "" }
	}
	d := dialects.NewDetector(dialects.DetectConfig{
		Dialects: map[string]dialects.Dialect{S3: fakeDialect(S3), OSS: fakeDialect(OSS), OBS: fakeDialect(OBS)},
		Rows: []dialects.DetectRow{
			{Name: "before AWS", Match: header("x-before"), Dialect: extra, Order: dialects.OrderAWSSignature - 1},
			{Name: "after vendor headers", Match: header("x-after"), Dialect: extra, Order: dialects.OrderDomain + 100},
		},
	})
	var names []string
	for _, row := range d.Rows {
		names = append(names, row.Name)
	}
	if names[6] != "before AWS" || names[7] != "AWS signature (S3, or OSS/OBS SDKs in S3 mode)" || names[len(names)-1] != "after vendor headers" {
		t.Fatalf("rows in order: %q", names)
	}
	for _, tt := range []struct {
		hdr  map[string]string
		want string
	}{
		{map[string]string{"x-before": "1", "Authorization": "AWS4-HMAC-SHA256 x"}, "extra"},
		{map[string]string{"x-after": "1", "Authorization": "AWS4-HMAC-SHA256 x"}, S3},
		{map[string]string{"x-after": "1", "x-oss-date": "1"}, OSS},
		{map[string]string{"x-after": "1"}, "extra"},
	} {
		r := httptest.NewRequest("GET", "/b/k", nil)
		for k, v := range tt.hdr {
			r.Header.Set(k, v)
		}
		if got := d.Detect(r).Name(); got != tt.want {
			t.Errorf("%v: detected %s, want %s", tt.hdr, got, tt.want)
		}
	}
}
