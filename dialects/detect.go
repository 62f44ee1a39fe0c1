package dialects

import (
	"net"
	"net/http"
	"strings"
)

// The dialect names the detection table routes to.
const (
	S3  = "s3"
	OSS = "oss"
	OBS = "obs"
)

// DetectConfig names the dialects to detect and the virtual-host domains
// that belong to each (for requests that carry no other signal).
type DetectConfig struct {
	// Dialects by name (S3, OSS, OBS); S3 is required and is the fallback.
	Dialects map[string]Dialect
	// Domains by dialect name.
	Domains map[string][]string
}

// NewDetector builds the detection table of protocols.md §5, in order:
// vendor signatures first (they are unambiguous), then AWS signatures
// (which OSS and OBS SDKs in their S3-compatible modes also send, and which
// the S3 dialect serves), then vendor header prefixes, then the Host's
// dialect domain, then S3. Rows whose dialect is not configured are left
// out.
func NewDetector(c DetectConfig) Detector {
	auth := func(prefix string) func(*http.Request) bool {
		return func(r *http.Request) bool { return strings.HasPrefix(r.Header.Get("Authorization"), prefix) }
	}
	query := func(keys ...string) func(*http.Request) bool {
		return func(r *http.Request) bool {
			q := r.URL.Query()
			for _, k := range keys {
				if _, ok := q[k]; !ok {
					return false
				}
			}
			return true
		}
	}
	headerPrefix := func(prefix string) func(*http.Request) bool {
		return func(r *http.Request) bool {
			for k := range r.Header {
				if strings.HasPrefix(strings.ToLower(k), prefix) {
					return true
				}
			}
			return false
		}
	}
	domain := func(domains []string) func(*http.Request) bool {
		return func(r *http.Request) bool {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			host = strings.ToLower(host)
			for _, d := range domains {
				if host == d || strings.HasSuffix(host, "."+d) {
					return true
				}
			}
			return false
		}
	}
	awsSigned := func(r *http.Request) bool {
		a := r.Header.Get("Authorization")
		q := r.URL.Query()
		return strings.HasPrefix(a, "AWS4-") || strings.HasPrefix(a, "AWS ") ||
			q.Has("X-Amz-Algorithm") || q.Has("AWSAccessKeyId")
	}
	rows := []DetectRow{
		{"OSS V4 Authorization", auth("OSS4-HMAC-SHA256 "), c.Dialects[OSS]},
		{"OSS V1 Authorization", auth("OSS "), c.Dialects[OSS]},
		{"OBS Authorization", auth("OBS "), c.Dialects[OBS]},
		{"OSS V1 presigned query", query("OSSAccessKeyId", "Signature"), c.Dialects[OSS]},
		{"OSS V4 presigned query", query("x-oss-signature-version"), c.Dialects[OSS]},
		{"OBS presigned query", query("AccessKeyId", "Signature"), c.Dialects[OBS]},
		{"AWS signature (S3, or OSS/OBS SDKs in S3 mode)", awsSigned, c.Dialects[S3]},
		{"x-oss-* header", headerPrefix("x-oss-"), c.Dialects[OSS]},
		{"x-obs-* header", headerPrefix("x-obs-"), c.Dialects[OBS]},
		{"OSS domain", domain(c.Domains[OSS]), c.Dialects[OSS]},
		{"OBS domain", domain(c.Domains[OBS]), c.Dialects[OBS]},
	}
	d := Detector{Fallback: c.Dialects[S3]}
	for _, row := range rows {
		if row.Dialect != nil {
			d.Rows = append(d.Rows, row)
		}
	}
	return d
}
