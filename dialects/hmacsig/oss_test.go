package hmacsig

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// TestOSSCanonicalResource checks the OSS knobs: the decoded key with the
// bucket whatever the addressing, "/bucket/" for a bucket, bare empty
// sub-resources, unsigned parameters dropped.
func TestOSSCanonicalResource(t *testing.T) {
	tests := []struct {
		bucket, path string
		virtual      bool
		query, want  string
	}{
		{"bkt", "/bkt/dir%2Fa%20b+c.txt", false, "partNumber=2&uploadId=U%2B1", "/bkt/dir/a b+c.txt?partNumber=2&uploadId=U+1"},
		{"bkt", "/dir/a%20b.txt", true, "uploads=", "/bkt/dir/a b.txt?uploads"},
		{"bkt", "/bkt", false, "max-keys=10&prefix=a", "/bkt/"},
		{"bkt", "/", true, "bucketInfo", "/bkt/?bucketInfo"},
		{"", "/", false, "", "/"},
		{"bkt", "/bkt/k", false, "x-oss-process=image%2Fresize", "/bkt/k?x-oss-process=image/resize"},
	}
	for _, tt := range tests {
		if got := OSS.CanonicalResource(tt.bucket, tt.path, tt.virtual, tt.query); got != tt.want {
			t.Errorf("CanonicalResource(%q, %q, %v, %q) = %q, want %q", tt.bucket, tt.path, tt.virtual, tt.query, got, tt.want)
		}
	}
	// S3 is unchanged: the path as sent, '=' kept as sent.
	if got := S3.CanonicalResource("bkt", "/k%20x", true, "uploads="); got != "/bkt/k%20x?uploads=" {
		t.Errorf("S3 resource changed: %q", got)
	}
}

// TestOSSDateHeader checks OSS V1's time: ali-oss (the Node.js SDK) sends
// x-oss-date and no Date, and signs the x-oss-date value as the Date line
// while also listing it among the x-oss-* headers
// (lib/common/signUtils.js buildCanonicalString); the Go SDKs send Date.
// Either verifies, the time checked is the one signed, and a wrong
// signature or a stale x-oss-date still fails.
func TestOSSDateHeader(t *testing.T) {
	now := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
	stamp := now.Format(http.TimeFormat)
	const secret = "oss-secret"
	lookup := func(ak string) (string, bool) { return secret, ak == "ak" }
	request := func(date, ossDate string) *http.Request {
		r := httptest.NewRequest("GET", "/bkt/obj", nil)
		if date != "" {
			r.Header.Set("Date", date)
		}
		if ossDate != "" {
			r.Header.Set("x-oss-date", ossDate)
		}
		r.Header.Set("x-oss-meta-a", "1")
		return r
	}
	tests := []struct {
		name          string
		date, ossDate string
		toSign        string
		at            time.Time
		want          translate.Code
	}{
		{"ali-oss V1", "", stamp, "GET\n\n\n" + stamp + "\nx-oss-date:" + stamp + "\nx-oss-meta-a:1\n/bkt/obj", now, 0},
		{"Go SDK V1", stamp, "", "GET\n\n\n" + stamp + "\nx-oss-meta-a:1\n/bkt/obj", now, 0},
		{"ali-oss, signature over other headers", "", stamp, "GET\n\n\n" + stamp + "\nx-oss-date:" + stamp + "\nx-oss-meta-a:2\n/bkt/obj", now, translate.ErrSignatureDoesNotMatch},
		{"ali-oss, stale x-oss-date", "", stamp, "GET\n\n\n" + stamp + "\nx-oss-date:" + stamp + "\nx-oss-meta-a:1\n/bkt/obj", now.Add(time.Hour), translate.ErrRequestTimeTooSkewed},
		{"stale x-oss-date beside a fresh Date", now.Add(time.Hour).Format(http.TimeFormat), stamp,
			"GET\n\n\n" + now.Add(time.Hour).Format(http.TimeFormat) + "\nx-oss-date:" + stamp + "\nx-oss-meta-a:1\n/bkt/obj", now.Add(time.Hour), translate.ErrRequestTimeTooSkewed},
		{"neither date", "", "", "GET\n\n\n\nx-oss-meta-a:1\n/bkt/obj", now, translate.ErrAccessDenied},
	}
	for _, tt := range tests {
		r := request(tt.date, tt.ossDate)
		r.Header.Set("Authorization", "OSS ak:"+refSign(secret, tt.toSign))
		ak, err := OSS.VerifyHeader(r, "bkt", false, lookup, tt.at, 0)
		if translate.CodeOf(err) != tt.want || (tt.want == 0 && ak != "ak") {
			t.Errorf("%s: %q, %v; want %v", tt.name, ak, err, tt.want)
		}
	}
}
