package dialects

import (
	"net"
	"net/http"
	"sort"
	"strings"
)

// DetectConfig names the built dialects to detect and the virtual-host
// domains that belong to each (for requests that carry no other signal).
type DetectConfig struct {
	// Dialects are the built dialects by registered name. Each registered
	// dialect present here contributes its rows (Plugin.Rows and its
	// domain row); the fallback dialect's serves what no row recognises.
	Dialects map[string]Dialect
	// Domains by dialect name, for the domain rows.
	Domains map[string][]string
	// Rows are further rows, with their Dialect set (tests).
	Rows []DetectRow
	// Fallback, when set, overrides the registered fallback dialect.
	Fallback Dialect
}

// The Order bands of the detection table (protocols.md §5). A dialect's
// rows place themselves by these; rows of equal Order keep registration
// order (Registered's).
const (
	// OrderVendorSignature is the first vendor-signature row (OSS, OBS):
	// they are unambiguous.
	OrderVendorSignature = 100
	// OrderAWSSignature is the AWS-signature row, which OSS and OBS SDKs
	// in their S3-compatible modes also send: a dialect whose requests
	// are AWS-signed and recognisable (Glacier) must come before it.
	OrderAWSSignature = 700
	// OrderVendorHeader is the first vendor-header-prefix row.
	OrderVendorHeader = 800
	// OrderDomain is the first dialect-domain row.
	OrderDomain = 1000
)

// NewDetector builds the detection table from the registered dialects'
// rows, in Order: vendor signatures, AWS signatures, vendor header
// prefixes, the Host's dialect domain; then the fallback dialect. Rows of
// a dialect not in c.Dialects are left out.
func NewDetector(c DetectConfig) Detector {
	var rows []DetectRow
	d := Detector{Fallback: c.Fallback}
	for _, p := range Registered() {
		built := c.Dialects[p.Name]
		if built == nil {
			continue
		}
		for _, row := range p.Rows {
			row.Dialect = built
			rows = append(rows, row)
		}
		if p.DomainRowOrder != 0 {
			rows = append(rows, DetectRow{Name: strings.ToUpper(p.Name) + " domain", Match: HostUnder(c.Domains[p.Name]),
				Dialect: built, Order: p.DomainRowOrder})
		}
		if p.Fallback && d.Fallback == nil {
			d.Fallback = built
		}
	}
	rows = append(rows, c.Rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Order < rows[j].Order })
	for _, row := range rows {
		if row.Dialect != nil {
			d.Rows = append(d.Rows, row)
		}
	}
	return d
}

// AuthPrefix matches a request whose Authorization header starts with
// prefix.
func AuthPrefix(prefix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return strings.HasPrefix(r.Header.Get("Authorization"), prefix) }
}

// QueryHas matches a request whose query has every one of keys.
func QueryHas(keys ...string) func(*http.Request) bool {
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

// HeaderPrefix matches a request with a header whose lowercased name
// starts with prefix (lowercase).
func HeaderPrefix(prefix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		for k := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), prefix) {
				return true
			}
		}
		return false
	}
}

// HostUnder matches a request whose Host (without port, lowercased) is
// one of domains or under one.
func HostUnder(domains []string) func(*http.Request) bool {
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
