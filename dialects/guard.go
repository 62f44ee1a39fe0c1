package dialects

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// This file holds what guards the data port: the bound on concurrent
// requests (Pipeline.MaxInflight), the cut of stalled bodies
// (Pipeline.BodyReadTimeout), and the request metrics.

// errShed is the answer to a request beyond Pipeline.MaxInflight.
var errShed = &translate.Error{Code: translate.ErrSlowDown,
	Err: errors.New("server.max_inflight requests are in flight")}

// inflight counts the requests being served; max <= 0 is unlimited.
type inflight struct {
	n atomic.Int64
}

// admit takes a slot for one request. It returns false, taking nothing,
// when max slots (max > 0) are taken; otherwise release must be called
// when the request is done.
func (f *inflight) admit(max int) (release func(), ok bool) {
	if n := f.n.Add(1); max > 0 && n > int64(max) {
		f.n.Add(-1)
		return func() {}, false
	}
	metrics.InFlight.Inc()
	return func() {
		f.n.Add(-1)
		metrics.InFlight.Dec()
	}, true
}

// shed answers a request refused by admit with the dialect's SlowDown,
// without reading its body; the connection is closed after the answer so
// that the unread body is never waited for.
func shed(d Dialect, w *recorder, r *Request) {
	w.err = errShed
	w.Header().Set("Connection", "close")
	d.EncodeError(w, r, errShed)
}

// guardBody returns body wrapped so that each Read may wait at most
// timeout for the client's next bytes (0: no bound). The bound is the
// connection's read deadline, moved forward before each Read (no timer or
// goroutine per read); time the gateway spends between reads does not
// count. A Read that waits longer fails with ErrRequestTimeout, which is
// what the body returns from then on, and r notes the timeout. Once the
// body has ended, no deadline is set again (net/http clears it at EOF and
// then watches the idle connection for a close; a deadline there would
// cancel the request's context), and on any other error it is cleared.
func guardBody(hw http.ResponseWriter, body io.ReadCloser, r *Request, timeout time.Duration) io.ReadCloser {
	if timeout <= 0 {
		return body
	}
	g := &guardedBody{ReadCloser: body, rc: http.NewResponseController(hw), r: r, timeout: timeout}
	r.guard = g
	return g
}

// capBodyDeadline keeps the guard of r's body (if any) from moving the read
// deadline past t: drainForError bounds a whole drain, not each read.
func capBodyDeadline(r *Request, t time.Time) {
	if r.guard != nil {
		r.guard.until.Store(t.UnixNano())
	}
}

type guardedBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	r       *Request
	timeout time.Duration
	err     error        // sticky, once timed out or ended
	armed   bool         // a deadline is set
	until   atomic.Int64 // UnixNano cap on the deadline; 0 for none
}

func (b *guardedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// A connection that cannot take deadlines (none in net/http's
	// HTTP/1 server) is read unbounded.
	deadline := time.Now().Add(b.timeout)
	if until := b.until.Load(); until != 0 && deadline.UnixNano() > until {
		deadline = time.Unix(0, until)
	}
	b.armed = b.rc.SetReadDeadline(deadline) == nil
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == nil:
	case err == io.EOF:
		b.err, b.armed = io.EOF, false // net/http cleared the deadline
	case errors.Is(err, os.ErrDeadlineExceeded):
		// No Message: each dialect answers its own RequestTimeout text;
		// the log gets the detail.
		te := &translate.Error{Code: translate.ErrRequestTimeout,
			Err: fmt.Errorf("no byte of the request body arrived for %s: %w", b.timeout, err)}
		b.r.bodyTimeout.Store(te)
		b.err = te
		return n, b.err
	default:
		b.disarm()
	}
	return n, err
}

// disarm clears the read deadline after a read failed otherwise than by
// timing out (the client went away, a framing error).
func (b *guardedBody) disarm() {
	if b.armed {
		b.rc.SetReadDeadline(time.Time{})
		b.armed = false
	}
}

// bodyTimeoutCause returns the error to answer for a request whose
// handler failed with err: the body's RequestTimeout when the body was cut
// (with err kept as the cause, for the log), else err. A cut body is the
// cause of whatever the handler then saw: net/http also cancels the
// request's context on the failed read, so a backend streaming the body
// elsewhere may report only that cancellation.
func bodyTimeoutCause(r *Request, err error) error {
	te := r.bodyTimeout.Load()
	if te == nil || translate.CodeOf(err) == translate.ErrRequestTimeout {
		return err
	}
	cut := *te
	cut.Err = err
	return &cut
}

// observe records the request in the metrics.
func observe(d Dialect, r *Request, w *recorder) {
	name, op := d.Name(), r.Op.String()
	metrics.ObserveRequest(name, op, w.statusCode(), r.bytesIn.Load(), w.n, time.Since(r.Started))
	if r.bodyTimeout.Load() != nil {
		metrics.BodyReadTimeouts.WithLabelValues(name).Inc()
	}
	if w.err == errShed {
		metrics.Shed.WithLabelValues(name).Inc()
	}
}
