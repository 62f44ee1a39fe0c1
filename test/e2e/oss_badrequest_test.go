package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// ossRaw is one raw OSS request, signed with the test's own V1 signer.
type ossRaw struct {
	method, bucket, key string
	query               string // raw query, e.g. "partNumber=1&uploadId=x"
	header              map[string]string
	body                []byte
	ak, sk              string
	date                time.Time
	noDate, anonymous   bool
	auth                string // replaces the computed Authorization
}

// v1Signed are the sub-resources this test signs (a subset of both SDKs').
var v1Signed = map[string]bool{"uploads": true, "uploadId": true, "partNumber": true, "delete": true, "acl": true}

// signV1 returns the OSS V1 signature (protocols.md §2.2), computed
// independently of the gateway's hmacsig.
func signV1(sk, method, contentMD5, contentType, date string, h http.Header, bucket, key, rawQuery string) string {
	var names []string
	for k := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(method + "\n" + contentMD5 + "\n" + contentType + "\n" + date + "\n")
	for _, n := range names {
		b.WriteString(n + ":" + strings.TrimSpace(h.Get(n)) + "\n")
	}
	res := "/"
	if bucket != "" {
		res += bucket + "/" + key
	}
	var sub []string
	for _, item := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(item, "=")
		if v2, err := url.QueryUnescape(v); err == nil {
			v = v2
		}
		if v1Signed[k] {
			if v != "" {
				k += "=" + v
			}
			sub = append(sub, k)
		}
	}
	sort.Strings(sub)
	if len(sub) > 0 {
		res += "?" + strings.Join(sub, "&")
	}
	b.WriteString(res)
	m := hmac.New(sha1.New, []byte(sk))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (g *gateway) ossDo(t *testing.T, q ossRaw) (*http.Response, []byte) {
	t.Helper()
	u := g.URL + "/"
	if q.bucket != "" {
		u += q.bucket + "/" + strings.ReplaceAll(url.PathEscape(q.key), "%2F", "/")
	}
	if q.query != "" {
		u += "?" + q.query
	}
	req, err := http.NewRequest(q.method, u, bytes.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	if q.date.IsZero() {
		q.date = time.Now()
	}
	date := q.date.UTC().Format(http.TimeFormat)
	if !q.noDate {
		req.Header.Set("Date", date)
	}
	if q.ak == "" {
		q.ak, q.sk = adminAK, adminSK
	}
	switch {
	case q.auth != "":
		req.Header.Set("Authorization", q.auth)
	case !q.anonymous:
		sig := signV1(q.sk, q.method, req.Header.Get("Content-MD5"), req.Header.Get("Content-Type"), date, req.Header, q.bucket, q.key, q.query)
		req.Header.Set("Authorization", "OSS "+q.ak+":"+sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

type ossErrorDoc struct {
	Code, Message, RequestId, HostId, EC string
	OSSAccessKeyId, StringToSign         string
	ArgumentName, ArgumentValue          string
}

func b64md5(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }

// TestOSSBadRequests sends malformed, unauthorised and out-of-rule OSS
// requests and checks the exact OSS Code, status and, where OSS documents
// one, the EC, in the body and the x-oss-ec header.
func TestOSSBadRequests(t *testing.T) {
	g := startGateway(t)
	c := ossLegacyClient(t, g)
	b := ossBucket(t, c, "bad")
	if err := b.PutObject("obj", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	imur, err := b.InitiateMultipartUpload("mp")
	if err != nil {
		t.Fatal(err)
	}
	var parts []oss.UploadPart
	for n := 1; n <= 2; n++ {
		p, err := b.UploadPart(imur, strings.NewReader("tiny part"), 9, n) // small parts are accepted here
		if err != nil {
			t.Fatalf("small UploadPart: %v", err)
		}
		parts = append(parts, p)
	}
	upq := "uploadId=" + url.QueryEscape(imur.UploadID)
	completeXML := func(ps ...oss.UploadPart) []byte {
		var s strings.Builder
		s.WriteString("<CompleteMultipartUpload>")
		for _, p := range ps {
			fmt.Fprintf(&s, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", p.PartNumber, p.ETag)
		}
		s.WriteString("</CompleteMultipartUpload>")
		return []byte(s.String())
	}
	wrongETag := parts[0]
	wrongETag.ETag = `"00000000000000000000000000000000"`
	delBody := []byte("<Delete><Object><Key>obj</Key></Object></Delete>")
	tests := []struct {
		name   string
		req    ossRaw
		status int
		code   string
		ec     string
	}{
		{"bad signature", ossRaw{method: "GET", bucket: "bad", key: "obj", sk: "wrong", ak: adminAK}, 403, "SignatureDoesNotMatch", ""},
		{"unknown access key", ossRaw{method: "GET", bucket: "bad", key: "obj", ak: "NOSUCHKEY", sk: "x"}, 403, "InvalidAccessKeyId", ""},
		{"clock skew", ossRaw{method: "GET", bucket: "bad", key: "obj", date: time.Now().Add(-time.Hour)}, 403, "RequestTimeTooSkewed", "0002-00000504"},
		{"no date", ossRaw{method: "GET", bucket: "bad", key: "obj", noDate: true}, 403, "AccessDenied", ""},
		{"anonymous", ossRaw{method: "GET", bucket: "bad", key: "obj", anonymous: true, header: map[string]string{"x-oss-meta-a": "1"}}, 403, "AccessDenied", ""},
		{"malformed authorization", ossRaw{method: "GET", bucket: "bad", key: "obj", auth: "OSS no-colon"}, 400, "InvalidArgument", ""},
		{"expired presigned", ossRaw{method: "GET", bucket: "bad", key: "obj", anonymous: true,
			query: "OSSAccessKeyId=" + adminAK + "&Expires=1000&Signature=abc"}, 403, "AccessDenied", ""},
		{"no permission", ossRaw{method: "PUT", bucket: "bad", key: "x", ak: bobAK, sk: bobSK}, 403, "AccessDenied", "0003-00000001"},
		{"part number 0", ossRaw{method: "PUT", bucket: "bad", key: "mp", query: "partNumber=0&" + upq, body: []byte("x")}, 400, "InvalidArgument", "0017-00000220"},
		{"part number 10001", ossRaw{method: "PUT", bucket: "bad", key: "mp", query: "partNumber=10001&" + upq, body: []byte("x")}, 400, "InvalidArgument", "0017-00000220"},
		{"part number not a number", ossRaw{method: "PUT", bucket: "bad", key: "mp", query: "partNumber=one&" + upq, body: []byte("x")}, 400, "InvalidArgument", "0017-00000220"},
		{"Content-MD5 mismatch", ossRaw{method: "PUT", bucket: "bad", key: "x", body: []byte("abc"),
			header: map[string]string{"Content-MD5": b64md5([]byte("abd"))}}, 400, "InvalidDigest", ""},
		{"Content-MD5 malformed", ossRaw{method: "PUT", bucket: "bad", key: "x", body: []byte("abc"),
			header: map[string]string{"Content-MD5": "not-base64!"}}, 400, "InvalidDigest", ""},
		{"CRC-64 mismatch", ossRaw{method: "PUT", bucket: "bad", key: "x", body: []byte("abc"),
			header: map[string]string{"x-oss-hash-crc64ecma": "12345"}}, 400, "InvalidDigest", ""},
		{"part too small at Complete", ossRaw{method: "POST", bucket: "bad", key: "mp", query: upq, body: completeXML(parts...)}, 400, "EntityTooSmall", "0042-00000213"},
		{"parts out of order", ossRaw{method: "POST", bucket: "bad", key: "mp", query: upq, body: completeXML(parts[1], parts[0])}, 400, "InvalidPartOrder", "0042-00000209"},
		{"wrong part ETag", ossRaw{method: "POST", bucket: "bad", key: "mp", query: upq, body: completeXML(wrongETag)}, 400, "InvalidPart", ""},
		{"malformed Complete XML", ossRaw{method: "POST", bucket: "bad", key: "mp", query: upq, body: []byte("<Complete")}, 400, "MalformedXML", "0031-00000001"},
		{"complete-all with a body", ossRaw{method: "POST", bucket: "bad", key: "mp", query: upq, body: completeXML(parts...),
			header: map[string]string{"x-oss-complete-all": "yes"}}, 400, "InvalidArgument", "0042-00000216"},
		{"forged upload ID", ossRaw{method: "PUT", bucket: "bad", key: "mp", query: "partNumber=1&uploadId=forged", body: []byte("x")}, 404, "NoSuchUpload", ""},
		{"missing key", ossRaw{method: "GET", bucket: "bad", key: "nope"}, 404, "NoSuchKey", ""},
		{"missing bucket", ossRaw{method: "GET", bucket: "no-such-bucket", key: "k"}, 404, "NoSuchBucket", ""},
		// OSS bucket names are lowercase letters, digits and hyphens only
		// ("Bucket naming conventions"); a '.' is refused though S3 allows it.
		{"bucket name with a dot", ossRaw{method: "PUT", bucket: "bad.dotted"}, 400, "InvalidBucketName", ""},
		{"delete without Content-MD5", ossRaw{method: "POST", bucket: "bad", query: "delete", body: delBody}, 400, "MissingArgument", "0016-00000606"},
		{"delete with wrong Content-MD5", ossRaw{method: "POST", bucket: "bad", query: "delete", body: delBody,
			header: map[string]string{"Content-MD5": b64md5([]byte("other"))}}, 400, "InvalidDigest", ""},
		{"unsupported sub-resource", ossRaw{method: "PUT", bucket: "bad", key: "obj", query: "acl",
			header: map[string]string{"x-oss-object-acl": "private"}}, 501, "NotImplemented", ""},
		{"object ACL public-read", ossRaw{method: "PUT", bucket: "bad", key: "acl-refused", body: []byte("x"),
			header: map[string]string{"x-oss-object-acl": "public-read"}}, 501, "NotImplemented", ""},
		{"object tagging", ossRaw{method: "PUT", bucket: "bad", key: "tag-refused", body: []byte("x"),
			header: map[string]string{"x-oss-tagging": "a=1"}}, 501, "NotImplemented", ""},
		{"upload callback", ossRaw{method: "POST", bucket: "bad", key: "mp", query: "uploads",
			header: map[string]string{"x-oss-callback": "eyJjYWxsYmFja1VybCI6Imh0dHA6Ly8xMjcuMC4wLjE6OS8ifQ=="}}, 501, "NotImplemented", ""},
		{"bucket not empty", ossRaw{method: "DELETE", bucket: "bad"}, 409, "BucketNotEmpty", ""},
		{"unsatisfiable range", ossRaw{method: "GET", bucket: "bad", key: "obj", header: map[string]string{"Range": "bytes=100-200"}}, 416, "InvalidRange", ""},
		{"invalid bucket name", ossRaw{method: "PUT", bucket: "Bad_Name"}, 400, "InvalidBucketName", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := g.ossDo(t, tt.req)
			var doc ossErrorDoc
			if err := xml.Unmarshal(body, &doc); err != nil {
				t.Fatalf("status %d, body not an <Error>: %v: %s", resp.StatusCode, err, body)
			}
			if resp.StatusCode != tt.status || doc.Code != tt.code || doc.EC != tt.ec || resp.Header.Get("x-oss-ec") != tt.ec {
				t.Fatalf("got %d %s EC %q (header %q), want %d %s EC %q: %s", resp.StatusCode, doc.Code, doc.EC,
					resp.Header.Get("x-oss-ec"), tt.status, tt.code, tt.ec, body)
			}
			if doc.RequestId == "" || doc.RequestId != resp.Header.Get("x-oss-request-id") || doc.HostId == "" {
				t.Fatalf("RequestId %q / x-oss-request-id %q / HostId %q", doc.RequestId, resp.Header.Get("x-oss-request-id"), doc.HostId)
			}
			switch tt.code {
			case "SignatureDoesNotMatch":
				if doc.OSSAccessKeyId != adminAK || !strings.HasPrefix(doc.StringToSign, "GET\n") {
					t.Fatalf("signature error details missing: %s", body)
				}
			case "InvalidArgument":
				if strings.HasPrefix(tt.name, "part number") && (doc.ArgumentName != "partNumber" || doc.ArgumentValue == "") {
					t.Fatalf("ArgumentName/Value missing: %s", body)
				}
			}
		})
	}
	// AWS's reserved names are not OSS's: xn-- and -s3alias are ordinary.
	t.Run("bucket names AWS reserves", func(t *testing.T) {
		for _, name := range []string{"xn--oss-bad", "oss-bad-s3alias"} {
			if resp, body := g.ossDo(t, ossRaw{method: "PUT", bucket: name}); resp.StatusCode != 200 {
				t.Errorf("PutBucket %s: %d %s", name, resp.StatusCode, body)
			}
		}
	})
	t.Run("HEAD error in x-oss-err", func(t *testing.T) {
		resp, body := g.ossDo(t, ossRaw{method: "HEAD", bucket: "bad", key: "nope"})
		raw, err := base64.StdEncoding.DecodeString(resp.Header.Get("x-oss-err"))
		var doc ossErrorDoc
		if resp.StatusCode != 404 || len(body) != 0 || err != nil || xml.Unmarshal(raw, &doc) != nil || doc.Code != "NoSuchKey" {
			t.Fatalf("HEAD: %d, body %q, x-oss-err %q", resp.StatusCode, body, raw)
		}
	})
	t.Run("Complete after the failures still works", func(t *testing.T) {
		big := randomBytes(ossPart, 9)
		p1, err := b.UploadPart(imur, bytes.NewReader(big), int64(len(big)), 1)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := g.ossDo(t, ossRaw{method: "POST", bucket: "bad", key: "mp", query: upq, header: map[string]string{"x-oss-complete-all": "yes"}})
		if resp.StatusCode != 200 || resp.Header.Get("x-oss-hash-crc64ecma") != strconv.FormatUint(crc64Of(append(big, "tiny part"...)), 10) {
			t.Fatalf("complete-all: %d %v %s (part %v)", resp.StatusCode, resp.Header, body, p1)
		}
	})
}
