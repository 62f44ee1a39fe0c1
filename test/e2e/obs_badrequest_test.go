package e2e

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// obsSignedSubResources are the query parameters the raw OBS signer signs
// (a subset of the SDK's list, protocols.md §3.2: the ones these tests send).
var obsSignedSubResources = map[string]bool{"acl": true, "delete": true, "partnumber": true, "uploadid": true, "uploads": true}

// obsSignature returns the OBS header signature of r, path-style, signed
// with sk: HMAC-SHA1 over VERB, Content-MD5, Content-Type, Date, the
// x-obs-* headers and the canonical resource (protocols.md §3.2).
func obsSignature(r *http.Request, sk string) string {
	var hdrs []string
	for k, vs := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-obs-") {
			hdrs = append(hdrs, lk+":"+strings.Join(vs, ","))
		}
	}
	sort.Strings(hdrs)
	var subs []string
	for k, vs := range r.URL.Query() {
		if obsSignedSubResources[strings.ToLower(k)] {
			if vs[0] == "" {
				subs = append(subs, k)
			} else {
				subs = append(subs, k+"="+vs[0])
			}
		}
	}
	sort.Strings(subs)
	resource := r.URL.EscapedPath()
	if len(subs) > 0 {
		resource += "?" + strings.Join(subs, "&")
	}
	date := r.Header.Get("Date")
	if r.Header.Get("x-obs-date") != "" {
		date = ""
	}
	sts := r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n"
	for _, h := range hdrs {
		sts += h + "\n"
	}
	sts += resource
	m := hmac.New(sha1.New, []byte(sk))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// obsRequest builds a path-style request signed the OBS way by ak/sk
// (sk "" leaves it unsigned).
func (g *gateway) obsRequest(t testing.TB, method, target string, body []byte, ak, sk string, hdr map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, g.URL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	for k, v := range hdr {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	if sk != "" {
		r.Header.Set("Authorization", "OBS "+ak+":"+obsSignature(r, sk))
	}
	return r
}

// obsDo sends r and returns the status, headers and body.
func obsDo(t testing.TB, r *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func obsMD5(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }

// obsUploadID initiates an upload of bucket/key as admin, OBS-signed.
func (g *gateway) obsUploadID(t testing.TB, bucket, key string) string {
	t.Helper()
	st, _, body := obsDo(t, g.obsRequest(t, "POST", "/"+bucket+"/"+key+"?uploads", nil, adminAK, adminSK, nil))
	i, j := strings.Index(body, "<UploadId>"), strings.Index(body, "</UploadId>")
	if st != 200 || i < 0 || j < i {
		t.Fatalf("initiate: %d %s", st, body)
	}
	return body[i+len("<UploadId>") : j]
}

// TestOBSBadRequests sends malformed or forbidden OBS-native requests and
// checks OBS's exact code and status, the x-obs-error-code header, and the
// x-obs-request-id every response carries.
func TestOBSBadRequests(t *testing.T) {
	g := startGateway(t, withOBSDomain())
	const bucket = "obs-bad"
	if st, _, b := obsDo(t, g.obsRequest(t, "PUT", "/"+bucket, nil, adminAK, adminSK, nil)); st != 200 {
		t.Fatalf("create bucket: %d %s", st, b)
	}
	if st, _, b := obsDo(t, g.obsRequest(t, "PUT", "/"+bucket+"/exists", []byte("x"), adminAK, adminSK, nil)); st != 200 {
		t.Fatalf("put: %d %s", st, b)
	}
	id := g.obsUploadID(t, bucket, "mp")
	small := randomBytes(10<<10, 1)
	var etags []string
	for n := 1; n <= 2; n++ {
		st, h, b := obsDo(t, g.obsRequest(t, "PUT", fmt.Sprintf("/%s/mp?partNumber=%d&uploadId=%s", bucket, n, url.QueryEscape(id)), small, adminAK, adminSK, nil))
		if st != 200 {
			t.Fatalf("part %d: %d %s", n, st, b)
		}
		etags = append(etags, h.Get("ETag"))
	}
	part := func(n string) string {
		return "/" + bucket + "/mp?partNumber=" + n + "&uploadId=" + url.QueryEscape(id)
	}
	complete := func(parts ...string) []byte {
		var b strings.Builder
		b.WriteString("<CompleteMultipartUpload>")
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteString("</CompleteMultipartUpload>")
		return []byte(b.String())
	}
	xmlPart := func(n int, etag string) string {
		return fmt.Sprintf("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, etag)
	}
	expired := fmt.Sprintf("/%s/exists?AccessKeyId=%s&Expires=%d&Signature=%s", bucket, adminAK, time.Now().Add(-time.Minute).Unix(), url.QueryEscape("AAAA"))

	tests := []struct {
		name, method, target string
		body                 []byte
		ak, sk               string
		hdr                  map[string]string
		status               int
		code                 string
	}{
		{"bad signature", "GET", "/" + bucket + "/exists", nil, adminAK, "wrong-secret", nil, 403, "AccessDenied"},
		{"unknown access key", "GET", "/" + bucket + "/exists", nil, "NOSUCHKEY0000000000", adminSK, nil, 403, "AccessDenied"},
		{"skewed date", "GET", "/" + bucket + "/exists", nil, adminAK, adminSK,
			map[string]string{"Date": time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)}, 403, "RequestTimeTooSkewed"},
		{"no date", "GET", "/" + bucket + "/exists", nil, adminAK, adminSK, map[string]string{"Date": ""}, 403, "AccessDenied"},
		{"malformed authorization", "GET", "/" + bucket + "/exists", nil, "", "", map[string]string{"Authorization": "OBS nocolon"}, 400, "InvalidArgument"},
		{"anonymous x-obs request", "GET", "/" + bucket + "/exists", nil, "", "", map[string]string{"x-obs-meta-a": "1"}, 403, "AccessDenied"},
		{"expired presigned URL", "GET", expired, nil, "", "", map[string]string{"Date": ""}, 403, "AccessDenied"},
		{"part number 0", "PUT", part("0"), small, adminAK, adminSK, nil, 400, "InvalidArgument"},
		{"part number 10001", "PUT", part("10001"), small, adminAK, adminSK, nil, 400, "InvalidArgument"},
		{"part number not a number", "PUT", part("one"), small, adminAK, adminSK, nil, 400, "InvalidArgument"},
		{"unknown upload", "PUT", "/" + bucket + "/mp?partNumber=1&uploadId=forged", small, adminAK, adminSK, nil, 404, "NoSuchUpload"},
		{"unknown bucket", "PUT", "/obs-nosuchbucket/k", small, adminAK, adminSK, nil, 404, "NoSuchBucket"},
		{"missing key", "GET", "/" + bucket + "/nope", nil, adminAK, adminSK, nil, 404, "NoSuchKey"},
		{"missing key, HEAD", "HEAD", "/" + bucket + "/nope", nil, adminAK, adminSK, nil, 404, "NoSuchKey"},
		{"Content-MD5 mismatch", "PUT", part("3"), small, adminAK, adminSK, map[string]string{"Content-MD5": obsMD5([]byte("other"))}, 400, "BadDigest"},
		{"Content-MD5 malformed", "PUT", "/" + bucket + "/k", small, adminAK, adminSK, map[string]string{"Content-MD5": "!!"}, 400, "InvalidDigest"},
		{"complete: malformed XML", "POST", "/" + bucket + "/mp?uploadId=" + url.QueryEscape(id), []byte("<Complete"), adminAK, adminSK, nil, 400, "MalformedXML"},
		{"complete: wrong ETag", "POST", "/" + bucket + "/mp?uploadId=" + url.QueryEscape(id), complete(xmlPart(1, `"0123456789abcdef0123456789abcdef"`)), adminAK, adminSK, nil, 400, "InvalidPart"},
		{"complete: parts out of order", "POST", "/" + bucket + "/mp?uploadId=" + url.QueryEscape(id), complete(xmlPart(2, etags[1]), xmlPart(1, etags[0])), adminAK, adminSK, nil, 400, "InvalidPartOrder"},
		{"complete: part under 100 KB", "POST", "/" + bucket + "/mp?uploadId=" + url.QueryEscape(id), complete(xmlPart(1, etags[0]), xmlPart(2, etags[1])), adminAK, adminSK, nil, 400, "EntityTooSmall"},
		{"no write access", "PUT", "/" + bucket + "/bob", small, bobAK, bobSK, nil, 403, "AccessDenied"},
		{"non-initiator part upload", "PUT", part("1"), small, aliceAK, aliceSK, nil, 403, "AccessDenied"},
		{"bad copy source", "PUT", "/" + bucket + "/copy", nil, adminAK, adminSK, map[string]string{"x-obs-copy-source": "no-key"}, 400, "InvalidArgument"},
		{"bucket not empty", "DELETE", "/" + bucket, nil, adminAK, adminSK, nil, 409, "BucketNotEmpty"},
		{"unsupported sub-resource", "GET", "/" + bucket + "?acl", nil, adminAK, adminSK, nil, 501, "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := g.obsRequest(t, tt.method, tt.target, tt.body, tt.ak, tt.sk, tt.hdr)
			st, h, body := obsDo(t, r)
			if st != tt.status || h.Get("x-obs-error-code") != tt.code {
				t.Fatalf("%d %s (%s), want %d %s", st, h.Get("x-obs-error-code"), body, tt.status, tt.code)
			}
			if h.Get("x-obs-request-id") == "" || h.Get("x-obs-id-2") == "" {
				t.Errorf("response lacks x-obs-request-id/x-obs-id-2: %v", h)
			}
			if tt.method == "HEAD" {
				return
			}
			if !strings.Contains(body, "<Code>"+tt.code+"</Code>") || !strings.Contains(body, "<RequestId>") {
				t.Errorf("body is not OBS's <Error> with %s: %s", tt.code, body)
			}
		})
	}

	// A part over 5 GB is refused from its declared length, before any body.
	t.Run("part over 5 GB", func(t *testing.T) {
		r := g.obsRequest(t, "PUT", part("4"), nil, adminAK, adminSK, nil)
		conn, err := net.Dial("tcp", g.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nDate: %s\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n",
			r.URL.RequestURI(), g.Addr, r.Header.Get("Date"), r.Header.Get("Authorization"), int64(5<<30)+1)
		conn.Write(small)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("x-obs-error-code") != "EntityTooLarge" {
			t.Fatalf("%d %s, want 400 EntityTooLarge", resp.StatusCode, resp.Header.Get("x-obs-error-code"))
		}
	})
}
