package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/babelgate/babelgate/translate"
)

// minio-go (github.com/minio/minio-go/v7), the second most used Go S3
// client, against the gateway over HTTP and TLS with trailing headers on
// (Options.TrailingHeaders): its unsigned trailer ends with one blank line
// more than the AWS SDKs' (pkg/signer/request-signature-streaming-
// unsigned-trailer.go, addTrailer), and it sends the whole-object checksum
// on CompleteMultipartUpload (checksum.go, applyAutoChecksum) — issue 10,
// bug 9.7.

// minioChecksums are minio-go's checksum types with the S3 algorithm each
// stands for and the name of its ObjectInfo/UploadInfo field.
var minioChecksums = []struct {
	typ   minio.ChecksumType
	alg   translate.ChecksumAlgorithm
	field string
}{
	{minio.ChecksumCRC32, translate.CRC32, "ChecksumCRC32"},
	{minio.ChecksumCRC32C, translate.CRC32C, "ChecksumCRC32C"},
	{minio.ChecksumFullObjectCRC32, translate.CRC32, "ChecksumCRC32"},
	{minio.ChecksumFullObjectCRC32C, translate.CRC32C, "ChecksumCRC32C"},
	{minio.ChecksumCRC64NVME, translate.CRC64NVME, "ChecksumCRC64NVME"},
	{minio.ChecksumSHA1, translate.SHA1, "ChecksumSHA1"},
	{minio.ChecksumSHA256, translate.SHA256, "ChecksumSHA256"},
	{minio.ChecksumSHA512, translate.SHA512, "ChecksumSHA512"},
	{minio.ChecksumMD5, translate.MD5, "ChecksumMD5"},
	{minio.ChecksumXXHash64, translate.XXHASH64, "ChecksumXXHash64"},
	{minio.ChecksumXXHash3, translate.XXHASH3, "ChecksumXXHash3"},
	{minio.ChecksumXXHash128, translate.XXHASH128, "ChecksumXXHash128"},
}

func fieldOf(v any, name string) string { return reflect.ValueOf(v).FieldByName(name).String() }

func (g *gateway) minioClient(t *testing.T) *minio.Client {
	t.Helper()
	tr := g.HTTPClient(false).Transport.(*http.Transport)
	c, err := minio.New(g.Addr, &minio.Options{Creds: credentials.NewStaticV4(adminAK, adminSK, ""), Secure: g.TLS,
		Transport: tr, Region: "us-east-1", BucketLookup: minio.BucketLookupPath, TrailingHeaders: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMinioGo(t *testing.T) {
	overHTTPAndTLS(t, func(t *testing.T, name string, g *gateway) {
		c := g.minioClient(t)
		ctx := context.Background()
		bucket := "minio-go-" + name
		if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
		small := randomBytes(70_000, 101)
		big := randomBytes(5<<20+4321, 102)
		for _, mc := range minioChecksums {
			t.Run(mc.typ.String()+"-"+mc.field, func(t *testing.T) {
				key := "single-" + mc.typ.String()
				up, err := c.PutObject(ctx, bucket, key, bytes.NewReader(small), int64(len(small)), minio.PutObjectOptions{Checksum: mc.typ})
				if err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				want := sumB64(t, mc.alg, small)
				if got := fieldOf(up, mc.field); got != want {
					t.Fatalf("PutObject %s = %q, want %q", mc.field, got, want)
				}
				minioCheck(t, c, bucket, key, small, mc.field, want)

				// Multipart: two parts; the object's checksum is what
				// minio-go computed from the parts and sent on Complete.
				key = "multi-" + mc.typ.String()
				up, err = c.PutObject(ctx, bucket, key, bytes.NewReader(big), int64(len(big)),
					minio.PutObjectOptions{Checksum: mc.typ, PartSize: 5 << 20})
				if err != nil {
					t.Fatalf("multipart PutObject: %v", err)
				}
				if fieldOf(up, mc.field) == "" {
					t.Fatalf("multipart PutObject returned no %s", mc.field)
				}
				minioCheck(t, c, bucket, key, big, mc.field, fieldOf(up, mc.field))
			})
		}
		t.Run("default-auto-checksum", func(t *testing.T) {
			// No option: minio-go's AutoChecksum (CRC32C) on a multipart upload.
			up, err := c.PutObject(ctx, bucket, "auto", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: 5 << 20})
			if err != nil {
				t.Fatal(err)
			}
			minioCheck(t, c, bucket, "auto", big, "ChecksumCRC32C", up.ChecksumCRC32C)
		})
		t.Run("fputobject", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "upload.bin")
			data := randomBytes(11<<20, 103)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			up, err := c.FPutObject(ctx, bucket, "file.bin", path, minio.PutObjectOptions{PartSize: 5 << 20, Checksum: minio.ChecksumFullObjectCRC32})
			if err != nil {
				t.Fatal(err)
			}
			if up.ChecksumCRC32 != sumB64(t, translate.CRC32, data) {
				t.Fatalf("FPutObject CRC32 %q, want the FULL_OBJECT %q", up.ChecksumCRC32, sumB64(t, translate.CRC32, data))
			}
			minioCheck(t, c, bucket, "file.bin", data, "ChecksumCRC32", up.ChecksumCRC32)
		})
		t.Run("composeobject", func(t *testing.T) {
			a, b := randomBytes(5<<20, 104), randomBytes(3000, 105)
			for key, data := range map[string][]byte{"part-a": a, "part-b": b} {
				if _, err := c.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.ComposeObject(ctx, minio.CopyDestOptions{Bucket: bucket, Object: "composed"},
				minio.CopySrcOptions{Bucket: bucket, Object: "part-a"}, minio.CopySrcOptions{Bucket: bucket, Object: "part-b"}); err != nil {
				t.Fatal(err)
			}
			whole := append(append([]byte(nil), a...), b...)
			// The composed upload had no algorithm: S3's default CRC64NVME.
			minioCheck(t, c, bucket, "composed", whole, "ChecksumCRC64NVME", sumB64(t, translate.CRC64NVME, whole))
		})
	})
}

// minioCheck reads key back with minio-go: the bytes, and the checksum
// StatObject reports with checksum mode.
func minioCheck(t *testing.T, c *minio.Client, bucket, key string, want []byte, field, sum string) {
	t.Helper()
	ctx := context.Background()
	st, err := c.StatObject(ctx, bucket, key, minio.StatObjectOptions{Checksum: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldOf(st, field); got != sum || st.Size != int64(len(want)) {
		t.Fatalf("StatObject %s = %q size %d, want %q size %d", field, got, st.Size, sum, len(want))
	}
	obj, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("GetObject: %v, %d bytes, want %d", err, len(got), len(want))
	}
}
