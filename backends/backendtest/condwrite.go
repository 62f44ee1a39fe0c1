package backendtest

import (
	"fmt"
	"sync"

	"github.com/babelgate/babelgate/translate"
)

// The contract of conditional writes (translate.WriteCond): a write under
// IfAbsent commits only if the key holds no object (else ErrObjectExists),
// one under IfMatch only if the key's object has that ETag (else
// ErrPreconditionFailed, ErrNoSuchKey when there is none); a refused write
// leaves the key, and a refused Complete the upload, as they were. Of
// concurrent IfAbsent writers of one key exactly one commits.

// conditional returns the backend's ConditionalWriter ability, which every
// backend of the project has.
func (h *harness) conditional() translate.ConditionalWriter {
	h.Helper()
	cw, ok := h.b.(translate.ConditionalWriter)
	if !ok {
		h.Fatalf("%T does not implement translate.ConditionalWriter", h.b)
	}
	return cw
}

// testCondPut: PutObjectIf under IfAbsent and IfMatch.
func testCondPut(h *harness) {
	cw := h.conditional()
	bucket := h.bucket("cput")
	first, second, third := pattern(1, 1000), pattern(2, 1000), pattern(3, 1000)
	put := func(data []byte, cond translate.WriteCond) error {
		_, err := cw.PutObjectIf(h.ctx, bucket, "k", translate.BytesBody(data), translate.Metadata{}, cond)
		return err
	}
	if err := put(first, translate.WriteCond{IfMatch: md5Hex(first)}); translate.CodeOf(err) != translate.ErrNoSuchKey {
		h.Fatalf("IfMatch on a missing key: %v, want NoSuchKey", err)
	}
	if err := put(first, translate.WriteCond{IfAbsent: true}); err != nil {
		h.Fatalf("IfAbsent on a missing key: %v", err)
	}
	h.wantContent(bucket, "k", first)
	wantCode(h, put(second, translate.WriteCond{IfAbsent: true}), "IfAbsent over an object", translate.ErrObjectExists)
	wantCode(h, put(second, translate.WriteCond{IfMatch: md5Hex(second)}), "IfMatch with another ETag", translate.ErrPreconditionFailed)
	h.wantContent(bucket, "k", first)
	if err := put(second, translate.WriteCond{IfMatch: md5Hex(first)}); err != nil {
		h.Fatalf("IfMatch with the object's ETag: %v", err)
	}
	h.wantContent(bucket, "k", second)
	if err := put(third, translate.WriteCond{}); err != nil {
		h.Fatalf("PutObjectIf without a condition: %v", err)
	}
	h.wantContent(bucket, "k", third)
}

// testCondCopy: CopyObjectIf under IfAbsent and IfMatch.
func testCondCopy(h *harness) {
	cw := h.conditional()
	bucket := h.bucket("ccopy")
	src, other := pattern(4, 2000), pattern(5, 500)
	h.put(bucket, "src", src, translate.Metadata{})
	cp := func(cond translate.WriteCond) error {
		_, err := cw.CopyObjectIf(h.ctx, bucket, "src", bucket, "dst", translate.Metadata{ContentType: "text/x-copy"}, cond)
		return err
	}
	if err := cp(translate.WriteCond{IfAbsent: true}); err != nil {
		h.Fatalf("IfAbsent copy to a missing key: %v", err)
	}
	h.wantContent(bucket, "dst", src)
	wantCode(h, cp(translate.WriteCond{IfAbsent: true}), "IfAbsent copy over an object", translate.ErrObjectExists)
	h.put(bucket, "dst", other, translate.Metadata{})
	wantCode(h, cp(translate.WriteCond{IfMatch: md5Hex(src)}), "IfMatch copy with another ETag", translate.ErrPreconditionFailed)
	h.wantContent(bucket, "dst", other)
	if err := cp(translate.WriteCond{IfMatch: md5Hex(other)}); err != nil {
		h.Fatalf("IfMatch copy with the object's ETag: %v", err)
	}
	h.wantContent(bucket, "dst", src)
}

// completeOne uploads data as the only part of a new upload of key and
// returns the Complete request for it, recording completedBy; frontMin is
// the client's minimum part size (see createUploadMin).
func (h *harness) completeOne(bucket, key string, data []byte, completedBy string, frontMin int64) translate.CompleteRequest {
	h.Helper()
	id := h.createUploadMin(bucket, key, frontMin)
	h.uploadPart(bucket, key, id, 1, data)
	return translate.CompleteRequest{Bucket: bucket, Key: key, UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: int64(len(data)), ETag: md5Hex(data)}},
		Info: translate.ObjectInfo{ETag: multipartETag(data), Metadata: translate.Metadata{}, PartSizes: []int64{int64(len(data))},
			CompletedBy: completedBy}}
}

// testCondComplete: a Complete under a failed condition leaves the upload;
// under a holding one it completes; the object keeps CompletedBy, which a
// copy and an overwrite do not carry on.
// A backend that stages small parts is checked on a staged upload too.
func testCondComplete(h *harness) {
	h.condComplete(0)
	if h.q.Staging {
		h.condComplete(smallFrontMin)
	}
}

func (h *harness) condComplete(frontMin int64) {
	bucket := h.bucket("ccmp")
	old, data := pattern(6, 300), pattern(7, 700)
	h.put(bucket, "k", old, translate.Metadata{})
	req := h.completeOne(bucket, "k", data, "digest-of-the-request", frontMin)
	req.Cond = translate.WriteCond{IfAbsent: true}
	_, err := h.b.CompleteMultipartUpload(h.ctx, req)
	wantCode(h, err, "Complete with IfAbsent over an object", translate.ErrObjectExists)
	req.Cond = translate.WriteCond{IfMatch: md5Hex(data)}
	_, err = h.b.CompleteMultipartUpload(h.ctx, req)
	wantCode(h, err, "Complete with IfMatch of another ETag", translate.ErrPreconditionFailed)
	h.wantContent(bucket, "k", old)
	if _, err := h.b.ListParts(h.ctx, bucket, "k", req.UploadID, 0, 10); err != nil {
		h.Fatalf("the upload should stay after a refused Complete: ListParts: %v", err)
	}
	req.Cond = translate.WriteCond{IfMatch: md5Hex(old)}
	if _, err := h.b.CompleteMultipartUpload(h.ctx, req); err != nil {
		h.Fatalf("Complete with IfMatch of the object's ETag: %v", err)
	}
	h.wantContent(bucket, "k", data)
	info, err := h.b.HeadObject(h.ctx, bucket, "k")
	if err != nil || info.CompletedBy != "digest-of-the-request" || info.ETag != multipartETag(data) {
		h.Fatalf("HeadObject after Complete = CompletedBy %q ETag %q, %v; want the request's digest and %q",
			info.CompletedBy, info.ETag, err, multipartETag(data))
	}
	if _, err := h.b.CopyObject(h.ctx, bucket, "k", bucket, "copy", translate.Metadata{}); err != nil {
		h.Fatalf("CopyObject: %v", err)
	}
	if c, err := h.b.HeadObject(h.ctx, bucket, "copy"); err != nil || c.CompletedBy != "" {
		h.Fatalf("a copy reports CompletedBy %q (%v), want none", c.CompletedBy, err)
	}
	h.put(bucket, "k", old, translate.Metadata{})
	if o, err := h.b.HeadObject(h.ctx, bucket, "k"); err != nil || o.CompletedBy != "" {
		h.Fatalf("an overwritten object reports CompletedBy %q (%v), want none", o.CompletedBy, err)
	}
}

// testCondRace: writers released at once, each with IfAbsent on one key,
// by PutObject and by Complete: exactly one of each commits, the others get
// ErrObjectExists, and the key holds the winner's bytes.
func testCondRace(h *harness) {
	cw := h.conditional()
	bucket := h.bucket("crace")
	const writers = 6
	race := func(what, key string, write func(i int) error) {
		start := make(chan struct{})
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = write(i)
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				h.Fatalf("%s: writers %d and %d both committed under IfAbsent", what, winner, i)
			case err == nil:
				winner = i
			default:
				wantCode(h, err, fmt.Sprintf("%s: losing writer %d", what, i), translate.ErrObjectExists)
			}
		}
		if winner < 0 {
			h.Fatalf("%s: no writer committed", what)
		}
		h.wantContent(bucket, key, pattern(byte(20+winner), 100+winner))
	}
	race("PutObjectIf", "put", func(i int) error {
		_, err := cw.PutObjectIf(h.ctx, bucket, "put", translate.BytesBody(pattern(byte(20+i), 100+i)), translate.Metadata{},
			translate.WriteCond{IfAbsent: true})
		return err
	})
	reqs := make([]translate.CompleteRequest, writers)
	for i := range reqs {
		reqs[i] = h.completeOne(bucket, "mpu", pattern(byte(20+i), 100+i), "", 0)
		reqs[i].Cond = translate.WriteCond{IfAbsent: true}
	}
	race("CompleteMultipartUpload", "mpu", func(i int) error {
		_, err := h.b.CompleteMultipartUpload(h.ctx, reqs[i])
		return err
	})
}
