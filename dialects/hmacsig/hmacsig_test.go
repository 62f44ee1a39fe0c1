package hmacsig

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// The AWS documentation's example credentials.
const (
	docAK     = "AKIAIOSFODNN7EXAMPLE"
	docSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func docLookup(ak string) (string, bool) {
	if ak == docAK {
		return docSecret, true
	}
	return "", false
}

// refSign is the test's own HMAC-SHA1 signer, independent of Sign.
func refSign(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// wire describes a request as it appears on the wire.
type wire struct {
	method, host, target string // target: path and query exactly as sent
	headers              [][2]string
}

// serve sends w to a real net/http server and runs check on the request
// the server sees.
func serve(t *testing.T, w wire, check func(r *http.Request)) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		check(r)
		_, _ = io.Copy(io.Discard, r.Body)
		rw.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	req, err := http.NewRequest(w.method, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	path, query, _ := strings.Cut(w.target, "?")
	req.URL.Opaque, req.URL.RawQuery = path, query // sent byte for byte
	req.Host = w.host
	for _, h := range w.headers {
		req.Header.Add(h[0], h[1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func parseDate(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC1123Z, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func wantCode(t *testing.T, err error, want translate.Code) {
	t.Helper()
	if got := translate.CodeOf(err); got != want {
		t.Fatalf("error = %v (code %v), want code %v", err, got, want)
	}
}

// TestDocumentedVectors replays the examples of AWS's SigV2 documentation
// ("Signing and authenticating REST requests"), signatures verbatim.
func TestDocumentedVectors(t *testing.T) {
	cases := []struct {
		name          string
		w             wire
		bucket        string
		virtualHosted bool
		date          string
		sig           string
	}{
		{name: "object GET", bucket: "johnsmith", virtualHosted: true, date: "Tue, 27 Mar 2007 19:36:42 +0000",
			sig: "bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
			w:   wire{method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/photos/puppy.jpg"}},
		{name: "object PUT", bucket: "johnsmith", virtualHosted: true, date: "Tue, 27 Mar 2007 21:15:45 +0000",
			sig: "MyyxeRY7whkBe+bq8fHCL/2kKUg=",
			w: wire{method: "PUT", host: "johnsmith.s3.amazonaws.com", target: "/photos/puppy.jpg",
				headers: [][2]string{{"Content-Type", "image/jpeg"}}}},
		{name: "list", bucket: "johnsmith", virtualHosted: true, date: "Tue, 27 Mar 2007 19:42:41 +0000",
			sig: "htDYFYduRNen8P9ZfE/s9SuKy0U=",
			w: wire{method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/?prefix=photos&max-keys=50&marker=puppy",
				headers: [][2]string{{"User-Agent", "Mozilla/5.0"}}}},
		{name: "fetch acl", bucket: "johnsmith", virtualHosted: true, date: "Tue, 27 Mar 2007 19:44:46 +0000",
			sig: "c2WLPFtWHVgbEmeEG93a4cG37dM=",
			w:   wire{method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/?acl"}},
		{name: "delete with x-amz-date (path style)", bucket: "johnsmith", date: "Tue, 27 Mar 2007 21:20:26 +0000",
			sig: "lx3byBScXR6KzyMaifNkardMwNk=",
			w: wire{method: "DELETE", host: "s3.amazonaws.com", target: "/johnsmith/photos/puppy.jpg",
				headers: [][2]string{{"X-Amz-Date", "Tue, 27 Mar 2007 21:20:26 +0000"}, {"User-Agent", "dotnet"}}}},
		{name: "upload with repeated metadata (CNAME bucket)", bucket: "static.johnsmith.net", virtualHosted: true,
			date: "Tue, 27 Mar 2007 21:06:08 +0000", sig: "ilyl83RwaSoYIEdixDQcA4OnAnc=",
			w: wire{method: "PUT", host: "static.johnsmith.net:8080", target: "/db-backup.dat.gz", headers: [][2]string{
				{"x-amz-acl", "public-read"}, {"content-type", "application/x-download"},
				{"Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="}, {"X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"},
				{"X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"}, {"X-Amz-Meta-FileChecksum", "0x02661779"},
				{"X-Amz-Meta-ChecksumAlgorithm", "crc32"}, {"Content-Disposition", "attachment; filename=database.dat"},
				{"Content-Encoding", "gzip"}}}},
		{name: "list all buckets", date: "Wed, 28 Mar 2007 01:29:59 +0000", sig: "qGdzdERIC03wnaRNKh6OqZehG9s=",
			w: wire{method: "GET", host: "s3.amazonaws.com", target: "/"}},
		{name: "unicode keys, escapes as sent", bucket: "dictionary", date: "Wed, 28 Mar 2007 01:49:49 +0000",
			sig: "DNEZGsoieTZ92F3bUfSPQcbGmlM=",
			w:   wire{method: "GET", host: "s3.amazonaws.com", target: "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := parseDate(t, c.date)
			for _, tc := range []struct {
				name string
				sig  string
				now  time.Time
				want translate.Code
			}{
				{name: "documented", sig: c.sig, now: now},
				{name: "altered signature", sig: "A" + c.sig[1:], now: now, want: translate.ErrSignatureDoesNotMatch},
				{name: "an hour later", sig: c.sig, now: now.Add(time.Hour), want: translate.ErrRequestTimeTooSkewed},
			} {
				w := c.w
				w.headers = append(append([][2]string(nil), w.headers...), [2]string{"Authorization", "AWS " + docAK + ":" + tc.sig})
				if !strings.HasPrefix(c.name, "delete") {
					w.headers = append(w.headers, [2]string{"Date", c.date})
				} else {
					w.headers = append(w.headers, [2]string{"Date", "Tue, 27 Mar 2007 21:20:27 +0000"})
				}
				serve(t, w, func(r *http.Request) {
					ak, err := S3.VerifyHeader(r, c.bucket, c.virtualHosted, docLookup, tc.now, 0)
					if tc.want == 0 && (err != nil || ak != docAK) {
						t.Errorf("%s: VerifyHeader = %q, %v", tc.name, ak, err)
					}
					if tc.want != 0 && translate.CodeOf(err) != tc.want {
						t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
					}
				})
			}
		})
	}
}

// TestVerifyHeader covers signatures computed here from the documented
// string-to-sign layout, and what each tampering does.
func TestVerifyHeader(t *testing.T) {
	const date = "Wed, 01 May 2024 12:00:00 GMT"
	now := time.Date(2024, 5, 1, 12, 5, 0, 0, time.UTC)
	type hdrs = [][2]string
	cases := []struct {
		name          string
		w             wire
		bucket        string
		virtualHosted bool
		sts           string // the string the client signed
		send          hdrs   // headers changed after signing
		want          translate.Code
	}{
		{name: "path style", bucket: "b", w: wire{method: "GET", target: "/b/k%20x", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/k%20x"},
		{name: "virtual hosted root", bucket: "b", virtualHosted: true, w: wire{method: "GET", target: "/", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/"},
		{name: "sub-resources sorted, others left out", bucket: "b", virtualHosted: true,
			w:   wire{method: "PUT", target: "/k?uploadId=u%2B1&partNumber=2&foo=bar", headers: hdrs{{"Date", date}}},
			sts: "PUT\n\n\n" + date + "\n/b/k?partNumber=2&uploadId=u+1"},
		{name: "sub-resource without =", bucket: "b", w: wire{method: "POST", target: "/b/k?uploads", headers: hdrs{{"Date", date}}},
			sts: "POST\n\n\n" + date + "\n/b/k?uploads"},
		{name: "sub-resource with empty =", bucket: "b", w: wire{method: "GET", target: "/b/k?acl=", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/k?acl="},
		{name: "response override decoded", bucket: "b",
			w:   wire{method: "GET", target: "/b/k?response-content-disposition=attachment%3B%20filename%3D%22a%20b%22", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/k?response-content-disposition=attachment; filename=\"a b\""},
		{name: "headers canonicalised", bucket: "b",
			w: wire{method: "PUT", target: "/b/k", headers: hdrs{{"Date", date}, {"Content-Type", "text/plain"},
				{"Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="}, {"X-Amz-Meta-B", " two "}, {"x-amz-meta-a", "1"}, {"X-AMZ-META-A", "2"}}},
			sts: "PUT\nXrY7u+Ae7tCTyyK7j1rNww==\ntext/plain\n" + date + "\nx-amz-meta-a:1,2\nx-amz-meta-b:two\n/b/k"},
		{name: "x-amz-date, empty Date line (AWS rule, OBS SDK)", bucket: "b",
			w:   wire{method: "GET", target: "/b/k", headers: hdrs{{"X-Amz-Date", date}}},
			sts: "GET\n\n\n\nx-amz-date:" + date + "\n/b/k"},
		{name: "x-amz-date and Date, Date line kept (botocore)", bucket: "b",
			w:   wire{method: "GET", target: "/b/k", headers: hdrs{{"X-Amz-Date", date}, {"Date", "Thu, 01 Jan 1970 00:00:00 GMT"}}},
			sts: "GET\n\n\nThu, 01 Jan 1970 00:00:00 GMT\nx-amz-date:" + date + "\n/b/k"},
		{name: "OBS SDK sub-resources and x-amz params", bucket: "b", virtualHosted: true,
			w:   wire{method: "PUT", target: "/k?uploadId=u&partNumber=2&x-amz-foo=1", headers: hdrs{{"Date", date}}},
			sts: "PUT\n\n\n" + date + "\n/b/k?partNumber=2&uploadId=u&x-amz-foo=1"},
		{name: "unsigned parameter may change (inherent to SigV2)", bucket: "b",
			w:   wire{method: "GET", target: "/b?prefix=other", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b"},
		{name: "sub-resource changed", bucket: "b", w: wire{method: "GET", target: "/b/k?versionId=2", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/k?versionId=1", want: translate.ErrSignatureDoesNotMatch},
		{name: "sub-resource added", bucket: "b", w: wire{method: "GET", target: "/b/k?acl", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/k", want: translate.ErrSignatureDoesNotMatch},
		{name: "path re-encoded", bucket: "b", w: wire{method: "GET", target: "/b/k+x", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/k%20x", want: translate.ErrSignatureDoesNotMatch},
		{name: "bucket left out of virtual-hosted resource", bucket: "b", virtualHosted: true,
			w: wire{method: "GET", target: "/k", headers: hdrs{{"Date", date}}}, sts: "GET\n\n\n" + date + "\n/k",
			want: translate.ErrSignatureDoesNotMatch},
		{name: "content-type changed", bucket: "b", w: wire{method: "PUT", target: "/b/k", headers: hdrs{{"Date", date}, {"Content-Type", "a/b"}}},
			sts: "PUT\n\nc/d\n" + date + "\n/b/k", want: translate.ErrSignatureDoesNotMatch},
		{name: "x-amz header added", bucket: "b", w: wire{method: "PUT", target: "/b/k", headers: hdrs{{"Date", date}, {"X-Amz-Acl", "public-read"}}},
			sts: "PUT\n\n\n" + date + "\n/b/k", want: translate.ErrSignatureDoesNotMatch},
		{name: "method changed", bucket: "b", w: wire{method: "DELETE", target: "/b/k", headers: hdrs{{"Date", date}}},
			sts: "GET\n\n\n" + date + "\n/b/k", want: translate.ErrSignatureDoesNotMatch},
		{name: "skewed", bucket: "b", w: wire{method: "GET", target: "/b/k", headers: hdrs{{"Date", "Wed, 01 May 2024 11:49:00 GMT"}}},
			sts: "GET\n\n\nWed, 01 May 2024 11:49:00 GMT\n/b/k", want: translate.ErrRequestTimeTooSkewed},
		{name: "no date", bucket: "b", w: wire{method: "GET", target: "/b/k"}, sts: "GET\n\n\n\n/b/k", want: translate.ErrAccessDenied},
		{name: "unparsable date", bucket: "b", w: wire{method: "GET", target: "/b/k", headers: hdrs{{"Date", "yesterday"}}},
			sts: "GET\n\n\nyesterday\n/b/k", want: translate.ErrAccessDenied},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := c.w
			w.host = "s3.example.com"
			w.headers = append(append(hdrs(nil), w.headers...), [2]string{"Authorization", "AWS " + docAK + ":" + refSign(docSecret, c.sts)})
			serve(t, w, func(r *http.Request) {
				ak, err := S3.VerifyHeader(r, c.bucket, c.virtualHosted, docLookup, now, 0)
				if translate.CodeOf(err) != c.want {
					t.Errorf("err = %v, want %v", err, c.want)
					return
				}
				if err == nil && ak != docAK {
					t.Errorf("access key = %q", ak)
				}
				if c.want == translate.ErrSignatureDoesNotMatch {
					ex := translate.AsError(err).Extra
					if ex["StringToSign"] == "" || ex["SignatureProvided"] == "" || ex["AWSAccessKeyId"] != docAK ||
						ex["StringToSignBytes"] != fmt.Sprintf("% x", ex["StringToSign"]) {
						t.Errorf("Extra = %v", ex)
					}
				}
			})
		})
	}
}

func TestVerifyHeaderCredentials(t *testing.T) {
	const date = "Wed, 01 May 2024 12:00:00 GMT"
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	good := "AWS " + docAK + ":" + refSign(docSecret, "GET\n\n\n"+date+"\n/b/k")
	for _, c := range []struct {
		name, authz string
		lookup      func(string) (string, bool)
		want        translate.Code
	}{
		{name: "good", authz: good, lookup: docLookup},
		{name: "extra spaces", authz: strings.Replace(good, "AWS ", "AWS   ", 1), lookup: docLookup},
		{name: "wrong secret", authz: good, lookup: func(string) (string, bool) { return "other", true }, want: translate.ErrSignatureDoesNotMatch},
		{name: "unknown key", authz: good, lookup: func(string) (string, bool) { return "", false }, want: translate.ErrInvalidAccessKeyID},
		{name: "signature not base64", authz: "AWS " + docAK + ":!!!", lookup: docLookup, want: translate.ErrSignatureDoesNotMatch},
		{name: "no colon", authz: "AWS " + docAK, lookup: docLookup, want: translate.ErrAuthorizationHeaderMalformed},
		{name: "no key", authz: "AWS :abc", lookup: docLookup, want: translate.ErrAuthorizationHeaderMalformed},
		{name: "no signature", authz: "AWS " + docAK + ":", lookup: docLookup, want: translate.ErrAuthorizationHeaderMalformed},
		{name: "other scheme", authz: "OSS " + docAK + ":abc", lookup: docLookup, want: translate.ErrAuthorizationHeaderMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/b/k", nil)
			r.Header.Set("Date", date)
			r.Header.Set("Authorization", c.authz)
			_, err := S3.VerifyHeader(r, "b", false, c.lookup, now, time.Minute)
			wantCode(t, err, c.want)
		})
	}
}

func TestVerifyQuery(t *testing.T) {
	const expires = "1175139620"
	docNow := time.Unix(1175139620-60, 0)
	sign := func(sts string) string { return url.QueryEscape(refSign(docSecret, sts)) }
	cases := []struct {
		name          string
		target        string
		bucket        string
		virtualHosted bool
		headers       [][2]string
		now           time.Time
		want          translate.Code
	}{
		{name: "documented example", bucket: "johnsmith", virtualHosted: true, now: docNow,
			target: "/photos/puppy.jpg?AWSAccessKeyId=" + docAK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=" + expires},
		{name: "plus left unencoded", bucket: "johnsmith", virtualHosted: true, now: docNow,
			target: "/photos/puppy.jpg?AWSAccessKeyId=" + docAK + "&Signature=NpgCjnDzrM+WFzoENXmpNDUsSn8%3D&Expires=" + expires},
		{name: "at expiry", bucket: "johnsmith", virtualHosted: true, now: time.Unix(1175139620, 0),
			target: "/photos/puppy.jpg?AWSAccessKeyId=" + docAK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=" + expires},
		{name: "expired", bucket: "johnsmith", virtualHosted: true, now: time.Unix(1175139621, 0), want: translate.ErrExpiredPresignedRequest,
			target: "/photos/puppy.jpg?AWSAccessKeyId=" + docAK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=" + expires},
		{name: "expires changed", bucket: "johnsmith", virtualHosted: true, now: docNow, want: translate.ErrSignatureDoesNotMatch,
			target: "/photos/puppy.jpg?AWSAccessKeyId=" + docAK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139621"},
		{name: "path changed", bucket: "johnsmith", virtualHosted: true, now: docNow, want: translate.ErrSignatureDoesNotMatch,
			target: "/photos/kitten.jpg?AWSAccessKeyId=" + docAK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=" + expires},
		{name: "botocore token as header line", bucket: "b", now: docNow,
			target: "/b/k?versionId=3&AWSAccessKeyId=" + docAK + "&Expires=" + expires + "&x-amz-security-token=tok%2F1&Signature=" +
				sign("GET\n\n\n"+expires+"\nx-amz-security-token:tok/1\n/b/k?versionId=3")},
		{name: "OBS SDK token as sub-resource", bucket: "b", now: docNow,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=" + expires + "&Signature=" +
				sign("GET\n\n\n"+expires+"\n/b/k?x-amz-security-token=tok") + "&x-amz-security-token=tok"},
		{name: "content-type from query", bucket: "b", now: docNow,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=" + expires + "&content-type=text%2Fplain&Signature=" +
				sign("PUT\n\ntext/plain\n"+expires+"\n/b/k")},
		{name: "signed headers must be sent", bucket: "b", now: docNow, headers: [][2]string{{"X-Amz-Meta-A", "1"}},
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=" + expires + "&Signature=" + sign("GET\n\n\n"+expires+"\nx-amz-meta-a:1\n/b/k")},
		{name: "unsigned header added", bucket: "b", now: docNow, headers: [][2]string{{"X-Amz-Meta-A", "1"}}, want: translate.ErrSignatureDoesNotMatch,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=" + expires + "&Signature=" + sign("GET\n\n\n"+expires+"\n/b/k")},
		{name: "missing signature", bucket: "b", now: docNow, want: translate.ErrAuthorizationQueryMalformed,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=" + expires},
		{name: "repeated signature", bucket: "b", now: docNow, want: translate.ErrAuthorizationQueryMalformed,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=" + expires + "&Signature=a&Signature=b"},
		{name: "expires not a number", bucket: "b", now: docNow, want: translate.ErrAuthorizationQueryMalformed,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=-5&Signature=a"},
		{name: "expires overflows", bucket: "b", now: docNow, want: translate.ErrAuthorizationQueryMalformed,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=99999999999999999999&Signature=a"},
		{name: "unknown key", bucket: "b", now: docNow, want: translate.ErrInvalidAccessKeyID,
			target: "/b/k?AWSAccessKeyId=NOPE&Expires=" + expires + "&Signature=a"},
		{name: "bad escape", bucket: "b", now: docNow, want: translate.ErrAuthorizationQueryMalformed,
			target: "/b/k?AWSAccessKeyId=" + docAK + "&Expires=" + expires + "&Signature=%zz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := "GET"
			if strings.Contains(c.name, "content-type") {
				method = "PUT"
			}
			serve(t, wire{method: method, host: "s3.example.com", target: c.target, headers: c.headers}, func(r *http.Request) {
				ak, err := S3.VerifyQuery(r, c.bucket, c.virtualHosted, docLookup, c.now)
				if translate.CodeOf(err) != c.want {
					t.Errorf("err = %v, want %v", err, c.want)
				}
				if err == nil && ak != docAK {
					t.Errorf("access key = %q", ak)
				}
			})
		})
	}
}

func TestCanonicalResource(t *testing.T) {
	for _, c := range []struct {
		bucket, path  string
		virtualHosted bool
		query, want   string
	}{
		{bucket: "b", path: "/b/k", query: "", want: "/b/k"},
		{bucket: "b", path: "/k", virtualHosted: true, want: "/b/k"},
		{bucket: "b", path: "/", virtualHosted: true, want: "/b/"},
		{bucket: "", path: "/", virtualHosted: true, want: "/"},
		{bucket: "b", path: "/b", want: "/b"},
		{bucket: "b", path: "/b/a%2Fb", want: "/b/a%2Fb"},
		{bucket: "b", path: "/b/k", query: "uploads", want: "/b/k?uploads"},
		{bucket: "b", path: "/b/k", query: "uploadId=x&partNumber=2", want: "/b/k?partNumber=2&uploadId=x"},
		{bucket: "b", path: "/b", query: "prefix=a&acl&max-keys=3", want: "/b?acl"},
		{bucket: "b", path: "/b/k", query: "versionId=a%2Bb+c", want: "/b/k?versionId=a+b c"},
		{bucket: "b", path: "/b/k", query: "versionId=%zz", want: "/b/k?versionId=%zz"},
		{bucket: "b", path: "/b/k", query: "UPLOADS&Acl", want: "/b/k"},
		{bucket: "b", path: "/b/k", query: "tagging&&=x&acl", want: "/b/k?acl&tagging"},
		{bucket: "b", path: "/b/k", query: "versionId=2&versionId=1", want: "/b/k?versionId=2&versionId=1"},
	} {
		if got := S3.CanonicalResource(c.bucket, c.path, c.virtualHosted, c.query); got != c.want {
			t.Errorf("CanonicalResource(%q, %q, %v, %q) = %q, want %q", c.bucket, c.path, c.virtualHosted, c.query, got, c.want)
		}
	}
}

func TestStringToSignAndSign(t *testing.T) {
	r := httptest.NewRequest("PUT", "/b/k", nil)
	r.Header.Set("Content-Type", "  image/jpeg ")
	r.Header.Add("X-Amz-Meta-Z", "1")
	r.Header.Add("X-Amz-Meta-Z", " 2 ")
	r.Header.Set("X-Amz-Acl", "private")
	r.Header.Set("X-Other", "ignored")
	got := S3.StringToSign(r, "/b/k", "DATE")
	want := "PUT\n\nimage/jpeg\nDATE\nx-amz-acl:private\nx-amz-meta-z:1,2\n/b/k"
	if got != want {
		t.Fatalf("StringToSign = %q, want %q", got, want)
	}
	if Sign(docSecret, want) != refSign(docSecret, want) {
		t.Fatal("Sign disagrees with the reference HMAC-SHA1")
	}
}

// FuzzVerifyHeader: arbitrary Authorization, Date and query never panic
// and fail only with *translate.Error.
func FuzzVerifyHeader(f *testing.F) {
	f.Add("AWS "+docAK+":bWq2s1WEIj+Ydj0vQ697zp+IXMU=", "Tue, 27 Mar 2007 19:36:42 +0000", "acl&uploadId=%zz")
	f.Add("AWS :", "", "")
	f.Add("AWS a:b:c", "20070327T193642Z", "Signature=&Expires=99999999999999999999&AWSAccessKeyId=x")
	now := time.Date(2007, 3, 27, 19, 36, 42, 0, time.UTC)
	f.Fuzz(func(t *testing.T, authz, date, query string) {
		r := httptest.NewRequest("GET", "/photos/puppy.jpg", nil)
		r.URL.RawQuery, r.RequestURI = query, ""
		r.Header["Authorization"] = []string{authz}
		r.Header["Date"] = []string{date}
		for _, verify := range []func() (string, error){
			func() (string, error) { return S3.VerifyHeader(r, "johnsmith", true, docLookup, now, 0) },
			func() (string, error) { return S3.VerifyQuery(r, "johnsmith", true, docLookup, now) },
		} {
			ak, err := verify()
			if err != nil {
				if _, ok := err.(*translate.Error); !ok {
					t.Fatalf("error %T is not a *translate.Error", err)
				}
			} else if ak != docAK {
				t.Fatalf("accepted access key %q", ak)
			}
		}
	})
}

// TestBucketOnlyTrailingSlash: botocore signs "/bucket/" for a path-style
// request it sends as "/bucket"; both the header and the query forms verify,
// and a virtual-hosted request does not get the extra reading.
func TestBucketOnlyTrailingSlash(t *testing.T) {
	const ak, secret = "AKIDEXAMPLE", "secret-key-example"
	lookup := func(k string) (string, bool) { return secret, k == ak }
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	for _, tt := range []struct {
		name    string
		virtual bool
		wantOK  bool
	}{{"path style", false, true}, {"virtual hosted", true, false}} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/bkt?encoding-type=url", nil)
			r.Header.Set("Date", date)
			sig := Sign(secret, "GET\n\n\n"+date+"\n/bkt/")
			r.Header.Set("Authorization", "AWS "+ak+":"+sig)
			_, err := S3.VerifyHeader(r, "bkt", tt.virtual, lookup, now, 0)
			if (err == nil) != tt.wantOK {
				t.Fatalf("VerifyHeader: %v, want ok=%v", err, tt.wantOK)
			}
		})
	}
	exp := strconv.FormatInt(now.Add(time.Minute).Unix(), 10)
	sig := Sign(secret, "GET\n\n\n"+exp+"\n/bkt/")
	r := httptest.NewRequest("GET", "/bkt?AWSAccessKeyId="+ak+"&Expires="+exp+"&Signature="+url.QueryEscape(sig), nil)
	if _, err := S3.VerifyQuery(r, "bkt", false, lookup, now); err != nil {
		t.Fatalf("VerifyQuery: %v", err)
	}
}
