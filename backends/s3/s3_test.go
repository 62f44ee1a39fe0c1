package s3_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/backendtest"
	s3backend "github.com/babelgate/babelgate/backends/s3"
	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/test/minio"
	"github.com/babelgate/babelgate/test/versitygw"
	"github.com/babelgate/babelgate/translate"
)

// newBackend is the s3 backend of a store at endpoint, with path-style
// addressing and the defaults of typ's options.
func newBackend(t *testing.T, defaults func() *s3backend.Options, endpoint, ak, sk string, edit func(*s3backend.Options)) *storekit.Backend {
	t.Helper()
	o := defaults()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle, o.Region = endpoint, ak, sk, true, "us-east-1"
	o.RequestTimeout = 30 * time.Second
	if edit != nil {
		edit(o)
	}
	b, err := s3backend.New(*o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestConformanceMinIO runs the backend conformance suite against a real
// MinIO server, as type s3 and as type obs (OBS's S3 API defaults).
func TestConformanceMinIO(t *testing.T) {
	m := minio.Start(t)
	for name, defaults := range map[string]func() *s3backend.Options{"s3": s3backend.DefaultOptions, "obs": s3backend.OBSOptions} {
		t.Run(name, func(t *testing.T) {
			backendtest.RunWith(t, func(t *testing.T) translate.Backend {
				return newBackend(t, defaults, m.Endpoint, minio.AccessKey, minio.SecretKey, nil)
			}, minioQuirks)
		})
	}
}

// TestReaperMinIO checks the reaper of abandoned staged uploads against a
// MinIO of its own (the reaper sweeps every bucket of the store).
func TestReaperMinIO(t *testing.T) {
	m := minio.Start(t)
	backendtest.RunReaper(t, func(t *testing.T, maxAge time.Duration) (backendtest.Sweeper, func(ctx context.Context, bucket, id string) ([]string, error)) {
		b := newBackend(t, s3backend.DefaultOptions, m.Endpoint, minio.AccessKey, minio.SecretKey,
			func(o *s3backend.Options) { o.StagingMaxAge = maxAge })
		return b, b.StagedKeys
	})
}

// TestOptions checks the staging reaper's option: 7 days by default, and
// a negative age refused.
func TestOptions(t *testing.T) {
	if got := s3backend.DefaultOptions().StagingMaxAge; got != 7*24*time.Hour {
		t.Fatalf("default StagingMaxAge = %v, want 168h", got)
	}
	o := s3backend.DefaultOptions()
	o.AccessKey, o.SecretKey, o.StagingMaxAge = "a", "b", -time.Second
	if _, err := s3backend.New(*o); err == nil {
		t.Fatal("New with a negative staging_max_age succeeded")
	}
}

// pathKeys reports the keys a store that maps keys to file paths refuses:
// empty, "." and ".." path segments, segments over 255 bytes, and a
// trailing '/'.
func pathKeys(key string) bool {
	if strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "//") {
		return true
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "." || seg == ".." || len(seg) > 255 {
			return true
		}
	}
	return false
}

// driverQuirks adds to a store's quirks the s3 driver's own differences
// from the suite's defaults, the same on every S3 store.
func driverQuirks(q backendtest.Quirks) backendtest.Quirks {
	// S3 stores give objects stored without a type their own default.
	q.DefaultContentType = "application/octet-stream"
	// S3 reports part sizes only per part (HEAD ?partNumber=N), which the
	// backend serves through translate.PartLocator.
	q.PartSizesUnknown = true
	// A part goes straight into the store's upload, where the upload that
	// finishes last stays; OBS's last-begun rule needs staging (issue 6).
	q.LastFinishedPartWins = true
	// A server-side copy of a multipart object is a new single-part object.
	q.CopyNewETag = true
	// Parts below the store's 5 MiB minimum are staged and assembled at
	// Complete; an annex keeps the client's ETag, checksums and part sizes.
	q.Staging = true
	return q
}

// minioQuirks are MinIO's documented limits.
var minioQuirks = driverQuirks(backendtest.Quirks{
	// MinIO maps keys to file paths (XMinioInvalidObjectName).
	KeyUnsupported: pathKeys,
	// MinIO walks its "directories": "a/x" lists after "a0".
	NonBytewiseListing: true,
})

// TestConformanceVersitygw runs the conformance suite against a second,
// independent S3 implementation, versitygw's posix backend, so that no
// one store's quirks define the driver.
func TestConformanceVersitygw(t *testing.T) {
	v := versitygw.StartPosix(t)
	backendtest.RunWith(t, func(t *testing.T) translate.Backend {
		return newBackend(t, s3backend.DefaultOptions, v.Endpoint, versitygw.AccessKey, versitygw.SecretKey, nil)
	}, versitygwQuirks)
}

// versitygwQuirks are versitygw's (posix backend) differences from the
// suite's defaults, each seen against v1.8.0.
var versitygwQuirks = driverQuirks(backendtest.Quirks{
	// Keys are file paths, and a key ending in '/' is a directory, which
	// takes no data (DirectoryObjectContainsData).
	KeyUnsupported: pathKeys,
	// "a" and "a/b" cannot both be objects (ObjectParentIsFile).
	FileTree: true,
	// A request cut short (the client's body failed midway) is stored
	// truncated instead of refused: a failed PutObject replaces the old
	// object with what arrived; a failed UploadPart leaves that part.
	ShortBodyKept: true,
	// Like AWS S3 since 2025, it computes a CRC64NVME of every object
	// written without a checksum and reports it.
	StoreChecksum: translate.CRC64NVME,
	// GetObject reads the ETag attribute by path, then opens the file by
	// path (v1.8.0 backend/posix/posix.go, Posix.GetObject): an overwrite
	// between the two pairs the new ETag with the old bytes (seen once in
	// ConcurrentPut under load).
	ReadMixesVersions: true,
})

// TestReservedKeys: storekit's guard on every write path (the same for
// every driver): a client key under ".babelgate/" is ErrAccessDenied for
// writes, ErrNoSuchKey for reads, a no-op for deletes, and never listed.
func TestReservedKeys(t *testing.T) {
	m := minio.Start(t)
	o := s3backend.DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle = m.Endpoint, minio.AccessKey, minio.SecretKey, true
	kit, err := s3backend.New(*o)
	if err != nil {
		t.Fatal(err)
	}
	defer kit.Close()
	ctx := t.Context()
	const bucket, reserved = "reserved", ".babelgate/x"
	if err := kit.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	if _, err := kit.PutObject(ctx, bucket, "k", translate.BytesBody([]byte("k")), translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	id, err := kit.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: bucket, Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	body := func() *translate.Body { return translate.BytesBody([]byte("data")) }
	denied := map[string]error{}
	_, denied["PutObject"] = kit.PutObject(ctx, bucket, reserved, body(), translate.Metadata{})
	_, denied["PutObjectIf"] = kit.PutObjectIf(ctx, bucket, reserved, body(), translate.Metadata{}, translate.WriteCond{IfAbsent: true})
	_, denied["CopyObject"] = kit.CopyObject(ctx, bucket, "k", bucket, reserved, translate.Metadata{})
	_, denied["CopyObjectIf"] = kit.CopyObjectIf(ctx, bucket, "k", bucket, reserved, translate.Metadata{}, translate.WriteCond{IfAbsent: true})
	_, denied["CreateMultipartUpload"] = kit.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: bucket, Key: reserved})
	_, denied["UploadPart"] = kit.UploadPart(ctx, bucket, reserved, id, 1, body())
	_, denied["UploadPartCopy"] = kit.UploadPartCopy(ctx, bucket, reserved, id, 1, bucket, "k", nil, nil)
	_, denied["CompleteMultipartUpload"] = kit.CompleteMultipartUpload(ctx, translate.CompleteRequest{Bucket: bucket, Key: reserved, UploadID: id})
	for op, err := range denied {
		if translate.CodeOf(err) != translate.ErrAccessDenied {
			t.Errorf("%s of %s = %v, want AccessDenied", op, reserved, err)
		}
	}
	stateKey := storekit.StateKey(id)
	if _, err := kit.HeadObject(ctx, bucket, stateKey); translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Errorf("HeadObject of the upload's state = %v, want NoSuchKey", err)
	}
	if _, err := kit.GetObject(ctx, bucket, stateKey, nil); translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Errorf("GetObject of the upload's state = %v, want NoSuchKey", err)
	}
	if _, err := kit.CopyObject(ctx, bucket, stateKey, bucket, "copy", translate.Metadata{}); translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Errorf("CopyObject from the upload's state = %v, want NoSuchKey", err)
	}
	if err := kit.DeleteObject(ctx, bucket, stateKey); err != nil {
		t.Errorf("DeleteObject of the upload's state = %v, want success doing nothing", err)
	}
	if _, err := kit.GetMultipartUpload(ctx, bucket, "k", id); err != nil {
		t.Errorf("the upload after a client deleted its state: %v", err)
	}
	page, err := kit.ListObjects(ctx, bucket, translate.ListQuery{MaxKeys: 1000})
	if err != nil || len(page.Objects) != 1 || page.Objects[0].Key != "k" || len(page.CommonPrefixes) != 0 {
		t.Errorf("listing = %+v, %v; want only k", page, err)
	}
}

// TestDeleteBucketPagesUploads: DeleteBucket with more than a page (1000)
// of uploads in progress reads every page before deleting. On versitygw,
// which pages ListMultipartUploads but refuses the upload-id-marker it
// hands out (InvalidArgument), this failed until the driver continued
// after key-marker alone.
func TestDeleteBucketPagesUploads(t *testing.T) {
	v := versitygw.StartPosix(t)
	o := s3backend.DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle = v.Endpoint, versitygw.AccessKey, versitygw.SecretKey, true
	kit, err := s3backend.New(*o)
	if err != nil {
		t.Fatal(err)
	}
	defer kit.Close()
	ctx := t.Context()
	const bucket, uploads = "many-uploads", 1001
	if err := kit.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, uploads)
	sem := make(chan struct{}, 8)
	for i := range uploads {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			_, err := kit.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: bucket, Key: fmt.Sprintf("k%04d", i)})
			errs <- err
		}()
	}
	for range uploads {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := kit.DeleteBucket(ctx, bucket); err != nil {
		t.Fatalf("DeleteBucket with %d uploads: %v", uploads, err)
	}
	if _, err := kit.HeadBucket(ctx, bucket); translate.CodeOf(err) != translate.ErrNoSuchBucket {
		t.Fatalf("HeadBucket after DeleteBucket = %v, want NoSuchBucket", err)
	}
}
