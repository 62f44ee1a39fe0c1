package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"
	"hash/crc64"
	"io"
	"strconv"
	"strings"
	"testing"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/test/minio"
)

// TestKeptOnMinIO (issue 11, item 5): through the gateway onto MinIO, an
// S3 client's flexible checksum and an OSS client's CRC-64/ECMA, which
// MinIO does not keep, are kept in the object's own user metadata (the
// reserved entry babelgate-kept) rather than an annex object, and read
// back exactly by each SDK (S3 with checksum mode, which the SDK checks
// against the body on GET); the entry never reaches a client; an object
// written straight to MinIO (no entry) reads as before.
func TestKeptOnMinIO(t *testing.T) {
	m := minio.Start(t)
	g := startGateway(t, withBackends(minioBackend(m, "")), withOBSDomain())
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	direct := minioClient(t, m)
	const bucket = "kept-e2e"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	// Up to 128 KiB the s3 backend keeps the values in the object's
	// metadata (a larger object's copy onto itself would rewrite its bytes
	// on MinIO: an annex is cheaper); see the big object below.
	data := randomBytes(100_000, 71)

	// S3: CRC32, read back with checksum mode.
	sum := crc32.ChecksumIEEE(data)
	wantCRC32 := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("s3"), Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, Metadata: map[string]string{"color": "blue"}}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("s3"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if got := aws.ToString(head.ChecksumCRC32); got != wantCRC32 {
		t.Errorf("HeadObject CRC32 = %q, want %q", got, wantCRC32)
	}
	if len(head.Metadata) != 1 || head.Metadata["color"] != "blue" {
		t.Errorf("HeadObject metadata = %v, want only color=blue", head.Metadata)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("s3"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, err := io.ReadAll(get.Body) // the SDK checks the CRC32 as it reads
	get.Body.Close()
	if err != nil || !bytes.Equal(body, data) || aws.ToString(get.ChecksumCRC32) != wantCRC32 {
		t.Errorf("GetObject: %d bytes, %v, CRC32 %q; want the data and %q", len(body), err, aws.ToString(get.ChecksumCRC32), wantCRC32)
	}

	// OSS: CRC-64/ECMA on HEAD and GET.
	oc, err := alioss.New(g.URL, adminAK, adminSK, alioss.HTTPClient(g.HTTPClient(false)))
	if err != nil {
		t.Fatal(err)
	}
	ob, _ := oc.Bucket(bucket)
	if err := ob.PutObject("oss", bytes.NewReader(data)); err != nil {
		t.Fatalf("OSS PutObject: %v", err)
	}
	wantCRC64 := strconv.FormatUint(crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)), 10)
	h, err := ob.GetObjectDetailedMeta("oss")
	if err != nil {
		t.Fatalf("GetObjectDetailedMeta: %v", err)
	}
	if got := h.Get("X-Oss-Hash-Crc64ecma"); got != wantCRC64 {
		t.Errorf("HEAD x-oss-hash-crc64ecma = %q, want %q", got, wantCRC64)
	}
	res, err := ob.DoGetObject(&alioss.GetObjectRequest{ObjectKey: "oss"}, nil)
	if err != nil {
		t.Fatalf("OSS GetObject: %v", err)
	}
	io.Copy(io.Discard, res.Response.Body)
	res.Response.Body.Close()
	if got := res.Response.Headers.Get("X-Oss-Hash-Crc64ecma"); got != wantCRC64 {
		t.Errorf("GET x-oss-hash-crc64ecma = %q, want %q", got, wantCRC64)
	}

	// On MinIO: the entry on each object, no annex object at all.
	for _, key := range []string{"s3", "oss"} {
		out, err := direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("MinIO HeadObject(%s): %v", key, err)
		}
		if e := out.Metadata["babelgate-kept"]; !strings.HasPrefix(e, "1;") || !strings.Contains(e, "CRC64ECMA=") {
			t.Errorf("%s on MinIO: babelgate-kept = %q, want the kept checksums", key, e)
		}
	}
	list, err := direct.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(".babelgate/annex/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Errorf("MinIO holds %d annex objects, want none", len(list.Contents))
	}

	// Above 128 KiB: an annex, which the entry announces.
	big := randomBytes(300_000, 72)
	if err := ob.PutObject("big", bytes.NewReader(big)); err != nil {
		t.Fatalf("OSS PutObject: %v", err)
	}
	h, err = ob.GetObjectDetailedMeta("big")
	if want := strconv.FormatUint(crc64.Checksum(big, crc64.MakeTable(crc64.ECMA)), 10); err != nil || h.Get("X-Oss-Hash-Crc64ecma") != want {
		t.Errorf("big: x-oss-hash-crc64ecma = %q (%v), want %q", h.Get("X-Oss-Hash-Crc64ecma"), err, want)
	}
	if out, err := direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("big")}); err != nil || out.Metadata["babelgate-kept"] != "1;a" {
		t.Errorf("big on MinIO: babelgate-kept = %q (%v), want 1;a", out.Metadata["babelgate-kept"], err)
	}
	list, err = direct.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(".babelgate/annex/")})
	if err != nil || len(list.Contents) != 1 {
		t.Errorf("MinIO holds annex objects %v (%v), want the big object's only", list.Contents, err)
	}

	// Written straight to MinIO: no entry; read as before.
	if _, err := direct.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("direct"), Body: bytes.NewReader(data[:1000])}); err != nil {
		t.Fatal(err)
	}
	out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("direct")})
	sum5 := md5.Sum(data[:1000])
	if err != nil || aws.ToInt64(out.ContentLength) != 1000 || strings.Trim(aws.ToString(out.ETag), `"`) != hex.EncodeToString(sum5[:]) {
		t.Errorf("HeadObject of an object written straight to MinIO: %+v, %v", out, err)
	}
}
