package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"

	"github.com/babelgate/babelgate/test/minio"
)

// Conditional writes as AWS documents them (user guide, "How to prevent
// object overwrites with conditional writes"; aws-sdk-go-v2's
// PutObjectInput, CopyObjectInput and CompleteMultipartUploadInput
// IfMatch/IfNoneMatch): If-None-Match: * refuses an existing key and
// If-Match a key whose ETag differs, with 412 PreconditionFailed; If-Match
// on a missing key is 404 NoSuchKey. AbortMultipartUpload's
// IfMatchInitiatedTime aborts only an upload initiated at that time.

// preconditionMsg is S3's PreconditionFailed message, as the S3 API
// reference's error code list words it (every S3 message is that list's).
const preconditionMsg = "At least one of the preconditions you specified did not hold."

// wantAPIError fails unless err is the S3 error status/code/message.
func wantAPIError(t *testing.T, what string, err error, status int, code, message string) {
	t.Helper()
	var api smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &api) || !errors.As(err, &re) {
		t.Fatalf("%s: got %v, want %d %s", what, err, status, code)
	}
	if re.HTTPStatusCode() != status || api.ErrorCode() != code || (message != "" && api.ErrorMessage() != message) {
		t.Fatalf("%s: got %d %s %q, want %d %s %q", what, re.HTTPStatusCode(), api.ErrorCode(), api.ErrorMessage(), status, code, message)
	}
}

// TestConditionalWrites runs the conditional-write flows with
// aws-sdk-go-v2 at its defaults, two clients at once, on the fs backend
// over plain HTTP, on MinIO through the s3 backend over TLS, and through
// the oss backend.
func TestConditionalWrites(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(t *testing.T) []gatewayOption
	}{
		{"fs-http", func(*testing.T) []gatewayOption { return nil }},
		{"minio-tls", func(t *testing.T) []gatewayOption {
			return []gatewayOption{withTLS(), withBackends(minioBackend(minio.Start(t), ""))}
		}},
		// The oss backend, its store a second gateway speaking OSS over fs.
		{"oss-store", func(t *testing.T) []gatewayOption {
			store := startGateway(t)
			return []gatewayOption{withBackends(ossStoreBackend(store))}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := startGateway(t, tc.opts(t)...)
			a, b := g.s3Client(t, adminAK, adminSK, false), g.s3Client(t, adminAK, adminSK, false)
			ctx := context.Background()
			bucket := "cond-" + tc.name
			if _, err := a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			t.Run("put", func(t *testing.T) { condPut(t, a, b, bucket) })
			t.Run("copy", func(t *testing.T) { condCopy(t, a, bucket) })
			t.Run("complete-race", func(t *testing.T) { condCompleteRace(t, a, b, bucket) })
			t.Run("complete-concurrent", func(t *testing.T) { condCompleteConcurrent(t, g, bucket) })
			t.Run("complete-twice", func(t *testing.T) { completeTwice(t, a, b, bucket) })
			t.Run("abort-initiated-time", func(t *testing.T) { abortInitiated(t, a, bucket) })
		})
	}
}

func put(ctx context.Context, c *s3.Client, in *s3.PutObjectInput) (*s3.PutObjectOutput, error) {
	return c.PutObject(ctx, in)
}

func condPut(t *testing.T, a, b *s3.Client, bucket string) {
	ctx := context.Background()
	// Each request gets its own body reader: a refused request has read it.
	in := func(body string, ifNoneMatch, ifMatch *string) *s3.PutObjectInput {
		return &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("put"), Body: bytes.NewReader([]byte(body)),
			IfNoneMatch: ifNoneMatch, IfMatch: ifMatch}
	}
	_, err := put(ctx, a, in("first", nil, aws.String(`"8b04d5e3775d298e78455efc5ca404d5"`)))
	wantAPIError(t, "If-Match on a missing key", err, 404, "NoSuchKey", "The specified key does not exist.")
	out, err := put(ctx, a, in("first", aws.String("*"), nil))
	if err != nil {
		t.Fatalf("If-None-Match: * on a new key: %v", err)
	}
	_, err = put(ctx, b, in("second", aws.String("*"), nil))
	wantAPIError(t, "the second client's If-None-Match: *", err, 412, "PreconditionFailed", preconditionMsg)
	_, err = put(ctx, b, in("second", nil, aws.String(`"d41d8cd98f00b204e9800998ecf8427e"`)))
	wantAPIError(t, "If-Match with a wrong ETag", err, 412, "PreconditionFailed", preconditionMsg)
	wantBody(t, a, bucket, "put", []byte("first"))
	if _, err := put(ctx, b, in("second", nil, out.ETag)); err != nil {
		t.Fatalf("If-Match with the right ETag: %v", err)
	}
	wantBody(t, a, bucket, "put", []byte("second"))
}

// wantBody fails unless key holds data.
func wantBody(t *testing.T, c *s3.Client, bucket, key string, data []byte) {
	t.Helper()
	got, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer got.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(got.Body)
	if !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("%s holds %q, want %q", key, buf.Bytes(), data)
	}
}

func condCopy(t *testing.T, c *s3.Client, bucket string) {
	ctx := context.Background()
	src, err := put(ctx, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("src"), Body: bytes.NewReader([]byte("source"))})
	if err != nil {
		t.Fatal(err)
	}
	cp := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("dst"), CopySource: aws.String(bucket + "/src"), IfNoneMatch: aws.String("*")}
	if _, err := c.CopyObject(ctx, cp); err != nil {
		t.Fatalf("CopyObject If-None-Match: * to a new key: %v", err)
	}
	_, err = c.CopyObject(ctx, cp)
	wantAPIError(t, "CopyObject If-None-Match: * over an object", err, 412, "PreconditionFailed", preconditionMsg)
	if _, err := put(ctx, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("dst"), Body: bytes.NewReader([]byte("other"))}); err != nil {
		t.Fatal(err)
	}
	cp.IfNoneMatch, cp.IfMatch = nil, src.ETag
	_, err = c.CopyObject(ctx, cp)
	wantAPIError(t, "CopyObject If-Match with the source's ETag", err, 412, "PreconditionFailed", preconditionMsg)
	wantBody(t, c, bucket, "dst", []byte("other"))
	cp.IfMatch = aws.String(`"795f3202b17cb6bc3d4b771d8c6c9eaf"`) // MD5 of "other"
	if _, err := c.CopyObject(ctx, cp); err != nil {
		t.Fatalf("CopyObject If-Match with the destination's ETag: %v", err)
	}
	wantBody(t, c, bucket, "dst", []byte("source"))
}

// mpu is one upload with its completed-parts list.
type mpu struct {
	id    string
	parts []types.CompletedPart
}

// startUpload creates an upload of key and uploads data as its parts.
func startUpload(t *testing.T, c *s3.Client, bucket, key string, data ...[]byte) mpu {
	t.Helper()
	ctx := context.Background()
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	u := mpu{id: aws.ToString(cr.UploadId)}
	for i, d := range data {
		n := int32(i + 1)
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(d)})
		if err != nil {
			t.Fatal(err)
		}
		u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32})
	}
	return u
}

func (u mpu) complete(ctx context.Context, c *s3.Client, bucket, key string, ifNoneMatch, ifMatch *string) (*s3.CompleteMultipartUploadOutput, error) {
	return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(u.id), MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts},
		IfNoneMatch: ifNoneMatch, IfMatch: ifMatch})
}

// condCompleteRace: two clients each create an upload of one key and
// upload parts; the first Complete with If-None-Match: * wins, the second
// gets 412 and its upload stays; If-Match on the winner's ETag then
// completes it.
func condCompleteRace(t *testing.T, a, b *s3.Client, bucket string) {
	ctx := context.Background()
	big := randomBytes(5<<20, 7)
	ua := startUpload(t, a, bucket, "race", big, []byte("a-tail"))
	ub := startUpload(t, b, bucket, "race", big, []byte("b-tail"))
	won, err := ua.complete(ctx, a, bucket, "race", aws.String("*"), nil)
	if err != nil {
		t.Fatalf("first Complete If-None-Match: *: %v", err)
	}
	_, err = ub.complete(ctx, b, bucket, "race", aws.String("*"), nil)
	wantAPIError(t, "second Complete If-None-Match: *", err, 412, "PreconditionFailed", preconditionMsg)
	wantBody(t, a, bucket, "race", append(append([]byte{}, big...), "a-tail"...))
	_, err = ub.complete(ctx, b, bucket, "race", nil, aws.String(`"00000000000000000000000000000000-2"`))
	wantAPIError(t, "Complete If-Match with a wrong ETag", err, 412, "PreconditionFailed", preconditionMsg)
	if _, err := ub.complete(ctx, b, bucket, "race", nil, won.ETag); err != nil {
		t.Fatalf("Complete If-Match with the object's ETag (the refused upload stayed): %v", err)
	}
	wantBody(t, a, bucket, "race", append(append([]byte{}, big...), "b-tail"...))
}

// condCompleteConcurrent: several clients complete uploads of one new key
// with If-None-Match: * at the same moment (released together by a
// barrier): exactly one gets 200, every other 412.
func condCompleteConcurrent(t *testing.T, g *gateway, bucket string) {
	const n = 4
	ctx := context.Background()
	clients := make([]*s3.Client, n)
	uploads := make([]mpu, n)
	for i := range clients {
		clients[i] = g.s3Client(t, adminAK, adminSK, false)
		uploads[i] = startUpload(t, clients[i], bucket, "concurrent", []byte(fmt.Sprintf("writer %d", i)))
	}
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = uploads[i].complete(ctx, clients[i], bucket, "concurrent", aws.String("*"), nil)
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("writers %d and %d both completed under If-None-Match: *", winner, i)
			}
			winner = i
			continue
		}
		wantAPIError(t, fmt.Sprintf("losing writer %d", i), err, 412, "PreconditionFailed", preconditionMsg)
	}
	if winner < 0 {
		t.Fatal("no writer completed")
	}
	wantBody(t, clients[0], bucket, "concurrent", []byte(fmt.Sprintf("writer %d", winner)))
}

// completeTwice: the same Complete sent again (by another client) answers
// 200 with the same ETag; after an overwrite it is NoSuchUpload.
func completeTwice(t *testing.T, a, b *s3.Client, bucket string) {
	ctx := context.Background()
	u := startUpload(t, a, bucket, "twice", randomBytes(5<<20, 8), []byte("end"))
	first, err := u.complete(ctx, a, bucket, "twice", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := u.complete(ctx, b, bucket, "twice", nil, nil)
	if err != nil {
		t.Fatalf("Complete again: %v", err)
	}
	if aws.ToString(again.ETag) != aws.ToString(first.ETag) || aws.ToString(again.Key) != "twice" || aws.ToString(again.Bucket) != bucket {
		t.Fatalf("Complete again = ETag %s key %s, want %s", aws.ToString(again.ETag), aws.ToString(again.Key), aws.ToString(first.ETag))
	}
	fewer := u
	fewer.parts = u.parts[:1]
	_, err = fewer.complete(ctx, b, bucket, "twice", nil, nil)
	wantAPIError(t, "Complete again with another part list", err, 404, "NoSuchUpload", "")
	if _, err := put(ctx, b, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("twice"), Body: bytes.NewReader([]byte("new"))}); err != nil {
		t.Fatal(err)
	}
	_, err = u.complete(ctx, a, bucket, "twice", nil, nil)
	wantAPIError(t, "Complete again after an overwrite", err, 404, "NoSuchUpload", "")
}

// abortInitiated: IfMatchInitiatedTime (x-amz-if-match-initiated-time) of
// another second is 412 and the upload stays; the upload's own time (from
// ListMultipartUploads) aborts it; then, the upload gone, 204 again.
func abortInitiated(t *testing.T, c *s3.Client, bucket string) {
	ctx := context.Background()
	u := startUpload(t, c, bucket, "abort-me", []byte("x"))
	list, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("abort-me")})
	if err != nil || len(list.Uploads) != 1 {
		t.Fatalf("ListMultipartUploads = %+v, %v", list, err)
	}
	initiated := aws.ToTime(list.Uploads[0].Initiated)
	abort := func(at time.Time) error {
		_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("abort-me"),
			UploadId: aws.String(u.id), IfMatchInitiatedTime: aws.Time(at)})
		return err
	}
	wantAPIError(t, "Abort with another initiated time", abort(initiated.Add(-time.Minute)), 412, "PreconditionFailed", preconditionMsg)
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("abort-me"), UploadId: aws.String(u.id)}); err != nil {
		t.Fatalf("the upload should stay: %v", err)
	}
	if err := abort(initiated); err != nil {
		t.Fatalf("Abort with the upload's initiated time: %v", err)
	}
	if err := abort(initiated); err != nil {
		t.Fatalf("Abort of the gone upload with the header: %v, want 204", err)
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("abort-me"), UploadId: aws.String(u.id)})
	wantAPIError(t, "ListParts after the abort", err, 404, "NoSuchUpload", "")
}

// TestConditionalWriteBadRequests sends conditional-write headers AWS
// refuses, as raw signed requests, and checks code, status and message.
func TestConditionalWriteBadRequests(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	const bucket = "cond-bad"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := put(ctx, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("keep"))}); err != nil {
		t.Fatal(err)
	}
	u := startUpload(t, c, bucket, "k", []byte("part"))
	completeBody := []byte(fmt.Sprintf(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>`, aws.ToString(u.parts[0].ETag)))
	const notImpl = "A header you provided implies functionality that is not implemented."
	for _, tc := range []struct {
		name    string
		req     rawRequest
		status  int
		code    string
		message string
		// condition is the <Condition> element S3 adds to a 412.
		condition string
	}{
		{"put-if-none-match-etag", rawRequest{Method: "PUT", Path: rawPath(bucket, "k"), Body: []byte("x"),
			Header: http.Header{"If-None-Match": {`"abc"`}}}, 501, "NotImplemented", notImpl, ""},
		{"put-both-conditions", rawRequest{Method: "PUT", Path: rawPath(bucket, "k"), Body: []byte("x"),
			Header: http.Header{"If-None-Match": {"*"}, "If-Match": {`"abc"`}}}, 501, "NotImplemented", notImpl, ""},
		{"copy-if-none-match-etag", rawRequest{Method: "PUT", Path: rawPath(bucket, "k2"),
			Header: http.Header{"If-None-Match": {`"abc"`}, "X-Amz-Copy-Source": {bucket + "/k"}}}, 501, "NotImplemented", notImpl, ""},
		{"complete-if-none-match-etag", rawRequest{Method: "POST", Path: rawPath(bucket, "k"), Query: "uploadId=" + u.id, Body: completeBody,
			Header: http.Header{"If-None-Match": {"abc"}}}, 501, "NotImplemented", notImpl, ""},
		{"put-if-none-match-exists", rawRequest{Method: "PUT", Path: rawPath(bucket, "k"), Body: []byte("x"),
			Header: http.Header{"If-None-Match": {"*"}}}, 412, "PreconditionFailed", preconditionMsg, "If-None-Match"},
		{"put-if-match-wrong", rawRequest{Method: "PUT", Path: rawPath(bucket, "k"), Body: []byte("x"),
			Header: http.Header{"If-Match": {`"abc"`}}}, 412, "PreconditionFailed", preconditionMsg, "If-Match"},
		{"put-if-match-missing", rawRequest{Method: "PUT", Path: rawPath(bucket, "nothing"), Body: []byte("x"),
			Header: http.Header{"If-Match": {`"abc"`}}}, 404, "NoSuchKey", "The specified key does not exist.", ""},
		{"complete-if-none-match-exists", rawRequest{Method: "POST", Path: rawPath(bucket, "k"), Query: "uploadId=" + u.id, Body: completeBody,
			Header: http.Header{"If-None-Match": {"*"}}}, 412, "PreconditionFailed", preconditionMsg, "If-None-Match"},
		{"abort-initiated-time-malformed", rawRequest{Method: "DELETE", Path: rawPath(bucket, "k"), Query: "uploadId=" + u.id,
			Header: http.Header{"X-Amz-If-Match-Initiated-Time": {"yesterday"}}}, 400, "InvalidArgument",
			"Invalid date format header, expected to be in ISO8601, RFC1123 or RFC1123Z time format.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.AK, tc.req.SK = adminAK, adminSK
			resp := g.rawDo(t, tc.req)
			var eb struct {
				XMLName                  xml.Name `xml:"Error"`
				Code, Message, Condition string
				RequestID                string `xml:"RequestId"`
			}
			if err := xml.Unmarshal(resp.Body, &eb); err != nil {
				t.Fatalf("%s: %d %q is no <Error>: %v", resp.Request, resp.Status, resp.Body, err)
			}
			if resp.Status != tc.status || eb.Code != tc.code || eb.Message != tc.message || eb.Condition != tc.condition {
				t.Fatalf("%s: got %d %s %q condition %q, want %d %s %q condition %q", resp.Request, resp.Status, eb.Code, eb.Message,
					eb.Condition, tc.status, tc.code, tc.message, tc.condition)
			}
		})
	}
	// Nothing above changed the object or completed the upload.
	wantBody(t, c, bucket, "k", []byte("keep"))
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("k"), UploadId: aws.String(u.id)}); err != nil {
		t.Fatalf("the upload should stay: %v", err)
	}
}

// boto3Outcome is one step of testdata/boto3_condwrite.py: its result, or
// the S3 error it got.
type boto3Outcome struct {
	OK      string `json:"ok"`
	Code    string `json:"code"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// TestBoto3ConditionalWrites runs Debian's boto3 (over TLS, its defaults)
// through conditional Puts, a conditional Complete and a Complete sent
// twice (testdata/boto3_condwrite.py says how the headers are sent).
func TestBoto3ConditionalWrites(t *testing.T) {
	python := boto3Python(t)
	g := startGateway(t, withTLS())
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_condwrite.py"))
	if err != nil {
		t.Fatal(err)
	}
	res := mustRunClient(t, clientEnv(t, g, adminAK, adminSK), python, script, g.URL, "cond-boto3")
	var out map[string]boto3Outcome
	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		t.Fatalf("boto3_condwrite.py: %v\n%s", err, res.Stdout)
	}
	failed := boto3Outcome{Code: "PreconditionFailed", Status: 412, Message: preconditionMsg}
	for step, want := range map[string]boto3Outcome{
		"put_new": {OK: `"8b04d5e3775d298e78455efc5ca404d5"`}, "put_exists": failed, "put_wrong_etag": failed,
		"put_right_etag": {OK: `"dd5c8bf51558ffcbe5007071908e9524"`}, "complete_exists": failed,
	} {
		if got := out[step]; got != want {
			t.Errorf("%s: got %+v, want %+v", step, got, want)
		}
	}
	if c, again := out["complete"], out["complete_again"]; c.OK == "" || again != c {
		t.Errorf("Complete = %+v, Complete again = %+v; want the same 200 twice", c, again)
	}
}

// TestOBSForbidOverwriteNotImplemented: OBS documents no forbid-overwrite
// header (nor conditional writes); the OBS Go SDK sending
// x-obs-forbid-overwrite through its WithCustomHeader extension gets
// NotImplemented, and nothing is written.
func TestOBSForbidOverwriteNotImplemented(t *testing.T) {
	g := startGateway(t, withOBSDomain())
	c := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	cb := &obs.CreateBucketInput{}
	cb.Bucket = "obs-forbid"
	if _, err := c.CreateBucket(cb); err != nil {
		t.Fatal(err)
	}
	put := &obs.PutObjectInput{}
	put.Bucket, put.Key, put.Body = "obs-forbid", "k", bytes.NewReader([]byte("x"))
	_, err := c.PutObject(put, obs.WithCustomHeader("x-obs-forbid-overwrite", "true"))
	if obsCode(err) != "NotImplemented" || obsStatus(err) != 501 {
		t.Fatalf("PutObject with x-obs-forbid-overwrite = %v, want 501 NotImplemented", err)
	}
	head := &obs.GetObjectMetadataInput{Bucket: "obs-forbid", Key: "k"}
	if _, err := c.GetObjectMetadata(head); obsStatus(err) != 404 {
		t.Fatalf("the refused PutObject left an object: %v", err)
	}
}
