package backendtest

import (
	"bytes"
	"io"
	"sync"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// slowReader yields data in chunks, sleeping between them so that reading
// it all takes about total.
type slowReader struct {
	data  []byte
	chunk int
	pause time.Duration
}

func newSlowReader(data []byte, total time.Duration, chunks int) *slowReader {
	return &slowReader{data: data, chunk: (len(data) + chunks - 1) / chunks, pause: total / time.Duration(chunks)}
}

func (s *slowReader) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.pause)
	n := copy(p, s.data[:min(len(s.data), s.chunk)])
	s.data = s.data[n:]
	return n, nil
}

// testLastBegunPartWins: concurrent uploads of one part number keep the
// part whose upload BEGAN last (OBS's last-write-wins), whole, even when
// it finishes first; every upload succeeds. Writer i begins i staggers
// after the first and streams its body slowly enough that it finishes
// before every writer that began earlier, so finishing order is the
// reverse of beginning order.
func testLastBegunPartWins(h *harness) {
	if h.q.LastFinishedPartWins {
		h.Skip("the store keeps the part that finished last (Quirks.LastFinishedPartWins)")
	}
	lastBegunPartWins(h, 0)
}

// testStagedLastBegunPartWins is testLastBegunPartWins for an upload whose
// client allows 100 KiB parts: a staging backend keeps the last-begun
// part even where the store's own uploads keep the last-finished one.
func testStagedLastBegunPartWins(h *harness) {
	if !h.q.Staging && h.q.LastFinishedPartWins {
		h.Skip("the store keeps the part that finished last and the backend does not stage")
	}
	lastBegunPartWins(h, smallFrontMin)
}

// lastBegunPartWins runs the race on an upload created with the given
// UploadInfo.FrontMinPartSize.
func lastBegunPartWins(h *harness, frontMin int64) {
	bucket := h.bucket("lastwrite")
	id := h.createUploadMin(bucket, "k", frontMin)
	const (
		writers = 6
		stagger = 40 * time.Millisecond
	)
	bodies := make([][]byte, writers)
	for i := range bodies {
		bodies[i] = pattern(byte(90+i), 128<<10+i)
	}
	errs := make([]error, writers)
	parts := make([]translate.PartInfo, writers)
	finished := make([]time.Time, writers)
	called := make([]time.Time, writers)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range writers {
		wg.Go(func() {
			time.Sleep(time.Until(t0.Add(time.Duration(i) * stagger)))
			// Writer i reads for (writers-i) * 2 staggers: later writers
			// are faster and overtake the earlier ones.
			r := newSlowReader(bodies[i], time.Duration(writers-i)*2*stagger, 8)
			body, err := translate.NewBody(r, int64(len(bodies[i])), translate.BodyOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			called[i] = time.Now()
			parts[i], errs[i] = h.b.UploadPart(h.ctx, bucket, "k", id, 1, body)
			finished[i] = time.Now()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			h.Fatalf("writer %d: %v (every writer of a race must succeed)", i, err)
		}
		if parts[i].ETag != md5Hex(bodies[i]) || parts[i].Size != int64(len(bodies[i])) {
			h.Errorf("writer %d got %+v, want its own ETag %s", i, parts[i], md5Hex(bodies[i]))
		}
	}
	// Which writer began last is read from when each actually called
	// UploadPart, not from the schedule: a loaded machine can wake them
	// late and out of order. Calls closer than tie cannot be ordered from
	// outside the backend, so either may win.
	const tie = 5 * time.Millisecond
	latest := 0
	for i := range writers {
		if called[i].After(called[latest]) {
			latest = i
		}
	}
	if !finished[latest].Before(finished[0]) && latest != 0 {
		h.Logf("this run's race did not overtake: writer %d (begun last) finished after writer 0", latest)
	}
	page, err := h.b.ListParts(h.ctx, bucket, "k", id, 0, 100)
	if err != nil {
		h.Fatal(err)
	}
	winner := -1
	for i := range writers {
		if len(page.Parts) == 1 && trimETag(page.Parts[0].ETag) == md5Hex(bodies[i]) && called[latest].Sub(called[i]) <= tie {
			winner = i
		}
	}
	if winner < 0 {
		h.Fatalf("ListParts after the race = %+v, want the last-begun part (writer %d, ETag %s)", page.Parts, latest, md5Hex(bodies[latest]))
	}
	last := bodies[winner]
	if page.Parts[0].Size != int64(len(last)) {
		h.Fatalf("ListParts size %d, want %d", page.Parts[0].Size, len(last))
	}
	req := translate.CompleteRequest{Bucket: bucket, Key: "k", UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: int64(len(last)), ETag: md5Hex(last)}},
		Info:  translate.ObjectInfo{ETag: multipartETag(last), PartSizes: []int64{int64(len(last))}}}
	if _, err := h.b.CompleteMultipartUpload(h.ctx, req); err != nil {
		h.Fatalf("CompleteMultipartUpload: %v", err)
	}
	_, got := h.get(bucket, "k", nil)
	if !bytes.Equal(got, last) {
		h.Fatalf("object after the race is not the last-begun part byte for byte (%d bytes, want %d)", len(got), len(last))
	}
}
