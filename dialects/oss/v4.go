package oss

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// OSS signature V4 (protocols.md §2.5, §7), checked against
// alibabacloud-oss-go-sdk-v2 oss/signer/v4.go and aliyun-oss-go-sdk
// oss/auth.go getSignedStrV4.
const (
	v4Algorithm     = "OSS4-HMAC-SHA256"
	v4Terminator    = "aliyun_v4_request"
	v4KeyPrefix     = "aliyun_v4"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	isoBasic        = "20060102T150405Z"
)

// v4Verifier verifies OSS V4 signatures in the Authorization header or the
// query string.
type v4Verifier struct {
	lookup  func(accessKey string) (secret string, ok bool)
	maxSkew time.Duration
	now     func() time.Time
}

// v4Auth is what a V4 request claims: credential scope, signed additional
// headers, signature, and the timestamp line of the string to sign.
type v4Auth struct {
	accessKey, date, region, product string
	additional                       []string
	signature                        string
	timestamp                        string // the time as it appears in the string to sign
}

func (a *v4Auth) scope() string {
	return a.date + "/" + a.region + "/" + a.product + "/" + v4Terminator
}

// parseCredential splits "<ak>/<yyyymmdd>/<region>/<product>/aliyun_v4_request".
func parseCredential(a *v4Auth, cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || len(parts[1]) != 8 || parts[2] == "" || parts[4] != v4Terminator ||
		(parts[3] != "oss" && parts[3] != "oss-cloudbox") {
		return fmt.Errorf("credential %q is not <AccessKeyId>/<date>/<region>/oss/%s", truncate(cred), v4Terminator)
	}
	a.accessKey, a.date, a.region, a.product = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func splitAdditional(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ";") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// verifyHeader verifies "Authorization: OSS4-HMAC-SHA256 Credential=...,
// [AdditionalHeaders=...,] Signature=..." and returns the access key. The
// time is x-oss-date (the v2 SDK) or, when absent, the Date header (the
// legacy SDK signs the RFC 1123 value as its timestamp line).
func (v *v4Verifier) verifyHeader(r *http.Request, bucket, key string) (string, error) {
	malformed := func(err error) error {
		return &translate.Error{Code: translate.ErrAuthorizationHeaderMalformed, Message: "Authorization header is invalid: " + err.Error()}
	}
	rest := strings.TrimPrefix(r.Header.Get("Authorization"), v4Algorithm+" ")
	a := &v4Auth{}
	var haveCred bool
	for _, item := range strings.Split(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(item), "=")
		switch name {
		case "Credential":
			if err := parseCredential(a, value); err != nil {
				return "", malformed(err)
			}
			haveCred = true
		case "AdditionalHeaders":
			a.additional = splitAdditional(value)
		case "Signature":
			a.signature = value
		}
	}
	if !haveCred || a.signature == "" {
		return "", malformed(fmt.Errorf("Credential and Signature are required"))
	}
	var t time.Time
	var err error
	if a.timestamp = r.Header.Get("x-oss-date"); a.timestamp != "" {
		t, err = time.Parse(isoBasic, a.timestamp)
	} else if a.timestamp = r.Header.Get("Date"); a.timestamp != "" {
		t, err = http.ParseTime(a.timestamp)
	}
	if a.timestamp == "" || err != nil {
		return "", &translate.Error{Code: translate.ErrAccessDenied, Message: "V4 authentication requires a valid x-oss-date or Date header."}
	}
	now := v.now()
	if d := now.Sub(t); d > v.maxSkew || -d > v.maxSkew {
		return "", &translate.Error{Code: translate.ErrRequestTimeTooSkewed,
			Message: "The difference between the request time and the current time is too large.",
			Extra: map[string]string{"RequestTime": a.timestamp, "ServerTime": now.UTC().Format(time.RFC3339),
				"MaxAllowedSkewMilliseconds": strconv.FormatInt(v.maxSkew.Milliseconds(), 10)}}
	}
	return v.check(r, a, bucket, key, "")
}

// verifyQuery verifies a V4 presigned URL (x-oss-signature-version,
// x-oss-credential, x-oss-date, x-oss-expires, [x-oss-additional-headers],
// x-oss-signature) and returns the access key.
func (v *v4Verifier) verifyQuery(r *http.Request, bucket, key string) (string, error) {
	q := r.URL.Query()
	malformed := func(msg string) error {
		return &translate.Error{Code: translate.ErrAuthorizationQueryMalformed, Message: msg}
	}
	if q.Get("x-oss-signature-version") != v4Algorithm {
		return "", malformed("x-oss-signature-version must be " + v4Algorithm + ".")
	}
	a := &v4Auth{signature: q.Get("x-oss-signature"), timestamp: q.Get("x-oss-date"),
		additional: splitAdditional(q.Get("x-oss-additional-headers"))}
	if a.signature == "" {
		return "", malformed("x-oss-signature is required.")
	}
	if err := parseCredential(a, q.Get("x-oss-credential")); err != nil {
		return "", malformed(err.Error())
	}
	t, err := time.Parse(isoBasic, a.timestamp)
	if err != nil {
		return "", malformed("x-oss-date must be in the form 20060102T150405Z.")
	}
	exp, err := strconv.ParseInt(q.Get("x-oss-expires"), 10, 64)
	if err != nil || exp <= 0 || exp > 7*24*3600 {
		return "", malformed("x-oss-expires must be between 1 and 604800 seconds.")
	}
	now := v.now()
	if now.After(t.Add(time.Duration(exp) * time.Second)) {
		return "", &translate.Error{Code: translate.ErrExpiredPresignedRequest, Message: "Request has expired.",
			Extra: map[string]string{"Expires": t.Add(time.Duration(exp) * time.Second).UTC().Format(time.RFC3339),
				"ServerTime": now.UTC().Format(time.RFC3339)}}
	}
	if t.Sub(now) > v.maxSkew {
		return "", &translate.Error{Code: translate.ErrRequestTimeTooSkewed,
			Message: "The difference between the request time and the current time is too large."}
	}
	return v.check(r, a, bucket, key, "x-oss-signature")
}

// check computes the signature under each canonical-query reading and
// compares it with the one provided in constant time.
func (v *v4Verifier) check(r *http.Request, a *v4Auth, bucket, key, omitParam string) (string, error) {
	secret, ok := v.lookup(a.accessKey)
	if !ok {
		return "", translate.Errorf(translate.ErrInvalidAccessKeyID, "The OSS Access Key Id you provided does not exist in our records.")
	}
	want, err := hex.DecodeString(a.signature)
	if err != nil {
		want = nil
	}
	signingKey := v4SigningKey(secret, a.date, a.region, a.product)
	var firstCR, firstSTS string
	for _, query := range canonicalQueries(r.URL.RawQuery, omitParam) {
		cr := canonicalRequest(r, bucket, key, query, a.additional)
		sts := stringToSignV4(a, cr)
		if firstCR == "" {
			firstCR, firstSTS = cr, sts
		}
		if want != nil && hmac.Equal(hmacSHA256(signingKey, sts), want) {
			return a.accessKey, nil
		}
	}
	return "", &translate.Error{Code: translate.ErrSignatureDoesNotMatch,
		Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
		Extra: map[string]string{"CanonicalRequest": firstCR, "StringToSign": firstSTS,
			"SignatureProvided": a.signature, "OSSAccessKeyId": a.accessKey}}
}

func stringToSignV4(a *v4Auth, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return v4Algorithm + "\n" + a.timestamp + "\n" + a.scope() + "\n" + hex.EncodeToString(sum[:])
}

// v4SigningKey derives HMAC("aliyun_v4"+secret, date) → region → product →
// "aliyun_v4_request".
func v4SigningKey(secret, date, region, product string) []byte {
	k := hmacSHA256([]byte(v4KeyPrefix+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, product)
	return hmacSHA256(k, v4Terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest builds the V4 canonical request: the URI from bucket and
// key (not the path as sent), the given canonical query, the default-signed
// headers (x-oss-*, content-type, content-md5) plus the additional ones,
// the additional header names, and the payload hash.
func canonicalRequest(r *http.Request, bucket, key, query string, additional []string) string {
	uri := "/"
	if bucket != "" {
		uri += bucket + "/" + key
	}
	add := map[string]bool{}
	for _, h := range additional {
		add[h] = true
	}
	var names []string
	values := map[string][]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-") || lk == "content-type" || lk == "content-md5" || add[lk] {
			if _, seen := values[lk]; !seen {
				names = append(names, lk)
			}
			for _, v := range vs {
				values[lk] = append(values[lk], strings.TrimSpace(v))
			}
		}
	}
	if add["host"] && len(values["host"]) == 0 {
		names = append(names, "host")
		values["host"] = []string{r.Host}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(r.Method + "\n" + escapeRFC3986(uri, false) + "\n" + query + "\n")
	for _, n := range names {
		b.WriteString(n + ":" + strings.Join(values[n], ",") + "\n")
	}
	b.WriteString("\n" + strings.Join(additional, ";") + "\n")
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = unsignedPayload
	}
	b.WriteString(payload)
	return b.String()
}

// canonicalQueries returns the canonical query readings to try: the query
// as sent with '+' as %20 (what both SDKs sign), and the same parameters
// decoded and re-encoded the RFC 3986 way (for clients that leave safe
// characters unencoded). Parameters are sorted by encoded name; an empty
// value is written as the bare name. omit names a parameter to leave out.
func canonicalQueries(rawQuery, omit string) []string {
	type kv struct{ k, v string }
	var raw, norm []kv
	for item := range strings.SplitSeq(strings.ReplaceAll(rawQuery, "+", "%20"), "&") {
		if item == "" {
			continue
		}
		k, val, _ := strings.Cut(item, "=")
		dk, err1 := url.PathUnescape(k)
		dv, err2 := url.PathUnescape(val)
		if err1 != nil || err2 != nil {
			dk, dv = k, val
		}
		if dk == omit {
			continue
		}
		raw = append(raw, kv{k, val})
		norm = append(norm, kv{escapeRFC3986(dk, true), escapeRFC3986(dv, true)})
	}
	render := func(list []kv) string {
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].k != list[j].k {
				return list[i].k < list[j].k
			}
			return list[i].v < list[j].v
		})
		var b strings.Builder
		for i, p := range list {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(p.k)
			if p.v != "" {
				b.WriteString("=" + p.v)
			}
		}
		return b.String()
	}
	a, b := render(raw), render(norm)
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// escapeRFC3986 percent-encodes everything but A-Z a-z 0-9 - . _ ~ (and
// '/' unless encodeSep), with uppercase hex: the SDKs' escapePath.
func escapeRFC3986(s string, encodeSep bool) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~',
			c == '/' && !encodeSep:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexUpper[c>>4])
			b.WriteByte(hexUpper[c&15])
		}
	}
	return b.String()
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
