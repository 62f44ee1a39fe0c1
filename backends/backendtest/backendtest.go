// Package backendtest is the conformance suite for translate.Backend. Every
// backend's tests call Run, so that all backends keep one meaning of
// "correct": the contracts written on translate.Backend.
//
// The suite creates its own buckets (named bgt-<label>-<random>, valid in
// every dialect), removes them when done, and sizes non-last multipart
// parts at 5 MiB so that it also runs against stores with S3's limits.
package backendtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// partSize is the size of multipart parts that are not last: S3's minimum.
const partSize = 5 << 20

// Quirks are documented limits of a store that the suite tolerates. Every
// field set must carry its reason in a comment where it is set; everything
// not named here is checked in full.
type Quirks struct {
	// KeyUnsupported reports keys the store itself refuses (MinIO: empty
	// path segments, a trailing '/'); the suite does not store them.
	KeyUnsupported func(key string) bool
	// DefaultContentType is what the store reports for an object stored
	// without a Content-Type.
	DefaultContentType string
	// StoreChecksum is the algorithm of a checksum the store computes and
	// keeps on every object by itself (OSS: CRC-64/ECMA; versitygw, like
	// AWS S3 since 2025: CRC64NVME): an object for which the gateway keeps
	// no checksum reports the store's (FULL_OBJECT) on reads. Checksums
	// the gateway computed are checked in full whatever this says.
	StoreChecksum translate.ChecksumAlgorithm
	// FileTree: the store keeps objects as files in a directory tree, so
	// a key cannot be both an object and the parent of others ("a" and
	// "a/b": versitygw posix refuses the second with ObjectParentIsFile).
	// The suite stores no such pair.
	FileTree bool
	// ShortBodyKept: the store commits a body whose request was cut short
	// (what arrived before the gateway aborted it: versitygw posix), so a
	// PutObject or UploadPart whose body fails midway still returns the
	// body's error but may leave a truncated object or part. The suite
	// checks the error only.
	ShortBodyKept bool
	// PartSizesUnknown: the store does not report a multipart object's part
	// sizes (the backend answers part ranges through translate.PartLocator).
	PartSizesUnknown bool
	// NonBytewiseListing: the store does not list keys in byte order where
	// '/' is involved, and may leave out a key such as "a/b" when "a" is an
	// object too (MinIO walks "directories"). ListPaging then uses only keys
	// without '/', and TrickyKeys checks its listing has no key it did not
	// store (every key is still read back).
	NonBytewiseListing bool
	// LastFinishedPartWins: concurrent uploads of one part number leave the
	// one that finished last, not the one that began last.
	LastFinishedPartWins bool
	// CopyNewETag: a server-side copy of a multipart object gets a new,
	// single-part ETag.
	CopyNewETag bool
	// Staging: the backend stages parts smaller than the store's minimum
	// (UploadInfo.FrontMinPartSize) and reports the client's ETag,
	// checksums and part sizes for the object it assembles from them,
	// whatever the quirks above say of the store's own uploads.
	Staging bool
	// ReadMixesVersions: a read racing an overwrite may pair one version's
	// ETag with another's bytes (each version whole). ConcurrentPut then
	// checks that every read is one whole version and its ETag one of the
	// versions', not that the two belong together.
	ReadMixesVersions bool
}

// Run runs the conformance suite with no quirks. newBackend is called once
// per subtest and must return a backend that no other subtest uses
// concurrently in a conflicting way (a fresh one, or one shared store: the
// suite's bucket names are unique). Subtests run in parallel.
func Run(t *testing.T, newBackend func(t *testing.T) translate.Backend) {
	RunWith(t, newBackend, Quirks{})
}

// RunWith runs the conformance suite, tolerating the store's quirks.
func RunWith(t *testing.T, newBackend func(t *testing.T) translate.Backend, q Quirks) {
	tests := []struct {
		name string
		fn   func(*harness)
	}{
		{"Buckets", testBuckets},
		{"DeleteBucketWithUploads", testDeleteBucketWithUploads},
		{"MissingBucket", testMissingBucket},
		{"PutGetHead", testPutGetHead},
		{"PutChecksumsKept", testPutChecksumsKept},
		{"EmptyObject", testEmptyObject},
		{"RangeReads", testRangeReads},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"Metadata", testMetadata},
		{"WebsiteRedirect", testWebsiteRedirect},
		{"TrickyKeys", testTrickyKeys},
		{"ListBasics", testListBasics},
		{"ListPaging", testListPaging},
		{"Copy", testCopy},
		{"Multipart", testMultipart},
		{"UploadPartCopy", testUploadPartCopy},
		{"ListPartsPaging", testListPartsPaging},
		{"ListUploads", testListUploads},
		{"CompleteInvalidPart", testCompleteInvalidPart},
		{"Abort", testAbort},
		{"ForeignUpload", testForeignUpload},
		{"FailedBodyPut", testFailedBodyPut},
		{"FailedBodyPart", testFailedBodyPart},
		{"ConcurrentUploadPart", testConcurrentUploadPart},
		{"LastBegunPartWins", testLastBegunPartWins},
		{"SmallParts", testSmallParts},
		{"SmallPartsAbort", testSmallPartsAbort},
		{"StagedLastBegunPartWins", testStagedLastBegunPartWins},
		{"ConcurrentPut", testConcurrentPut},
		{"Cancelled", testCancelled},
		{"CondPut", testCondPut},
		{"CondCopy", testCondCopy},
		{"CondComplete", testCondComplete},
		{"CondRace", testCondRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(&harness{T: t, b: newBackend(t), ctx: t.Context(), q: q})
		})
	}
}

// harness carries one subtest's backend and helpers that fail the test on
// unexpected errors.
type harness struct {
	*testing.T
	b   translate.Backend
	ctx context.Context
	q   Quirks
}

// supported filters out the keys the store refuses, and, for a FileTree
// store, keys that are the parent of another key in keys.
func (h *harness) supported(keys []string) []string {
	var out []string
	for _, k := range keys {
		if h.q.KeyUnsupported != nil && h.q.KeyUnsupported(k) {
			continue
		}
		if h.q.FileTree && slices.ContainsFunc(keys, func(o string) bool { return strings.HasPrefix(o, k+"/") }) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// stored returns what a store reports for metadata written as m.
func (h *harness) stored(m translate.Metadata) translate.Metadata {
	if m.ContentType == "" && h.q.DefaultContentType != "" {
		m.ContentType = h.q.DefaultContentType
	}
	return m
}

// kept returns the checksums, and their type, a store reports for an
// object of data written with checksums c of type t.
func (h *harness) kept(data []byte, c translate.Checksums, t translate.ChecksumType) (translate.Checksums, translate.ChecksumType) {
	if len(c) == 0 && h.q.StoreChecksum != "" {
		return translate.Checksums{h.q.StoreChecksum: checksum(h, h.q.StoreChecksum, data)}, translate.ChecksumFullObject
	}
	return c, t
}

// bucket creates a bucket with a unique name and removes it, with all it
// holds, when the test ends.
func (h *harness) bucket(label string) string {
	h.Helper()
	name := uniqueBucket(label)
	if err := h.b.CreateBucket(h.ctx, name); err != nil {
		h.Fatalf("CreateBucket(%s): %v", name, err)
	}
	h.Cleanup(func() { removeBucket(h.T, h.b, name) })
	return name
}

// uniqueBucket returns an unused, valid bucket name.
func uniqueBucket(label string) string {
	var r [4]byte
	rand.Read(r[:])
	return fmt.Sprintf("bgt-%s-%s", label, hex.EncodeToString(r[:]))
}

// removeBucket deletes every object and upload in bucket, then the bucket,
// logging rather than failing: it runs in cleanup.
func removeBucket(t *testing.T, b translate.Backend, bucket string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for after := ""; ; {
		page, err := b.ListObjects(ctx, bucket, translate.ListQuery{After: after, MaxKeys: 1000})
		if err != nil {
			if translate.CodeOf(err) != translate.ErrNoSuchBucket {
				t.Logf("cleanup: listing %s: %v", bucket, err)
			}
			return
		}
		for _, o := range page.Objects {
			if err := b.DeleteObject(ctx, bucket, o.Key); err != nil {
				t.Logf("cleanup: deleting %s/%q: %v", bucket, o.Key, err)
			}
		}
		if !page.Truncated {
			break
		}
		after = page.Next
	}
	if ups, err := b.ListMultipartUploads(ctx, bucket, translate.UploadsQuery{MaxUploads: 1000}); err == nil {
		for _, u := range ups.Uploads {
			b.AbortMultipartUpload(ctx, bucket, u.Key, u.ID)
		}
	}
	if err := b.DeleteBucket(ctx, bucket); err != nil && translate.CodeOf(err) != translate.ErrNoSuchBucket {
		t.Logf("cleanup: deleting bucket %s: %v", bucket, err)
	}
}

// put stores data under key, failing the test on error, and checks the
// returned description against data.
func (h *harness) put(bucket, key string, data []byte, meta translate.Metadata, algs ...translate.ChecksumAlgorithm) translate.ObjectInfo {
	h.Helper()
	info, err := h.b.PutObject(h.ctx, bucket, key, translate.BytesBody(data, algs...), meta)
	if err != nil {
		h.Fatalf("PutObject(%s, %q): %v", bucket, short(key), err)
	}
	if info.Size != int64(len(data)) || info.ETag != md5Hex(data) {
		h.Fatalf("PutObject(%q) = size %d ETag %q, want %d %q", short(key), info.Size, info.ETag, len(data), md5Hex(data))
	}
	return info
}

// get reads key (or the range rng of it) whole, failing the test on error.
func (h *harness) get(bucket, key string, rng *translate.Range) (translate.ObjectInfo, []byte) {
	h.Helper()
	obj, err := h.b.GetObject(h.ctx, bucket, key, rng)
	if err != nil {
		h.Fatalf("GetObject(%s, %q): %v", bucket, short(key), err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		h.Fatalf("reading %s/%q: %v", bucket, short(key), err)
	}
	return obj.Info, data
}

// wantContent checks that key holds exactly data.
func (h *harness) wantContent(bucket, key string, data []byte) {
	h.Helper()
	info, got := h.get(bucket, key, nil)
	if !bytes.Equal(got, data) {
		h.Fatalf("%s/%q holds %d bytes (md5 %s), want %d (md5 %s)", bucket, short(key),
			len(got), md5Hex(got), len(data), md5Hex(data))
	}
	if info.Size != int64(len(data)) {
		h.Fatalf("%s/%q: Info.Size %d, want %d", bucket, short(key), info.Size, len(data))
	}
}

// createUpload starts an upload of key, failing the test on error.
func (h *harness) createUpload(bucket, key string) string {
	h.Helper()
	return h.createUploadMin(bucket, key, 0)
}

// createUploadMin starts an upload of key for a client whose minimum part
// size is frontMin (UploadInfo.FrontMinPartSize), failing the test on error.
func (h *harness) createUploadMin(bucket, key string, frontMin int64) string {
	h.Helper()
	return h.createUploadAt(bucket, key, frontMin, time.Now())
}

// createUploadAt is createUploadMin for an upload initiated at initiated.
func (h *harness) createUploadAt(bucket, key string, frontMin int64, initiated time.Time) string {
	h.Helper()
	id, err := h.b.CreateMultipartUpload(h.ctx, translate.UploadInfo{Bucket: bucket, Key: key,
		Initiator: "AKIDEXAMPLE", Initiated: initiated.UTC(), FrontMinPartSize: frontMin})
	if err != nil {
		h.Fatalf("CreateMultipartUpload(%s, %q): %v", bucket, short(key), err)
	}
	if id == "" {
		h.Fatalf("CreateMultipartUpload returned an empty ID")
	}
	return id
}

// uploadPart stores a part, failing the test on error, and checks the
// returned description against data.
func (h *harness) uploadPart(bucket, key, id string, n int, data []byte, algs ...translate.ChecksumAlgorithm) translate.PartInfo {
	h.Helper()
	p, err := h.b.UploadPart(h.ctx, bucket, key, id, n, translate.BytesBody(data, algs...))
	if err != nil {
		h.Fatalf("UploadPart(%d): %v", n, err)
	}
	if p.Number != n || p.Size != int64(len(data)) || p.ETag != md5Hex(data) {
		h.Fatalf("UploadPart(%d) = %+v, want size %d ETag %s", n, p, len(data), md5Hex(data))
	}
	return p
}

// listAll lists every key of bucket.
func (h *harness) listAll(bucket string) []string {
	h.Helper()
	var keys []string
	for after := ""; ; {
		page, err := h.b.ListObjects(h.ctx, bucket, translate.ListQuery{After: after, MaxKeys: 1000})
		if err != nil {
			h.Fatalf("ListObjects(%s): %v", bucket, err)
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if !page.Truncated {
			return keys
		}
		after = page.Next
	}
}

// wantCode fails the test unless err has one of the codes.
func wantCode(t testing.TB, err error, what string, codes ...translate.Code) {
	t.Helper()
	got := translate.CodeOf(err)
	if !slices.Contains(codes, got) {
		t.Fatalf("%s: got error %v (code %v), want code %v", what, err, got, codes)
	}
}

// md5Hex returns the lowercase hex MD5 of data, the ETag of a single-part
// object.
func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// multipartETag returns the ETag S3 gives an object assembled from parts:
// the MD5 of the parts' raw MD5s, "-N".
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		sum := md5.Sum(p)
		h.Write(sum[:])
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(h.Sum(nil)), len(parts))
}

// checksum returns the wire form of algorithm a's checksum of data.
func checksum(t testing.TB, a translate.ChecksumAlgorithm, data []byte) string {
	t.Helper()
	h, err := translate.NewChecksumHash(a)
	if err != nil {
		t.Fatal(err)
	}
	h.Write(data)
	return translate.EncodeChecksum(h.Sum(nil))
}

// pattern returns n deterministic pseudo-random bytes for seed.
func pattern(seed byte, n int) []byte {
	var s [32]byte
	s[0] = seed
	out := make([]byte, n)
	mrand.NewChaCha8(s).Read(out)
	return out
}

// short abbreviates long keys in messages.
func short(key string) string {
	if len(key) > 60 {
		return fmt.Sprintf("%s...(%d bytes)", key[:60], len(key))
	}
	return key
}

// sameUser compares user metadata, treating nil and empty as equal.
func sameUser(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// wantMeta fails the test unless got has want's content headers and user
// metadata.
func wantMeta(t testing.TB, what string, got, want translate.Metadata) {
	t.Helper()
	type headers struct{ typ, enc, disp, lang, cache, expires string }
	g := headers{got.ContentType, got.ContentEncoding, got.ContentDisposition, got.ContentLanguage, got.CacheControl, got.Expires}
	w := headers{want.ContentType, want.ContentEncoding, want.ContentDisposition, want.ContentLanguage, want.CacheControl, want.Expires}
	if g != w || !sameUser(got.User, want.User) {
		t.Fatalf("%s: metadata %+v, want %+v", what, got, want)
	}
}

// failingReader yields data, then fails with err.
func failingReader(data []byte, err error) io.Reader {
	return io.MultiReader(bytes.NewReader(data), errorReader{err})
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// errBoom is the error of a client connection that breaks mid-body.
var errBoom = errors.New("connection reset by peer")

// badBodies returns bodies that fail the translate.Body contract, with the
// code each must fail with, for size bytes of content.
func badBodies(t testing.TB, data []byte) []struct {
	name string
	body *translate.Body
	code translate.Code
} {
	t.Helper()
	mk := func(r io.Reader, size int64, opts translate.BodyOptions) *translate.Body {
		b, err := translate.NewBody(r, size, opts)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	wrongMD5 := md5.Sum([]byte("something else"))
	n := int64(len(data))
	return []struct {
		name string
		body *translate.Body
		code translate.Code
	}{
		{"wrong Content-MD5", mk(bytes.NewReader(data), n, translate.BodyOptions{ContentMD5: wrongMD5[:]}), translate.ErrBadDigest},
		{"wrong checksum", mk(bytes.NewReader(data), n, translate.BodyOptions{
			Expected: translate.Checksums{translate.CRC32: checksum(t, translate.CRC32, []byte("x"))}}), translate.ErrChecksumMismatch},
		{"reader fails midway", mk(failingReader(data[:n/2], errBoom), n, translate.BodyOptions{}), translate.ErrIncompleteBody},
		{"short body", mk(bytes.NewReader(data[:n/2]), n, translate.BodyOptions{}), translate.ErrIncompleteBody},
		{"long body", mk(bytes.NewReader(append(slices.Clip(data), 'x')), n, translate.BodyOptions{}), translate.ErrInvalidRequest},
	}
}

// trimETag strips quotes, for comparing ETags.
func trimETag(s string) string { return strings.ToLower(strings.Trim(s, `"`)) }
