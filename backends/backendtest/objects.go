package backendtest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// testBuckets covers CreateBucket, HeadBucket, ListBuckets and DeleteBucket
// with every error their contracts name.
func testBuckets(h *harness) {
	name := uniqueBucket("buckets")
	_, err := h.b.HeadBucket(h.ctx, name)
	wantCode(h, err, "HeadBucket before create", translate.ErrNoSuchBucket)
	if err := h.b.CreateBucket(h.ctx, name); err != nil {
		h.Fatalf("CreateBucket: %v", err)
	}
	h.Cleanup(func() { removeBucket(h.T, h.b, name) })
	wantCode(h, h.b.CreateBucket(h.ctx, name), "CreateBucket again", translate.ErrBucketAlreadyOwnedByYou)

	info, err := h.b.HeadBucket(h.ctx, name)
	if err != nil || info.Name != name || info.Created.IsZero() {
		h.Fatalf("HeadBucket = %+v, %v", info, err)
	}
	other := h.bucket("buckets2")
	list, err := h.b.ListBuckets(h.ctx)
	if err != nil {
		h.Fatalf("ListBuckets: %v", err)
	}
	names := make([]string, len(list))
	for i, bi := range list {
		names[i] = bi.Name
		// Only this subtest's buckets: parallel subtests create and delete
		// theirs meanwhile, and a store may list one mid-creation.
		if (bi.Name == name || bi.Name == other) && bi.Created.IsZero() {
			h.Errorf("ListBuckets: %s has no creation time", bi.Name)
		}
	}
	if !slices.IsSorted(names) || !slices.Contains(names, name) || !slices.Contains(names, other) {
		h.Fatalf("ListBuckets = %v, want sorted and holding %s and %s", names, name, other)
	}

	h.put(name, "k", []byte("v"), translate.Metadata{})
	wantCode(h, h.b.DeleteBucket(h.ctx, name), "DeleteBucket of a bucket with an object", translate.ErrBucketNotEmpty)
	if _, err := h.b.HeadBucket(h.ctx, name); err != nil {
		h.Fatalf("HeadBucket after refused delete: %v", err)
	}
	if err := h.b.DeleteObject(h.ctx, name, "k"); err != nil {
		h.Fatalf("DeleteObject: %v", err)
	}
	if err := h.b.DeleteBucket(h.ctx, name); err != nil {
		h.Fatalf("DeleteBucket of an empty bucket: %v", err)
	}
	// S3 documents bucket deletion as eventually consistent ("If you
	// delete a bucket and immediately list all buckets, the deleted bucket
	// might still appear in the list", Amazon S3 data consistency model),
	// and MinIO once answered a HEAD 200 right after a DeleteBucket 204
	// under load: the deletion must be seen within a bound, not at once.
	h.eventually("HeadBucket after delete", func() error {
		_, err := h.b.HeadBucket(h.ctx, name)
		if err == nil {
			return fmt.Errorf("HeadBucket of deleted %s succeeds", name)
		}
		return nil
	})
	_, err = h.b.HeadBucket(h.ctx, name)
	wantCode(h, err, "HeadBucket after delete", translate.ErrNoSuchBucket)
	wantCode(h, h.b.DeleteBucket(h.ctx, name), "DeleteBucket again", translate.ErrNoSuchBucket)
	h.eventually("ListBuckets after delete", func() error {
		list, err := h.b.ListBuckets(h.ctx)
		if err != nil {
			h.Fatalf("ListBuckets: %v", err)
		}
		for _, bi := range list {
			if bi.Name == name {
				return fmt.Errorf("ListBuckets still lists deleted %s", name)
			}
		}
		return nil
	})
}

// eventually calls check until it returns nil, and fails the test with its
// last error if that has not happened within 30 seconds. The pause
// between calls decides nothing; the deadline only bounds a store that
// never gets there.
func (h *harness) eventually(what string, check func() error) {
	h.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			h.Fatalf("%s: still after 30s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testDeleteBucketWithUploads: DeleteBucket removes in-progress uploads of
// a bucket without objects.
func testDeleteBucketWithUploads(h *harness) {
	bucket := h.bucket("delup")
	id := h.createUpload(bucket, "pending")
	h.uploadPart(bucket, "pending", id, 1, []byte("part"))
	if err := h.b.DeleteBucket(h.ctx, bucket); err != nil {
		h.Fatalf("DeleteBucket with an upload in progress: %v", err)
	}
	_, err := h.b.HeadBucket(h.ctx, bucket)
	wantCode(h, err, "HeadBucket after delete", translate.ErrNoSuchBucket)
	_, err = h.b.GetMultipartUpload(h.ctx, bucket, "pending", id)
	wantCode(h, err, "GetMultipartUpload after bucket delete", translate.ErrNoSuchUpload, translate.ErrNoSuchBucket)
}

// testMissingBucket: every method that takes a bucket fails with
// ErrNoSuchBucket (or ErrNoSuchUpload for upload IDs, which cannot exist
// there) when it is missing.
func testMissingBucket(h *harness) {
	missing := uniqueBucket("missing")
	real := h.bucket("present")
	h.put(real, "src", []byte("data"), translate.Metadata{})
	ctx, b := h.ctx, h.b
	nsb := translate.ErrNoSuchBucket
	_, err := b.ListObjects(ctx, missing, translate.ListQuery{MaxKeys: 10})
	wantCode(h, err, "ListObjects", nsb)
	_, err = b.HeadObject(ctx, missing, "k")
	wantCode(h, err, "HeadObject", nsb)
	_, err = b.GetObject(ctx, missing, "k", nil)
	wantCode(h, err, "GetObject", nsb)
	_, err = b.PutObject(ctx, missing, "k", translate.BytesBody([]byte("x")), translate.Metadata{})
	wantCode(h, err, "PutObject", nsb)
	_, err = b.CopyObject(ctx, missing, "src", real, "dst", translate.Metadata{})
	wantCode(h, err, "CopyObject from a missing bucket", nsb)
	_, err = b.CopyObject(ctx, real, "src", missing, "dst", translate.Metadata{})
	wantCode(h, err, "CopyObject to a missing bucket", nsb)
	wantCode(h, b.DeleteObject(ctx, missing, "k"), "DeleteObject", nsb)
	_, err = b.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: missing, Key: "k"})
	wantCode(h, err, "CreateMultipartUpload", nsb)
	_, err = b.ListMultipartUploads(ctx, missing, translate.UploadsQuery{MaxUploads: 10})
	wantCode(h, err, "ListMultipartUploads", nsb)
	wantCode(h, b.DeleteBucket(ctx, missing), "DeleteBucket", nsb)

	id := h.createUpload(real, "k")
	nsu := []translate.Code{translate.ErrNoSuchUpload, nsb}
	_, err = b.GetMultipartUpload(ctx, missing, "k", id)
	wantCode(h, err, "GetMultipartUpload", nsu...)
	_, err = b.UploadPart(ctx, missing, "k", id, 1, translate.BytesBody([]byte("x")))
	wantCode(h, err, "UploadPart", nsu...)
	_, err = b.ListParts(ctx, missing, "k", id, 0, 10)
	wantCode(h, err, "ListParts", nsu...)
	wantCode(h, b.AbortMultipartUpload(ctx, missing, "k", id), "AbortMultipartUpload", nsu...)
	_, err = b.CompleteMultipartUpload(ctx, translate.CompleteRequest{Bucket: missing, Key: "k", UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: 1, ETag: md5Hex([]byte("x"))}}})
	wantCode(h, err, "CompleteMultipartUpload", nsu...)
	_, err = b.UploadPartCopy(ctx, real, "k", id, 1, missing, "src", nil, nil)
	wantCode(h, err, "UploadPartCopy from a missing bucket", nsb, translate.ErrNoSuchKey)
}

// testPutGetHead: what PutObject returns, HeadObject and GetObject report,
// including requested checksums; ErrNoSuchKey for missing keys.
func testPutGetHead(h *harness) {
	bucket := h.bucket("obj")
	data := pattern(1, 100_000)
	info := h.put(bucket, "plain", data, translate.Metadata{})
	if len(info.Checksum) != 0 || info.ChecksumType != "" || info.PartSizes != nil || info.LastModified.IsZero() {
		h.Errorf("PutObject without checksums = %+v", info)
	}
	withSum := h.put(bucket, "summed", data, translate.Metadata{}, translate.CRC32C, translate.SHA256)
	want := translate.Checksums{translate.CRC32C: checksum(h, translate.CRC32C, data),
		translate.SHA256: checksum(h, translate.SHA256, data)}
	for a, v := range want {
		if withSum.Checksum[a] != v {
			h.Errorf("PutObject checksum %s = %q, want %q", a, withSum.Checksum[a], v)
		}
	}
	if withSum.ChecksumType != translate.ChecksumFullObject {
		h.Errorf("PutObject ChecksumType = %q, want FULL_OBJECT", withSum.ChecksumType)
	}
	for _, tc := range []struct {
		key  string
		want translate.ObjectInfo
	}{{"plain", info}, {"summed", withSum}} {
		head, err := h.b.HeadObject(h.ctx, bucket, tc.key)
		if err != nil {
			h.Fatalf("HeadObject(%s): %v", tc.key, err)
		}
		got, body := h.get(bucket, tc.key, nil)
		wantSums, wantType := h.kept(data, tc.want.Checksum, tc.want.ChecksumType)
		for _, gi := range []translate.ObjectInfo{head, got} {
			if gi.Key != tc.key || gi.Size != tc.want.Size || trimETag(gi.ETag) != tc.want.ETag ||
				gi.LastModified.IsZero() || gi.ChecksumType != wantType || len(gi.PartSizes) != 0 {
				h.Errorf("%s: described as %+v, want %+v", tc.key, gi, tc.want)
			}
			for a, v := range wantSums {
				if gi.Checksum[a] != v {
					h.Errorf("%s: checksum %s = %q, want %q", tc.key, a, gi.Checksum[a], v)
				}
			}
		}
		if !bytes.Equal(body, data) {
			h.Errorf("%s: GetObject returned different bytes", tc.key)
		}
	}
	obj, err := h.b.GetObject(h.ctx, bucket, "plain", nil)
	if err != nil {
		h.Fatal(err)
	}
	obj.Body.Close()
	if obj.Range != nil {
		h.Errorf("GetObject without a range reports range %+v", obj.Range)
	}

	_, err = h.b.HeadObject(h.ctx, bucket, "nope")
	wantCode(h, err, "HeadObject of a missing key", translate.ErrNoSuchKey)
	_, err = h.b.GetObject(h.ctx, bucket, "nope", nil)
	wantCode(h, err, "GetObject of a missing key", translate.ErrNoSuchKey)
	_, err = h.b.GetObject(h.ctx, bucket, "plai", nil)
	wantCode(h, err, "GetObject of a prefix of a key", translate.ErrNoSuchKey)
	_, err = h.b.HeadObject(h.ctx, bucket, "plain/")
	wantCode(h, err, "HeadObject of a key plus '/'", translate.ErrNoSuchKey)
}

// testEmptyObject: a zero-byte object.
func testEmptyObject(h *harness) {
	bucket := h.bucket("empty")
	info := h.put(bucket, "empty", nil, translate.Metadata{})
	if info.ETag != "d41d8cd98f00b204e9800998ecf8427e" {
		h.Errorf("empty object ETag %q", info.ETag)
	}
	h.wantContent(bucket, "empty", nil)
}

// testRangeReads: GetObject with ranges reports the range and yields
// exactly its bytes.
func testRangeReads(h *harness) {
	bucket := h.bucket("range")
	data := pattern(2, 10_000)
	h.put(bucket, "r", data, translate.Metadata{})
	for _, r := range []translate.Range{
		{Start: 0, Length: 1}, {Start: 0, Length: 10_000}, {Start: 9_999, Length: 1},
		{Start: 10, Length: 100}, {Start: 5_000, Length: 5_000}, {Start: 1, Length: 9_998},
	} {
		obj, err := h.b.GetObject(h.ctx, bucket, "r", &r)
		if err != nil {
			h.Fatalf("GetObject(range %+v): %v", r, err)
		}
		var got bytes.Buffer
		_, err = got.ReadFrom(obj.Body)
		obj.Body.Close()
		if err != nil {
			h.Fatalf("reading range %+v: %v", r, err)
		}
		if !bytes.Equal(got.Bytes(), data[r.Start:r.Start+r.Length]) {
			h.Errorf("range %+v: got %d bytes, not the range's", r, got.Len())
		}
		if obj.Range == nil || *obj.Range != r {
			h.Errorf("range %+v: reported %+v", r, obj.Range)
		}
		if obj.Info.Size != int64(len(data)) {
			h.Errorf("range %+v: Info.Size %d, want the object's %d", r, obj.Info.Size, len(data))
		}
	}
}

// testOverwrite: PutObject replaces bytes and metadata.
func testOverwrite(h *harness) {
	bucket := h.bucket("overwrite")
	h.put(bucket, "k", pattern(3, 5000), translate.Metadata{ContentType: "text/old", User: map[string]string{"old": "1"}})
	v2 := pattern(4, 300)
	meta := translate.Metadata{ContentType: "text/new", User: map[string]string{"new": "2"}}
	h.put(bucket, "k", v2, meta)
	h.wantContent(bucket, "k", v2)
	head, err := h.b.HeadObject(h.ctx, bucket, "k")
	if err != nil {
		h.Fatal(err)
	}
	wantMeta(h, "after overwrite", head.Metadata, h.stored(meta))
	if keys := h.listAll(bucket); !slices.Equal(keys, []string{"k"}) {
		h.Fatalf("listing after overwrite = %q", keys)
	}
}

// testDelete: DeleteObject removes only its key; deleting a missing key
// succeeds; a deleted path can be written again.
func testDelete(h *harness) {
	bucket := h.bucket("delete")
	// A file-tree store holds no object "a/b" beside "a/b/c": the
	// sibling "a/c" survives instead.
	survivor := "a/b"
	if h.q.FileTree {
		survivor = "a/c"
	}
	for _, k := range []string{survivor, "a/b/c", "x/y/z", "solo"} {
		h.put(bucket, k, []byte(k), translate.Metadata{})
	}
	for _, k := range []string{"a/b/c", "x/y/z", "solo"} {
		if err := h.b.DeleteObject(h.ctx, bucket, k); err != nil {
			h.Fatalf("DeleteObject(%q): %v", k, err)
		}
		_, err := h.b.HeadObject(h.ctx, bucket, k)
		wantCode(h, err, "HeadObject after delete", translate.ErrNoSuchKey)
	}
	if err := h.b.DeleteObject(h.ctx, bucket, "never/was"); err != nil {
		h.Fatalf("DeleteObject of a missing key: %v", err)
	}
	if err := h.b.DeleteObject(h.ctx, bucket, "solo"); err != nil {
		h.Fatalf("DeleteObject twice: %v", err)
	}
	h.wantContent(bucket, survivor, []byte(survivor))
	if keys := h.listAll(bucket); !slices.Equal(keys, []string{survivor}) {
		h.Fatalf("listing after deletes = %q", keys)
	}
	h.put(bucket, "x/y/z", []byte("again"), translate.Metadata{})
	h.wantContent(bucket, "x/y/z", []byte("again"))
}

// fullMeta is metadata with every field the suite round-trips.
var fullMeta = translate.Metadata{
	ContentType:        "text/plain; charset=utf-8",
	ContentEncoding:    "identity",
	ContentDisposition: `attachment; filename="r\u00e9sum\u00e9.txt"`,
	ContentLanguage:    "fr-CA",
	CacheControl:       "max-age=60",
	Expires:            "Wed, 21 Oct 2037 07:28:00 GMT",
	User:               map[string]string{"color": "blue", "multi-word": "a b  c", "empty": ""},
}

// testMetadata: content headers and user metadata round-trip through
// PutObject, HeadObject, GetObject and listing is not required to carry
// them.
func testMetadata(h *harness) {
	bucket := h.bucket("meta")
	meta := fullMeta.Clone()
	info := h.put(bucket, "m", []byte("x"), meta)
	meta.User["color"] = "mutated after put"
	wantMeta(h, "PutObject result", info.Metadata, fullMeta)
	head, err := h.b.HeadObject(h.ctx, bucket, "m")
	if err != nil {
		h.Fatal(err)
	}
	wantMeta(h, "HeadObject", head.Metadata, h.stored(fullMeta))
	got, _ := h.get(bucket, "m", nil)
	wantMeta(h, "GetObject", got.Metadata, h.stored(fullMeta))
	h.put(bucket, "none", []byte("x"), translate.Metadata{})
	head, err = h.b.HeadObject(h.ctx, bucket, "none")
	if err != nil {
		h.Fatal(err)
	}
	if len(head.Metadata.User) != 0 {
		h.Errorf("object put without user metadata has %v", head.Metadata.User)
	}
}

// testWebsiteRedirect: Metadata.WebsiteRedirectLocation (S3's
// x-amz-website-redirect-location) round-trips through PutObject,
// HeadObject, GetObject, CopyObject and a multipart upload.
func testWebsiteRedirect(h *harness) {
	bucket := h.bucket("redirect")
	meta := translate.Metadata{WebsiteRedirectLocation: "/elsewhere.html"}
	h.put(bucket, "r", []byte("x"), meta)
	head, err := h.b.HeadObject(h.ctx, bucket, "r")
	if err != nil || head.Metadata.WebsiteRedirectLocation != "/elsewhere.html" {
		h.Fatalf("HeadObject = %+v, %v", head.Metadata, err)
	}
	if got, _ := h.get(bucket, "r", nil); got.Metadata.WebsiteRedirectLocation != "/elsewhere.html" {
		h.Fatalf("GetObject metadata = %+v", got.Metadata)
	}
	copied := translate.Metadata{WebsiteRedirectLocation: "https://example.com/"}
	if _, err := h.b.CopyObject(h.ctx, bucket, "r", bucket, "c", copied); err != nil {
		h.Fatal(err)
	}
	if head, err := h.b.HeadObject(h.ctx, bucket, "c"); err != nil || head.Metadata.WebsiteRedirectLocation != "https://example.com/" {
		h.Fatalf("HeadObject of the copy = %+v, %v", head.Metadata, err)
	}
	id, err := h.b.CreateMultipartUpload(h.ctx, translate.UploadInfo{Bucket: bucket, Key: "m", Initiator: "AKIDEXAMPLE",
		Initiated: time.Now().UTC(), Metadata: meta})
	if err != nil {
		h.Fatal(err)
	}
	body := []byte("only part")
	h.uploadPart(bucket, "m", id, 1, body)
	want := translate.ObjectInfo{ETag: multipartETag(body), Metadata: meta, PartSizes: []int64{int64(len(body))}}
	if _, err := h.b.CompleteMultipartUpload(h.ctx, translate.CompleteRequest{Bucket: bucket, Key: "m", UploadID: id, Info: want,
		Parts: []translate.CompletePart{{Number: 1, Size: int64(len(body)), ETag: md5Hex(body)}}}); err != nil {
		h.Fatal(err)
	}
	if head, err := h.b.HeadObject(h.ctx, bucket, "m"); err != nil || head.Metadata.WebsiteRedirectLocation != "/elsewhere.html" {
		h.Fatalf("HeadObject of the multipart object = %+v, %v", head.Metadata, err)
	}
}

// trickyKeys are keys that stress a backend's mapping of keys to storage.
func trickyKeys() []string {
	return []string{
		"a", "A", "a/b", "a/b/", "dir/", "dir/x", "/lead", "//x", "x//", "/", "//",
		"a/../b", "..", ".", "../x", "./y", ".hidden", "x.d", "x.o", "x%2F", "%41", "%",
		"日本/語 x.txt", "key with spaces", "trailing space ", "+plus=eq,comma@at~",
		"semi;colon?q#h&amp", "quote\"'back\\slash", "tab\tand\nnewline",
		strings.Repeat("a", 80), strings.Repeat("a", 81), strings.Repeat("a", 79) + "/",
		strings.Repeat("a", 80) + "/", strings.Repeat("a", 1024), strings.Repeat("/", 1024),
		strings.Repeat("ab/", 341) + "c", strings.Repeat("é", 512),
	}
}

// testTrickyKeys: every tricky key is stored, listed back exactly, read and
// deleted.
func testTrickyKeys(h *harness) {
	bucket := h.bucket("tricky")
	keys := h.supported(trickyKeys())
	for _, k := range keys {
		h.put(bucket, k, []byte(k), translate.Metadata{})
	}
	want := slices.Sorted(slices.Values(keys))
	got := h.listAll(bucket)
	switch {
	case h.q.NonBytewiseListing:
		for _, k := range got {
			if !slices.Contains(want, k) {
				h.Fatalf("listing has %q, which was never stored", k)
			}
		}
	case !slices.Equal(got, want):
		h.Fatalf("listing:\n got %q\nwant %q", got, want)
	}
	for _, k := range keys {
		h.wantContent(bucket, k, []byte(k))
	}
	queries := []translate.ListQuery{
		{Delimiter: "/", MaxKeys: 1000},
		{Prefix: "a", Delimiter: "/", MaxKeys: 1000},
		{Prefix: "/", Delimiter: "/", MaxKeys: 1000},
		{Prefix: "a/", MaxKeys: 1000},
		{Prefix: strings.Repeat("a", 80), Delimiter: "/", MaxKeys: 1000},
	}
	if h.q.NonBytewiseListing {
		queries = nil // every query here turns on '/'
	}
	for _, q := range queries {
		h.checkPages(bucket, want, q, 0)
	}
	for _, k := range keys {
		if err := h.b.DeleteObject(h.ctx, bucket, k); err != nil {
			h.Fatalf("DeleteObject(%q): %v", short(k), err)
		}
	}
	if got := h.listAll(bucket); len(got) != 0 {
		h.Fatalf("listing after deleting all: %q", got)
	}
}

// testCopy: CopyObject keeps the source's bytes, ETag and checksums with
// the new metadata, within and across buckets and onto itself.
func testCopy(h *harness) {
	src := h.bucket("copysrc")
	dst := h.bucket("copydst")
	data := pattern(5, 70_000)
	orig := h.put(src, "s", data, translate.Metadata{ContentType: "a/b", User: map[string]string{"k": "v"}}, translate.CRC32)
	newMeta := translate.Metadata{ContentType: "c/d", User: map[string]string{"n": "m"}}
	for _, tc := range []struct{ bucket, key string }{{src, "copy"}, {dst, "deep/copy"}, {src, "s"}} {
		info, err := h.b.CopyObject(h.ctx, src, "s", tc.bucket, tc.key, newMeta)
		if err != nil {
			h.Fatalf("CopyObject to %s/%s: %v", tc.bucket, tc.key, err)
		}
		head, err := h.b.HeadObject(h.ctx, tc.bucket, tc.key)
		if err != nil {
			h.Fatal(err)
		}
		for _, gi := range []translate.ObjectInfo{info, head} {
			origSums, origType := h.kept(data, orig.Checksum, orig.ChecksumType)
			if trimETag(gi.ETag) != orig.ETag || gi.Size != orig.Size ||
				gi.Checksum[translate.CRC32] != origSums[translate.CRC32] || gi.ChecksumType != origType {
				h.Errorf("copy %s/%s described as %+v, want the source's %+v", tc.bucket, tc.key, gi, orig)
			}
			wantMeta(h, "copy "+tc.key, gi.Metadata, newMeta)
		}
		h.wantContent(tc.bucket, tc.key, data)
	}
	_, err := h.b.CopyObject(h.ctx, src, "missing", dst, "x", newMeta)
	wantCode(h, err, "CopyObject of a missing key", translate.ErrNoSuchKey)
	_, err = h.b.HeadObject(h.ctx, dst, "x")
	wantCode(h, err, "HeadObject of a failed copy's target", translate.ErrNoSuchKey)
}

// testCancelled: a call with a cancelled context fails and commits
// nothing.
func testCancelled(h *harness) {
	bucket := h.bucket("cancel")
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()
	if _, err := h.b.PutObject(ctx, bucket, "k", translate.BytesBody([]byte("data")), translate.Metadata{}); err == nil {
		h.Fatalf("PutObject with a cancelled context succeeded")
	}
	_, err := h.b.HeadObject(h.ctx, bucket, "k")
	wantCode(h, err, "HeadObject after a cancelled put", translate.ErrNoSuchKey)
}
