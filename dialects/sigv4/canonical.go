package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// hmacSHA256 returns HMAC-SHA256(key, data).
func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// sha256Hex returns the lowercase hex SHA-256 of s.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// deriveSigningKey returns kSigning for the scope (protocols.md §1.1).
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

// signatureMatches reports whether provided (hex, either case) is the
// HMAC-SHA256 of stringToSign under key, comparing in constant time.
func signatureMatches(key []byte, stringToSign, provided string) bool {
	got, err := hex.DecodeString(provided)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	return hmac.Equal(hmacSHA256(key, stringToSign), got)
}

// RequestTarget returns the path and raw query exactly as the client sent
// them, with no decoding or normalisation ("/" for an empty path). It
// prefers r.RequestURI (set by net/http's server, and immune to a later
// rewrite of r.URL, e.g. for virtual-hosted buckets) and falls back to
// r.URL for requests built in process. Signature schemes that sign the path
// as sent (SigV4 for S3, SigV2, OBS) take it from here.
func RequestTarget(r *http.Request) (path, query string) {
	uri := r.RequestURI
	if uri == "" || uri == "*" {
		path, query = r.URL.EscapedPath(), r.URL.RawQuery
		if r.URL.Opaque != "" {
			// A client-side request that pre-escaped its path in Opaque.
			path = opaquePath(r.URL.Opaque)
		}
		if path == "" {
			path = "/"
		}
		return path, query
	}
	if !strings.HasPrefix(uri, "/") {
		// Absolute form: scheme://authority[/path][?query].
		if i := strings.Index(uri, "://"); i >= 0 {
			uri = uri[i+3:]
			j := strings.IndexAny(uri, "/?")
			if j < 0 {
				uri = "/"
			} else {
				uri = uri[j:]
			}
		}
	}
	path, query, _ = strings.Cut(uri, "?")
	if path == "" {
		path = "/"
	}
	return path, query
}

// opaquePath extracts the path from a URL.Opaque of the form
// "//host/path" or "/path".
func opaquePath(opaque string) string {
	opaque, _, _ = strings.Cut(opaque, "?")
	if rest, ok := strings.CutPrefix(opaque, "//"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return "/"
	}
	return opaque
}

// canonicalQuery builds the canonical query string from a raw query: items
// split on '&', empty items dropped, each partitioned on its first '=',
// sorted by key then value, and written back as "key=value" ('=' added when
// the client sent none). When dropSignature is set, items whose key is
// X-Amz-Signature are left out (presigned requests).
func canonicalQuery(raw string, dropSignature bool) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	items := make([]kv, 0, strings.Count(raw, "&")+1)
	for item := range strings.SplitSeq(raw, "&") {
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		if dropSignature && k == paramSignature {
			continue
		}
		items = append(items, kv{k, v})
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].k != items[j].k {
			return items[i].k < items[j].k
		}
		return items[i].v < items[j].v
	})
	var b strings.Builder
	b.Grow(len(raw) + len(items))
	for i, it := range items {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(it.k)
		b.WriteByte('=')
		b.WriteString(it.v)
	}
	return b.String()
}

// normalizedQuery is the canonical query the SigV4 specification describes
// when the client's raw query is not already in canonical encoding: each key
// and value is decoded (with '+' as a space) and re-encoded per RFC 3986,
// then sorted. It returns ok=false when a component cannot be decoded.
func normalizedQuery(raw string, dropSignature bool) (string, bool) {
	if raw == "" {
		return "", true
	}
	var b strings.Builder
	for i, item := range strings.Split(raw, "&") {
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return "", false
		}
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(uriEncode(dk))
		b.WriteByte('=')
		b.WriteString(uriEncode(dv))
	}
	return canonicalQuery(b.String(), dropSignature), true
}

// uriEncode percent-encodes every byte except the RFC 3986 unreserved set,
// with uppercase hex, as SigV4 requires.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}

// headerValues returns the values of the named header (any case). Headers
// that net/http lifts out of the map are restored from the request fields.
func headerValues(r *http.Request, lname string) []string {
	switch lname {
	case "host":
		return []string{r.Host}
	case "content-length":
		if vs := r.Header.Values("Content-Length"); len(vs) > 0 {
			return vs
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if vs := r.Header.Values("Transfer-Encoding"); len(vs) > 0 {
			return vs
		}
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
		return nil
	}
	if vs, ok := r.Header[textproto.CanonicalMIMEHeaderKey(lname)]; ok {
		return vs
	}
	// A key that textproto does not canonicalise.
	for k, vs := range r.Header {
		if strings.EqualFold(k, lname) {
			return vs
		}
	}
	return nil
}

// canonicalHeaders renders "name:value\n" for each signed header in the
// client's order.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trimAll(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// trimAll trims leading and trailing spaces and tabs and collapses each run
// of spaces to one, as the SigV4 specification and aws-sdk-go-v2 do.
func trimAll(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// buildCanonicalRequest joins the six canonical-request lines.
func buildCanonicalRequest(method, uri, query, headers, signedHeaders, payload string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signedHeaders + "\n" + payload
}

// buildStringToSign returns the request string to sign.
func buildStringToSign(amzDate, scope, canonicalRequest string) string {
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest)
}

// PolicySignatureMatches reports whether provided (hex) is the SigV4
// signature of a browser POST form's policy (its base64 text, the string
// to sign) under the scope date/region/service, in constant time.
func PolicySignatureMatches(secret, date, region, service, policy, provided string) bool {
	return signatureMatches(deriveSigningKey(secret, date, region, service), policy, provided)
}
