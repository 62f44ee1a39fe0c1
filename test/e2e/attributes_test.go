package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/babelgate/babelgate/test/minio"
)

// attrBackends are the gateways GetObjectAttributes is proven on: fs, the
// s3 backend over a real MinIO, and the oss backend over an OSS store (a
// second gateway speaking OSS over fs).
func attrBackends(t *testing.T) []struct {
	name string
	g    *gateway
} {
	m := minio.Start(t)
	store := startGateway(t)
	return []struct {
		name string
		g    *gateway
	}{
		{"fs", startGateway(t, withTLS())},
		{"s3", startGateway(t, withBackends(minioBackend(m, "")))},
		{"oss", startGateway(t, withBackends(ossStoreBackend(store)))},
	}
}

func crc32B64(b []byte) string {
	v := crc32.ChecksumIEEE(b)
	return base64.StdEncoding.EncodeToString([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// httpStatus is the HTTP status of an SDK error, 0 if it has none.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestGetObjectAttributes drives GetObjectAttributes with aws-sdk-go-v2 at
// its defaults on every backend: a single-part object (ETag unquoted,
// checksum, size, storage class, no ObjectParts), a CRC32 multipart object
// paged by max-parts and part-number-marker with each part's size and
// checksum, the errors S3 answers, and reads by part number (the part's
// checksum on HEAD; a number past the last part is InvalidPartNumber 416).
func TestGetObjectAttributes(t *testing.T) {
	ctx := context.Background()
	for _, be := range attrBackends(t) {
		t.Run(be.name, func(t *testing.T) {
			c := be.g.s3Client(t, adminAK, adminSK, false)
			bucket := "attrs-" + be.name
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			all := []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum,
				types.ObjectAttributesObjectParts, types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}

			one := []byte("hello attributes")
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("one"), Body: bytes.NewReader(one),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(one)
			at, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("one"), ObjectAttributes: all})
			if err != nil {
				t.Fatalf("GetObjectAttributes: %v", err)
			}
			if aws.ToString(at.ETag) != hex.EncodeToString(sum[:]) || aws.ToInt64(at.ObjectSize) != int64(len(one)) ||
				at.StorageClass != types.StorageClassStandard || at.ObjectParts != nil || at.LastModified == nil {
				t.Errorf("single-part attributes: ETag %q size %d class %q parts %+v", aws.ToString(at.ETag), aws.ToInt64(at.ObjectSize), at.StorageClass, at.ObjectParts)
			}
			if at.Checksum == nil || aws.ToString(at.Checksum.ChecksumCRC32) != crc32B64(one) || at.Checksum.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("single-part checksum: %+v", at.Checksum)
			}
			only, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("one"),
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
			if err != nil || only.ETag != nil || only.Checksum != nil || aws.ToInt64(only.ObjectSize) != int64(len(one)) {
				t.Errorf("ObjectSize only: %+v, %v", only, err)
			}

			// A CRC32 multipart object of three parts.
			data := randomBytes(2*s3MinPart+1000, 901)
			chunks := [][]byte{data[:s3MinPart], data[s3MinPart : 2*s3MinPart], data[2*s3MinPart:]}
			cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
			if err != nil {
				t.Fatal(err)
			}
			var done []types.CompletedPart
			for i, ch := range chunks {
				up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: cr.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(ch), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
				if err != nil {
					t.Fatalf("UploadPart %d: %v", i+1, err)
				}
				if aws.ToString(up.ChecksumCRC32) != crc32B64(ch) {
					t.Fatalf("part %d CRC32 %q", i+1, aws.ToString(up.ChecksumCRC32))
				}
				done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32})
			}
			comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"),
				UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}

			page1, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("mp"),
				ObjectAttributes: all, MaxParts: aws.Int32(2)})
			if err != nil {
				t.Fatalf("GetObjectAttributes mp: %v", err)
			}
			if `"`+aws.ToString(page1.ETag)+`"` != aws.ToString(comp.ETag) || aws.ToInt64(page1.ObjectSize) != int64(len(data)) {
				t.Errorf("multipart ETag %q (Complete said %s), size %d", aws.ToString(page1.ETag), aws.ToString(comp.ETag), aws.ToInt64(page1.ObjectSize))
			}
			op := page1.ObjectParts
			if op == nil || aws.ToInt32(op.TotalPartsCount) != 3 || !aws.ToBool(op.IsTruncated) || aws.ToInt32(op.MaxParts) != 2 ||
				aws.ToString(op.NextPartNumberMarker) != "2" || len(op.Parts) != 2 {
				t.Fatalf("first page: %+v", op)
			}
			for i, p := range op.Parts {
				if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != int64(len(chunks[i])) || aws.ToString(p.ChecksumCRC32) != crc32B64(chunks[i]) {
					t.Errorf("part %d: number %d size %d crc %q", i+1, aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size), aws.ToString(p.ChecksumCRC32))
				}
			}
			page2, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("mp"),
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectParts}, MaxParts: aws.Int32(2), PartNumberMarker: op.NextPartNumberMarker})
			if err != nil {
				t.Fatal(err)
			}
			if op2 := page2.ObjectParts; op2 == nil || aws.ToBool(op2.IsTruncated) || aws.ToString(op2.PartNumberMarker) != "2" || len(op2.Parts) != 1 ||
				aws.ToInt32(op2.Parts[0].PartNumber) != 3 || aws.ToString(op2.Parts[0].ChecksumCRC32) != crc32B64(chunks[2]) {
				t.Errorf("second page: %+v", page2.ObjectParts)
			}
			if page2.ETag != nil || page2.Checksum != nil {
				t.Errorf("attributes not asked for were sent: %+v", page2)
			}

			// Reads by part number: HEAD returns the part's checksum; past
			// the last part is InvalidPartNumber, 416.
			hd, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("mp"), PartNumber: aws.Int32(2),
				ChecksumMode: types.ChecksumModeEnabled})
			if err != nil || aws.ToString(hd.ChecksumCRC32) != crc32B64(chunks[1]) || aws.ToInt32(hd.PartsCount) != 3 ||
				aws.ToInt64(hd.ContentLength) != int64(len(chunks[1])) {
				t.Errorf("HEAD part 2: crc %q parts %d length %d, %v", aws.ToString(hd.ChecksumCRC32), aws.ToInt32(hd.PartsCount), aws.ToInt64(hd.ContentLength), err)
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("mp"), PartNumber: aws.Int32(4)})
			if apiCode(err) != "InvalidPartNumber" || httpStatus(err) != 416 || !bytes.Contains([]byte(err.Error()), []byte("The requested partnumber is not satisfiable")) {
				t.Errorf("GET part 4 of 3: %v", err)
			}
			if _, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("one"), PartNumber: aws.Int32(2)}); httpStatus(err) != 416 {
				t.Errorf("HEAD part 2 of a single-part object: %v", err)
			}

			// Errors: an unknown attribute name, a missing key.
			_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("one"),
				ObjectAttributes: []types.ObjectAttributes{"Owner"}})
			if apiCode(err) != "InvalidArgument" || !bytes.Contains([]byte(err.Error()), []byte("Invalid attribute name specified.")) {
				t.Errorf("unknown attribute: %v", err)
			}
			_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("nope"), ObjectAttributes: all})
			if apiCode(err) != "NoSuchKey" {
				t.Errorf("missing key: %v", err)
			}
			_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket + "-none"), Key: aws.String("one"), ObjectAttributes: all})
			if apiCode(err) != "NoSuchBucket" {
				t.Errorf("missing bucket: %v", err)
			}
		})
	}
}
