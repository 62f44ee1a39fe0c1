package backendtest

import (
	"bytes"
	"slices"

	"github.com/babelgate/babelgate/translate"
)

// smallFrontMin is the minimum part size of the OSS and OBS dialects,
// below S3's: the UploadInfo.FrontMinPartSize the small-part tests create
// their uploads with.
const smallFrontMin = 100 << 10

// testSmallParts: an upload whose client allows 100 KiB parts completes
// with such parts on any store. Part 1 is 5 MiB (a store-sized part, which
// a staging backend copies server-side); parts 2-13 are 100-300 KiB,
// uploaded out of order, one of them twice, and part 13 copied from a
// range of another object (UploadPartCopy). ListParts shows the client's
// parts, and the completed object holds the bytes and reports the
// engine's multipart ETag (and, on a staging backend, its checksums and
// part sizes) from Complete, HeadObject and GetObject, and its ETag from
// ListObjects; a copy reports them too (see checkAssembledListAndCopy).
func testSmallParts(h *harness) {
	bucket := h.bucket("small")
	key := "small/parts.bin"
	id, err := h.b.CreateMultipartUpload(h.ctx, translate.UploadInfo{Bucket: bucket, Key: key,
		Initiator: "AKIDEXAMPLE", Metadata: fullMeta.Clone(), FrontMinPartSize: smallFrontMin})
	if err != nil {
		h.Fatalf("CreateMultipartUpload: %v", err)
	}
	const n = 13
	bodies := make([][]byte, n)
	bodies[0] = pattern(40, partSize)
	for i := 1; i < n; i++ {
		bodies[i] = pattern(byte(40+i), 100<<10+(i*37<<10)%(200<<10))
	}
	crc := translate.CRC64ECMA
	src := pattern(98, 400<<10)
	h.put(bucket, "src", src, translate.Metadata{})
	bodies[n-1] = src[1000 : 1000+len(bodies[n-1])]
	order := []int{5, 2, 13, 1, 7, 3, 12, 4, 9, 6, 11, 8, 10}
	h.uploadPart(bucket, key, id, 6, pattern(99, 150<<10), crc) // replaced below
	for _, num := range order {
		if num != n {
			h.uploadPart(bucket, key, id, num, bodies[num-1], crc)
			continue
		}
		rng := &translate.Range{Start: 1000, Length: int64(len(bodies[n-1]))}
		p, err := h.b.UploadPartCopy(h.ctx, bucket, key, id, n, bucket, "src", rng, []translate.ChecksumAlgorithm{crc})
		if err != nil || p.ETag != md5Hex(bodies[n-1]) || p.Size != rng.Length || p.Checksum[crc] != checksum(h, crc, bodies[n-1]) {
			h.Fatalf("UploadPartCopy = %+v, %v", p, err)
		}
	}
	page, err := h.b.ListParts(h.ctx, bucket, key, id, 0, 1000)
	if err != nil {
		h.Fatalf("ListParts: %v", err)
	}
	if len(page.Parts) != n || page.Truncated {
		h.Fatalf("ListParts = %d parts (truncated %v), want %d", len(page.Parts), page.Truncated, n)
	}
	for i, p := range page.Parts {
		if p.Number != i+1 || p.Size != int64(len(bodies[i])) || trimETag(p.ETag) != md5Hex(bodies[i]) ||
			p.Checksum[crc] != checksum(h, crc, bodies[i]) {
			h.Errorf("ListParts part %d = %+v, want size %d ETag %s", i+1, p, len(bodies[i]), md5Hex(bodies[i]))
		}
	}
	ups, err := h.b.ListMultipartUploads(h.ctx, bucket, translate.UploadsQuery{MaxUploads: 100})
	if err != nil || len(ups.Uploads) != 1 || ups.Uploads[0].ID != id || ups.Uploads[0].Key != key {
		h.Fatalf("ListMultipartUploads = %+v, %v", ups, err)
	}

	var sums []string
	var sizes []int64
	req := translate.CompleteRequest{Bucket: bucket, Key: key, UploadID: id}
	for i, b := range bodies {
		sums = append(sums, checksum(h, crc, b))
		sizes = append(sizes, int64(len(b)))
		req.Parts = append(req.Parts, translate.CompletePart{Number: i + 1, Size: int64(len(b)), ETag: md5Hex(b)})
	}
	full, err := translate.FullObjectCRC(crc, sums, sizes)
	if err != nil {
		h.Fatal(err)
	}
	want := translate.ObjectInfo{Key: key, ETag: multipartETag(bodies...), Metadata: fullMeta.Clone(),
		Checksum: translate.Checksums{crc: full}, ChecksumType: translate.ChecksumFullObject, PartSizes: sizes}
	req.Info = want
	info, err := h.b.CompleteMultipartUpload(h.ctx, req)
	if err != nil {
		h.Fatalf("CompleteMultipartUpload: %v", err)
	}
	whole := bytes.Join(bodies, nil)
	head, err := h.b.HeadObject(h.ctx, bucket, key)
	if err != nil {
		h.Fatal(err)
	}
	got, data := h.get(bucket, key, nil)
	if !bytes.Equal(data, whole) {
		h.Fatalf("object holds %d bytes (md5 %s), want %d (md5 %s)", len(data), md5Hex(data), len(whole), md5Hex(whole))
	}
	for what, gi := range map[string]translate.ObjectInfo{"Complete": info, "HeadObject": head, "GetObject": got} {
		if trimETag(gi.ETag) != want.ETag || gi.Size != int64(len(whole)) {
			h.Errorf("%s: ETag %q size %d, want %q %d", what, gi.ETag, gi.Size, want.ETag, len(whole))
		}
		if h.q.Staging || what != "GetObject" {
			if gi.Checksum[crc] != full || gi.ChecksumType != translate.ChecksumFullObject {
				h.Errorf("%s: checksums %v %q, want %s %s", what, gi.Checksum, gi.ChecksumType, full, translate.ChecksumFullObject)
			}
		}
		if (h.q.Staging || !h.q.PartSizesUnknown) && !slices.Equal(gi.PartSizes, sizes) {
			h.Errorf("%s: part sizes %v, want %v", what, gi.PartSizes, sizes)
		}
	}
	rng := translate.Range{Start: partSize - 10, Length: 300 << 10}
	if _, got := h.get(bucket, key, &rng); !bytes.Equal(got, whole[rng.Start:rng.Start+rng.Length]) {
		h.Errorf("range across part boundaries returned other bytes")
	}
	h.wantGone(bucket, key, id)
	h.checkAssembledListAndCopy(bucket, key, want, whole)

	// An overwrite makes whatever the backend kept about the old object
	// inert.
	h.put(bucket, key, []byte("small"), translate.Metadata{})
	if head, err := h.b.HeadObject(h.ctx, bucket, key); err != nil || trimETag(head.ETag) != md5Hex([]byte("small")) || head.PartSizes != nil {
		h.Fatalf("HeadObject after overwrite = %+v, %v", head, err)
	}
}

// testSmallPartsAbort: an aborted small-part upload is gone from every
// verb and listing.
func testSmallPartsAbort(h *harness) {
	bucket := h.bucket("smallab")
	key := "k"
	id := h.createUploadMin(bucket, key, smallFrontMin)
	for i := 1; i <= 3; i++ {
		h.uploadPart(bucket, key, id, i, pattern(byte(60+i), 100<<10))
	}
	if err := h.b.AbortMultipartUpload(h.ctx, bucket, key, id); err != nil {
		h.Fatalf("AbortMultipartUpload: %v", err)
	}
	h.wantGone(bucket, key, id)
	if keys := h.listAll(bucket); len(keys) != 0 {
		h.Fatalf("bucket lists %q after Abort", keys)
	}
	if _, err := h.b.HeadObject(h.ctx, bucket, key); translate.CodeOf(err) != translate.ErrNoSuchKey {
		h.Fatalf("HeadObject after Abort: %v, want NoSuchKey", err)
	}
}

// checkAssembledListAndCopy checks, for key holding whole as assembled
// from small parts and described by want (ETag, checksums, part sizes),
// that ListObjects lists it with want's ETag, and that CopyObject to
// another key (and to another bucket) makes copies that report want's
// ETag, checksums and part sizes from CopyObject, HeadObject and
// GetObject, with the metadata the copy asked for (no more), except what
// the quirks excuse for a backend that does not stage.
func (h *harness) checkAssembledListAndCopy(bucket, key string, want translate.ObjectInfo, whole []byte) {
	h.Helper()
	crc := translate.CRC64ECMA
	page, err := h.b.ListObjects(h.ctx, bucket, translate.ListQuery{Prefix: key, MaxKeys: 10})
	if err != nil || len(page.Objects) != 1 || page.Objects[0].Key != key {
		h.Fatalf("ListObjects(prefix %q) = %+v, %v", key, page, err)
	}
	if lo := page.Objects[0]; trimETag(lo.ETag) != want.ETag || lo.Size != int64(len(whole)) {
		h.Errorf("ListObjects lists %q with ETag %q size %d, want %q %d", key, lo.ETag, lo.Size, want.ETag, len(whole))
	}
	other := h.bucket("smallcp")
	meta := translate.Metadata{ContentType: "text/x-copy", User: map[string]string{"copied": "yes"}}
	for _, dst := range []struct{ bucket, key string }{{bucket, key + ".copy"}, {other, "copy"}} {
		cp, err := h.b.CopyObject(h.ctx, bucket, key, dst.bucket, dst.key, meta)
		if err != nil {
			h.Fatalf("CopyObject to %s/%s: %v", dst.bucket, dst.key, err)
		}
		head, err := h.b.HeadObject(h.ctx, dst.bucket, dst.key)
		if err != nil {
			h.Fatal(err)
		}
		got, data := h.get(dst.bucket, dst.key, nil)
		if !bytes.Equal(data, whole) {
			h.Fatalf("copy %s/%s holds other bytes", dst.bucket, dst.key)
		}
		for what, gi := range map[string]translate.ObjectInfo{"CopyObject": cp, "HeadObject": head, "GetObject": got} {
			what = what + " of copy " + dst.key
			if (h.q.Staging || !h.q.CopyNewETag) && (trimETag(gi.ETag) != want.ETag || gi.Size != int64(len(whole))) {
				h.Errorf("%s: ETag %q size %d, want %q %d", what, gi.ETag, gi.Size, want.ETag, len(whole))
			}
			if h.q.Staging && (gi.Checksum[crc] != want.Checksum[crc] || gi.ChecksumType != want.ChecksumType ||
				!slices.Equal(gi.PartSizes, want.PartSizes)) {
				h.Errorf("%s: checksums %v %q part sizes %v, want %v %q %v", what, gi.Checksum, gi.ChecksumType,
					gi.PartSizes, want.Checksum, want.ChecksumType, want.PartSizes)
			}
			wantMeta(h, what, gi.Metadata, h.stored(meta))
		}
	}
	// A copy overwritten by a plain object reports the plain object.
	h.put(other, "copy", []byte("plain"), translate.Metadata{})
	if head, err := h.b.HeadObject(h.ctx, other, "copy"); err != nil || trimETag(head.ETag) != md5Hex([]byte("plain")) ||
		head.PartSizes != nil || head.Size != 5 {
		h.Errorf("HeadObject of an overwritten copy = %+v, %v", head, err)
	}
}
