package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// boto3Runner runs testdata/boto3_client.py with Debian's python3 against one
// gateway.
type boto3Runner struct {
	t      *testing.T
	python string
	script string
	env    []string
	url    string
}

// boto3Python returns Debian's python3 (or BABELGATE_PYTHON) after checking
// that it can import boto3: a missing client fails the test, with the
// install hint, rather than skipping it.
func boto3Python(t *testing.T) string {
	t.Helper()
	python := externalClient(t, "BABELGATE_PYTHON", defaultPython3)
	res := runClient(t, []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "PYTHONNOUSERSITE=1"},
		python, "-c", "import boto3")
	if res.Err != nil {
		t.Fatalf("%s cannot import boto3 (%v): %s\nrun test/scripts/install-clients.sh or set BABELGATE_PYTHON",
			python, res.Err, res.Stderr)
	}
	return python
}

func newBoto3(t *testing.T, g *gateway, python, ak, sk string) *boto3Runner {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_client.py"))
	if err != nil {
		t.Fatal(err)
	}
	return &boto3Runner{t: t, python: python, script: script, env: clientEnv(t, g, ak, sk), url: g.URL}
}

// Run runs one subcommand of the script against the gateway and decodes its
// JSON output into v (which may be nil); the command must succeed.
func (b *boto3Runner) Run(v any, command string, args ...string) {
	b.t.Helper()
	argv := append([]string{b.script, command, "--endpoint", b.url}, args...)
	res := mustRunClient(b.t, b.env, b.python, argv...)
	if v != nil {
		if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
			b.t.Fatalf("boto3 %s: output is not the expected JSON (%v):\n%s", command, err, res.Stdout)
		}
	}
}

// Presign returns a presigned URL for method ("get" or "put") on
// bucket/key, signed with signature version sig ("s3v4" or "s3") and path
// style.
func (b *boto3Runner) Presign(method, sig, bucket, key string, expires int) string {
	b.t.Helper()
	return b.PresignSignedAgo(method, sig, bucket, key, expires, 0)
}

// PresignSignedAgo is Presign with botocore's clock set ago seconds back.
func (b *boto3Runner) PresignSignedAgo(method, sig, bucket, key string, expires, ago int) string {
	b.t.Helper()
	var out struct{ URL string }
	b.Run(&out, "presign", "--method", method, "--sig", sig, "--bucket", bucket, "--key", key,
		"--expires", strconv.Itoa(expires), "--signed-ago", strconv.Itoa(ago))
	if out.URL == "" {
		b.t.Fatalf("boto3 presign %s: no URL", method)
	}
	return out.URL
}

// doPresigned sends method to the presigned URL with body (nil for none)
// using plain net/http and returns the status, headers and response body.
func doPresigned(t *testing.T, g *gateway, method, u string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := g.HTTPClient(false).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, u, err)
	}
	return resp.StatusCode, resp.Header, b
}

// wantPresignedError checks a status and an S3 XML error body with code and,
// when non-empty, a message containing msg.
func wantPresignedError(t *testing.T, what string, status int, body []byte, wantStatus int, code, msg string) {
	t.Helper()
	if status != wantStatus || !bytes.Contains(body, []byte("<Code>"+code+"</Code>")) ||
		(msg != "" && !bytes.Contains(body, []byte(msg))) {
		t.Errorf("%s: status %d, body:\n%s\nwant %d with <Code>%s</Code> and %q", what, status, body, wantStatus, code, msg)
	}
}

// tamperPresigned changes one character of the named query parameter of u (a
// hex or base64 signature) to another of the same alphabet, leaving the
// rest of the URL byte for byte as it was.
func tamperPresigned(t *testing.T, u, name string) string {
	t.Helper()
	base, rawQuery, _ := strings.Cut(u, "?")
	items := strings.Split(rawQuery, "&")
	for i, item := range items {
		k, v, _ := strings.Cut(item, "=")
		if k != name {
			continue
		}
		dv, err := url.QueryUnescape(v)
		if err != nil || dv == "" {
			t.Fatalf("URL %s: bad %s", u, name)
		}
		repl := "a"
		if dv[0] == 'a' {
			repl = "b"
		}
		items[i] = k + "=" + url.QueryEscape(repl+dv[1:])
		return base + "?" + strings.Join(items, "&")
	}
	t.Fatalf("URL %s has no %s", u, name)
	return ""
}

// TestBoto3Presigned uses boto3's presigned URLs with plain net/http:
// SigV4 PUT and GET, an expired SigV4 GET (AccessDenied "Request has
// expired"), a tampered SigV4 GET (SignatureDoesNotMatch), a SigV2 GET and a
// tampered one; then boto3 client calls signed with SigV2 in the
// Authorization header.
func TestBoto3Presigned(t *testing.T) {
	python := boto3Python(t)
	g := startGateway(t)
	dumpLogOnFailure(t, g)
	b := newBoto3(t, g, python, adminAK, adminSK)
	sdk := g.s3Client(t, adminAK, adminSK, false)
	ctx := context.Background()
	const bucket = "boto3-presign"
	if _, err := sdk.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	key := "presigned/obj ect+1.bin"
	data := randomBytes(1<<20+7, 303)

	// SigV4 presigned PUT, then GET, with net/http.
	putURL := b.Presign("put", "s3v4", bucket, key, 300)
	if !strings.Contains(putURL, "X-Amz-Algorithm=AWS4-HMAC-SHA256") || !strings.Contains(putURL, "/"+bucket+"/") {
		t.Fatalf("presigned PUT URL is not path-style SigV4: %s", putURL)
	}
	status, hdr, body := doPresigned(t, g, http.MethodPut, putURL, data)
	if status != http.StatusOK {
		t.Fatalf("presigned PUT: status %d, body:\n%s", status, body)
	}
	if got := hdr.Get("ETag"); got != `"`+md5hex(data)+`"` {
		t.Errorf("presigned PUT ETag %s, want %q", got, md5hex(data))
	}
	getURL := b.Presign("get", "s3v4", bucket, key, 300)
	status, _, body = doPresigned(t, g, http.MethodGet, getURL, nil)
	if status != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("presigned GET: status %d, %d bytes (equal: %v), want 200 and the %d put",
			status, len(body), bytes.Equal(body, data), len(data))
	}
	lines := loggedRequests(t, g)
	if !slices.ContainsFunc(lines, func(l loggedRequest) bool {
		return l.Op == "PutObject" && l.Status == 200 && l.Auth == "sigv4-query"
	}) {
		t.Errorf("gateway did not log a sigv4-query PutObject")
	}

	// Expired: ExpiresIn=60, signed by boto3 with its clock ten minutes
	// behind, so it expired nine minutes before it is used.
	expURL := b.PresignSignedAgo("get", "s3v4", bucket, key, 60, 600)
	if !strings.Contains(expURL, "X-Amz-Expires=60") {
		t.Fatalf("presigned URL does not carry X-Amz-Expires=60: %s", expURL)
	}
	status, _, body = doPresigned(t, g, http.MethodGet, expURL, nil)
	wantPresignedError(t, "expired presigned GET", status, body, http.StatusForbidden, "AccessDenied", "Request has expired")

	// Tampered signature.
	status, _, body = doPresigned(t, g, http.MethodGet, tamperPresigned(t, getURL, "X-Amz-Signature"), nil)
	wantPresignedError(t, "presigned GET with a tampered X-Amz-Signature", status, body, http.StatusForbidden,
		"SignatureDoesNotMatch", "")

	// SigV2 presigned GET.
	v2URL := b.Presign("get", "s3", bucket, key, 300)
	if !strings.Contains(v2URL, "AWSAccessKeyId=") || !strings.Contains(v2URL, "Signature=") ||
		strings.Contains(v2URL, "X-Amz-") {
		t.Fatalf("presigned URL is not SigV2: %s", v2URL)
	}
	status, _, body = doPresigned(t, g, http.MethodGet, v2URL, nil)
	if status != http.StatusOK || !bytes.Equal(body, data) {
		t.Errorf("SigV2 presigned GET: status %d, %d bytes (equal: %v), want 200 and the %d put; body:\n%.500s",
			status, len(body), bytes.Equal(body, data), len(data), body)
	}
	status, _, body = doPresigned(t, g, http.MethodGet, tamperPresigned(t, v2URL, "Signature"), nil)
	wantPresignedError(t, "SigV2 presigned GET with a tampered Signature", status, body, http.StatusForbidden,
		"SignatureDoesNotMatch", "")

	// boto3 client calls signed with SigV2 in the Authorization header.
	dir := t.TempDir()
	v2data := randomBytes(200_003, 304)
	src := writeClientFile(t, dir, "v2.bin", v2data)
	out := filepath.Join(dir, "v2.out")
	var res struct {
		PutETag     string            `json:"put_etag"`
		GetETag     string            `json:"get_etag"`
		GetLength   int               `json:"get_length"`
		ListKeys    []string          `json:"list_keys"`
		ListSizes   []int             `json:"list_sizes"`
		Errors      map[string]string `json:"errors"`
		AuthSchemes []string          `json:"auth_schemes"`
	}
	const v2key = "sigv2/dir/object (1).bin"
	b.Run(&res, "basic", "--sig", "s3", "--bucket", bucket, "--key", v2key, "--file", src, "--out", out)
	if !slices.Equal(res.AuthSchemes, []string{"AWS"}) {
		t.Errorf("boto3 with signature_version='s3' sent Authorization schemes %v, want only SigV2 (AWS)", res.AuthSchemes)
	}
	for op, msg := range res.Errors {
		t.Errorf("SigV2 %s failed: %s", op, msg)
	}
	wantETag := `"` + md5hex(v2data) + `"`
	if _, failed := res.Errors["put_object"]; !failed && res.PutETag != wantETag {
		t.Errorf("SigV2 put_object ETag %s, want %s", res.PutETag, wantETag)
	}
	if _, failed := res.Errors["get_object"]; !failed {
		if res.GetETag != wantETag || res.GetLength != len(v2data) {
			t.Errorf("SigV2 get_object: ETag %s length %d, want %s and %d", res.GetETag, res.GetLength, wantETag, len(v2data))
		}
		if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, v2data) {
			t.Errorf("SigV2 get_object returned %d bytes, different from the %d put (%v)", len(got), len(v2data), err)
		}
	}
	if _, failed := res.Errors["list_objects"]; !failed {
		if i := slices.Index(res.ListKeys, v2key); i < 0 || res.ListSizes[i] != len(v2data) ||
			!slices.Contains(res.ListKeys, key) {
			t.Errorf("SigV2 list_objects: keys %q sizes %v, want %q (%d bytes) and %q", res.ListKeys, res.ListSizes,
				v2key, len(v2data), key)
		}
	}
	for _, op := range []string{"PutObject", "GetObject", "ListObjects"} {
		if !slices.ContainsFunc(loggedRequests(t, g), func(l loggedRequest) bool {
			return l.Op == op && l.Status == 200 && l.Auth == "sigv2"
		}) {
			t.Errorf("gateway did not log a successful sigv2 %s", op)
		}
	}
}

// TestBoto3Client uses a boto3 client at its defaults (SigV4): put_object,
// get_object and head_object with user metadata and a content type, then
// upload_file of 20 MiB in 5 MiB parts and download_file (ranged GETs),
// over plain HTTP and over TLS.
func TestBoto3Client(t *testing.T) {
	python := boto3Python(t)
	overHTTPAndTLS(t, func(t *testing.T, name string, g *gateway) {
		dumpLogOnFailure(t, g)
		b := newBoto3(t, g, python, adminAK, adminSK)
		sdk := g.s3Client(t, adminAK, adminSK, false)
		ctx := context.Background()
		const bucket = "boto3-client"
		if _, err := sdk.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()

		small := randomBytes(100_001, 401)
		src := writeClientFile(t, dir, "small.bin", small)
		var meta struct {
			PutETag         string            `json:"put_etag"`
			GetMD5          string            `json:"get_md5"`
			GetLength       int               `json:"get_length"`
			GetMetadata     map[string]string `json:"get_metadata"`
			GetContentType  string            `json:"get_content_type"`
			HeadETag        string            `json:"head_etag"`
			HeadLength      int               `json:"head_length"`
			HeadMetadata    map[string]string `json:"head_metadata"`
			HeadContentType string            `json:"head_content_type"`
			AuthSchemes     []string          `json:"auth_schemes"`
		}
		const metaKey = "meta/object.bin"
		b.Run(&meta, "metadata", "--bucket", bucket, "--key", metaKey, "--file", src)
		if !slices.Equal(meta.AuthSchemes, []string{"AWS4-HMAC-SHA256"}) {
			t.Errorf("default boto3 client sent Authorization schemes %v, want SigV4", meta.AuthSchemes)
		}
		wantETag := `"` + md5hex(small) + `"`
		if meta.PutETag != wantETag || meta.HeadETag != wantETag {
			t.Errorf("put_object ETag %s, head_object ETag %s, want %s", meta.PutETag, meta.HeadETag, wantETag)
		}
		if meta.GetMD5 != md5hex(small) || meta.GetLength != len(small) || meta.HeadLength != len(small) {
			t.Errorf("get_object: %d bytes md5 %s, head_object length %d; want %d bytes md5 %s",
				meta.GetLength, meta.GetMD5, meta.HeadLength, len(small), md5hex(small))
		}
		wantMeta := map[string]string{"color": "blue", "mixed-case": "Value", "note": "x y  z"}
		for _, c := range []struct {
			what string
			m    map[string]string
		}{{"get_object", meta.GetMetadata}, {"head_object", meta.HeadMetadata}} {
			what, m := c.what, c.m
			if !maps.Equal(m, wantMeta) {
				t.Errorf("%s Metadata %v, want %v (botocore keeps the x-amz-meta-* header names' case "+
					"as sent; S3 sends them lowercase)", what, m, wantMeta)
			}
		}
		if meta.GetContentType != "application/x-boto3-test" || meta.HeadContentType != "application/x-boto3-test" {
			t.Errorf("ContentType: get %q, head %q", meta.GetContentType, meta.HeadContentType)
		}
		head, err := sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(metaKey)})
		if err != nil {
			t.Fatalf("HeadObject (Go SDK) of boto3's object: %v", err)
		}
		if head.Metadata["color"] != "blue" || head.Metadata["mixed-case"] != "Value" {
			t.Errorf("Go SDK sees metadata %v", head.Metadata)
		}

		// upload_file / download_file with 5 MiB threshold and chunks.
		big := randomBytes(20<<20, 402)
		bigSrc := writeClientFile(t, dir, "big.bin", big)
		bigOut := filepath.Join(dir, "big.out")
		const bigKey = "transfer/big.bin"
		var tr struct {
			HeadETag   string `json:"head_etag"`
			HeadLength int    `json:"head_length"`
		}
		b.Run(&tr, "transfer", "--bucket", bucket, "--key", bigKey, "--file", bigSrc, "--out", bigOut)
		if want := expectedMultipartETag(big, 5<<20); tr.HeadETag != want {
			t.Errorf("upload_file ETag %s, want %s (four 5 MiB parts)", tr.HeadETag, want)
		}
		if tr.HeadLength != len(big) {
			t.Errorf("head_object length %d, want %d", tr.HeadLength, len(big))
		}
		got, err := os.ReadFile(bigOut)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, big) {
			t.Fatalf("download_file wrote %d bytes (md5 %s), uploaded %d (md5 %s)", len(got), md5hex(got), len(big), md5hex(big))
		}
		lines := loggedRequests(t, g)
		if n := countLoggedOps(lines, "UploadPart", 200); n != 4 {
			t.Errorf("gateway logged %d successful UploadPart requests, want 4", n)
		}
		if n := countLoggedOps(lines, "CompleteMultipartUpload", 200); n != 1 {
			t.Errorf("gateway logged %d successful CompleteMultipartUpload requests, want 1", n)
		}
		// s3transfer downloads a file above the threshold in ranged GETs.
		ranged := 0
		for _, l := range lines {
			if l.Op == "GetObject" && l.Key == bigKey && l.Status == http.StatusPartialContent {
				ranged++
			}
		}
		if ranged < 2 {
			t.Errorf("download_file made %d ranged (206) GETs, want several", ranged)
		}
	})
}
