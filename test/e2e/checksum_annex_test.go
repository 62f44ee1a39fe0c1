package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"hash/crc32"
	"hash/crc64"
	"strconv"
	"testing"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/test/minio"
)

// Checksums a store does not keep (issue 6, item 4): the gateway keeps
// them in an annex, so a client reads back exactly what it was promised.

// TestChecksumAnnexOSSOnMinIO: an OSS client's PutObject onto MinIO, which
// keeps no CRC-64/ECMA, then reports the data's exact x-oss-hash-crc64ecma.
func TestChecksumAnnexOSSOnMinIO(t *testing.T) {
	m := minio.Start(t)
	g := startGateway(t, withBackends(minioBackend(m, "")), withOBSDomain())
	client, err := alioss.New(g.URL, adminAK, adminSK, alioss.HTTPClient(g.HTTPClient(false)))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CreateBucket("annex-oss"); err != nil {
		t.Fatal(err)
	}
	b, _ := client.Bucket("annex-oss")
	data := randomBytes(300_000, 61)
	if err := b.PutObject("crc", bytes.NewReader(data)); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	want := strconv.FormatUint(crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)), 10)
	h, err := b.GetObjectDetailedMeta("crc")
	if err != nil {
		t.Fatalf("GetObjectDetailedMeta: %v", err)
	}
	if got := h.Get("X-Oss-Hash-Crc64ecma"); got != want {
		t.Errorf("x-oss-hash-crc64ecma = %q, want %q", got, want)
	}
}

// TestChecksumAnnexS3OnOSS: an S3 client's CRC32C survives an OSS store
// (a second gateway in the OSS dialect), which keeps only CRC-64/ECMA.
func TestChecksumAnnexS3OnOSS(t *testing.T) {
	store := startGateway(t) // the OSS store: a gateway over fs
	g := startGateway(t, withBackends(ossStoreBackend(store)))
	c := g.s3Client(t, adminAK, adminSK, false)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("annex-s3")}); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(200_000, 62)
	sum := crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))
	want := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("annex-s3"), Key: aws.String("crc"),
		Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("annex-s3"), Key: aws.String("crc"),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if got := aws.ToString(out.ChecksumCRC32C); got != want {
		t.Errorf("HeadObject CRC32C = %q, want %q", got, want)
	}
}
