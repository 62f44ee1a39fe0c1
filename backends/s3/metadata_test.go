package s3

import (
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/storekit/storekittest"
	"github.com/babelgate/babelgate/test/minio"
	"github.com/babelgate/babelgate/test/versitygw"
)

// TestKeptMinIO checks, against a real MinIO, that a PutObject keeps its
// computed checksums in the object's own metadata (a copy onto itself
// conditioned on the ETag) and that HEAD and GET then make one store call,
// while annexes (multipart, staged, legacy) still apply (RunKept).
func TestKeptMinIO(t *testing.T) {
	m := minio.Start(t)
	o := DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle = m.Endpoint, minio.AccessKey, minio.SecretKey, true
	o.RequestTimeout = 30 * time.Second
	d, err := newDriver(*o)
	if err != nil {
		t.Fatal(err)
	}
	storekittest.RunKept(t, d, o.Kit())
}

// TestKeptVersitygw is TestKeptMinIO against versitygw's posix backend, a
// second S3 implementation of the copy onto itself and its condition.
func TestKeptVersitygw(t *testing.T) {
	v := versitygw.StartPosix(t)
	o := DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle = v.Endpoint, versitygw.AccessKey, versitygw.SecretKey, true
	o.RequestTimeout = 30 * time.Second
	d, err := newDriver(*o)
	if err != nil {
		t.Fatal(err)
	}
	storekittest.RunKept(t, d, o.Kit())
}
