package e2e

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestUploadSurvivesSIGKILL kills the gateway in the middle of a multipart
// upload, starts it again, and finishes the upload: the client lists the
// parts already uploaded, uploads the rest and completes.
func TestUploadSurvivesSIGKILL(t *testing.T) {
	g := startGateway(t)
	c := g.s3Client(t, adminAK, adminSK, false)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}
	const partSize = 5 << 20
	data := randomBytes(3*partSize, 11)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("crash"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("crash"), Key: aws.String("obj"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(data[(n-1)*partSize : n*partSize])}); err != nil {
			t.Fatal(err)
		}
	}
	g.Kill()
	g.Restart()
	c = g.s3Client(t, adminAK, adminSK, false)

	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("crash"), Key: aws.String("obj"), UploadId: up.UploadId})
	if err != nil {
		t.Fatalf("ListParts after restart: %v", err)
	}
	if len(lp.Parts) != 2 {
		t.Fatalf("ListParts after restart: %d parts, want 2", len(lp.Parts))
	}
	parts := []types.CompletedPart{}
	for _, p := range lp.Parts {
		parts = append(parts, types.CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32})
	}
	out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("crash"), Key: aws.String("obj"), UploadId: up.UploadId,
		PartNumber: aws.Int32(3), Body: bytes.NewReader(data[2*partSize:])})
	if err != nil {
		t.Fatalf("UploadPart after restart: %v", err)
	}
	parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(3), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("crash"), Key: aws.String("obj"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatalf("Complete after restart: %v", err)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("object after restart: %d bytes differ from the %d uploaded", len(got), len(data))
	}
}
