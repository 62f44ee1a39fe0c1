package backendtest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Sweeper is a staging backend whose reaper of abandoned staged uploads
// can be run at once (besides in the background, as it runs from New).
type Sweeper interface {
	translate.Backend
	// Sweep removes the staged uploads older than the backend's maximum
	// age in every bucket and returns how many it removed.
	Sweep(ctx context.Context) (int, error)
	// Close stops the background reaper.
	Close() error
}

// RunReaper checks the reaper of b, a staging backend (Quirks.Staging)
// built with a staging maximum age of maxAge, short (seconds): the test
// waits it out. The store must hold no other staged upload the reaper
// could remove meanwhile that matters to anyone. stagedKeys lists what
// the store holds for staged upload id in bucket under the reserved
// prefix (its state directory and marker), which listings hide.
//
// A staged upload older than maxAge is gone after Sweep: GetMultipartUpload
// and ListParts say NoSuchUpload, ListMultipartUploads leaves it out, and
// the store holds nothing of it. One begun just before the sweep survives
// whole and completes. Left alone, an old upload is removed by the
// background reaper within a few sweep intervals. Close stops the reaper
// (twice is fine) and leaves the backend usable.
func RunReaper(t *testing.T, b Sweeper, maxAge time.Duration, stagedKeys func(ctx context.Context, bucket, id string) ([]string, error)) {
	h := &harness{T: t, b: b, ctx: t.Context(), q: Quirks{Staging: true}}
	bucket := h.bucket("reap")
	key := "reap/k"
	part := pattern(70, 100<<10)
	old := h.createUploadMin(bucket, key, smallFrontMin)
	h.uploadPart(bucket, key, old, 1, part)
	h.uploadPart(bucket, key, old, 2, part)
	if keys, err := stagedKeys(h.ctx, bucket, old); err != nil || len(keys) < 5 {
		t.Fatalf("staged keys of a new upload = %q, %v; want state, marker, 2 parts and their records", keys, err)
	}
	time.Sleep(maxAge + maxAge/4)

	fresh := h.createUploadMin(bucket, key, smallFrontMin)
	p := h.uploadPart(bucket, key, fresh, 1, part)
	if _, err := b.Sweep(h.ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	_, err := b.GetMultipartUpload(h.ctx, bucket, key, old)
	wantCode(t, err, "GetMultipartUpload of a reaped upload", translate.ErrNoSuchUpload)
	_, err = b.ListParts(h.ctx, bucket, key, old, 0, 100)
	wantCode(t, err, "ListParts of a reaped upload", translate.ErrNoSuchUpload)
	if keys, err := stagedKeys(h.ctx, bucket, old); err != nil || len(keys) != 0 {
		t.Fatalf("store still holds %q of a reaped upload (%v)", keys, err)
	}
	ups, err := b.ListMultipartUploads(h.ctx, bucket, translate.UploadsQuery{MaxUploads: 100})
	if err != nil || len(ups.Uploads) != 1 || ups.Uploads[0].ID != fresh {
		t.Fatalf("ListMultipartUploads after a sweep = %+v, %v; want only %s", ups, err, fresh)
	}
	if page, err := b.ListParts(h.ctx, bucket, key, fresh, 0, 100); err != nil || len(page.Parts) != 1 {
		t.Fatalf("ListParts of a fresh upload after a sweep = %+v, %v", page, err)
	}
	info, err := b.CompleteMultipartUpload(h.ctx, translate.CompleteRequest{Bucket: bucket, Key: key, UploadID: fresh,
		Parts: []translate.CompletePart{{Number: 1, Size: p.Size, ETag: p.ETag}},
		Info:  translate.ObjectInfo{Key: key, ETag: multipartETag(part), PartSizes: []int64{p.Size}}})
	if err != nil || trimETag(info.ETag) != multipartETag(part) {
		t.Fatalf("CompleteMultipartUpload of a fresh upload after a sweep = %+v, %v", info, err)
	}
	h.wantContent(bucket, key, part)

	// The background reaper, left alone.
	abandoned := h.createUploadMin(bucket, key, smallFrontMin)
	h.uploadPart(bucket, key, abandoned, 1, part)
	deadline := time.Now().Add(3*maxAge + 5*time.Second)
	for {
		keys, err := stagedKeys(h.ctx, bucket, abandoned)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the background reaper left %q", keys)
		}
		time.Sleep(maxAge / 4)
	}
	_, err = b.GetMultipartUpload(h.ctx, bucket, key, abandoned)
	wantCode(t, err, "GetMultipartUpload of an upload the background reaper removed", translate.ErrNoSuchUpload)

	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if keys := h.listAll(bucket); !slices.Equal(keys, []string{key}) {
		t.Fatalf("bucket lists %q after Close, want [%s]", keys, key)
	}
}
