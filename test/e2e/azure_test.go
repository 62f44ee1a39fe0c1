package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/test/azurite"
)

// azuriteBackend is the backends section of a gateway in front of Azurite
// (the azure backend, shared-key auth), plus extra.
func azuriteBackend(s *azurite.Server, extra string) string {
	return fmt.Sprintf(`backends:
  - name: azure
    type: azure
    options: {endpoint: %q, account_name: %q, account_key: %q,
              request_timeout: 5s, connect_timeout: 2s, retries: 1}
%s`, s.Endpoint, azurite.Account, azurite.Key, extra)
}

// azuriteGet reads a blob straight from Azurite with the Azure SDK, to
// check that the bytes landed on the store.
func azuriteGet(t *testing.T, s *azurite.Server, container, blob string) []byte {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(azurite.Account, azurite.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(s.Endpoint+"/", cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.DownloadStream(context.Background(), container, blob, nil)
	if err != nil {
		t.Fatalf("GET from Azurite: %v", err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("GET from Azurite: %v", err)
	}
	return b
}

// TestAzuriteStoreFailure stops Azurite in the middle of an upload: the
// client gets a retryable error in its own dialect (503) within the
// configured timeout, and after Azurite is back (same port, same data) the
// same upload completes whole.
func TestAzuriteStoreFailure(t *testing.T) {
	s := azurite.Start(t)
	g := startGateway(t, withBackends(azuriteBackend(s, "")))
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("outage-test")}); err != nil {
		t.Fatal(err)
	}
	const partSize = 5 << 20
	data := randomBytes(2*partSize, 67)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("outage-test"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("outage-test"), Key: aws.String("obj"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(data[:partSize])})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	// A client that does not retry sees the gateway's answer itself.
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	_, err = c.UploadPart(cctx, &s3.UploadPartInput{Bucket: aws.String("outage-test"), Key: aws.String("obj"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), Body: bytes.NewReader(data[partSize:])}, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if code := apiCode(err); code != "ServiceUnavailable" {
		t.Fatalf("UploadPart with the store down: %v (code %q), want ServiceUnavailable", err, code)
	}
	if !strings.Contains(err.Error(), "StatusCode: 503") {
		t.Fatalf("UploadPart with the store down: %v, want status 503", err)
	}
	s.Restart()
	p2, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("outage-test"), Key: aws.String("obj"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), Body: bytes.NewReader(data[partSize:])})
	if err != nil {
		t.Fatalf("UploadPart after the store is back: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("outage-test"), Key: aws.String("obj"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32},
			{PartNumber: aws.Int32(2), ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32}}}}); err != nil {
		t.Fatalf("Complete after the outage: %v", err)
	}
	if got := azuriteGet(t, s, "outage-test", "obj"); !bytes.Equal(got, data) {
		t.Fatalf("the blob on Azurite after the outage: %d bytes, want %d", len(got), len(data))
	}
}
