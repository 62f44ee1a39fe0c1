package azure

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/test/azurite"
	"github.com/babelgate/babelgate/translate"
)

// The driver's calls against a real Azurite (test/azurite), below the kit:
// what each SDK call leaves on the store.

func newTestDriver(t *testing.T, s *azurite.Server, mut func(*Options)) *Driver {
	t.Helper()
	o := DefaultOptions()
	o.Endpoint, o.AccountName, o.AccountKey = s.Endpoint, azurite.Account, azurite.Key
	if mut != nil {
		mut(o)
	}
	d, err := NewDriver(*o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func code(d *Driver, err error) translate.Code {
	if c := translate.CodeOf(err); c != 0 && c != translate.ErrInternal {
		return c
	}
	return d.Classify(err)
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// multipartETag is S3's ETag of an object of these parts.
func multipartETag(parts ...[]byte) string {
	var all []byte
	for _, p := range parts {
		s := md5.Sum(p)
		all = append(all, s[:]...)
	}
	return fmt.Sprintf("%s-%d", md5hex(all), len(parts))
}

func readAll(t *testing.T, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDriverObjects(t *testing.T) {
	s := azurite.Start(t)
	d := newTestDriver(t, s, nil)
	ctx := t.Context()
	if err := d.CreateBucket(ctx, "objs"); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateBucket(ctx, "objs"); code(d, err) != translate.ErrBucketAlreadyOwnedByYou {
		t.Fatalf("second CreateBucket: %v", err)
	}
	for _, bad := range []string{"a.b", "a--b", "Upper", "-ab"} {
		if err := d.CreateBucket(ctx, bad); code(d, err) != translate.ErrInvalidBucketName {
			t.Errorf("CreateBucket(%q) = %v, want InvalidBucketName", bad, err)
		}
	}
	data := randBytes(3000)
	meta := translate.Metadata{ContentType: "text/x-test", CacheControl: "no-cache", Expires: "Thu, 01 Jan 2037 00:00:00 GMT",
		User: map[string]string{"plain": "1", "with-dash": "2", "9digit": "3", "bgx_trap": "4"}}
	e, err := d.Put(ctx, "objs", "dir/a", bytes.NewReader(data), int64(len(data)), storekit.PutOptions{Metadata: meta})
	if err != nil || e != md5hex(data) {
		t.Fatalf("Put: ETag %q (want the MD5 %s), %v", e, md5hex(data), err)
	}
	info, err := d.Head(ctx, "objs", "dir/a")
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != e || info.Size != 3000 || info.Metadata.ContentType != "text/x-test" || info.Metadata.Expires != meta.Expires ||
		len(info.Metadata.User) != 4 || info.Metadata.User["with-dash"] != "2" || info.Metadata.User["9digit"] != "3" || info.Metadata.User["bgx_trap"] != "4" {
		t.Fatalf("Head = %+v", info)
	}
	body, ginfo, err := d.Get(ctx, "objs", "dir/a", &translate.Range{Start: 100, Length: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, body); !bytes.Equal(got, data[100:150]) || ginfo.Size != 3000 {
		t.Fatalf("ranged Get: %d bytes, size %d", len(got), ginfo.Size)
	}
	// Conditions: If-None-Match * on an existing blob, If-Match a stale ETag.
	_, err = d.Put(ctx, "objs", "dir/a", bytes.NewReader(data), 3000, storekit.PutOptions{Cond: translate.WriteCond{IfAbsent: true}})
	if c := code(d, err); c != translate.ErrObjectExists && c != translate.ErrPreconditionFailed {
		t.Fatalf("Put If-None-Match *: %v", err)
	}
	for _, stale := range []string{"0x8dc0000000000", md5hex([]byte("other"))} {
		_, err = d.Put(ctx, "objs", "dir/a", bytes.NewReader(data), 3000, storekit.PutOptions{Cond: translate.WriteCond{IfMatch: stale}})
		if code(d, err) != translate.ErrPreconditionFailed {
			t.Fatalf("Put If-Match %s: %v", stale, err)
		}
	}
	e2, err := d.Put(ctx, "objs", "dir/a", bytes.NewReader(data), 3000, storekit.PutOptions{Cond: translate.WriteCond{IfMatch: e}})
	if err != nil {
		t.Fatalf("Put If-Match current: %v", err)
	}
	// Copy with new content headers.
	ce, err := d.Copy(ctx, "objs", "dir/a", "objs", "copy", storekit.PutOptions{Metadata: translate.Metadata{ContentType: "image/png", User: map[string]string{"k": "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	if ci, err := d.Head(ctx, "objs", "copy"); err != nil || ci.ETag != ce || ce != md5hex(data) || ci.Metadata.ContentType != "image/png" || ci.Metadata.User["k"] != "v" || len(ci.Metadata.User) != 1 {
		t.Fatalf("copy: %+v %v (source etag %s)", ci, err, e2)
	}
	if _, err := d.Head(ctx, "objs", "missing"); code(d, err) != translate.ErrNoSuchKey {
		t.Fatalf("Head missing: %v", err)
	}
	if _, err := d.Head(ctx, "nobucket", "k"); code(d, err) != translate.ErrNoSuchBucket {
		t.Fatalf("Head in missing bucket: %v", err)
	}
	// Larger than a block (64 KiB here): the kit stages blocks and commits
	// them, with the MD5 it computed.
	b64 := newTestBackend(t, s, func(o *Options) { o.MaxBlockSize = 64 << 10 })
	big := randBytes(200 << 10)
	if info, err := b64.PutObject(ctx, "objs", "big", translate.BytesBody(big), translate.Metadata{}); err != nil || info.ETag != md5hex(big) {
		t.Fatalf("Put in blocks: %+v, %v", info, err)
	}
	if info, err := d.Head(ctx, "objs", "big"); err != nil || info.ETag != md5hex(big) || info.Size != int64(len(big)) {
		t.Fatalf("Head of a Put in blocks: %+v, %v", info, err)
	}
	if res, err := d.List(ctx, "objs", storekit.ListRequest{Prefix: "big", Max: 10}); err != nil || len(res.Objects) != 1 || res.Objects[0].ETag != md5hex(big) {
		t.Fatalf("List: %+v, %v", res, err)
	}
	// An empty object: no range 0- to read.
	if e, err := d.Put(ctx, "objs", "empty", bytes.NewReader(nil), 0, storekit.PutOptions{}); err != nil || e != md5hex(nil) {
		t.Fatalf("Put empty: %q, %v", e, err)
	}
	if body, info, err := d.Get(ctx, "objs", "empty", nil); err != nil || len(readAll(t, body)) != 0 || info.ETag != md5hex(nil) || info.Size != 0 {
		t.Fatalf("Get empty: %+v, %v", info, err)
	}
	if err := d.Delete(ctx, "objs", []string{"copy", "never"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Head(ctx, "objs", "copy"); code(d, err) != translate.ErrNoSuchKey {
		t.Fatalf("Head deleted: %v", err)
	}
}

func TestDriverList(t *testing.T) {
	s := azurite.Start(t)
	d := newTestDriver(t, s, nil)
	ctx := t.Context()
	if err := d.CreateBucket(ctx, "list"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b/1", "b/2", "c", "d", "e"} {
		if _, err := d.Put(ctx, "list", k, strings.NewReader("x"), 1, storekit.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		req  storekit.ListRequest
		want string
	}{
		{"all", storekit.ListRequest{Max: 100}, "a b/1 b/2 c d e |"},
		{"delimiter", storekit.ListRequest{Delimiter: "/", Max: 100}, "a c d e | b/"},
		{"prefix", storekit.ListRequest{Prefix: "b/", Max: 100}, "b/1 b/2 |"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := d.List(ctx, "list", tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range res.Objects {
				keys = append(keys, o.Key)
			}
			if got := strings.Join(keys, " ") + " | " + strings.Join(res.Prefixes, " "); strings.TrimSpace(got) != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	// Paging by Azure's markers, two at a time.
	var got []string
	req := storekit.ListRequest{Max: 2}
	for {
		res, err := d.List(ctx, "list", req)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			got = append(got, o.Key)
			req.StartAfter = o.Key
		}
		if !res.Truncated {
			break
		}
		req.Token = res.NextToken
	}
	if strings.Join(got, " ") != "a b/1 b/2 c d e" {
		t.Fatalf("paged: %v", got)
	}
	// Through the kit, which drops what Azurite lists before startFrom
	// (it ignores it), one key a page: after a common prefix, and after a
	// key.
	b := newTestBackend(t, s, nil)
	for _, tc := range []struct {
		q    translate.ListQuery
		want string
	}{
		{translate.ListQuery{Delimiter: "/", After: "b/", MaxKeys: 1}, "c"},
		{translate.ListQuery{After: "b/1", MaxKeys: 1}, "b/2"},
	} {
		page, err := b.ListObjects(ctx, "list", tc.q)
		if err != nil || len(page.Objects) != 1 || page.Objects[0].Key != tc.want || len(page.CommonPrefixes) != 0 || !page.Truncated {
			t.Fatalf("ListObjects(%+v) = %+v, %v; want %s", tc.q, page, err, tc.want)
		}
	}
}

func newTestBackend(t *testing.T, s *azurite.Server, mut func(*Options)) *storekit.Backend {
	t.Helper()
	o := DefaultOptions()
	o.Endpoint, o.AccountName, o.AccountKey = s.Endpoint, azurite.Account, azurite.Key
	if mut != nil {
		mut(o)
	}
	b, err := New(*o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func uploadPart(t *testing.T, b *storekit.Backend, key, id string, n int, data []byte) string {
	t.Helper()
	p, err := b.UploadPart(t.Context(), "multi", key, id, n, translate.BytesBody(data))
	if err != nil {
		t.Fatal(err)
	}
	return p.ETag
}

// TestBlockUploads: the kit's multipart uploads over the driver's blocks
// (storekit.BlockStore), checked on the store below the kit: parts of
// several blocks, re-uploads (the later attempt wins), two uploads of one
// key that never mix, the block list committed with the upload's
// metadata and its S3-style ETag, the uploads listed from the kit's
// markers.
func TestBlockUploads(t *testing.T) {
	s := azurite.Start(t)
	// Blocks of 64 KiB: a 150 KiB part is three blocks.
	b := newTestBackend(t, s, func(o *Options) { o.MaxBlockSize = 64 << 10 })
	d := newTestDriver(t, s, nil)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "multi"); err != nil {
		t.Fatal(err)
	}
	meta := translate.Metadata{ContentType: "application/x-mp", User: map[string]string{"x-y": "z"}}
	id, err := b.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: "multi", Key: "big", Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := b.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: "multi", Key: "big"})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2, other := randBytes(150<<10), randBytes(10<<10), randBytes(100)
	// Part 2 first, part 1 twice (the later attempt wins), and a part of
	// another upload of the same key, which must not mix in.
	e2 := uploadPart(t, b, "big", id, 2, p2)
	uploadPart(t, b, "big", id, 1, other)
	e1 := uploadPart(t, b, "big", id, 1, p1)
	uploadPart(t, b, "big", id2, 1, other)
	if _, err := b.UploadPart(ctx, "multi", "other-key", id, 1, translate.BytesBody(other)); translate.CodeOf(err) != translate.ErrNoSuchUpload {
		t.Fatalf("UploadPart under another key: %v", err)
	}
	blocks, err := d.Blocks(ctx, "multi", "big")
	if err != nil || len(blocks) != 4+2+2+2 { // p1: 3 data blocks and a tag; p2, and other twice: one and a tag each
		t.Fatalf("uncommitted blocks: %d, %v", len(blocks), err)
	}
	parts, err := b.ListParts(ctx, "multi", "big", id, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 2 || parts.Parts[0].ETag != e1 || parts.Parts[0].Size != int64(len(p1)) || parts.Parts[1].ETag != e2 {
		t.Fatalf("ListParts = %+v", parts)
	}
	ups, err := b.ListMultipartUploads(ctx, "multi", translate.UploadsQuery{MaxUploads: 1000})
	if err != nil || len(ups.Uploads) != 2 || ups.Uploads[0].Key != "big" {
		t.Fatalf("ListMultipartUploads = %+v, %v", ups, err)
	}
	complete := func(cond translate.WriteCond, parts ...translate.CompletePart) (translate.ObjectInfo, error) {
		return b.CompleteMultipartUpload(ctx, translate.CompleteRequest{Bucket: "multi", Key: "big", UploadID: id, Parts: parts,
			Info: translate.ObjectInfo{ETag: multipartETag(p1, p2), Metadata: meta}, Cond: cond})
	}
	if _, err := complete(translate.WriteCond{}, translate.CompletePart{Number: 1, ETag: "0000000000000000ffff"}); translate.CodeOf(err) != translate.ErrInvalidPart {
		t.Fatalf("Complete with an unknown part: %v", err)
	}
	if _, err := complete(translate.WriteCond{IfAbsent: true}, translate.CompletePart{Number: 1, ETag: e1, Size: int64(len(p1))},
		translate.CompletePart{Number: 2, ETag: e2, Size: int64(len(p2))}); err != nil {
		t.Fatal(err)
	}
	// The store's blob reports the S3-style ETag (kept in its metadata)
	// and the upload's metadata, in Head, Get and List.
	// The kit's entry (storekit.KeptMeta) is committed with the upload's
	// metadata, as a store upload is created with it.
	want := multipartETag(p1, p2)
	hi, err := d.Head(ctx, "multi", "big")
	_, kept := hi.Metadata.User[storekit.KeptMeta]
	delete(hi.Metadata.User, storekit.KeptMeta)
	if err != nil || !kept || hi.ETag != want || hi.Metadata.ContentType != "application/x-mp" ||
		hi.Metadata.User["x-y"] != "z" || len(hi.Metadata.User) != 1 {
		t.Fatalf("Head after Complete: %+v, %v; want ETag %s", hi, err, want)
	}
	if res, err := d.List(ctx, "multi", storekit.ListRequest{Prefix: "b", Max: 10}); err != nil || len(res.Objects) != 1 || res.Objects[0].ETag != want {
		t.Fatalf("List after Complete: %+v, %v", res, err)
	}
	body, _, err := d.Get(ctx, "multi", "big", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, body); !bytes.Equal(got, append(append([]byte{}, p1...), p2...)) {
		t.Fatalf("completed object: %d bytes (want %d)", len(got), len(p1)+len(p2))
	}
	if ups, _ := b.ListMultipartUploads(ctx, "multi", translate.UploadsQuery{MaxUploads: 1000}); len(ups.Uploads) != 1 || ups.Uploads[0].ID != id2 {
		t.Fatalf("after Complete, ListMultipartUploads = %+v", ups)
	}
	if err := b.AbortMultipartUpload(ctx, "multi", "big", id2); err != nil {
		t.Fatal(err)
	}
	if err := b.AbortMultipartUpload(ctx, "multi", "big", id2); translate.CodeOf(err) != translate.ErrNoSuchUpload {
		t.Fatalf("second Abort: %v", err)
	}
	if keys, err := d.List(ctx, "multi", storekit.ListRequest{Prefix: storekit.Prefix, Max: 100}); err != nil || len(keys.Objects) != 0 {
		t.Fatalf("the kit's state after Complete and Abort: %+v, %v", keys, err)
	}
}

// TestLegacyUploadRecord: an upload begun by the driver before the kit ran
// block uploads left a record blob (with its own metadata) under
// storekit.BlockUploadsPrefix beside the kit's state; after the upgrade it
// is still listed, takes parts and completes.
func TestLegacyUploadRecord(t *testing.T) {
	s := azurite.Start(t)
	b := newTestBackend(t, s, nil)
	d := newTestDriver(t, s, nil)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "multi"); err != nil {
		t.Fatal(err)
	}
	const id = "0123456789abcdef0123456789abcdef"
	meta := translate.Metadata{ContentType: "text/x-old"}
	rec := translate.Metadata{ContentType: "text/x-old", User: map[string]string{"bgkey": "b2xk", "bginit": "2026-01-02T03:04:05Z"}}
	if _, err := d.Put(ctx, "multi", storekit.BlockUploadsPrefix+id, bytes.NewReader(nil), 0, storekit.PutOptions{Metadata: rec}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, data []byte) error {
		_, err := d.Put(ctx, "multi", key, bytes.NewReader(data), int64(len(data)), storekit.PutOptions{})
		return err
	}
	if err := storekit.Write(id, storekit.NewUpload(translate.UploadInfo{Bucket: "multi", Key: "old", Metadata: meta}), put); err != nil {
		t.Fatal(err)
	}
	ups, err := b.ListMultipartUploads(ctx, "multi", translate.UploadsQuery{MaxUploads: 10})
	if err != nil || len(ups.Uploads) != 1 || ups.Uploads[0].ID != id || ups.Uploads[0].Key != "old" {
		t.Fatalf("ListMultipartUploads = %+v, %v", ups, err)
	}
	data := randBytes(1000)
	e := uploadPart(t, b, "old", id, 1, data)
	if _, err := b.CompleteMultipartUpload(ctx, translate.CompleteRequest{Bucket: "multi", Key: "old", UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, ETag: e, Size: 1000}}, Info: translate.ObjectInfo{ETag: multipartETag(data), Metadata: meta}}); err != nil {
		t.Fatal(err)
	}
	hi, err := d.Head(ctx, "multi", "old")
	delete(hi.Metadata.User, storekit.KeptMeta)
	if err != nil || hi.ETag != multipartETag(data) || hi.Metadata.ContentType != "text/x-old" || len(hi.Metadata.User) != 0 {
		t.Fatalf("Head after Complete: %+v, %v", hi, err)
	}
	if ups, err := b.ListMultipartUploads(ctx, "multi", translate.UploadsQuery{MaxUploads: 10}); err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("after Complete: %+v, %v", ups, err)
	}
}

// Azurite stopped mid-upload: the part fails with a retryable
// ErrServiceUnavailable; once it is back on the same port and data, the
// same upload takes the part and completes.
func TestStoreRestart(t *testing.T) {
	s := azurite.Start(t)
	b := newTestBackend(t, s, func(o *Options) { o.Retries = 0 })
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "multi"); err != nil {
		t.Fatal(err)
	}
	id, err := b.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: "multi", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := randBytes(1000), randBytes(2000)
	e1 := uploadPart(t, b, "k", id, 1, p1)
	s.Stop()
	_, err = b.UploadPart(ctx, "multi", "k", id, 2, translate.BytesBody(p2))
	if translate.CodeOf(err) != translate.ErrServiceUnavailable {
		t.Fatalf("UploadPart with the store down = %v, want ServiceUnavailable", err)
	}
	s.Restart()
	e2 := uploadPart(t, b, "k", id, 2, p2)
	if _, err := b.CompleteMultipartUpload(ctx, translate.CompleteRequest{Bucket: "multi", Key: "k", UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, ETag: e1, Size: 1000}, {Number: 2, ETag: e2, Size: 2000}},
		Info:  translate.ObjectInfo{ETag: multipartETag(p1, p2)}}); err != nil {
		t.Fatal(err)
	}
	obj, err := b.GetObject(context.Background(), "multi", "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, obj.Body); !bytes.Equal(got, append(p1, p2...)) {
		t.Fatalf("object after restart: %d bytes", len(got))
	}
}
