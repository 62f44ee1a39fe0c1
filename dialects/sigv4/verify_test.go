package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// sdkCase is a request shape signed by aws-sdk-go-v2.
type sdkCase struct {
	name          string
	method        string
	path, rawPath string // URL.Path and, for pre-encoded keys, URL.RawPath
	query         string
	headers       map[string]string
	body          string
	payload       string
}

func (c sdkCase) request(t *testing.T) *http.Request {
	req := newRequest(t, c.method, "/", c.body)
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = c.path, c.rawPath, c.query
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	return req
}

var sdkCases = []sdkCase{
	{name: "get object", method: "GET", path: "/bucket/key.txt", payload: EmptySHA256,
		headers: map[string]string{"X-Amz-Content-Sha256": EmptySHA256}},
	{name: "get without content-sha256 header", method: "GET", path: "/bucket/key.txt", payload: EmptySHA256},
	{name: "list with query", method: "GET", path: "/bucket", query: "list-type=2&prefix=a%20b%2Fc&delimiter=%2F&max-keys=10",
		payload: UnsignedPayload, headers: map[string]string{"X-Amz-Content-Sha256": UnsignedPayload}},
	{name: "repeated query key", method: "GET", path: "/bucket", query: "a=2&a=1&b", payload: EmptySHA256},
	{name: "put with body and metadata", method: "PUT", path: "/bucket/dir/obj.bin", body: "hello world",
		payload: "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
		headers: map[string]string{"X-Amz-Content-Sha256": "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
			"X-Amz-Meta-Color": "  dark   red  ", "Content-Type": "text/plain", "Content-Md5": "XrY7u+Ae7tCTyyK7j1rNww=="}},
	{name: "upload part", method: "PUT", path: "/bucket/big", query: "partNumber=3&uploadId=abc%2Bdef", body: "part",
		payload: UnsignedPayload, headers: map[string]string{"X-Amz-Content-Sha256": UnsignedPayload}},
	{name: "key with spaces and parens", method: "GET", path: "/bucket/my key (1).txt", payload: EmptySHA256},
	{name: "unicode key", method: "GET", path: "/bucket/日本語/ü.txt", payload: EmptySHA256},
	{name: "dot-dot key", method: "GET", path: "/bucket/a/../b", payload: EmptySHA256},
	{name: "encoded slash key", method: "GET", path: "/bucket/a/b", rawPath: "/bucket/a%2Fb", payload: EmptySHA256},
	{name: "plus tilde and equals", method: "DELETE", path: "/bucket/a+b~c=d", payload: EmptySHA256},
	{name: "streaming put", method: "PUT", path: "/bucket/chunked", body: "x",
		payload: StreamingUnsignedPayloadTrailer, headers: map[string]string{
			"X-Amz-Content-Sha256": StreamingUnsignedPayloadTrailer, "Content-Encoding": "aws-chunked",
			"X-Amz-Decoded-Content-Length": "1", "X-Amz-Trailer": "x-amz-checksum-crc32"}},
}

func TestVerifySDKSignedHeader(t *testing.T) {
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			req := c.request(t)
			at := testNow.Add(-3 * time.Minute)
			sdkSign(t, req, c.payload, at)
			auth, err := send(t, testVerifier(), req)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if auth.AccessKey != testAK || auth.Region != testRegion || auth.Service != "s3" || auth.Presigned {
				t.Errorf("auth = %+v", auth)
			}
			if !auth.Time.Equal(at.Truncate(time.Second)) {
				t.Errorf("Time = %v, want %v", auth.Time, at)
			}
			if auth.PayloadHash != c.payload {
				t.Errorf("PayloadHash = %q, want %q", auth.PayloadHash, c.payload)
			}
			if want := strings.HasPrefix(c.payload, "STREAMING-"); auth.Streaming() != want {
				t.Errorf("Streaming() = %v, want %v", auth.Streaming(), want)
			}
		})
	}
}

func TestVerifySDKPresigned(t *testing.T) {
	for _, c := range sdkCases {
		if c.headers["X-Amz-Content-Sha256"] != "" {
			continue // covered by the signed-payload case below
		}
		t.Run(c.name, func(t *testing.T) {
			req := sdkPresign(t, c.request(t), testCreds, UnsignedPayload, testNow.Add(-10*time.Minute), "3600")
			auth, err := send(t, testVerifier(), req)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !auth.Presigned || auth.PayloadHash != UnsignedPayload || auth.AccessKey != testAK {
				t.Errorf("auth = %+v", auth)
			}
		})
	}
	t.Run("signed payload header and session token", func(t *testing.T) {
		req := newRequest(t, "PUT", "/bucket/k", "")
		req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
		creds := testCreds
		creds.SessionToken = "token/+="
		req = sdkPresign(t, req, creds, EmptySHA256, testNow, "60")
		req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
		auth, err := send(t, testVerifier(), req)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if auth.PayloadHash != EmptySHA256 || auth.SecurityToken != "token/+=" {
			t.Errorf("auth = %+v", auth)
		}
	})
}

// TestVerifyTampered changes one signed element after signing; every
// change must be caught.
func TestVerifyTampered(t *testing.T) {
	base := func(t *testing.T) *http.Request {
		req := newRequest(t, "PUT", "/", "body")
		req.URL.Path, req.URL.RawQuery = "/bucket/a key", "partNumber=1&uploadId=u"
		req.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
		req.Header.Set("X-Amz-Meta-Color", "red")
		req.Header.Set("Content-Type", "text/plain")
		sdkSign(t, req, UnsignedPayload, testNow)
		return req
	}
	cases := []struct {
		name   string
		tamper func(*http.Request)
		v      func(*Verifier)
		want   translate.Code
	}{
		{name: "untouched", tamper: func(*http.Request) {}},
		{name: "signed header value", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "blue") },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "content-type", tamper: func(r *http.Request) { r.Header.Set("Content-Type", "text/html") },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "query value", tamper: func(r *http.Request) { r.URL.RawQuery = "partNumber=2&uploadId=u" },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "query added", tamper: func(r *http.Request) { r.URL.RawQuery += "&versionId=1" },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "path", tamper: func(r *http.Request) { r.URL.Path = "/bucket/a_key" },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "path encoding", tamper: func(r *http.Request) { r.URL.RawPath = "/bucket/a+key"; r.URL.Path = "/bucket/a+key" },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "method", tamper: func(r *http.Request) { r.Method = "POST" },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "host", tamper: func(r *http.Request) { r.Host = "evil.example.com" },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "signature", tamper: func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-1]+string("01"[(h[len(h)-1]-'0'+1)%2]))
		}, want: translate.ErrSignatureDoesNotMatch},
		{name: "payload hash", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", EmptySHA256) },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "secret", tamper: func(*http.Request) {},
			v:    func(v *Verifier) { v.Lookup = lookupWith(testAK, "another-secret") },
			want: translate.ErrSignatureDoesNotMatch},
		{name: "unknown key", tamper: func(*http.Request) {},
			v:    func(v *Verifier) { v.Lookup = lookupWith("OTHER", testSecret) },
			want: translate.ErrInvalidAccessKeyID},
		{name: "other service", tamper: func(*http.Request) {},
			v:    func(v *Verifier) { v.Service = "glacier" },
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "unsigned x-amz header added", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") },
			want: translate.ErrAccessDenied},
		{name: "authorization without spaces", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.ReplaceAll(r.Header.Get("Authorization"), ", ", ","))
		}},
		{name: "authorization reordered with extra spaces", tamper: func(r *http.Request) {
			a, _ := parseAuthorization(r.Header.Get("Authorization"))
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256   Signature="+a.signature+" ,SignedHeaders = "+a.signedRaw+
				",  Credential="+testAK+"/"+a.credential.date+"/us-east-1/s3/aws4_request")
		}},
		{name: "both header and query auth", tamper: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Algorithm=AWS4-HMAC-SHA256" },
			want: translate.ErrInvalidArgument},
		{name: "no auth", tamper: func(r *http.Request) { r.Header.Del("Authorization") },
			want: translate.ErrMissingSecurityHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := base(t)
			c.tamper(req)
			v := testVerifier()
			if c.v != nil {
				c.v(v)
			}
			_, err := send(t, v, req)
			wantCode(t, err, c.want)
			if c.want == translate.ErrSignatureDoesNotMatch {
				extra := translate.AsError(err).Extra
				for _, k := range []string{"StringToSign", "CanonicalRequest", "SignatureProvided", "AWSAccessKeyId"} {
					if extra[k] == "" {
						t.Errorf("Extra[%q] is empty", k)
					}
				}
			}
		})
	}
}

func TestVerifyHeaderErrors(t *testing.T) {
	amzDate := testNow.Format(timeFormat)
	good := refSigner{method: "GET", uri: "/b/k", payload: EmptySHA256, amzDate: amzDate, date: "20240501", secret: testSecret,
		headers: [][2]string{{"host", testHost}, {"x-amz-content-sha256", EmptySHA256}, {"x-amz-date", amzDate}}}
	cases := []struct {
		name    string
		authz   string
		headers map[string]string
		want    translate.Code
	}{
		{name: "reference signer agrees", authz: good.authorization()},
		{name: "not sigv4", authz: "AWS4-HMAC-SHA256", want: translate.ErrMissingSecurityHeader},
		{name: "missing signature", authz: "AWS4-HMAC-SHA256 Credential=" + testAK + "/20240501/us-east-1/s3/aws4_request, SignedHeaders=host",
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "repeated component", authz: good.authorization() + ", Signature=00", want: translate.ErrAuthorizationHeaderMalformed},
		{name: "unknown component", authz: good.authorization() + ", Foo=bar", want: translate.ErrAuthorizationHeaderMalformed},
		{name: "short credential", authz: "AWS4-HMAC-SHA256 Credential=" + testAK + "/20240501/us-east-1/s3, SignedHeaders=host, Signature=00",
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "bad terminator", authz: strings.Replace(good.authorization(), "aws4_request", "aws5_request", 1),
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "bad credential date", authz: strings.Replace(good.authorization(), "/20240501/", "/2024-05-01/", 1),
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "credential date differs from x-amz-date", authz: strings.Replace(good.authorization(), "/20240501/", "/20240502/", 1),
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "host not signed", authz: strings.Replace(good.authorization(), "SignedHeaders=host;", "SignedHeaders=", 1),
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "uppercase signed header", authz: strings.Replace(good.authorization(), "SignedHeaders=host", "SignedHeaders=Host", 1),
			want: translate.ErrAuthorizationHeaderMalformed},
		{name: "bad x-amz-date", authz: good.authorization(), headers: map[string]string{"X-Amz-Date": "Wed, 01 May 2024 12:00:00 GMT"},
			want: translate.ErrAccessDenied},
		{name: "no date at all", authz: good.authorization(), headers: map[string]string{"X-Amz-Date": ""},
			want: translate.ErrAccessDenied},
		{name: "invalid payload hash", authz: good.authorization(), headers: map[string]string{"X-Amz-Content-Sha256": "abc"},
			want: translate.ErrInvalidArgument},
		{name: "uppercase payload hash", authz: good.authorization(), headers: map[string]string{"X-Amz-Content-Sha256": strings.ToUpper(EmptySHA256)},
			want: translate.ErrInvalidArgument},
		{name: "sigv4a payload", authz: good.authorization(), headers: map[string]string{"X-Amz-Content-Sha256": "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"},
			want: translate.ErrInvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := newRequest(t, "GET", "/b/k", "")
			req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
			req.Header.Set("X-Amz-Date", amzDate)
			for k, v := range c.headers {
				req.Header.Set(k, v)
				if v == "" {
					req.Header.Del(k)
				}
			}
			req.Header.Set("Authorization", c.authz)
			_, err := send(t, testVerifier(), req)
			wantCode(t, err, c.want)
		})
	}
}

// TestReferenceSignerMatchesSDK guards the reference signer that the
// Date-only and raw-query tests rely on.
func TestReferenceSignerMatchesSDK(t *testing.T) {
	req := newRequest(t, "GET", "/b/a%20b?x=1&uploads=", "")
	req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
	sdkSign(t, req, EmptySHA256, testNow)
	amzDate := testNow.Format(timeFormat)
	ref := refSigner{method: "GET", uri: "/b/a%20b", query: "uploads=&x=1", payload: EmptySHA256, amzDate: amzDate,
		date: "20240501", secret: testSecret,
		headers: [][2]string{{"host", testHost}, {"x-amz-content-sha256", EmptySHA256}, {"x-amz-date", amzDate}}}
	if got, want := req.Header.Get("Authorization"), ref.authorization(); got != want {
		t.Fatalf("SDK:\n%s\nreference:\n%s", got, want)
	}
}

// TestVerifyRawForms covers requests no SDK signer here produces: the
// OBS SDK's Date-only V4 mode, queries written without '=' or with '+', and
// the normalised-query fallback.
func TestVerifyRawForms(t *testing.T) {
	rfc1123 := func(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
	cases := []struct {
		name   string
		target string // path and query as sent
		uri    string // canonical URI the client signed
		query  string // canonical query the client signed
		date   time.Time
		xdate  bool // send x-amz-date instead of Date
		want   translate.Code
	}{
		{name: "date header only", target: "/b/k", uri: "/b/k", date: testNow.Add(-time.Minute)},
		{name: "date header skewed", target: "/b/k", uri: "/b/k", date: testNow.Add(-16 * time.Minute), want: translate.ErrRequestTimeTooSkewed},
		{name: "date header future", target: "/b/k", uri: "/b/k", date: testNow.Add(16 * time.Minute), want: translate.ErrRequestTimeTooSkewed},
		{name: "key without equals", target: "/b/k?uploads", uri: "/b/k", query: "uploads=", date: testNow},
		{name: "OBS signs plus as sent", target: "/b?prefix=a+b&marker=", uri: "/b", query: "marker=&prefix=a+b", date: testNow},
		{name: "plus signed as %20", target: "/b?prefix=a+b", uri: "/b", query: "prefix=a%20b", date: testNow},
		{name: "lowercase escapes signed canonically", target: "/b?prefix=%2f", uri: "/b", query: "prefix=%2F", date: testNow},
		{name: "unsorted query sorted", target: "/b?b=2&a=1&a=0", uri: "/b", query: "a=0&a=1&b=2", date: testNow},
		{name: "query signed unsorted", target: "/b?b=2&a=1", uri: "/b", query: "b=2&a=1", date: testNow,
			want: translate.ErrSignatureDoesNotMatch},
		{name: "path as sent, not normalised", target: "/b/./x//y/../k", uri: "/b/./x//y/../k", date: testNow},
		{name: "normalised path refused", target: "/b/./x//y/../k", uri: "/b/x/k", date: testNow,
			want: translate.ErrSignatureDoesNotMatch},
		{name: "x-amz-date skewed", target: "/b/k", uri: "/b/k", date: testNow.Add(20 * time.Minute), xdate: true,
			want: translate.ErrRequestTimeTooSkewed},
		{name: "x-amz-date within skew", target: "/b/k", uri: "/b/k", date: testNow.Add(14 * time.Minute), xdate: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := newRequest(t, "GET", c.target, "")
			amzDate := c.date.UTC().Format(timeFormat)
			ref := refSigner{method: "GET", uri: c.uri, query: c.query, payload: UnsignedPayload, amzDate: amzDate,
				date: amzDate[:8], secret: testSecret}
			if c.xdate {
				req.Header.Set("X-Amz-Date", amzDate)
				ref.headers = [][2]string{{"host", testHost}, {"x-amz-content-sha256", UnsignedPayload}, {"x-amz-date", amzDate}}
			} else {
				req.Header.Set("Date", rfc1123(c.date))
				ref.headers = [][2]string{{"date", rfc1123(c.date)}, {"host", testHost}, {"x-amz-content-sha256", UnsignedPayload}}
			}
			req.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
			req.Header.Set("Authorization", ref.authorization())
			auth, err := send(t, testVerifier(), req)
			wantCode(t, err, c.want)
			if err == nil && !auth.Time.Equal(c.date.Truncate(time.Second)) {
				t.Errorf("Time = %v, want %v", auth.Time, c.date)
			}
			if codeOf(err) == translate.ErrRequestTimeTooSkewed {
				extra := translate.AsError(err).Extra
				if extra["RequestTime"] != amzDate || extra["MaxAllowedSkewMilliseconds"] != "900000" || extra["ServerTime"] == "" {
					t.Errorf("Extra = %v", extra)
				}
			}
		})
	}
}

func TestVerifySkew(t *testing.T) {
	for _, c := range []struct {
		offset  time.Duration
		maxSkew time.Duration
		want    translate.Code
	}{
		{offset: -14 * time.Minute},
		{offset: 14 * time.Minute},
		{offset: -16 * time.Minute, want: translate.ErrRequestTimeTooSkewed},
		{offset: 16 * time.Minute, want: translate.ErrRequestTimeTooSkewed},
		{offset: -2 * time.Minute, maxSkew: time.Minute, want: translate.ErrRequestTimeTooSkewed},
		{offset: -50 * time.Second, maxSkew: time.Minute},
	} {
		t.Run(c.offset.String()+"/"+c.maxSkew.String(), func(t *testing.T) {
			req := newRequest(t, "GET", "/b/k", "")
			sdkSign(t, req, EmptySHA256, testNow.Add(c.offset))
			v := testVerifier()
			v.MaxSkew = c.maxSkew
			_, err := send(t, v, req)
			wantCode(t, err, c.want)
		})
	}
}

func TestVerifyPresignedErrors(t *testing.T) {
	presign := func(t *testing.T, at time.Time, expires string) *http.Request {
		return sdkPresign(t, newRequest(t, "GET", "/b/k?versionId=3", ""), testCreds, UnsignedPayload, at, expires)
	}
	setParam := func(name, value string) func(*http.Request) {
		return func(r *http.Request) {
			q, _ := url.ParseQuery(r.URL.RawQuery)
			if value == "" {
				q.Del(name)
			} else {
				q.Set(name, value)
			}
			r.URL.RawQuery = q.Encode()
		}
	}
	cases := []struct {
		name    string
		at      time.Duration // signing time relative to now
		expires string
		tamper  func(*http.Request)
		want    translate.Code
	}{
		{name: "valid", at: -time.Hour, expires: "3601"},
		{name: "max expiry", at: -6 * 24 * time.Hour, expires: "604800"},
		{name: "expired", at: -2 * time.Minute, expires: "60", want: translate.ErrExpiredPresignedRequest},
		{name: "zero expiry", at: -time.Second, expires: "0", want: translate.ErrExpiredPresignedRequest},
		{name: "future within skew", at: 10 * time.Minute, expires: "60"},
		{name: "future beyond skew", at: 20 * time.Minute, expires: "3600", want: translate.ErrRequestTimeTooSkewed},
		{name: "expires too large", expires: "604801", want: translate.ErrAuthorizationQueryMalformed},
		{name: "expires negative", expires: "-1", want: translate.ErrAuthorizationQueryMalformed},
		{name: "expires not numeric", expires: "1e3", want: translate.ErrAuthorizationQueryMalformed},
		{name: "expires missing", expires: "60", tamper: setParam("X-Amz-Expires", ""), want: translate.ErrAuthorizationQueryMalformed},
		{name: "credential missing", expires: "60", tamper: setParam("X-Amz-Credential", ""), want: translate.ErrAuthorizationQueryMalformed},
		{name: "date malformed", expires: "60", tamper: setParam("X-Amz-Date", "2024-05-01T12:00:00Z"), want: translate.ErrAuthorizationQueryMalformed},
		{name: "signed headers without host", expires: "60", tamper: setParam("X-Amz-SignedHeaders", "x-amz-date"), want: translate.ErrAuthorizationQueryMalformed},
		{name: "signature repeated", expires: "60", tamper: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Signature=00" },
			want: translate.ErrAuthorizationQueryMalformed},
		{name: "expires changed", expires: "60", tamper: setParam("X-Amz-Expires", "61"), want: translate.ErrSignatureDoesNotMatch},
		{name: "query changed", expires: "60", tamper: setParam("versionId", "4"), want: translate.ErrSignatureDoesNotMatch},
		{name: "query added", expires: "60", tamper: setParam("acl", "x"), want: translate.ErrSignatureDoesNotMatch},
		{name: "path changed", expires: "60", tamper: func(r *http.Request) { r.URL.Path = "/b/other" }, want: translate.ErrSignatureDoesNotMatch},
		{name: "unsigned x-amz header", expires: "60", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") },
			want: translate.ErrAccessDenied},
		{name: "unknown access key", expires: "60", tamper: setParam("X-Amz-Credential", "NOPE/20240501/us-east-1/s3/aws4_request"),
			want: translate.ErrInvalidAccessKeyID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := presign(t, testNow.Add(c.at), c.expires)
			if c.tamper != nil {
				c.tamper(req)
			}
			_, err := send(t, testVerifier(), req)
			wantCode(t, err, c.want)
		})
	}
}

func TestIsAuth(t *testing.T) {
	for _, c := range []struct {
		authz, query   string
		header, query2 bool
	}{
		{authz: "AWS4-HMAC-SHA256 Credential=x", header: true},
		{authz: "AWS4-HMAC-SHA256"},
		{authz: "AWS AKID:sig"},
		{query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x", query2: true},
		{query: "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"},
		{query: "x-amz-algorithm=AWS4-HMAC-SHA256"},
	} {
		req := newRequest(t, "GET", "/b?"+c.query, "")
		if c.authz != "" {
			req.Header.Set("Authorization", c.authz)
		}
		if IsHeaderAuth(req) != c.header || IsQueryAuth(req) != c.query2 {
			t.Errorf("%q %q: IsHeaderAuth=%v IsQueryAuth=%v", c.authz, c.query, IsHeaderAuth(req), IsQueryAuth(req))
		}
	}
}

func TestVerifierMisconfigured(t *testing.T) {
	req := newRequest(t, "GET", "/b/k", "")
	sdkSign(t, req, EmptySHA256, testNow)
	for _, v := range []*Verifier{nil, {Service: "s3"}, {Lookup: lookupWith(testAK, testSecret)}} {
		_, err := v.Verify(req)
		wantCode(t, err, translate.ErrInternal)
	}
}

func TestRequestTarget(t *testing.T) {
	for _, c := range []struct {
		name        string
		build       func() *http.Request
		path, query string
	}{
		{name: "server origin form kept byte for byte", build: func() *http.Request {
			r := newRequest(t, "GET", "/", "")
			r.RequestURI = "/b/fran%c3%a7ais/./a+b?x=%2f&y"
			return r
		}, path: "/b/fran%c3%a7ais/./a+b", query: "x=%2f&y"},
		{name: "server absolute form", build: func() *http.Request {
			r := newRequest(t, "GET", "/", "")
			r.RequestURI = "http://h.example:8080/b/k?x=1"
			return r
		}, path: "/b/k", query: "x=1"},
		{name: "absolute form without path", build: func() *http.Request {
			r := newRequest(t, "GET", "/", "")
			r.RequestURI = "http://h.example?x=1"
			return r
		}, path: "/", query: "x=1"},
		{name: "rewritten URL ignored", build: func() *http.Request {
			r := newRequest(t, "GET", "/", "")
			r.RequestURI = "/k"
			r.URL.Path = "/bucket/k"
			return r
		}, path: "/k"},
		{name: "in-process request", build: func() *http.Request {
			r := newRequest(t, "GET", "/", "")
			r.URL.Path, r.URL.RawPath, r.URL.RawQuery = "/b/a/b", "/b/a%2Fb", "q"
			return r
		}, path: "/b/a%2Fb", query: "q"},
		{name: "in-process opaque", build: func() *http.Request {
			r := newRequest(t, "GET", "/", "")
			r.URL.Opaque = "//" + testHost + "/b/%7Ek"
			return r
		}, path: "/b/%7Ek"},
		{name: "empty path", build: func() *http.Request {
			r := newRequest(t, "GET", "/", "")
			r.URL.Path = ""
			return r
		}, path: "/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, query := RequestTarget(c.build())
			if path != c.path || query != c.query {
				t.Errorf("RequestTarget = %q, %q; want %q, %q", path, query, c.path, c.query)
			}
		})
	}
}
