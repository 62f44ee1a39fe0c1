package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestTransferManager uploads a 64 MiB object in 5 MiB parts with
// concurrency 4 through aws-sdk-go-v2's transfer manager (CRC32 trailers on
// every part over TLS, x-amz-mp-object-size at Complete), then downloads it
// by part number and compares.
func TestTransferManager(t *testing.T) {
	overHTTPAndTLS(t, func(t *testing.T, name string, g *gateway) {
		c := g.s3Client(t, adminAK, adminSK, false)
		ctx := context.Background()
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tm-bucket")}); err != nil {
			t.Fatal(err)
		}
		data := randomBytes(64<<20, 64)
		tm := transfermanager.New(c, func(o *transfermanager.Options) {
			o.PartSizeBytes = 5 << 20
			o.Concurrency = 4
		})
		up, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String("tm-bucket"), Key: aws.String("big.bin"),
			Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatalf("UploadObject: %v", err)
		}
		if up.ETag == nil || !bytes.HasSuffix([]byte(*up.ETag), []byte(`-13"`)) {
			t.Fatalf("UploadObject ETag %v, want a 13-part multipart ETag", aws.ToString(up.ETag))
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tm-bucket"), Key: aws.String("big.bin"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.ChecksumCRC32) == "" {
			t.Errorf("HeadObject with checksum mode has no CRC32 for a CRC32 multipart upload")
		}
		f, err := os.Create(filepath.Join(t.TempDir(), "download"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := tm.DownloadObject(ctx, &transfermanager.DownloadObjectInput{Bucket: aws.String("tm-bucket"), Key: aws.String("big.bin"), WriterAt: f}); err != nil {
			t.Fatalf("DownloadObject: %v", err)
		}
		f.Seek(0, io.SeekStart)
		got, _ := io.ReadAll(f)
		if !bytes.Equal(got, data) {
			t.Fatalf("downloaded %d bytes differ from the %d uploaded", len(got), len(data))
		}
	})
}
