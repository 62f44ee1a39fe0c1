package hmacsig

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects/sigv4"
	"github.com/babelgate/babelgate/translate"
)

// DefaultMaxSkew is the clock skew allowed when VerifyHeader's maxSkew is 0.
const DefaultMaxSkew = 15 * time.Minute

// VerifyHeader authenticates a request signed in the Authorization header
// ("<Name> <AccessKey>:<base64 signature>") and returns its access key.
//
// bucket and virtualHosted describe how the request addressed its bucket:
// for a virtual-hosted request "/"+bucket is prepended to the path as sent
// to form the canonical resource. The request time is the scheme's
// DateHeader when present, else Date (RFC 1123, RFC 1123 with numeric
// zone, RFC 850 or ANSI C); maxSkew <= 0 means DefaultMaxSkew.
//
// Errors are *translate.Error: ErrAuthorizationHeaderMalformed,
// ErrAccessDenied (no usable date), ErrRequestTimeTooSkewed (Extra
// "RequestTime", "ServerTime", "MaxAllowedSkewMilliseconds"),
// ErrInvalidAccessKeyID, ErrSignatureDoesNotMatch (Extra "StringToSign",
// "StringToSignBytes", "SignatureProvided", "AWSAccessKeyId").
func (s *Scheme) VerifyHeader(r *http.Request, bucket string, virtualHosted bool,
	lookup func(string) (string, bool), now time.Time, maxSkew time.Duration) (accessKey string, err error) {
	ak, sig, err := s.parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return "", translate.Errorf(translate.ErrAuthorizationHeaderMalformed, "The authorization header is malformed; %v", err)
	}
	dateValue := r.Header.Get(s.DateHeader)
	if dateValue == "" {
		dateValue = r.Header.Get("Date")
	}
	t, ok := parseHTTPTime(dateValue)
	if !ok {
		msg := fmt.Sprintf("%s authentication requires a valid Date or %s header", s.Name, s.DateHeader)
		if s.DateHeader == "" {
			msg = fmt.Sprintf("%s authentication requires a valid Date header", s.Name)
		}
		return "", &translate.Error{Code: translate.ErrAccessDenied, Message: msg}
	}
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	if d := now.Sub(t); d > maxSkew || -d > maxSkew {
		return "", &translate.Error{Code: translate.ErrRequestTimeTooSkewed,
			Message: "The difference between the request time and the current time is too large.",
			Extra: map[string]string{
				"RequestTime":                dateValue,
				"ServerTime":                 now.UTC().Format(time.RFC3339),
				"MaxAllowedSkewMilliseconds": strconv.FormatInt(maxSkew.Milliseconds(), 10),
			}}
	}
	secret, ok := lookup(ak)
	if !ok {
		return "", unknownKey()
	}
	path, rawQuery := sigv4.RequestTarget(r)
	path, virtualHosted = s.resourcePath(bucket, path, virtualHosted)
	date := r.Header.Get("Date")
	var first string
	for i, p := range subResourcePaths(len(s.SubResources), bucket, path, virtualHosted) {
		resource := canonicalResource(&s.SubResources[i%len(s.SubResources)], bucket, p, virtualHosted, rawQuery)
		candidates := []string{s.stringToSign(r, nil, "", resource, date)}
		if amz := r.Header.Get(s.DateHeader); amz != "" {
			// The four Date-line readings of the package comment.
			candidates = []string{
				s.stringToSign(r, nil, "", resource, ""),
				s.stringToSign(r, nil, "", resource, date),
				s.stringToSign(r, nil, s.DateHeader, resource, amz),
				s.stringToSign(r, nil, "", resource, amz),
			}
		}
		if first == "" {
			first = candidates[0]
		}
		if matchesAny(secret, sig, candidates) {
			return ak, nil
		}
	}
	return "", s.mismatch(first, sig, ak)
}

// VerifyQuery authenticates a presigned request (QueryAccessKey, Expires
// and Signature in the query) and returns its access key. The Date line is
// the Expires value. Query parameters named with HeaderPrefix that are not
// sub-resources, and content-type/content-md5 when the header is absent,
// stand for headers, as botocore signs them before moving them into the
// URL.
//
// Errors are *translate.Error: ErrAuthorizationQueryMalformed (missing,
// repeated or non-numeric parameters), ErrExpiredPresignedRequest (S3
// words it AccessDenied "Request has expired"; Extra "Expires",
// "ServerTime"), ErrInvalidAccessKeyID, ErrSignatureDoesNotMatch.
func (s *Scheme) VerifyQuery(r *http.Request, bucket string, virtualHosted bool,
	lookup func(string) (string, bool), now time.Time) (accessKey string, err error) {
	path, rawQuery := sigv4.RequestTarget(r)
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", translate.Errorf(translate.ErrAuthorizationQueryMalformed, "The query is malformed; %v", err)
	}
	one := func(name string) (string, bool) {
		vs := q[name]
		return strings.Join(vs, ""), len(vs) == 1 && vs[0] != ""
	}
	ak, ok1 := one(s.QueryAccessKey)
	expires, ok2 := one("Expires")
	sig, ok3 := one("Signature")
	if !ok1 || !ok2 || !ok3 {
		return "", translate.Errorf(translate.ErrAuthorizationQueryMalformed,
			"Query-string authentication requires exactly one each of the Signature, Expires and %s parameters", s.QueryAccessKey)
	}
	// A '+' left unencoded in the URL arrives as a space.
	sig = strings.ReplaceAll(sig, " ", "+")
	exp, err := parseExpires(expires)
	if err != nil {
		return "", translate.Errorf(translate.ErrAuthorizationQueryMalformed, "The presigned query is malformed; %v", err)
	}
	if now.Unix() > exp {
		return "", &translate.Error{Code: translate.ErrExpiredPresignedRequest, Message: "Request has expired",
			Extra: map[string]string{
				"Expires":    time.Unix(exp, 0).UTC().Format(time.RFC3339),
				"ServerTime": now.UTC().Format(time.RFC3339),
			}}
	}
	secret, ok := lookup(ak)
	if !ok {
		return "", unknownKey()
	}
	path, virtualHosted = s.resourcePath(bucket, path, virtualHosted)
	var first string
	for i, p := range subResourcePaths(len(s.SubResources), bucket, path, virtualHosted) {
		sub := &s.SubResources[i%len(s.SubResources)]
		resource := canonicalResource(sub, bucket, p, virtualHosted, rawQuery)
		sts := s.stringToSign(r, s.queryHeaders(q, sub), "", resource, expires)
		if first == "" {
			first = sts
		}
		if matchesAny(secret, sig, []string{sts}) {
			return ak, nil
		}
	}
	return "", s.mismatch(first, sig, ak)
}

// queryHeaders returns the query parameters that stand for headers under
// one sub-resource rule.
func (s *Scheme) queryHeaders(q url.Values, sub *SubResources) [][2]string {
	var out [][2]string
	for name, vs := range q {
		lower := strings.ToLower(name)
		standard := lower == "content-type" || lower == "content-md5"
		if !standard && (!strings.HasPrefix(lower, s.HeaderPrefix) || sub.Signs(name)) {
			continue
		}
		for _, v := range vs {
			out = append(out, [2]string{lower, v})
		}
	}
	return out
}

// parseAuthorization splits "<Name> <AccessKey>:<Signature>".
func (s *Scheme) parseAuthorization(h string) (ak, sig string, err error) {
	rest, ok := strings.CutPrefix(h, s.Name+" ")
	if !ok {
		return "", "", fmt.Errorf("the authorization header does not start with %q", s.Name+" ")
	}
	ak, sig, ok = strings.Cut(strings.TrimSpace(rest), ":")
	if !ok || ak == "" || sig == "" {
		return "", "", errors.New("the authorization header is not <AccessKeyId>:<Signature>")
	}
	return ak, sig, nil
}

// matchesAny reports whether the base64 signature provided is the HMAC of
// any candidate string, each compared in constant time.
func matchesAny(secret, provided string, candidates []string) bool {
	want, err := base64.StdEncoding.DecodeString(provided)
	if err != nil {
		return false
	}
	for i, c := range candidates {
		if i > 0 && c == candidates[i-1] {
			continue
		}
		if hmac.Equal(mac(secret, c), want) {
			return true
		}
	}
	return false
}

func (s *Scheme) mismatch(stringToSign, provided, ak string) error {
	akName := s.AccessKeyElement
	if akName == "" {
		akName = "AWSAccessKeyId"
	}
	return &translate.Error{Code: translate.ErrSignatureDoesNotMatch,
		Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
		Extra: map[string]string{
			"StringToSign":      stringToSign,
			"StringToSignBytes": spacedHex(stringToSign),
			"SignatureProvided": provided,
			akName:              ak,
		}}
}

func unknownKey() error {
	return translate.Errorf(translate.ErrInvalidAccessKeyID, "The Access Key Id you provided does not exist in our records.")
}

// spacedHex renders bytes as "47 45 54 0a ...", S3's StringToSignBytes.
func spacedHex(s string) string {
	if s == "" {
		return ""
	}
	h := hex.EncodeToString([]byte(s))
	var b strings.Builder
	b.Grow(len(h) * 3 / 2)
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// parseExpires parses an Expires epoch: decimal seconds, no sign.
func parseExpires(s string) (int64, error) {
	if strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("Expires %q is not a decimal epoch", truncate(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("Expires %q is out of range", truncate(s))
	}
	return n, nil
}

// httpTimeLayouts are the date forms clients put in Date or x-amz-date.
var httpTimeLayouts = []string{http.TimeFormat, time.RFC1123, time.RFC1123Z, time.RFC850, time.ANSIC, "20060102T150405Z"}

func parseHTTPTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range httpTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// subResourcePaths returns the request paths to try, one per sub-resource
// rule (n of them) for each: the path as sent and, for a path-style request
// addressed to just a bucket, the bucket with a trailing slash, which
// botocore signs ("/bucket/") while it sends "/bucket".
func subResourcePaths(n int, bucket, path string, virtualHosted bool) []string {
	paths := []string{path}
	if !virtualHosted && bucket != "" && path == "/"+bucket {
		paths = append(paths, path+"/")
	}
	out := make([]string, 0, n*len(paths))
	for _, p := range paths {
		for i := 0; i < n; i++ {
			out = append(out, p)
		}
	}
	return out
}
