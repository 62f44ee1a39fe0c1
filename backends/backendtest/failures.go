package backendtest

import (
	"bytes"
	"slices"
	"sync"

	"github.com/babelgate/babelgate/translate"
)

// testFailedBodyPut: a body that fails its checks or breaks commits
// nothing: the old object stays, a new key does not appear, and the body's
// error code comes back.
func testFailedBodyPut(h *harness) {
	bucket := h.bucket("badput")
	old := pattern(40, 1000)
	h.put(bucket, "k", old, translate.Metadata{ContentType: "old"})
	data := pattern(41, 64_000)
	for _, tc := range badBodies(h, data) {
		_, err := h.b.PutObject(h.ctx, bucket, "k", tc.body, translate.Metadata{ContentType: "new"})
		wantCode(h, err, "PutObject over an object with "+tc.name, tc.code)
		if h.q.ShortBodyKept {
			continue
		}
		h.wantContent(bucket, "k", old)
		head, err := h.b.HeadObject(h.ctx, bucket, "k")
		if err != nil || head.Metadata.ContentType != "old" || trimETag(head.ETag) != md5Hex(old) {
			h.Fatalf("%s: object after a failed put: %+v, %v", tc.name, head, err)
		}
	}
	for _, tc := range badBodies(h, data) {
		_, err := h.b.PutObject(h.ctx, bucket, "new", tc.body, translate.Metadata{})
		wantCode(h, err, "PutObject of a new key with "+tc.name, tc.code)
		if h.q.ShortBodyKept {
			continue
		}
		_, err = h.b.HeadObject(h.ctx, bucket, "new")
		wantCode(h, err, "HeadObject after a failed put ("+tc.name+")", translate.ErrNoSuchKey)
	}
	if keys := h.listAll(bucket); !slices.Equal(keys, []string{"k"}) && !h.q.ShortBodyKept {
		h.Fatalf("listing after failed puts = %q", keys)
	}
}

// testFailedBodyPart: the same for UploadPart: the old part stays and a
// new number does not appear.
func testFailedBodyPart(h *harness) {
	bucket := h.bucket("badpart")
	id := h.createUpload(bucket, "k")
	old := pattern(42, 1000)
	h.uploadPart(bucket, "k", id, 1, old)
	data := pattern(43, 64_000)
	for _, tc := range badBodies(h, data) {
		_, err := h.b.UploadPart(h.ctx, bucket, "k", id, 1, tc.body)
		wantCode(h, err, "UploadPart over a part with "+tc.name, tc.code)
	}
	for _, tc := range badBodies(h, data) {
		_, err := h.b.UploadPart(h.ctx, bucket, "k", id, 2, tc.body)
		wantCode(h, err, "UploadPart of a new number with "+tc.name, tc.code)
	}
	if h.q.ShortBodyKept {
		return
	}
	parts, err := h.b.ListParts(h.ctx, bucket, "k", id, 0, 100)
	if err != nil {
		h.Fatal(err)
	}
	if len(parts.Parts) != 1 || parts.Parts[0].Number != 1 || trimETag(parts.Parts[0].ETag) != md5Hex(old) ||
		parts.Parts[0].Size != int64(len(old)) {
		h.Fatalf("parts after failed uploads = %+v", parts.Parts)
	}
	req := translate.CompleteRequest{Bucket: bucket, Key: "k", UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: int64(len(old)), ETag: md5Hex(old)}},
		Info:  translate.ObjectInfo{ETag: multipartETag(old), PartSizes: []int64{int64(len(old))}}}
	if _, err := h.b.CompleteMultipartUpload(h.ctx, req); err != nil {
		h.Fatalf("CompleteMultipartUpload: %v", err)
	}
	h.wantContent(bucket, "k", old)
}

// testConcurrentUploadPart: eight concurrent uploads of one part number
// leave exactly one of the bodies, whole.
func testConcurrentUploadPart(h *harness) {
	bucket := h.bucket("racepart")
	id := h.createUpload(bucket, "k")
	const writers = 8
	bodies := make([][]byte, writers)
	byETag := map[string][]byte{}
	for i := range bodies {
		bodies[i] = pattern(byte(50+i), 256<<10+i)
		byETag[md5Hex(bodies[i])] = bodies[i]
	}
	start := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			_, errs[i] = h.b.UploadPart(h.ctx, bucket, "k", id, 1, translate.BytesBody(bodies[i]))
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			h.Fatalf("writer %d: %v", i, err)
		}
	}
	if h.q.ShortBodyKept {
		return
	}
	parts, err := h.b.ListParts(h.ctx, bucket, "k", id, 0, 100)
	if err != nil {
		h.Fatal(err)
	}
	if len(parts.Parts) != 1 {
		h.Fatalf("ListParts after the race = %+v", parts.Parts)
	}
	p := parts.Parts[0]
	winner, ok := byETag[trimETag(p.ETag)]
	if !ok || p.Size != int64(len(winner)) {
		h.Fatalf("part after the race %+v matches no body", p)
	}
	req := translate.CompleteRequest{Bucket: bucket, Key: "k", UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: p.Size, ETag: trimETag(p.ETag)}},
		Info:  translate.ObjectInfo{ETag: multipartETag(winner), PartSizes: []int64{p.Size}}}
	if _, err := h.b.CompleteMultipartUpload(h.ctx, req); err != nil {
		h.Fatalf("CompleteMultipartUpload: %v", err)
	}
	h.wantContent(bucket, "k", winner)
}

// testConcurrentPut: while writers overwrite one key, every read sees one
// whole version whose bytes match its reported ETag.
func testConcurrentPut(h *harness) {
	bucket := h.bucket("raceput")
	const writers = 6
	bodies := make([][]byte, writers)
	for i := range bodies {
		bodies[i] = pattern(byte(70+i), 100<<10+i*1000)
	}
	h.put(bucket, "k", bodies[0], translate.Metadata{})
	var wg sync.WaitGroup
	errs := make(chan error, writers*4)
	for i := range writers {
		wg.Go(func() {
			for range 3 {
				if _, err := h.b.PutObject(h.ctx, bucket, "k", translate.BytesBody(bodies[i]), translate.Metadata{}); err != nil {
					errs <- err
				}
			}
		})
	}
	defer wg.Wait() // a failed check must not leave writers running into cleanup
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reads := 0; ; reads++ {
		select {
		case <-done:
		default:
			obj, err := h.b.GetObject(h.ctx, bucket, "k", nil)
			if err != nil {
				h.Fatalf("GetObject during overwrites: %v", err)
			}
			var got bytes.Buffer
			_, err = got.ReadFrom(obj.Body)
			obj.Body.Close()
			if err != nil {
				h.Fatalf("reading during overwrites: %v", err)
			}
			if h.q.ReadMixesVersions {
				if !slices.ContainsFunc(bodies, func(b []byte) bool { return bytes.Equal(b, got.Bytes()) }) ||
					!slices.ContainsFunc(bodies, func(b []byte) bool { return md5Hex(b) == trimETag(obj.Info.ETag) }) {
					h.Fatalf("read %d bytes (md5 %s) with ETag %s: not one whole version with a version's ETag",
						got.Len(), md5Hex(got.Bytes()), obj.Info.ETag)
				}
				continue
			}
			if md5Hex(got.Bytes()) != trimETag(obj.Info.ETag) || int64(got.Len()) != obj.Info.Size {
				h.Fatalf("read %d bytes (md5 %s) described as %d bytes ETag %s: a mix of versions",
					got.Len(), md5Hex(got.Bytes()), obj.Info.Size, obj.Info.ETag)
			}
			continue
		}
		break
	}
	close(errs)
	for err := range errs {
		h.Fatalf("PutObject during overwrites: %v", err)
	}
}
