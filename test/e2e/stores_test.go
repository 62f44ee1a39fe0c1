package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ossStoreBackend is the backends section of a gateway whose oss backend,
// named store, is the gateway store (over fs) speaking OSS.
func ossStoreBackend(store *gateway) string {
	return fmt.Sprintf(`backends:
  - name: store
    type: oss
    options: {endpoint: %q, access_key: %q, secret_key: %q, path_style: true,
              request_timeout: 60s, connect_timeout: 10s, retries: 3}
`, store.URL, adminAK, adminSK)
}

// restartable is a store process a test stops and starts again on the
// same address and data (minio.Server, azurite.Server).
type restartable interface {
	Stop()
	Restart()
}

// testStoreOutage stops store, the backend of g, in the middle of a
// multipart upload: an S3 client that does not retry gets the gateway's
// retryable answer (503 ServiceUnavailable) within the configured timeout,
// and once the store is back the same upload takes the part again and
// completes whole. The object reads back whole through the gateway and, by
// readStore, straight from the store.
func testStoreOutage(t *testing.T, g *gateway, store restartable, readStore func(bucket, key string) []byte) {
	t.Helper()
	const bucket, key, partSize = "outage-test", "obj", 5 << 20
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(2*partSize, 66)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	part := func(ctx context.Context, n int32, body []byte, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
		return c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(body)}, opts...)
	}
	p1, err := part(ctx, 1, data[:partSize])
	if err != nil {
		t.Fatal(err)
	}

	store.Stop()
	// A client that does not retry sees the gateway's answer itself; the
	// deadline is a bound on a hang, far above the backend's timeouts.
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	_, err = part(cctx, 2, data[partSize:], func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if code := apiCode(err); code != "ServiceUnavailable" {
		t.Fatalf("UploadPart with the store down: %v (code %q), want ServiceUnavailable", err, code)
	}
	if !strings.Contains(err.Error(), "StatusCode: 503") {
		t.Fatalf("UploadPart with the store down: %v, want status 503", err)
	}

	store.Restart()
	p2, err := part(ctx, 2, data[partSize:])
	if err != nil {
		t.Fatalf("UploadPart after the store is back: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32},
			{PartNumber: aws.Int32(2), ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32}}}}); err != nil {
		t.Fatalf("Complete after the outage: %v", err)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the object through the gateway after the outage: %d bytes (%v), want %d", len(got), err, len(data))
	}
	if got := readStore(bucket, key); !bytes.Equal(got, data) {
		t.Fatalf("the object on the store after the outage: %d bytes, want %d", len(got), len(data))
	}
}
