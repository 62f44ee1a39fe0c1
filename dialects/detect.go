package dialects

import (
	"net"
	"net/http"
	"sort"
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
	// Rows are the detection rows of registered dialects ([Plugin.Rows]),
	// merged into the built-in rows by their Order.
	Rows []DetectRow
}

// The Order of the built-in rows. A registered dialect's row goes between
// two of them by its own Order; rows of equal Order keep the built-ins
// first, then registration order.
const (
	// OrderVendorSignature is the first vendor-signature row (OSS, OBS).
	OrderVendorSignature = 100
	// OrderAWSSignature is the AWS-signature row, which the S3 dialect
	// serves: a dialect whose requests are AWS-signed (Glacier) must come
	// before it.
	OrderAWSSignature = 700
	// OrderVendorHeader is the first vendor-header-prefix row.
	OrderVendorHeader = 800
	// OrderDomain is the first dialect-domain row.
	OrderDomain = 1000
)

// NewDetector builds the detection table of protocols.md §5, in order:
// vendor signatures first (they are unambiguous), then AWS signatures
// (which OSS and OBS SDKs in their S3-compatible modes also send, and which
// the S3 dialect serves), then vendor header prefixes, then the Host's
// dialect domain, then S3. Rows whose dialect is not configured are left
// out. Registered dialects' rows (c.Rows) go where their Order puts them.
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
		{"OSS V4 Authorization", auth("OSS4-HMAC-SHA256 "), c.Dialects[OSS], OrderVendorSignature},
		{"OSS V1 Authorization", auth("OSS "), c.Dialects[OSS], OrderVendorSignature + 10},
		{"OBS Authorization", auth("OBS "), c.Dialects[OBS], OrderVendorSignature + 20},
		{"OSS V1 presigned query", query("OSSAccessKeyId", "Signature"), c.Dialects[OSS], OrderVendorSignature + 30},
		{"OSS V4 presigned query", query("x-oss-signature-version"), c.Dialects[OSS], OrderVendorSignature + 40},
		{"OBS presigned query", query("AccessKeyId", "Signature"), c.Dialects[OBS], OrderVendorSignature + 50},
		{"AWS signature (S3, or OSS/OBS SDKs in S3 mode)", awsSigned, c.Dialects[S3], OrderAWSSignature},
		{"x-oss-* header", headerPrefix("x-oss-"), c.Dialects[OSS], OrderVendorHeader},
		{"x-obs-* header", headerPrefix("x-obs-"), c.Dialects[OBS], OrderVendorHeader + 10},
		{"OSS domain", domain(c.Domains[OSS]), c.Dialects[OSS], OrderDomain},
		{"OBS domain", domain(c.Domains[OBS]), c.Dialects[OBS], OrderDomain + 10},
	}
	rows = append(rows, c.Rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Order < rows[j].Order })
	d := Detector{Fallback: c.Dialects[S3]}
	for _, row := range rows {
		if row.Dialect != nil {
			d.Rows = append(d.Rows, row)
		}
	}
	return d
}
