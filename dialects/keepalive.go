package dialects

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Defaults of a nil *KeepAlive.
const (
	// DefaultKeepAliveGrace is how long a call may run before its 200 is
	// committed: long enough that quick answers, failures above all, keep
	// their own status codes.
	DefaultKeepAliveGrace = time.Second
	// DefaultKeepAliveInterval is the time between whitespace bytes once
	// the 200 is committed; well under any client's read timeout.
	DefaultKeepAliveInterval = 10 * time.Second
)

// KeepAlive keeps the connection of a long call alive the way S3 does for
// CompleteMultipartUpload: if the call has not finished within Grace, the
// response is committed as 200 OK (Content-Type application/xml) with the
// XML declaration and one space, a space follows every Interval, and the
// call's document ends the body, its result or, on failure, the dialect's
// <Error> document, still under the 200. A call that ends within Grace is
// answered normally, with its own status.
//
// A nil *KeepAlive means DefaultKeepAliveGrace and DefaultKeepAliveInterval.
type KeepAlive struct {
	// Grace is how long the call may run before the 200 is committed;
	// 0 (or less) commits at once, before the call's outcome is known.
	Grace time.Duration
	// Interval is the time between whitespace bytes; 0 (or less) means
	// DefaultKeepAliveInterval.
	Interval time.Duration
}

// LongCall is one call for [KeepAlive.Serve], with how its dialect answers.
type LongCall struct {
	// Run does the work; it is called once, on another goroutine, with a
	// context that ends when the client's request context does or when the
	// keep-alive can no longer reach the client. It must not touch the
	// response. Serve returns only after Run has returned.
	Run func(ctx context.Context) error
	// Respond writes the answer to a Run that succeeded, exactly as the
	// handler would without keep-alive: headers, status and XML document.
	// After the 200 is committed it is given a writer that drops headers,
	// status and the document's XML declaration, so only the document
	// reaches the client.
	Respond func(w http.ResponseWriter) error
	// EncodeError is the dialect's [Dialect.EncodeError]. It is used only
	// after the 200 is committed, with the same writer as Respond then;
	// before that, Serve returns Run's error for the pipeline to encode.
	EncodeError func(w http.ResponseWriter, r *Request, err error)
	// CloseAfterError, after an embedded <Error>, ends the connection
	// without finishing the body (HTTP/1.x; other protocols finish it), so
	// that a client that does not look for an error in a 200 sees the
	// response fail instead of taking the error document for a result.
	CloseAfterError bool
}

// Serve runs c.Run and answers r (see [KeepAlive]). It returns Run's error,
// or Respond's: before the 200 is committed the pipeline encodes it as
// usual; after, the client already has it in the body and the pipeline only
// logs it.
func (k *KeepAlive) Serve(w http.ResponseWriter, r *Request, c LongCall) error {
	grace, interval := DefaultKeepAliveGrace, DefaultKeepAliveInterval
	if k != nil {
		grace = k.Grace
		if k.Interval > 0 {
			interval = k.Interval
		}
	}
	ctx, cancel := context.WithCancel(r.HTTP.Context())
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- outcome{panicked: true, value: v}
			}
		}()
		done <- outcome{err: c.Run(ctx)}
	}()

	if grace > 0 {
		t := time.NewTimer(grace)
		select {
		case out := <-done:
			t.Stop()
			if out.panicked {
				panic(out.value) // as if Run had panicked on this goroutine
			}
			if out.err != nil {
				return out.err
			}
			return c.Respond(w)
		case <-t.C:
		}
	}

	rc := http.NewResponseController(w)
	// send writes b and pushes it to the client; once the client cannot be
	// reached the call is cancelled and nothing more is sent.
	alive := true
	send := func(b []byte) {
		if !alive {
			return
		}
		if _, err := w.Write(b); err == nil {
			err = rc.Flush()
			if err == nil || errors.Is(err, http.ErrNotSupported) {
				return
			}
		}
		alive = false
		cancel()
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	send([]byte(xml.Header + " "))
	tick := time.NewTicker(interval)
	var out outcome
wait:
	for {
		select {
		case out = <-done:
			break wait
		case <-tick.C:
			send([]byte(" "))
		}
	}
	tick.Stop()
	err := out.err
	if out.panicked {
		err = &translate.Error{Code: translate.ErrInternal, Err: fmt.Errorf("panic: %v", out.value)}
	}

	doc := &documentWriter{}
	if err == nil {
		err = c.Respond(doc)
	}
	if err != nil {
		doc.buf.Reset()
		c.EncodeError(doc, r, err)
	}
	send(doc.body())
	if err != nil && c.CloseAfterError && alive {
		if conn, _, herr := rc.Hijack(); herr == nil {
			conn.Close()
		}
	}
	if out.panicked {
		panic(out.value) // for the pipeline to log; the client has its error
	}
	return err
}

// outcome is how Run ended.
type outcome struct {
	err      error
	panicked bool
	value    any
}

// documentWriter collects a document written after the 200 was committed:
// headers and status are dropped (they can no longer be sent), as is the
// document's own XML declaration (the body already began with one).
type documentWriter struct {
	header http.Header
	buf    bytes.Buffer
}

func (d *documentWriter) Header() http.Header {
	if d.header == nil {
		d.header = http.Header{}
	}
	return d.header
}

func (d *documentWriter) WriteHeader(int) {}

func (d *documentWriter) Write(p []byte) (int, error) { return d.buf.Write(p) }

// body returns the document without a leading XML declaration and the
// white space after it.
func (d *documentWriter) body() []byte {
	b := d.buf.Bytes()
	if bytes.HasPrefix(b, []byte("<?xml")) {
		if i := bytes.Index(b, []byte("?>")); i >= 0 {
			b = bytes.TrimLeft(b[i+2:], " \t\r\n")
		}
	}
	return b
}
