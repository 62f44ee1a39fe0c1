package backendtest

import (
	"bytes"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// gatedReader is a part body that reports its first Read and then waits
// to be released: a backend fixes a part's begin time before it reads the
// first byte of the body, so once the first Read is seen the writer has
// begun, and the race's order is set by the test rather than by the
// scheduler or the wall clock.
type gatedReader struct {
	data    []byte
	begun   chan struct{} // closed at the first Read
	release chan struct{} // closed by the test to let the Read go on
	once    sync.Once
}

func newGatedReader(data []byte) *gatedReader {
	return &gatedReader{data: data, begun: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	g.once.Do(func() { close(g.begun) })
	<-g.release
	if len(g.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.data)
	g.data = g.data[n:]
	return n, nil
}

// raceGuard bounds every wait of the race; reaching it is a failure (a
// writer that never reads its body, or never returns), never a result.
const raceGuard = 2 * time.Minute

// testLastBegunPartWins: concurrent uploads of one part number keep the
// part whose upload BEGAN last (OBS's last-write-wins), whole, even when
// it finishes first; every upload succeeds. The order is forced, not
// hoped for: writer i+1 is started only once writer i has begun (its body
// has been asked for its first byte, so the backend has fixed its begin
// time), and once all have begun they are let finish one at a time in the
// reverse order, so the last-begun writer finishes first and the
// first-begun one last. Suites require of a backend that it fixes a part's
// begin time before it reads the part's body.
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
	const writers = 6
	bodies := make([][]byte, writers)
	gates := make([]*gatedReader, writers)
	done := make([]chan struct{}, writers)
	errs := make([]error, writers)
	parts := make([]translate.PartInfo, writers)
	var wg sync.WaitGroup
	defer func() {
		// On a failure below, let every writer finish before the cleanup
		// removes the bucket.
		for _, g := range gates {
			if g != nil {
				select {
				case <-g.release:
				default:
					close(g.release)
				}
			}
		}
		wg.Wait()
	}()
	wait := func(ch <-chan struct{}, what string) {
		h.Helper()
		select {
		case <-ch:
		case <-time.After(raceGuard):
			h.Fatalf("%s: not within %v", what, raceGuard)
		}
	}
	for i := range writers {
		bodies[i] = pattern(byte(90+i), 128<<10+i)
		gates[i] = newGatedReader(bodies[i])
		done[i] = make(chan struct{})
		body, err := translate.NewBody(gates[i], int64(len(bodies[i])), translate.BodyOptions{})
		if err != nil {
			h.Fatal(err)
		}
		wg.Go(func() {
			defer close(done[i])
			parts[i], errs[i] = h.b.UploadPart(h.ctx, bucket, "k", id, 1, body)
		})
		select {
		case <-gates[i].begun:
		case <-done[i]:
			h.Fatalf("writer %d returned before reading its body: %v", i, errs[i])
		case <-time.After(raceGuard):
			h.Fatalf("writer %d did not read its body within %v", i, raceGuard)
		}
	}
	for i := writers - 1; i >= 0; i-- {
		close(gates[i].release)
		wait(done[i], "writer "+strconv.Itoa(i)+" finishing")
	}
	for i, err := range errs {
		if err != nil {
			h.Fatalf("writer %d: %v (every writer of a race must succeed)", i, err)
		}
		if parts[i].ETag != md5Hex(bodies[i]) || parts[i].Size != int64(len(bodies[i])) {
			h.Errorf("writer %d got %+v, want its own ETag %s", i, parts[i], md5Hex(bodies[i]))
		}
	}
	page, err := h.b.ListParts(h.ctx, bucket, "k", id, 0, 100)
	if err != nil {
		h.Fatal(err)
	}
	last := bodies[writers-1]
	if len(page.Parts) != 1 || trimETag(page.Parts[0].ETag) != md5Hex(last) || page.Parts[0].Size != int64(len(last)) {
		h.Fatalf("ListParts after the race = %+v, want only the last-begun part (writer %d, ETag %s, %d bytes), which finished first",
			page.Parts, writers-1, md5Hex(last), len(last))
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
