package fs

import (
	"bytes"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// BenchmarkUploadPart is a 16 MiB UploadPart as the benchmark's S3 clients
// send it (CRC32 header, the engine's CRC-64/ECMA, the ETag's MD5), for
// CPU profiles of the fs body path:
//
//	go test -run '^$' -bench UploadPart -cpuprofile cpu.out ./backends/fs
func BenchmarkUploadPart(b *testing.B) {
	be, err := New(Options{Root: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	if err := be.CreateBucket(ctx, "bkt"); err != nil {
		b.Fatal(err)
	}
	id, err := be.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: "bkt", Key: "k"})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 16<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		body, err := translate.NewBody(bytes.NewReader(data), int64(len(data)),
			translate.BodyOptions{Algorithms: []translate.ChecksumAlgorithm{translate.CRC32, translate.CRC64ECMA}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := be.UploadPart(ctx, "bkt", "k", id, 1, body); err != nil {
			b.Fatal(err)
		}
	}
}
