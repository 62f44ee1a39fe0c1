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

// NewSweeper returns a staging backend (Quirks.Staging) built with the
// staging maximum age maxAge, and the function that lists what the store
// holds for staged upload id in bucket under the reserved prefix (its
// state directory and marker), which listings hide.
type NewSweeper func(t *testing.T, maxAge time.Duration) (Sweeper, func(ctx context.Context, bucket, id string) ([]string, error))

// RunReaper checks the reaper of a staging backend. The store must hold
// no other staged upload the reaper could remove meanwhile that matters
// to anyone. No outcome depends on how fast the test runs: the uploads
// meant to be old are created with an Initiated time far in the past, the
// ones meant to be young with the current time on a backend whose maximum
// age is an hour, and the background reaper is waited for (a bounded wait
// whose end is a failure, never a result).
//
// A staged upload older than the maximum age is gone after Sweep:
// GetMultipartUpload and ListParts say NoSuchUpload, ListMultipartUploads
// leaves it out, and the store holds nothing of it. A young one survives
// whole and completes. Left alone, an old upload is removed by the
// background reaper. Close stops the reaper (twice is fine) and leaves the
// backend usable.
func RunReaper(t *testing.T, newBackend NewSweeper) {
	const maxAge = time.Hour
	b, stagedKeys := newBackend(t, maxAge)
	h := &harness{T: t, b: b, ctx: t.Context(), q: Quirks{Staging: true}}
	bucket := h.bucket("reap")
	key := "reap/k"
	part := pattern(70, 100<<10)
	old := h.createUploadAt(bucket, key, smallFrontMin, time.Now().Add(-2*maxAge))
	h.uploadPart(bucket, key, old, 1, part)
	h.uploadPart(bucket, key, old, 2, part)
	if keys, err := stagedKeys(h.ctx, bucket, old); err != nil || len(keys) < 5 {
		t.Fatalf("staged keys of a new upload = %q, %v; want state, marker, 2 parts and their records", keys, err)
	}

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

	// The background reaper, left alone, on a backend over the same store
	// that sweeps every few milliseconds. The upload is created old, so
	// the first sweep after it may take it; it has no parts, since the
	// reaper may remove it before a part could be added.
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	quick, quickKeys := newBackend(t, 20*time.Millisecond)
	qh := &harness{T: t, b: quick, ctx: t.Context(), q: Quirks{Staging: true}}
	abandoned := qh.createUploadAt(bucket, key, smallFrontMin, time.Now().Add(-2*maxAge))
	guard := time.Now().Add(time.Minute)
	for {
		keys, err := quickKeys(h.ctx, bucket, abandoned)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		if time.Now().After(guard) {
			t.Fatalf("the background reaper left %q for a minute", keys)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err = quick.GetMultipartUpload(h.ctx, bucket, key, abandoned)
	wantCode(t, err, "GetMultipartUpload of an upload the background reaper removed", translate.ErrNoSuchUpload)

	if err := quick.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := quick.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if keys := qh.listAll(bucket); !slices.Equal(keys, []string{key}) {
		t.Fatalf("bucket lists %q after Close, want [%s]", keys, key)
	}
}
