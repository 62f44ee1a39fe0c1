package e2e

import (
	"bytes"
	"encoding/base64"
	be "encoding/binary"
	"hash/crc64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestCRC64NVMEFromSDK: aws-sdk-go-v2 computes CRC64NVME itself and sends
// it with PutObject; the gateway, which folds CRC-64 with PCLMULQDQ where
// it can (translate/crc64fast.go), verifies it on sizes around its fold
// boundaries (a mismatch would be BadDigest) and reports hash/crc64's value.
func TestCRC64NVMEFromSDK(t *testing.T) {
	g := startGateway(t)
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("crc64fast")}); err != nil {
		t.Fatal(err)
	}
	tab := crc64.MakeTable(0x9A6C9329AC4BC9B5) // CRC-64/NVME, reflected
	for _, size := range []int{255, 256, 257, 128*9 + 13, 1<<20 + 77} {
		data := randomBytes(size, uint64(size))
		out, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("crc64fast"), Key: aws.String("k"),
			Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme})
		if err != nil {
			t.Fatalf("size %d: PutObject: %v", size, err)
		}
		want := base64.StdEncoding.EncodeToString(be.BigEndian.AppendUint64(nil, crc64.Checksum(data, tab)))
		if got := aws.ToString(out.ChecksumCRC64NVME); got != want {
			t.Fatalf("size %d: ChecksumCRC64NVME %q, want %q", size, got, want)
		}
	}
}
