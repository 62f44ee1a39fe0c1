package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ossv2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv2creds "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// The tests here complete uploads with each SDK against a gateway whose
// server.complete_keepalive is 0s: every Complete answers 200 at once and
// then its document, so a failing Complete (a wrong part ETag) fails after
// the 200 is committed, with its <Error> in the body. A recording
// transport checks that wire form; each test then checks what its SDK made
// of it.

// startKeepAliveGateway is startGateway with server.complete_keepalive: 0s
// (withConfig can only add top-level sections). Not for Restart: start
// rewrites the config without the option.
func startKeepAliveGateway(t *testing.T, opts ...gatewayOption) *gateway {
	t.Helper()
	g := &gateway{t: t, Dir: t.TempDir()}
	for _, o := range opts {
		o(g)
	}
	g.writeConfig("127.0.0.1:0")
	path := filepath.Join(g.Dir, "config.yaml")
	cfg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	patched := strings.Replace(string(cfg), "\nserver:\n", "\nserver:\n  complete_keepalive: 0s\n", 1)
	if patched == string(cfg) {
		t.Fatal("no server section in the test config")
	}
	if err := os.WriteFile(path, []byte(patched), 0o600); err != nil {
		t.Fatal(err)
	}
	g.start()
	t.Cleanup(g.Stop)
	return g
}

// completeRecorder is an http.RoundTripper that keeps the status and body
// of every CompleteMultipartUpload response (POST ...?uploadId=) as the SDK
// reads it.
type completeRecorder struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	seen []*completeWire
}

type completeWire struct {
	status int
	body   bytes.Buffer
}

func (c *completeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body = readOnlyBody{req.Body}
	}
	resp, err := c.rt.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || !req.URL.Query().Has("uploadId") {
		return resp, err
	}
	w := &completeWire{status: resp.StatusCode}
	c.mu.Lock()
	c.seen = append(c.seen, w)
	c.mu.Unlock()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(resp.Body, &w.body), resp.Body}
	return resp, nil
}

// readOnlyBody hides the WriteTo of an aws-sdk-go-v2 request body from
// net/http. smithy-go closes the request body as soon as the response
// headers arrive (transport/http/client.go), and its safeWriteToReadCloser
// (transport/http/internal/io/safe.go) then answers WriteTo with (0,
// io.EOF). net/http's write loop, after sending a body of Content-Length
// bytes, checks for extra bytes with io.Copy(io.Discard, body), which uses
// WriteTo; an io.EOF *error* from it fails Request.write, and the write
// loop closes the connection (persistConn.writeLoop), under the SDK still
// reading the response. It needs the response headers to arrive before the
// write loop gets to that check: a kept-alive Complete (200 at once) on a
// loaded machine. Through Read, a closed body is a plain EOF. The race is
// in the client, not the gateway (S3 answers a Complete the same way);
// TestReadOnlyBodyKeepsConnection forces it.
type readOnlyBody struct{ io.ReadCloser }

// take returns the Completes recorded since the last call.
func (c *completeRecorder) take() []*completeWire {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.seen
	c.seen = nil
	return out
}

// checkKeptAlive fails unless a Complete was recorded and each recorded
// (with atLeastOne) or the last (without: earlier ones were retries after
// a connection fault) was a 200 whose body is the XML declaration, white
// space, and a document whose root is root, holding every fragment. It
// returns how many it checked.
func checkKeptAlive(t *testing.T, rec *completeRecorder, atLeastOne bool, root string, fragments ...string) int {
	t.Helper()
	seen := rec.take()
	if len(seen) == 0 {
		t.Fatal("no Complete response recorded")
	}
	if !atLeastOne && len(seen) > 1 {
		// A client may retry after a connection fault (seen on a loaded
		// machine); what it ends with is the answer that counts.
		t.Logf("%d Complete responses recorded; checking the last", len(seen))
		seen = seen[len(seen)-1:]
	}
	for _, w := range seen {
		body := w.body.String()
		doc, ok := strings.CutPrefix(body, xml.Header+" ")
		doc = strings.TrimLeft(doc, " ")
		if w.status != http.StatusOK || !ok || !strings.HasPrefix(doc, "<"+root) {
			t.Fatalf("Complete answered %d %q, want 200, the declaration, white space and <%s>", w.status, body, root)
		}
		for _, f := range fragments {
			if !strings.Contains(doc, f) {
				t.Errorf("Complete body %q lacks %q", doc, f)
			}
		}
	}
	return len(seen)
}

const wrongETag = `"0123456789abcdef0123456789abcdef"`

// checkLogged fails unless the gateway logs a Complete as a 200 with the
// error code, i.e. it failed after the response was committed. The line is
// written once the handler returns, which may be after the client has its
// answer, so it is awaited (the deadline is a guard, never a result).
func checkLogged(t *testing.T, g *gateway, code string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if logHas(g.Log(), `"op":"CompleteMultipartUpload"`, `"status":200`, `"error":"`+code+`"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Complete logged as 200 with error %s; log:\n%s", code, g.Log())
		}
	}
}

// TestCompleteKeepAliveS3SDK: aws-sdk-go-v2 finds the <Error> in the 200
// (its 200-error middleware treats it as a 500, so it retries) and reports
// the code; a good Complete parses as usual.
func TestCompleteKeepAliveS3SDK(t *testing.T) {
	g := startKeepAliveGateway(t)
	c := g.s3Client(t, adminAK, adminSK, false)
	rec := &completeRecorder{rt: g.HTTPClient(false).Transport}
	viaRec := func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: rec} }
	ctx := context.Background()
	bucket, key := "ka-s3", "big/object.bin"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(5<<20+1000, 41)
	var parts []types.CompletedPart
	for i, chunk := range [][]byte{data[:5<<20], data[5<<20:]} {
		n := int32(i + 1)
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(chunk)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: p.ETag})
	}

	bad := []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(wrongETag)}, parts[1]}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: bad}}, viaRec)
	if apiCode(err) != "InvalidPart" {
		t.Fatalf("Complete with a wrong ETag = %v, want InvalidPart", err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		t.Logf("aws-sdk-go-v2 reports %s with HTTP status %d", apiCode(err), re.HTTPStatusCode())
	}
	n := checkKeptAlive(t, rec, true, "Error", "<Code>InvalidPart</Code>", "<RequestId>")
	t.Logf("aws-sdk-go-v2 sent the failing Complete %d times", n)
	checkLogged(t, g, "InvalidPart")

	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}, viaRec)
	if err != nil || !strings.HasSuffix(aws.ToString(out.ETag), `-2"`) || aws.ToString(out.Key) != key {
		t.Fatalf("Complete = %+v, %v", out, err)
	}
	checkKeptAlive(t, rec, false, "CompleteMultipartUploadResult", strings.Trim(aws.ToString(out.ETag), `"`))
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(body, data) {
		t.Fatalf("completed object: %d bytes differ", len(body))
	}
}

// TestCompleteKeepAliveOSSLegacySDK: aliyun-oss-go-sdk parses a good kept-
// alive Complete; it does not look for an <Error> in a 200, but the
// gateway cuts the connection after one, so the SDK reports a failure
// (unexpected EOF, without the code).
func TestCompleteKeepAliveOSSLegacySDK(t *testing.T) {
	g := startKeepAliveGateway(t)
	rec := &completeRecorder{rt: g.HTTPClient(false).Transport}
	b := ossBucket(t, ossLegacyClient(t, g, oss.HTTPClient(&http.Client{Transport: rec})), "ka-oss1")
	key := "big/object.bin"
	data := randomBytes(ossPart+1000, 42)
	imur, err := b.InitiateMultipartUpload(key)
	if err != nil {
		t.Fatal(err)
	}
	var parts []oss.UploadPart
	for i, chunk := range [][]byte{data[:ossPart], data[ossPart:]} {
		p, err := b.UploadPart(imur, bytes.NewReader(chunk), int64(len(chunk)), i+1)
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		parts = append(parts, p)
	}

	bad := []oss.UploadPart{{PartNumber: 1, ETag: wrongETag}, parts[1]}
	_, err = b.CompleteMultipartUpload(imur, bad)
	if err == nil {
		t.Fatal("Complete with a wrong ETag succeeded")
	}
	var se oss.ServiceError
	t.Logf("aliyun-oss-go-sdk reports %T %v (ServiceError: %v)", err, err, errors.As(err, &se))
	checkKeptAlive(t, rec, false, "Error", "<Code>InvalidPart</Code>", "<RequestId>")
	checkLogged(t, g, "InvalidPart")

	out, err := b.CompleteMultipartUpload(imur, parts)
	if err != nil || !strings.HasSuffix(out.ETag, `-2"`) || out.Key != key {
		t.Fatalf("Complete = %+v, %v", out, err)
	}
	checkKeptAlive(t, rec, false, "CompleteMultipartUploadResult", strings.Trim(out.ETag, `"`))
	r, err := b.GetObject(key)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r) // the SDK checks the CRC-64 at EOF
	r.Close()
	if err != nil || !bytes.Equal(body, data) {
		t.Fatalf("completed object: %d bytes, %v", len(body), err)
	}
}

// TestCompleteKeepAliveOSSV2SDK: alibabacloud-oss-go-sdk-v2 parses a good
// kept-alive Complete; it would take an <Error> in a 200 for a result (it
// does not check the root element), so the gateway cuts the connection
// after one and the SDK reports a failure (without the code).
func TestCompleteKeepAliveOSSV2SDK(t *testing.T) {
	g := startKeepAliveGateway(t)
	rec := &completeRecorder{rt: g.HTTPClient(false).Transport}
	c := ossv2.NewClient(ossv2.LoadDefaultConfig().
		WithCredentialsProvider(ossv2creds.NewStaticCredentialsProvider(adminAK, adminSK)).
		WithRegion("cn-hangzhou").WithEndpoint(g.URL).WithUsePathStyle(true).
		WithHttpClient(&http.Client{Transport: rec}))
	ctx := context.Background()
	bucket, key := "ka-oss2", "big/object.bin"
	if _, err := c.PutBucket(ctx, &ossv2.PutBucketRequest{Bucket: ossv2.Ptr(bucket)}); err != nil {
		t.Fatal(err)
	}
	up, err := c.InitiateMultipartUpload(ctx, &ossv2.InitiateMultipartUploadRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr(key)})
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(ossPart+1000, 43)
	var parts []ossv2.UploadPart
	for i, chunk := range [][]byte{data[:ossPart], data[ossPart:]} {
		n := int32(i + 1)
		p, err := c.UploadPart(ctx, &ossv2.UploadPartRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr(key), UploadId: up.UploadId,
			PartNumber: n, Body: bytes.NewReader(chunk)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, ossv2.UploadPart{PartNumber: n, ETag: p.ETag})
	}
	complete := func(parts []ossv2.UploadPart) (*ossv2.CompleteMultipartUploadResult, error) {
		return c.CompleteMultipartUpload(ctx, &ossv2.CompleteMultipartUploadRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr(key),
			UploadId: up.UploadId, CompleteMultipartUpload: &ossv2.CompleteMultipartUpload{Parts: parts}})
	}

	res, err := complete([]ossv2.UploadPart{{PartNumber: 1, ETag: ossv2.Ptr(wrongETag)}, parts[1]})
	if err == nil {
		t.Fatalf("Complete with a wrong ETag succeeded: %+v", res)
	}
	var se *ossv2.ServiceError
	t.Logf("alibabacloud-oss-go-sdk-v2 reports %T %v (ServiceError: %v)", err, err, errors.As(err, &se))
	checkKeptAlive(t, rec, false, "Error", "<Code>InvalidPart</Code>", "<RequestId>")
	checkLogged(t, g, "InvalidPart")

	res, err = complete(parts)
	if err != nil || !strings.HasSuffix(ossv2.ToString(res.ETag), `-2"`) || ossv2.ToString(res.Key) != key {
		t.Fatalf("Complete = %+v, %v", res, err)
	}
	checkKeptAlive(t, rec, false, "CompleteMultipartUploadResult", strings.Trim(ossv2.ToString(res.ETag), `"`))
	got, err := c.GetObject(ctx, &ossv2.GetObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr(key)})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || !bytes.Equal(body, data) {
		t.Fatalf("completed object: %d bytes, %v", len(body), err)
	}
}

// TestCompleteKeepAliveOBSSDK: huaweicloud-sdk-go-obs, at its defaults (the
// S3 dialect) and with SignatureObs (the OBS dialect), parses a good kept-
// alive Complete; it does not look for an <Error> in a 200 but fails to
// parse one as a result, so it reports a failure (without the code).
func TestCompleteKeepAliveOBSSDK(t *testing.T) {
	g := startKeepAliveGateway(t, withOBSDomain())
	for _, mode := range []struct {
		name    string
		minPart int
		client  func(rec *completeRecorder) *obs.ObsClient
	}{
		{"defaults", 5 << 20, func(rec *completeRecorder) *obs.ObsClient {
			rec.rt = &http.Transport{}
			return g.obsDefaultClient(t, adminAK, adminSK, rec)
		}},
		{"SignatureObs", 100 << 10, func(rec *completeRecorder) *obs.ObsClient {
			return g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, func(rt http.RoundTripper) http.RoundTripper {
				rec.rt = rt
				return rec
			})
		}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			rec := &completeRecorder{}
			c := mode.client(rec)
			bucket, key := "ka-obs-"+strings.ToLower(mode.name), "big/object.bin"
			cb := &obs.CreateBucketInput{}
			cb.Bucket = bucket
			if _, err := c.CreateBucket(cb); err != nil {
				t.Fatal(err)
			}
			init := &obs.InitiateMultipartUploadInput{}
			init.Bucket, init.Key = bucket, key
			up, err := c.InitiateMultipartUpload(init)
			if err != nil {
				t.Fatal(err)
			}
			data := randomBytes(mode.minPart+1000, 44)
			var parts []obs.Part
			for i, chunk := range [][]byte{data[:mode.minPart], data[mode.minPart:]} {
				p, err := c.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: i + 1,
					Body: bytes.NewReader(chunk)})
				if err != nil {
					t.Fatalf("UploadPart %d: %v", i+1, err)
				}
				parts = append(parts, obs.Part{PartNumber: i + 1, ETag: p.ETag})
			}

			bad := []obs.Part{{PartNumber: 1, ETag: wrongETag}, parts[1]}
			out, err := c.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId, Parts: bad})
			if err == nil {
				t.Fatalf("Complete with a wrong ETag succeeded: %+v", out)
			}
			var oe obs.ObsError
			t.Logf("huaweicloud-sdk-go-obs (%s) reports %T %v (ObsError: %v)", mode.name, err, err, errors.As(err, &oe))
			checkKeptAlive(t, rec, false, "Error", "<Code>InvalidPart</Code>")
			checkLogged(t, g, "InvalidPart")

			out, err = c.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId, Parts: parts})
			if err != nil || !strings.HasSuffix(out.ETag, `-2"`) || out.Key != key {
				t.Fatalf("Complete = %+v, %v", out, err)
			}
			checkKeptAlive(t, rec, false, "CompleteMultipartUploadResult", strings.Trim(out.ETag, `"`))
			if got := obsGet(t, c, bucket, key); !bytes.Equal(got, data) {
				t.Fatalf("completed object: %d bytes differ", len(got))
			}
		})
	}
}

// TestCompleteKeepAliveDefault: at the default grace period a quick
// failing Complete keeps its own status (400 InvalidPart), not a 200.
func TestCompleteKeepAliveDefault(t *testing.T) {
	g := startGateway(t)
	c := g.s3Client(t, adminAK, adminSK, false)
	ctx := context.Background()
	bucket, key := "ka-default", "k"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: aws.String(wrongETag)}}}})
	var re interface{ HTTPStatusCode() int }
	if apiCode(err) != "InvalidPart" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
		t.Fatalf("Complete with a wrong ETag = %v, want 400 InvalidPart", err)
	}
}
