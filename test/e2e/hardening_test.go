package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/test/minio"
)

// server.body_read_timeout and server.max_inflight.

// S3's answer to a body that stops: 400 RequestTimeout (Error Responses,
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html;
// the message is the one S3 sends, with its second sentence).
const s3RequestTimeoutMessage = "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."

// stallUploadPart sends UploadPart 1 of uploadID declaring declared bytes
// over a raw connection, sends sent of them and stops; it returns the
// response and how long it took to come.
func stallUploadPart(t *testing.T, g *gateway, bucket, key, uploadID string, declared, sent int) (*rawResponse, time.Duration) {
	t.Helper()
	req := g.rawBuild(t, rawRequest{Method: "PUT", Path: rawPath(bucket, key), Query: partQuery("1", uploadID),
		PayloadHash: rawUnsignedPayload, AK: adminAK, SK: adminSK})
	return stall(t, g, req, declared, sent)
}

// stall sends req's head declaring declared bytes over a raw connection,
// then sent bytes of body, and stops; it returns the response and how
// long it took to come.
func stall(t *testing.T, g *gateway, req *http.Request, declared, sent int) (*rawResponse, time.Duration) {
	t.Helper()
	conn := g.rawDial(t)
	defer conn.Close()
	// A bound for a gateway that never answers, not what decides.
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	if err := rawWriteHead(conn, req, int64(declared)); err != nil {
		t.Fatal(err)
	}
	body := randomBytes(sent, 91)
	// Timed from before the body is sent: the gateway's last read of it
	// cannot come earlier, so the answer cannot come sooner than the
	// timeout after this, however loaded the machine.
	start := time.Now()
	if _, err := conn.Write(body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("stalled UploadPart: no response: %v", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return &rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: answer, Request: req.Method + " " + req.URL.RequestURI()}, time.Since(start)
}

// checkRequestTimeout checks S3's RequestTimeout answer.
func checkRequestTimeout(t *testing.T, resp *rawResponse) {
	t.Helper()
	var e rawErrorBody
	if err := xml.Unmarshal(resp.Body, &e); err != nil || resp.Status != http.StatusBadRequest ||
		e.Code != "RequestTimeout" || e.Message != s3RequestTimeoutMessage || e.RequestID == "" {
		t.Fatalf("stalled UploadPart answered %d:\n%s\nwant 400 RequestTimeout %q", resp.Status, resp.Body, s3RequestTimeoutMessage)
	}
}

// snapshotFiles maps every regular file under dir to its size.
func snapshotFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// completeOnePart uploads data as part 1 of the upload through the SDK,
// completes it and checks the object.
func completeOnePart(t *testing.T, c *s3.Client, bucket, key string, uploadID *string, data []byte) {
	t.Helper()
	ctx := context.Background()
	p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: uploadID,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("UploadPart after the stalled one: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: uploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32}}}}); err != nil {
		t.Fatalf("Complete after the stalled part: %v", err)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("completed object has %d bytes, not the %d uploaded", len(got), len(data))
	}
}

// TestStalledUploadPartIsCut: on the fs backend, an UploadPart that sends
// 1 MiB of a declared 6 MiB and stops is answered RequestTimeout once
// body_read_timeout (2s) passes without a byte, leaves no file behind,
// is counted, and the same upload then completes.
func TestStalledUploadPartIsCut(t *testing.T) {
	const timeout = 2 * time.Second
	g, admin := startAdminGateway(t, "  body_read_timeout: 2s\n")
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("stall")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("stall"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(g.Dir, "data")
	files := snapshotFiles(t, dataDir)

	resp, took := stallUploadPart(t, g, "stall", "obj", aws.ToString(up.UploadId), 6<<20, 1<<20)
	checkRequestTimeout(t, resp)
	if took < timeout {
		t.Errorf("cut after %v, before the %v timeout", took, timeout)
	}
	// The answer came after the backend gave up the part: nothing of it
	// is left, not even a temporary file.
	after := snapshotFiles(t, dataDir)
	for path, size := range after {
		if old, ok := files[path]; !ok || old != size {
			t.Errorf("the stalled part left %s (%d bytes)", path, size)
		}
	}
	if len(after) != len(files) {
		t.Errorf("%d files before the stalled part, %d after", len(files), len(after))
	}
	m := scrapeSettled(t, admin)
	if v := m.value("babelgate_body_read_timeouts_total", "dialect=s3"); v != 1 {
		t.Errorf("babelgate_body_read_timeouts_total{s3} = %v, want 1", v)
	}
	if v := m.value("babelgate_requests_total", "dialect=s3", "operation=UploadPart", "status_class=4xx"); v != 1 {
		t.Errorf("babelgate_requests_total{s3,UploadPart,4xx} = %v, want 1", v)
	}
	if !logHas(g.Log(), `"op":"UploadPart"`, `"status":400`, `"error":"RequestTimeout"`) {
		t.Error("the request log has no UploadPart line with RequestTimeout")
	}
	completeOnePart(t, c, "stall", "obj", up.UploadId, randomBytes(6<<20, 92))
}

// TestStalledUploadPartIsCutMinIO: the same on the s3 backend over MinIO:
// the store keeps no part of the stalled upload, and the upload completes.
func TestStalledUploadPartIsCutMinIO(t *testing.T) {
	m := minio.Start(t)
	g, _ := startAdminGateway(t, "  body_read_timeout: 2s\n", withBackends(minioBackend(m, "")))
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("stall-minio")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("stall-minio"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := stallUploadPart(t, g, "stall-minio", "obj", aws.ToString(up.UploadId), 6<<20, 1<<20)
	checkRequestTimeout(t, resp)

	// MinIO's own view: its upload of obj exists and holds no part.
	direct := minioClient(t, m)
	ups, err := direct.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("stall-minio")})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, u := range ups.Uploads {
		if aws.ToString(u.Key) != "obj" {
			continue
		}
		found++
		parts, err := direct.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("stall-minio"), Key: u.Key, UploadId: u.UploadId})
		if err != nil {
			t.Fatal(err)
		}
		if len(parts.Parts) != 0 {
			t.Errorf("MinIO kept %d part(s) of the stalled UploadPart: %+v", len(parts.Parts), parts.Parts)
		}
	}
	if found != 1 {
		t.Fatalf("MinIO holds %d uploads of obj, want 1", found)
	}
	completeOnePart(t, c, "stall-minio", "obj", up.UploadId, randomBytes(6<<20, 93))
}

// TestMaxInflightSlowDown: with max_inflight 1 and one request held in
// flight, the next is answered at once with the dialect's SlowDown (503),
// its body never read; once the held one ends, requests pass again.
func TestMaxInflightSlowDown(t *testing.T) {
	g, admin := startAdminGateway(t, "  max_inflight: 1\n")
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("shed")}); err != nil {
		t.Fatal(err)
	}
	scrapeSettled(t, admin) // so that the one in flight below is the held PUT
	held := holdPut(t, g, "shed", "held", 2<<20)
	waitFor(t, "the held PUT to be in flight", func() bool {
		return scrapeMetrics(t, admin).value("babelgate_requests_in_flight") == 1
	})

	// S3: a PUT declaring 64 MiB of which nothing is sent is answered
	// at once: the gateway does not wait for the body. S3's throttling
	// answer is 503 SlowDown "Please reduce your request rate." (Error
	// Responses, as above).
	req := g.rawBuild(t, rawRequest{Method: "PUT", Path: rawPath("shed", "other"), PayloadHash: rawUnsignedPayload, AK: adminAK, SK: adminSK})
	conn := g.rawDial(t)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute)) // a bound, not what decides
	if err := rawWriteHead(conn, req, 64<<20); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("no answer while the body was not sent: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e rawErrorBody
	if xml.Unmarshal(body, &e) != nil || resp.StatusCode != http.StatusServiceUnavailable || e.Code != "SlowDown" ||
		e.Message != "Please reduce your request rate." {
		t.Fatalf("request beyond max_inflight: %d\n%s", resp.StatusCode, body)
	}

	// OSS: its own 503 (the OSS table's SlowDown row).
	oresp, obody := g.ossDo(t, ossRaw{method: "PUT", bucket: "shed", key: "oss-other", body: []byte("hello")})
	var oe ossErrorDoc
	if xml.Unmarshal(obody, &oe) != nil || oresp.StatusCode != http.StatusServiceUnavailable || oe.Code != "ServiceUnavailable" ||
		oe.Message != "Please reduce your request rate." || oresp.Header.Get("x-oss-request-id") == "" {
		t.Fatalf("OSS request beyond max_inflight: %d\n%s", oresp.StatusCode, obody)
	}

	if r := held.finish(t); r.err != nil || r.status != http.StatusOK {
		t.Fatalf("held PUT: %d %v %s", r.status, r.err, r.body)
	}
	scrapeSettled(t, admin) // the held request has given its slot back
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("shed"), Key: aws.String("after"),
		Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatalf("PutObject once the slot is free: %v", err)
	}
	mt := scrapeSettled(t, admin)
	for _, d := range []string{"s3", "oss"} {
		if v := mt.value("babelgate_requests_shed_total", "dialect="+d); v != 1 {
			t.Errorf("babelgate_requests_shed_total{%s} = %v, want 1", d, v)
		}
	}
	if _, err := os.Stat(filepath.Join(g.Dir, "data", "shed", "other")); err == nil {
		t.Error("the refused PUT left an object")
	}
}

// TestStalledBodyOSSAndOBS: a stalled PutObject in the OSS and the native
// OBS dialect gets that dialect's RequestTimeout (400, with its own
// request-id header) and leaves no object.
func TestStalledBodyOSSAndOBS(t *testing.T) {
	g, admin := startAdminGateway(t, "  body_read_timeout: 2s\n")
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("stall-dialects")}); err != nil {
		t.Fatal(err)
	}
	date := time.Now().UTC().Format(http.TimeFormat)
	ossReq, _ := http.NewRequest("PUT", g.URL+"/stall-dialects/oss-obj", nil)
	ossReq.Header.Set("Date", date)
	ossReq.Header.Set("Authorization", "OSS "+adminAK+":"+signV1(adminSK, "PUT", "", "", date, ossReq.Header, "stall-dialects", "oss-obj", ""))
	obsReq := g.obsRequest(t, "PUT", "/stall-dialects/obs-obj", nil, adminAK, adminSK, nil)
	// Both vendors answer S3's words (the dialects' error tables):
	// OSS's RequestTimeout and OBS's (OBS API reference, error codes).
	const message = "Your socket connection to the server was not read from or written to within the timeout period."
	for _, tc := range []struct {
		dialect, key, idHeader, message string
		req                             *http.Request
	}{
		{"oss", "oss-obj", "x-oss-request-id", message, ossReq},
		{"obs", "obs-obj", "x-obs-request-id", message, obsReq},
	} {
		resp, _ := stall(t, g, tc.req, 1<<20, 100<<10)
		var e struct{ Code, Message string }
		if xml.Unmarshal(resp.Body, &e) != nil || resp.Status != http.StatusBadRequest || e.Code != "RequestTimeout" ||
			e.Message != tc.message || resp.Header.Get(tc.idHeader) == "" {
			t.Errorf("%s: stalled PutObject answered %d %v:\n%s", tc.dialect, resp.Status, resp.Header, resp.Body)
		}
		if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("stall-dialects"), Key: aws.String(tc.key)}); err == nil {
			t.Errorf("%s: the stalled PutObject left an object", tc.dialect)
		}
	}
	scrapeSettled(t, admin) // requests are logged after their answer
	for _, d := range []string{"oss", "obs"} {
		if !logHas(g.Log(), `"dialect":"`+d+`"`, `"op":"PutObject"`, `"error":"RequestTimeout"`) {
			t.Errorf("no %s PutObject logged with RequestTimeout", d)
		}
	}
}
