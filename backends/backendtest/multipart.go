package backendtest

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// testMultipart walks an upload through its life: create, get, upload,
// re-upload, list, complete (bytes, ETag, part sizes and checksum from the
// request), then NoSuchUpload for every verb.
func testMultipart(h *harness) {
	bucket := h.bucket("mpu")
	key := "big/object.bin"
	meta := fullMeta.Clone()
	created := time.Now().UTC().Truncate(time.Second)
	id, err := h.b.CreateMultipartUpload(h.ctx, translate.UploadInfo{Bucket: bucket, Key: key, ID: "ignored",
		Initiator: "AKIDEXAMPLE", Initiated: created, Metadata: meta,
		ChecksumAlgorithm: translate.CRC32C, ChecksumType: translate.ChecksumComposite})
	if err != nil || id == "" || id == "ignored" {
		h.Fatalf("CreateMultipartUpload = %q, %v", id, err)
	}
	up, err := h.b.GetMultipartUpload(h.ctx, bucket, key, id)
	if err != nil {
		h.Fatalf("GetMultipartUpload: %v", err)
	}
	if up.Bucket != bucket || up.Key != key || up.ID != id || up.Initiator != "AKIDEXAMPLE" || up.Initiated.IsZero() ||
		up.ChecksumAlgorithm != translate.CRC32C || up.ChecksumType != translate.ChecksumComposite {
		h.Fatalf("GetMultipartUpload = %+v", up)
	}
	wantMeta(h, "GetMultipartUpload", up.Metadata, fullMeta)

	p1, p2old, p2, p3, p4 := pattern(10, partSize), pattern(11, partSize), pattern(12, partSize), pattern(13, 1000), pattern(14, 10)
	crc := translate.CRC32C
	h.uploadPart(bucket, key, id, 1, p1, crc)
	h.uploadPart(bucket, key, id, 2, p2old, crc)
	h.uploadPart(bucket, key, id, 3, p3, crc)
	h.uploadPart(bucket, key, id, 4, p4, crc)
	h.uploadPart(bucket, key, id, 2, p2, crc) // overwrites
	parts, err := h.b.ListParts(h.ctx, bucket, key, id, 0, 1000)
	if err != nil {
		h.Fatalf("ListParts: %v", err)
	}
	bodies := [][]byte{p1, p2, p3, p4}
	if len(parts.Parts) != 4 || parts.Truncated {
		h.Fatalf("ListParts = %+v, want 4 parts", parts)
	}
	for i, p := range parts.Parts {
		if p.Number != i+1 || p.Size != int64(len(bodies[i])) || trimETag(p.ETag) != md5Hex(bodies[i]) ||
			p.Checksum[crc] != checksum(h, crc, bodies[i]) {
			h.Errorf("ListParts part %d = %+v", i+1, p)
		}
	}
	ups, err := h.b.ListMultipartUploads(h.ctx, bucket, translate.UploadsQuery{MaxUploads: 100})
	if err != nil || len(ups.Uploads) != 1 || ups.Uploads[0].ID != id || ups.Uploads[0].Key != key {
		h.Fatalf("ListMultipartUploads = %+v, %v", ups, err)
	}

	// Complete with parts 1-3; part 4 is left out.
	used := bodies[:3]
	var sums []string
	for _, b := range used {
		sums = append(sums, checksum(h, crc, b))
	}
	composite, err := translate.CompositeChecksum(crc, sums)
	if err != nil {
		h.Fatal(err)
	}
	want := translate.ObjectInfo{
		ETag: multipartETag(used...), Metadata: meta,
		Checksum: translate.Checksums{crc: composite}, ChecksumType: translate.ChecksumComposite,
		PartSizes: []int64{partSize, partSize, int64(len(p3))},
	}
	req := translate.CompleteRequest{Bucket: bucket, Key: key, UploadID: id, Info: want}
	for i, b := range used {
		req.Parts = append(req.Parts, translate.CompletePart{Number: i + 1, Size: int64(len(b)), ETag: md5Hex(b)})
	}
	info, err := h.b.CompleteMultipartUpload(h.ctx, req)
	if err != nil {
		h.Fatalf("CompleteMultipartUpload: %v", err)
	}
	whole := bytes.Join(used, nil)
	head, err := h.b.HeadObject(h.ctx, bucket, key)
	if err != nil {
		h.Fatal(err)
	}
	for _, gi := range []translate.ObjectInfo{info, head} {
		sizesOK := slices.Equal(gi.PartSizes, want.PartSizes) || (h.q.PartSizesUnknown && gi.PartSizes == nil)
		sumsOK := (gi.Checksum[crc] == composite && gi.ChecksumType == translate.ChecksumComposite)
		if gi.Key != key || trimETag(gi.ETag) != want.ETag || gi.Size != int64(len(whole)) || !sizesOK || !sumsOK ||
			(!h.q.PartSizesUnknown && gi.PartsCount() != 3) {
			h.Errorf("completed object described as %+v, want %+v", gi, want)
		}
		wantMeta(h, "completed object", gi.Metadata, h.stored(fullMeta))
	}
	h.wantContent(bucket, key, whole)
	rng := translate.Range{Start: partSize - 10, Length: partSize + 20}
	if _, got := h.get(bucket, key, &rng); !bytes.Equal(got, whole[rng.Start:rng.Start+rng.Length]) {
		h.Errorf("range across part boundaries returned other bytes")
	}

	h.wantGone(bucket, key, id)
	// A copy of a multipart object keeps its ETag and part sizes.
	cp, err := h.b.CopyObject(h.ctx, bucket, key, bucket, "copy", translate.Metadata{})
	if err != nil || (trimETag(cp.ETag) != want.ETag && !h.q.CopyNewETag) || (!slices.Equal(cp.PartSizes, want.PartSizes) && !h.q.PartSizesUnknown) {
		h.Fatalf("CopyObject of a multipart object = %+v, %v", cp, err)
	}
}

// wantGone checks that every verb on a finished upload says NoSuchUpload
// and that listings no longer show it.
func (h *harness) wantGone(bucket, key, id string) {
	h.Helper()
	nsu := translate.ErrNoSuchUpload
	_, err := h.b.GetMultipartUpload(h.ctx, bucket, key, id)
	wantCode(h, err, "GetMultipartUpload", nsu)
	_, err = h.b.UploadPart(h.ctx, bucket, key, id, 1, translate.BytesBody([]byte("late")))
	wantCode(h, err, "UploadPart", nsu)
	_, err = h.b.ListParts(h.ctx, bucket, key, id, 0, 100)
	wantCode(h, err, "ListParts", nsu)
	_, err = h.b.CompleteMultipartUpload(h.ctx, translate.CompleteRequest{Bucket: bucket, Key: key, UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: 4, ETag: md5Hex([]byte("late"))}}})
	wantCode(h, err, "CompleteMultipartUpload", nsu)
	wantCode(h, h.b.AbortMultipartUpload(h.ctx, bucket, key, id), "AbortMultipartUpload", nsu)
	ups, err := h.b.ListMultipartUploads(h.ctx, bucket, translate.UploadsQuery{MaxUploads: 1000})
	if err != nil {
		h.Fatal(err)
	}
	for _, u := range ups.Uploads {
		if u.ID == id {
			h.Fatalf("ListMultipartUploads still lists %s", id)
		}
	}
}

// testUploadPartCopy: parts copied from ranges of objects carry the MD5
// and the requested checksums of the copied bytes and complete like
// uploaded parts.
func testUploadPartCopy(h *harness) {
	bucket := h.bucket("partcopy")
	other := h.bucket("partcopysrc")
	big := pattern(20, partSize+5000)
	small := pattern(21, 3000)
	h.put(other, "big", big, translate.Metadata{})
	h.put(bucket, "small", small, translate.Metadata{})
	key := "assembled"
	id := h.createUpload(bucket, key)
	algs := []translate.ChecksumAlgorithm{translate.CRC32, translate.SHA1}
	tests := []struct {
		n        int
		src, key string
		rng      *translate.Range
		want     []byte
	}{
		{1, other, "big", &translate.Range{Start: 100, Length: partSize}, big[100 : 100+partSize]},
		{2, bucket, "small", &translate.Range{Start: 1000, Length: 10}, small[1000:1010]},
		{2, bucket, "small", nil, small}, // replaces the ranged part 2
	}
	for _, tc := range tests {
		p, err := h.b.UploadPartCopy(h.ctx, bucket, key, id, tc.n, tc.src, tc.key, tc.rng, algs)
		if err != nil {
			h.Fatalf("UploadPartCopy(%d from %s): %v", tc.n, tc.key, err)
		}
		if p.Number != tc.n || p.Size != int64(len(tc.want)) || trimETag(p.ETag) != md5Hex(tc.want) {
			h.Errorf("UploadPartCopy(%d) = %+v, want size %d ETag %s", tc.n, p, len(tc.want), md5Hex(tc.want))
		}
		for _, a := range algs {
			if p.Checksum[a] != checksum(h, a, tc.want) {
				h.Errorf("UploadPartCopy(%d) checksum %s = %q, want %q", tc.n, a, p.Checksum[a], checksum(h, a, tc.want))
			}
		}
	}
	_, err := h.b.UploadPartCopy(h.ctx, bucket, key, id, 3, bucket, "missing", nil, nil)
	wantCode(h, err, "UploadPartCopy of a missing key", translate.ErrNoSuchKey)
	_, err = h.b.UploadPartCopy(h.ctx, bucket, key, strings.Repeat("0", 32), 3, bucket, "small", nil, nil)
	wantCode(h, err, "UploadPartCopy into a missing upload", translate.ErrNoSuchUpload)

	used := [][]byte{big[100 : 100+partSize], small}
	req := translate.CompleteRequest{Bucket: bucket, Key: key, UploadID: id,
		Info: translate.ObjectInfo{ETag: multipartETag(used...), PartSizes: []int64{partSize, int64(len(small))}},
		Parts: []translate.CompletePart{{Number: 1, Size: partSize, ETag: md5Hex(used[0])},
			{Number: 2, Size: int64(len(small)), ETag: md5Hex(small)}}}
	if _, err := h.b.CompleteMultipartUpload(h.ctx, req); err != nil {
		h.Fatalf("CompleteMultipartUpload: %v", err)
	}
	h.wantContent(bucket, key, bytes.Join(used, nil))
}

// testListPartsPaging: ListParts pages ascending by number from after.
func testListPartsPaging(h *harness) {
	bucket := h.bucket("parts")
	id := h.createUpload(bucket, "k")
	numbers := []int{1, 2, 3, 5, 8, 9, 10, 11, 12, 20, 10000}
	for _, n := range slices.Backward(numbers) {
		h.uploadPart(bucket, "k", id, n, pattern(byte(n), n%97+1))
	}
	var got []int
	after := 0
	for pages := 0; ; pages++ {
		if pages > len(numbers) {
			h.Fatalf("ListParts does not end")
		}
		page, err := h.b.ListParts(h.ctx, bucket, "k", id, after, 3)
		if err != nil {
			h.Fatalf("ListParts(after %d): %v", after, err)
		}
		if len(page.Parts) > 3 {
			h.Fatalf("ListParts(max 3) returned %d parts", len(page.Parts))
		}
		for _, p := range page.Parts {
			if p.Size != int64(p.Number%97+1) || trimETag(p.ETag) != md5Hex(pattern(byte(p.Number), p.Number%97+1)) {
				h.Errorf("part %+v has other contents", p)
			}
			got = append(got, p.Number)
		}
		rest := 0
		for _, n := range numbers {
			if len(page.Parts) > 0 && n > page.Parts[len(page.Parts)-1].Number {
				rest++
			}
		}
		if page.Truncated != (rest > 0) {
			h.Fatalf("ListParts(after %d) Truncated = %v with %d parts after the page", after, page.Truncated, rest)
		}
		if len(page.Parts) > 0 && page.NextMarker != page.Parts[len(page.Parts)-1].Number {
			h.Fatalf("ListParts NextMarker %d, want the page's last number", page.NextMarker)
		}
		if !page.Truncated {
			break
		}
		after = page.NextMarker
	}
	if !slices.Equal(got, numbers) {
		h.Fatalf("paged part numbers %v, want %v", got, numbers)
	}
	page, err := h.b.ListParts(h.ctx, bucket, "k", id, 10000, 3)
	if err != nil || len(page.Parts) != 0 || page.Truncated {
		h.Fatalf("ListParts after the last = %+v, %v", page, err)
	}
}

// testListUploads: ListMultipartUploads sorts by key then initiation,
// filters by prefix, groups at the delimiter and pages from a marker.
func testListUploads(h *harness) {
	bucket := h.bucket("uploads")
	keys := []string{"u/a", "u/a", "u/b", "u/c/d", "u/c/e", "v/x", "w"}
	ids := map[string]bool{}
	for _, k := range keys {
		ids[h.createUpload(bucket, k)] = true
	}
	all, err := h.b.ListMultipartUploads(h.ctx, bucket, translate.UploadsQuery{MaxUploads: 1000})
	if err != nil {
		h.Fatal(err)
	}
	var gotKeys []string
	for i, u := range all.Uploads {
		gotKeys = append(gotKeys, u.Key)
		if !ids[u.ID] || u.Bucket != bucket {
			h.Errorf("listed upload %+v was not created here", u)
		}
		if i > 0 && u.Key == all.Uploads[i-1].Key && u.Initiated.Before(all.Uploads[i-1].Initiated) {
			h.Errorf("uploads of %q not in initiation order", u.Key)
		}
	}
	if !slices.Equal(gotKeys, keys) || all.Truncated {
		h.Fatalf("ListMultipartUploads keys %q truncated %v, want %q", gotKeys, all.Truncated, keys)
	}

	// Paging by two from the last upload of each page visits every upload once.
	var paged []string
	q := translate.UploadsQuery{MaxUploads: 2}
	for pages := 0; ; pages++ {
		if pages > len(keys) {
			h.Fatalf("ListMultipartUploads does not end")
		}
		page, err := h.b.ListMultipartUploads(h.ctx, bucket, q)
		if err != nil {
			h.Fatal(err)
		}
		for _, u := range page.Uploads {
			paged = append(paged, u.ID)
		}
		if !page.Truncated {
			break
		}
		last := page.Uploads[len(page.Uploads)-1]
		q.KeyAfter, q.IDAfter = last.Key, last.ID
	}
	var wantIDs []string
	for _, u := range all.Uploads {
		wantIDs = append(wantIDs, u.ID)
	}
	if !slices.Equal(paged, wantIDs) {
		h.Fatalf("paged uploads %v, want %v", paged, wantIDs)
	}

	// Paging by one with a delimiter, each page continued from its last
	// entry as the S3 dialect's markers do (a common prefix as key marker
	// with no upload ID), ends and lists each group once: a page ending on
	// a common prefix must not be listed again (bug 9.2).
	var entries []string
	q = translate.UploadsQuery{Delimiter: "/", MaxUploads: 1}
	for pages := 0; ; pages++ {
		if pages > len(keys) {
			h.Fatalf("ListMultipartUploads with a delimiter does not end: %q", entries)
		}
		page, err := h.b.ListMultipartUploads(h.ctx, bucket, q)
		if err != nil {
			h.Fatal(err)
		}
		last, lastID := "", ""
		for _, u := range page.Uploads {
			entries = append(entries, u.Key)
			last, lastID = u.Key, u.ID
		}
		for _, p := range page.CommonPrefixes {
			entries = append(entries, p)
			if p > last {
				last, lastID = p, ""
			}
		}
		if !page.Truncated {
			break
		}
		q.KeyAfter, q.IDAfter = last, lastID
	}
	if want := []string{"u/", "v/", "w"}; !slices.Equal(entries, want) {
		h.Fatalf("paged with a delimiter: %q, want %q", entries, want)
	}

	for _, tc := range []struct {
		q        translate.UploadsQuery
		keys     []string
		prefixes []string
	}{
		{translate.UploadsQuery{Prefix: "u/", MaxUploads: 100}, []string{"u/a", "u/a", "u/b", "u/c/d", "u/c/e"}, nil},
		{translate.UploadsQuery{KeyAfter: "u/bz", MaxUploads: 100}, []string{"u/c/d", "u/c/e", "v/x", "w"}, nil},
		{translate.UploadsQuery{Prefix: "u/", KeyAfter: "u/c/", Delimiter: "/", MaxUploads: 100}, nil, nil},
		{translate.UploadsQuery{Prefix: "u/", Delimiter: "/", MaxUploads: 100}, []string{"u/a", "u/a", "u/b"}, []string{"u/c/"}},
		{translate.UploadsQuery{Delimiter: "/", MaxUploads: 100}, []string{"w"}, []string{"u/", "v/"}},
		{translate.UploadsQuery{KeyAfter: "u/b", MaxUploads: 100}, []string{"u/c/d", "u/c/e", "v/x", "w"}, nil},
		{translate.UploadsQuery{KeyAfter: "u/", Delimiter: "/", MaxUploads: 100}, []string{"w"}, []string{"v/"}},
		{translate.UploadsQuery{Prefix: "zzz", MaxUploads: 100}, nil, nil},
	} {
		page, err := h.b.ListMultipartUploads(h.ctx, bucket, tc.q)
		if err != nil {
			h.Fatal(err)
		}
		var got []string
		for _, u := range page.Uploads {
			got = append(got, u.Key)
		}
		if !slices.Equal(got, tc.keys) || !slices.Equal(page.CommonPrefixes, tc.prefixes) || page.Truncated {
			h.Errorf("ListMultipartUploads(%+v) = keys %q prefixes %q truncated %v, want %q %q",
				tc.q, got, page.CommonPrefixes, page.Truncated, tc.keys, tc.prefixes)
		}
	}
}

// testCompleteInvalidPart: Complete naming a missing part or a part with
// another ETag fails with ErrInvalidPart and leaves the upload usable.
func testCompleteInvalidPart(h *harness) {
	bucket := h.bucket("invalidpart")
	id := h.createUpload(bucket, "k")
	p1 := pattern(30, partSize)
	h.uploadPart(bucket, "k", id, 1, p1)
	for _, parts := range [][]translate.CompletePart{
		{{Number: 1, Size: partSize, ETag: md5Hex(p1)}, {Number: 2, Size: 5, ETag: md5Hex([]byte("never"))}},
		{{Number: 1, Size: partSize, ETag: md5Hex([]byte("other"))}},
	} {
		_, err := h.b.CompleteMultipartUpload(h.ctx, translate.CompleteRequest{Bucket: bucket, Key: "k", UploadID: id,
			Parts: parts, Info: translate.ObjectInfo{ETag: multipartETag(p1, []byte("never")), PartSizes: []int64{partSize, 5}}})
		wantCode(h, err, "CompleteMultipartUpload with a bad part", translate.ErrInvalidPart)
		_, err = h.b.HeadObject(h.ctx, bucket, "k")
		wantCode(h, err, "HeadObject after a failed complete", translate.ErrNoSuchKey)
	}
	if _, err := h.b.GetMultipartUpload(h.ctx, bucket, "k", id); err != nil {
		h.Fatalf("upload gone after a failed complete: %v", err)
	}
	req := translate.CompleteRequest{Bucket: bucket, Key: "k", UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: partSize, ETag: md5Hex(p1)}},
		Info:  translate.ObjectInfo{ETag: multipartETag(p1), PartSizes: []int64{partSize}}}
	if _, err := h.b.CompleteMultipartUpload(h.ctx, req); err != nil {
		h.Fatalf("CompleteMultipartUpload after fixing the list: %v", err)
	}
	h.wantContent(bucket, "k", p1)
}

// testAbort: an aborted upload is gone for every verb and leaves no
// object.
func testAbort(h *harness) {
	bucket := h.bucket("abort")
	id := h.createUpload(bucket, "k")
	h.uploadPart(bucket, "k", id, 1, []byte("part one"))
	h.uploadPart(bucket, "k", id, 2, []byte("part two"))
	if err := h.b.AbortMultipartUpload(h.ctx, bucket, "k", id); err != nil {
		h.Fatalf("AbortMultipartUpload: %v", err)
	}
	h.wantGone(bucket, "k", id)
	_, err := h.b.HeadObject(h.ctx, bucket, "k")
	wantCode(h, err, "HeadObject after abort", translate.ErrNoSuchKey)
}

// testForeignUpload: an upload ID used with another bucket or key, or an
// ID that was never handed out, is NoSuchUpload for every verb.
func testForeignUpload(h *harness) {
	bucket := h.bucket("foreign")
	other := h.bucket("foreign2")
	id := h.createUpload(bucket, "k")
	h.uploadPart(bucket, "k", id, 1, []byte("mine"))
	cases := []struct{ bucket, key, id string }{
		{bucket, "k2", id}, {bucket, "K", id}, {bucket, "k/", id}, {other, "k", id},
		{bucket, "k", ""}, {bucket, "k", "nope"}, {bucket, "k", "../../../etc/passwd"},
		{bucket, "k", strings.Repeat("0", 32)}, {bucket, "k", id + "0"}, {bucket, "k", strings.ToUpper(id)},
		{bucket, "k", id + "/../" + id}, {bucket, "k", "."}, {bucket, "k", "\x00"},
	}
	for _, c := range cases {
		if h.q.KeyUnsupported != nil && h.q.KeyUnsupported(c.key) {
			continue
		}
		if c.id == strings.ToUpper(id) && c.id == id {
			continue // an ID without letters
		}
		what := "upload " + c.bucket + "/" + c.key + " " + c.id
		nsu := translate.ErrNoSuchUpload
		_, err := h.b.GetMultipartUpload(h.ctx, c.bucket, c.key, c.id)
		wantCode(h, err, "GetMultipartUpload "+what, nsu)
		_, err = h.b.UploadPart(h.ctx, c.bucket, c.key, c.id, 1, translate.BytesBody([]byte("theirs")))
		wantCode(h, err, "UploadPart "+what, nsu)
		_, err = h.b.ListParts(h.ctx, c.bucket, c.key, c.id, 0, 10)
		wantCode(h, err, "ListParts "+what, nsu)
		_, err = h.b.CompleteMultipartUpload(h.ctx, translate.CompleteRequest{Bucket: c.bucket, Key: c.key, UploadID: c.id,
			Parts: []translate.CompletePart{{Number: 1, Size: 4, ETag: md5Hex([]byte("mine"))}}})
		wantCode(h, err, "CompleteMultipartUpload "+what, nsu)
		wantCode(h, h.b.AbortMultipartUpload(h.ctx, c.bucket, c.key, c.id), "AbortMultipartUpload "+what, nsu)
	}
	parts, err := h.b.ListParts(h.ctx, bucket, "k", id, 0, 10)
	if err != nil || len(parts.Parts) != 1 || trimETag(parts.Parts[0].ETag) != md5Hex([]byte("mine")) {
		h.Fatalf("the real upload after foreign calls: %+v, %v", parts, err)
	}
}
