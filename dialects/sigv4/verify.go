package sigv4

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Wire constants.
const (
	// Algorithm is the SigV4 algorithm name in the Authorization header and
	// in X-Amz-Algorithm.
	Algorithm = "AWS4-HMAC-SHA256"

	// UnsignedPayload is the x-amz-content-sha256 value for a body that is
	// not signed, and the payload hash of presigned requests.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingPayload is an aws-chunked body with signed chunks.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingPayloadTrailer is an aws-chunked body with signed chunks and
	// a signed trailer.
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedPayloadTrailer is an aws-chunked body with plain
	// chunks and an unsigned trailer.
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

	// EmptySHA256 is the hex SHA-256 of an empty payload.
	EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	// DefaultMaxSkew is the clock skew allowed when Verifier.MaxSkew is 0.
	DefaultMaxSkew = 15 * time.Minute
	// MaxPresignExpires is the largest X-Amz-Expires accepted, in seconds
	// (7 days).
	MaxPresignExpires = 604800

	terminator = "aws4_request"
	timeFormat = "20060102T150405Z"
	dateFormat = "20060102"

	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
	paramToken         = "X-Amz-Security-Token"
)

// Verifier checks SigV4 signatures. Its zero value is not usable: Lookup and
// Service are required. A Verifier is safe for concurrent use if Lookup is.
type Verifier struct {
	// Lookup returns the secret for an access key, or ok=false when the key
	// is unknown.
	Lookup func(accessKey string) (secret string, ok bool)
	// Service is the credential-scope service a request must name: "s3",
	// or "glacier" for the Glacier dialect.
	Service string
	// MaxSkew bounds |now - request time| for header-signed requests and
	// how far in the future a presigned X-Amz-Date may lie. 0 means
	// DefaultMaxSkew.
	MaxSkew time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// PayloadHash, when set, returns the payload hash a header-signed
	// request without x-amz-content-sha256 signed. Nil means S3's rule:
	// the hash of an empty body. Services other than S3 (Glacier's JSON
	// requests) sign the body's real hash without sending it; the function
	// may read the body and must leave it readable again.
	PayloadHash func(r *http.Request) (string, error)
	// Regions, when set, returns the regions the credential scope of r may
	// name; nil or empty allows any. A scope naming another region is
	// refused as S3 does, naming the first region as the expected one:
	// AuthorizationHeaderMalformed "The authorization header is malformed;
	// the region 'X' is wrong; expecting 'Y'" (a presigned URL:
	// AuthorizationQueryParametersError "Error parsing the X-Amz-Credential
	// parameter; the region ...") with a <Region> element.
	Regions func(r *http.Request) []string
}

// Auth is a verified request's authentication.
type Auth struct {
	AccessKey string
	Region    string // the credential scope's region, unchecked: the caller may compare it
	Service   string
	Time      time.Time // the signing time (UTC)
	Presigned bool

	// PayloadHash is the payload hash the signature covers, exactly as the
	// client sent it:
	//   - 64 lowercase hex digits: the caller must check the body's SHA-256
	//     against it (ErrContentSHA256Mismatch). When a header-signed
	//     request has no x-amz-content-sha256 header the signature covers
	//     the hash of an empty body and PayloadHash is EmptySHA256.
	//   - UnsignedPayload: nothing to check (the default for presigned
	//     requests unless the client signed an x-amz-content-sha256 header).
	//   - one of the STREAMING-* values: [Auth.Streaming] reports true and
	//     the body must be read through [Auth.NewChunkedReader].
	PayloadHash string
	// Signature is the request (seed) signature as sent, in hex.
	Signature string
	// SecurityToken is X-Amz-Security-Token (header or query), if any.
	// This package does not validate session tokens; a caller that has no
	// use for them should reject requests that carry one.
	SecurityToken string

	signingKey []byte
	scope      string
	amzDate    string
}

// IsHeaderAuth reports whether r carries a SigV4 Authorization header.
func IsHeaderAuth(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), Algorithm+" ")
}

// IsQueryAuth reports whether r is a SigV4 presigned request
// (X-Amz-Algorithm=AWS4-HMAC-SHA256 in the query).
func IsQueryAuth(r *http.Request) bool {
	_, rawQuery := RequestTarget(r)
	if !strings.Contains(rawQuery, paramAlgorithm) {
		return false
	}
	q, _ := url.ParseQuery(rawQuery)
	return q.Get(paramAlgorithm) == Algorithm
}

// Verify authenticates r by its Authorization header or, for presigned
// requests, its query. It neither reads r.Body nor modifies r. Errors are
// *translate.Error:
//
//   - ErrMissingSecurityHeader: neither form present;
//   - ErrInvalidArgument: both forms present, or an x-amz-content-sha256
//     value that is neither 64 lowercase hex digits nor a supported
//     literal;
//   - ErrAuthorizationHeaderMalformed / ErrAuthorizationQueryMalformed:
//     unparsable authorization, bad credential scope, wrong service, a
//     credential date that differs from the request date, X-Amz-Expires
//     missing, non-numeric, negative or over MaxPresignExpires;
//   - ErrAccessDenied: no usable request time, or x-amz-* headers that are
//     not signed (Extra "HeadersNotSigned");
//   - ErrRequestTimeTooSkewed: header form outside MaxSkew, or presigned
//     X-Amz-Date further than MaxSkew in the future;
//   - ErrExpiredPresignedRequest: presigned request past its expiry;
//   - ErrInvalidAccessKeyID: Lookup does not know the key;
//   - ErrSignatureDoesNotMatch: wrong signature, with Extra
//     "StringToSign", "CanonicalRequest", "SignatureProvided",
//     "AWSAccessKeyId".
func (v *Verifier) Verify(r *http.Request) (*Auth, error) {
	if v == nil || v.Lookup == nil || v.Service == "" {
		return nil, translate.Errorf(translate.ErrInternal, "sigv4: verifier needs Lookup and Service")
	}
	header, query := IsHeaderAuth(r), IsQueryAuth(r)
	switch {
	case header && query:
		return nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "Authorization",
			Message: "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified"}
	case header:
		return v.verifyHeader(r)
	case query:
		return v.verifyQuery(r)
	}
	return nil, translate.Errorf(translate.ErrMissingSecurityHeader, "The request carries no %s signature.", Algorithm)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// verifyHeader checks the Authorization-header form.
func (v *Verifier) verifyHeader(r *http.Request) (*Auth, error) {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, malformedAuth(translate.ErrAuthorizationHeaderMalformed, err)
	}
	if err := v.checkScope(r, a.credential, translate.ErrAuthorizationHeaderMalformed); err != nil {
		return nil, err
	}
	t, amzDate, err := requestTime(r)
	if err != nil {
		return nil, &translate.Error{Code: translate.ErrAccessDenied, Err: err,
			Message: "AWS authentication requires a valid Date or x-amz-date header"}
	}
	if err := checkScopeDate(a.credential, t, translate.ErrAuthorizationHeaderMalformed); err != nil {
		return nil, err
	}
	now := v.now()
	if skew := now.Sub(t); skew > v.maxSkew() || -skew > v.maxSkew() {
		return nil, v.skewError(amzDate, now)
	}
	if err := checkUnsignedHeaders(r, a.signedHeaders); err != nil {
		return nil, err
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = EmptySHA256
		if v.PayloadHash != nil {
			if payload, err = v.PayloadHash(r); err != nil {
				return nil, err
			}
		}
	}
	if err := checkPayloadHash(payload); err != nil {
		return nil, err
	}
	auth := &Auth{Time: t, PayloadHash: payload, SecurityToken: r.Header.Get(paramToken)}
	return v.finish(r, a, amzDate, auth, false)
}

// verifyQuery checks the presigned form.
func (v *Verifier) verifyQuery(r *http.Request) (*Auth, error) {
	malformed := func(format string, args ...any) error {
		return malformedAuth(translate.ErrAuthorizationQueryMalformed, fmt.Errorf(format, args...))
	}
	_, rawQuery := RequestTarget(r)
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, malformedAuth(translate.ErrAuthorizationQueryMalformed, err)
	}
	one := func(name string) (string, bool) {
		vs := q[name]
		return strings.Join(vs, ""), len(vs) == 1 && vs[0] != ""
	}
	cred, ok1 := one(paramCredential)
	date, ok2 := one(paramDate)
	expires, ok3 := one(paramExpires)
	signed, ok4 := one(paramSignedHeaders)
	sig, ok5 := one(paramSignature)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return nil, malformed("query-string authentication version 4 requires exactly one each of the " +
			"X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Expires parameters")
	}
	a, err := buildAuthorization(cred, signed, sig)
	if err != nil {
		return nil, malformedAuth(translate.ErrAuthorizationQueryMalformed, err)
	}
	if err := v.checkScope(r, a.credential, translate.ErrAuthorizationQueryMalformed); err != nil {
		return nil, err
	}
	t, err := time.Parse(timeFormat, date)
	if err != nil {
		return nil, malformed("X-Amz-Date %q must be in the ISO 8601 basic format", truncate(date))
	}
	secs, err := parseExpires(expires)
	if err != nil {
		return nil, malformedAuth(translate.ErrAuthorizationQueryMalformed, err)
	}
	if err := checkScopeDate(a.credential, t, translate.ErrAuthorizationQueryMalformed); err != nil {
		return nil, err
	}
	now := v.now()
	if t.Sub(now) > v.maxSkew() {
		return nil, v.skewError(date, now)
	}
	if expiry := t.Add(time.Duration(secs) * time.Second); now.After(expiry) {
		return nil, &translate.Error{Code: translate.ErrExpiredPresignedRequest, Message: "Request has expired",
			Extra: map[string]string{
				"X-Amz-Expires": expires,
				"Expires":       expiry.UTC().Format(time.RFC3339),
				"ServerTime":    now.UTC().Format(time.RFC3339),
			}}
	}
	if err := checkUnsignedHeaders(r, a.signedHeaders); err != nil {
		return nil, err
	}
	payload := UnsignedPayload
	if slices.Contains(a.signedHeaders, "x-amz-content-sha256") {
		payload = r.Header.Get("X-Amz-Content-Sha256")
		if err := checkPayloadHash(payload); err != nil {
			return nil, err
		}
	}
	token := q.Get(paramToken)
	if token == "" {
		token = r.Header.Get(paramToken)
	}
	auth := &Auth{Time: t, PayloadHash: payload, Presigned: true, SecurityToken: token}
	return v.finish(r, a, date, auth, true)
}

// finish looks up the secret, computes the signature and fills in auth.
func (v *Verifier) finish(r *http.Request, a authorization, amzDate string, auth *Auth, presigned bool) (*Auth, error) {
	c := a.credential
	secret, ok := v.Lookup(c.accessKey)
	if !ok {
		return nil, translate.Errorf(translate.ErrInvalidAccessKeyID,
			"The AWS Access Key Id you provided does not exist in our records.")
	}
	key := deriveSigningKey(secret, c.date, c.region, c.service)
	scope := c.scope()

	path, rawQuery := RequestTarget(r)
	headers := canonicalHeaders(r, a.signedHeaders)
	query := canonicalQuery(rawQuery, presigned)
	creq := buildCanonicalRequest(r.Method, path, query, headers, a.signedRaw, auth.PayloadHash)
	sts := buildStringToSign(amzDate, scope, creq)
	matched := signatureMatches(key, sts, a.signature)
	if !matched {
		// A client may sign the canonical (RFC 3986) encoding of a query it
		// sent encoded otherwise (e.g. '+' for a space). Both forms decode
		// to the same parameters, so accepting either is safe.
		if nq, ok := normalizedQuery(rawQuery, presigned); ok && nq != query {
			alt := buildCanonicalRequest(r.Method, path, nq, headers, a.signedRaw, auth.PayloadHash)
			matched = signatureMatches(key, buildStringToSign(amzDate, scope, alt), a.signature)
		}
	}
	if !matched {
		return nil, &translate.Error{Code: translate.ErrSignatureDoesNotMatch,
			Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			Extra: map[string]string{
				"StringToSign":      sts,
				"CanonicalRequest":  creq,
				"SignatureProvided": a.signature,
				"AWSAccessKeyId":    c.accessKey,
			}}
	}
	auth.AccessKey, auth.Region, auth.Service = c.accessKey, c.region, c.service
	auth.Signature = a.signature
	auth.signingKey, auth.scope, auth.amzDate = key, scope, amzDate
	return auth, nil
}

// malformedAuth reports an unparsable Authorization header or presigned
// query; the parse error's text is meant for the client.
func malformedAuth(code translate.Code, err error) error {
	what := "The authorization header is malformed; "
	if code == translate.ErrAuthorizationQueryMalformed {
		what = "The presigned query is malformed; "
	}
	return &translate.Error{Code: code, Message: what + err.Error()}
}

// checkScope rejects a credential scoped to another service or to a region
// v.Regions does not allow for r.
func (v *Verifier) checkScope(r *http.Request, c credential, code translate.Code) error {
	if c.service != v.Service {
		return translate.Errorf(code, "Credential should be scoped to correct service: '%s'.", v.Service)
	}
	if v.Regions == nil {
		return nil
	}
	regions := v.Regions(r)
	if len(regions) == 0 || slices.Contains(regions, c.region) {
		return nil
	}
	what := "The authorization header is malformed; "
	if code == translate.ErrAuthorizationQueryMalformed {
		what = "Error parsing the X-Amz-Credential parameter; "
	}
	return &translate.Error{Code: code, Message: fmt.Sprintf("%sthe region '%s' is wrong; expecting '%s'", what, c.region, regions[0]),
		Extra: map[string]string{"Region": regions[0]}}
}

// checkScopeDate rejects a credential date other than the request's date.
func checkScopeDate(c credential, t time.Time, code translate.Code) error {
	if d := t.Format(dateFormat); c.date != d {
		return translate.Errorf(code, "Invalid credential date %q. This date is not the same as the request date %q.", c.date, d)
	}
	return nil
}

func (v *Verifier) skewError(requestTime string, now time.Time) error {
	return &translate.Error{Code: translate.ErrRequestTimeTooSkewed,
		Message: "The difference between the request time and the current time is too large.",
		Extra: map[string]string{
			"RequestTime":                requestTime,
			"ServerTime":                 now.UTC().Format(time.RFC3339),
			"MaxAllowedSkewMilliseconds": strconv.FormatInt(v.maxSkew().Milliseconds(), 10),
		}}
}

// parseExpires parses X-Amz-Expires: decimal seconds in [0, MaxPresignExpires].
func parseExpires(s string) (int64, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("X-Amz-Expires %q must be a non-negative integer", truncate(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxPresignExpires {
		return 0, fmt.Errorf("X-Amz-Expires must be less than a week (in seconds) that is %d", MaxPresignExpires)
	}
	return n, nil
}

// checkUnsignedHeaders rejects a request that carries x-amz-* headers its
// signature does not cover: S3 answers AccessDenied ("There were headers
// present in the request which were not signed"). Without this check a
// captured or presigned request could gain e.g. x-amz-acl or
// x-amz-copy-source.
func checkUnsignedHeaders(r *http.Request, signed []string) error {
	var missing []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") && !slices.Contains(signed, lk) {
			missing = append(missing, lk)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return &translate.Error{Code: translate.ErrAccessDenied,
		Message: "There were headers present in the request which were not signed",
		Extra:   map[string]string{"HeadersNotSigned": strings.Join(missing, ", ")}}
}

// checkPayloadHash accepts 64 lowercase hex digits and the literals this
// package handles. Uppercase hex is refused so that a caller's "is this a
// digest to check" test can never disagree with what was signed.
func checkPayloadHash(v string) error {
	switch v {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return nil
	}
	if isLowerHex64(v) {
		return nil
	}
	return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-amz-content-sha256", ArgValue: truncate(v),
		Message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a supported STREAMING-* value, or a lowercase hex SHA-256 digest",
		Err:     errors.New("unsupported payload hash")}
}

func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Streaming reports whether the payload is an aws-chunked body this package
// decodes (see [Auth.NewChunkedReader]).
func (a *Auth) Streaming() bool {
	switch a.PayloadHash {
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return true
	}
	return false
}
