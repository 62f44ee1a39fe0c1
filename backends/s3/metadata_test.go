package s3

import (
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/storekit/storekittest"
	"github.com/babelgate/babelgate/test/minio"
	"github.com/babelgate/babelgate/test/versitygw"
)

// TestKept checks, against a real MinIO and against versitygw's posix
// backend (a second S3 implementation of the copy onto itself and its
// condition), that a PutObject keeps its computed checksums in the
// object's own metadata (a copy onto itself conditioned on the ETag) and
// that HEAD and GET then make one store call, while annexes (multipart,
// staged, legacy) still apply (RunKept).
func TestKept(t *testing.T) {
	stores := []struct {
		name  string
		start func(t *testing.T) (endpoint, accessKey, secretKey string)
	}{
		{"MinIO", func(t *testing.T) (string, string, string) {
			return minio.Start(t).Endpoint, minio.AccessKey, minio.SecretKey
		}},
		{"versitygw", func(t *testing.T) (string, string, string) {
			return versitygw.StartPosix(t).Endpoint, versitygw.AccessKey, versitygw.SecretKey
		}},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Endpoint, o.AccessKey, o.SecretKey = s.start(t)
			o.PathStyle, o.RequestTimeout = true, 30*time.Second
			d, err := newDriver(*o)
			if err != nil {
				t.Fatal(err)
			}
			storekittest.RunKept(t, d, o.Kit())
		})
	}
}
