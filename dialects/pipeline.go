package dialects

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Request is one client request as it moves through the pipeline. Stages
// fill it in order; handlers read it. It never reaches translate or a
// backend.
type Request struct {
	HTTP *http.Request
	// ID is the request ID every response carries; HostID the extended ID.
	ID, HostID string
	// Bucket and Key as addressed (virtual-hosted or path style); Key is
	// decoded. Both empty for service-level requests.
	Bucket, Key string
	// VirtualHosted reports that the bucket came from the Host header.
	VirtualHosted bool
	// Query is the parsed query string.
	Query url.Values
	// Op is set by Resolve.
	Op translate.Op
	// OpName, set by Resolve when it finds no Op (an unsupported
	// operation), names what was asked for in the request log, such as
	// "unsupported ?tagging".
	OpName string
	// Caller is set after authentication.
	Caller translate.Caller
	// Payload is the decoded body, set by authentication.
	Payload Payload
	// AuthKind names how the request was authenticated ("sigv4",
	// "sigv4-query", "sigv2", ...) and PayloadMode how its body was framed
	// and signed (S3's x-amz-content-sha256 literal, or "signed"); both are
	// logged, never the signature itself.
	AuthKind, PayloadMode string
	// Started is when the pipeline began.
	Started time.Time

	bytesIn atomic.Int64
	// bodyTimeout is set when BodyReadTimeout cut the body (guard.go).
	bodyTimeout atomic.Pointer[translate.Error]
	guard       *guardedBody
}

// Route is what a dialect's routing table resolves a request to.
type Route struct {
	Op translate.Op
	// Handle decodes the request, runs it on the engine and encodes the
	// result. An error it returns is encoded by the dialect's EncodeError
	// unless a response was already started.
	Handle func(w http.ResponseWriter, r *Request) error
}

// Dialect is one wire dialect.
type Dialect interface {
	// Name is the dialect's short name for logs ("s3").
	Name() string
	// Begin sets headers every response carries (request IDs).
	Begin(w http.ResponseWriter, r *Request)
	// Resolve maps the request to a route. An unsupported operation
	// returns a NotImplemented error; the request is still authenticated
	// first.
	Resolve(r *Request) (Route, error)
	// Authenticate verifies the request's signature and returns the
	// caller. It may replace r.HTTP.Body (to decode aws-chunked framing).
	Authenticate(r *Request) (translate.Caller, error)
	// EncodeError writes err in the dialect's error form.
	EncodeError(w http.ResponseWriter, r *Request, err error)
}

// Detector picks the dialect of a request. Rows are tried in order; the
// first whose Match returns true wins, and Fallback serves the rest.
type Detector struct {
	Rows     []DetectRow
	Fallback Dialect
}

// DetectRow is one row of the detection table.
type DetectRow struct {
	Name    string // what the row recognises, for tests and docs
	Match   func(r *http.Request) bool
	Dialect Dialect
	// Order places the row in the table (see NewDetector): lower first.
	Order int
}

// Detect returns the dialect for r.
func (d *Detector) Detect(r *http.Request) Dialect {
	for _, row := range d.Rows {
		if row.Match(r) {
			return row.Dialect
		}
	}
	return d.Fallback
}

// Addressing resolves the bucket and key of a request from its Host and
// path. Domains are the virtual-host base domains: a Host of
// "<bucket>.<domain>" (any port) addresses <bucket>.
type Addressing struct {
	Domains []string
}

// Resolve returns bucket, key and whether the bucket came from the Host.
func (a Addressing) Resolve(r *http.Request) (bucket, key string, virtual bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	path := r.URL.Path
	for _, d := range a.Domains {
		if b, ok := strings.CutSuffix(host, "."+strings.ToLower(d)); ok && b != "" {
			return b, strings.TrimPrefix(path, "/"), true
		}
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key, false
}

// Under reports whether r's Host is one of a.Domains or a name under one.
func (a Addressing) Under(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, d := range a.Domains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// Pipeline runs requests through detection and the dialect's stages.
type Pipeline struct {
	Detector   Detector
	Addressing Addressing
	Logger     *slog.Logger
	// BodyReadTimeout ends a request body that makes no progress for that
	// long with ErrRequestTimeout; 0 waits forever. See guard.go.
	BodyReadTimeout time.Duration
	// MaxInflight bounds the requests served at once; one beyond it is
	// answered at once with ErrSlowDown, its body unread. 0 is unlimited.
	MaxInflight int
	// Access applies bucket policies, ACLs, anonymous grants and CORS
	// rules (access.go); nil: every unsigned request is refused and
	// OPTIONS is not answered.
	Access BucketAccess

	inflight inflight
}

// ServeHTTP implements http.Handler.
func (p *Pipeline) ServeHTTP(hw http.ResponseWriter, hr *http.Request) {
	w := &recorder{ResponseWriter: hw, head: hr.Method == http.MethodHead}
	r := &Request{HTTP: hr, ID: newRequestID(), Started: time.Now(), Query: hr.URL.Query()}
	r.HostID = hostID(r.ID)
	if body := hr.Body; body != nil {
		hr.Body = &countingBody{ReadCloser: guardBody(hw, body, r, p.BodyReadTimeout), n: &r.bytesIn}
		// net/http decides what to do with an unread body (drain a little,
		// or answer at once and close, as for an Expect: 100-continue it
		// never acknowledged) by looking at the original body's type.
		defer func() { hr.Body = body }()
	}
	d := p.Detector.Detect(hr)
	if a, ok := d.(Addresser); ok {
		r.Bucket, r.Key = a.Address(hr)
	} else {
		r.Bucket, r.Key, r.VirtualHosted = p.Addressing.Resolve(hr)
	}
	d.Begin(w, r)
	release, admitted := p.inflight.admit(p.MaxInflight)
	defer release()
	defer func() {
		if v := recover(); v != nil {
			p.Logger.Error("panic serving request", "request_id", r.ID, "panic", v)
			if !w.started {
				d.EncodeError(w, r, &translate.Error{Code: translate.ErrInternal, Err: errors.New("panic")})
			}
		}
		p.log(d, r, w)
		observe(d, r, w)
	}()
	if hr.Method == http.MethodOptions && p.Access != nil {
		r.OpName = "Preflight"
		if err := p.preflight(w, r); err != nil {
			w.err = err
			d.EncodeError(w, r, err)
		}
		return
	}
	route, rerr := d.Resolve(r)
	r.Op = route.Op
	if !admitted {
		shed(d, w, r)
		return
	}
	p.corsActual(w, r)
	caller, err := d.Authenticate(r)
	if rerr == nil {
		caller, err = p.authorize(r, caller, err)
	}
	if err == nil {
		err = rerr
	}
	if err == nil {
		r.Caller = caller
		err = route.Handle(w, r)
	}
	if err != nil {
		err = bodyTimeoutCause(r, err)
		w.err = err
		if w.started {
			return // the response is under way; the error is logged
		}
		drainForError(w, r, err)
		d.EncodeError(w, r, err)
	}
}

// maxErrorDrain bounds how much of an unread body is read before an error
// is sent; drainTimeout bounds how long that may take.
const (
	maxErrorDrain = 64 << 20
	drainTimeout  = 30 * time.Second
)

// drainForError reads the rest of a modest request body (at most
// maxErrorDrain) before an error is written, so that a client still sending
// it reads the error instead of a connection reset. It always does so for a
// retryable failure (the store is down or slow: the client must see its
// 503 to retry well). For other errors it does not when nothing was read
// and the client asked to wait for 100 Continue: the answer then goes out
// at once and the body is never sent. A large rest is never read: the
// answer goes out and the connection closes.
func drainForError(w http.ResponseWriter, r *Request, err error) {
	hr := r.HTTP
	if hr.Body == nil || hr.ContentLength <= 0 {
		return
	}
	read := r.bytesIn.Load()
	rest := hr.ContentLength - read
	if rest <= 0 || rest > maxErrorDrain {
		return
	}
	code := translate.CodeOf(err)
	retryable := code == translate.ErrServiceUnavailable || code == translate.ErrSlowDown || code == translate.ErrInternal
	if !retryable && read == 0 && strings.EqualFold(hr.Header.Get("Expect"), "100-continue") {
		return
	}
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(drainTimeout))
	capBodyDeadline(r, time.Now().Add(drainTimeout))
	io.CopyN(io.Discard, hr.Body, rest)
}

func (p *Pipeline) log(d Dialect, r *Request, w *recorder) {
	opName := r.Op.String()
	if r.Op == 0 && r.OpName != "" {
		opName = r.OpName
	}
	attrs := []slog.Attr{
		slog.String("request_id", r.ID),
		slog.String("dialect", d.Name()),
		slog.String("op", opName),
		slog.String("method", r.HTTP.Method),
		slog.String("bucket", r.Bucket),
		slog.String("key", r.Key),
		slog.Int("status", w.statusCode()),
		slog.Int64("bytes_in", r.bytesIn.Load()),
		slog.Int64("bytes_out", w.n),
		slog.Duration("duration", time.Since(r.Started)),
		slog.String("remote", r.HTTP.RemoteAddr),
	}
	if r.Caller.Principal != nil {
		attrs = append(attrs, slog.String("access_key", r.Caller.Principal.AccessKey))
	}
	if r.AuthKind != "" {
		attrs = append(attrs, slog.String("auth", r.AuthKind))
	}
	if r.PayloadMode != "" {
		attrs = append(attrs, slog.String("payload", r.PayloadMode))
	}
	level := slog.LevelInfo
	if w.err != nil {
		te := translate.AsError(w.err)
		attrs = append(attrs, slog.String("error", te.Code.String()))
		// The reason: the message the client got (if the error set one) and
		// the cause behind it, which never reaches the client.
		if te.Message != "" {
			attrs = append(attrs, slog.String("message", te.Message))
		}
		if te.Err != nil {
			attrs = append(attrs, slog.String("cause", te.Err.Error()))
		}
		if te.Code == translate.ErrInternal {
			level = slog.LevelError
		}
	}
	p.Logger.LogAttrs(r.HTTP.Context(), level, "request", attrs...)
}

// recorder notes the status and counts the bytes written.
type recorder struct {
	http.ResponseWriter
	head    bool
	status  int
	started bool
	n       int64
	err     error
}

func (w *recorder) WriteHeader(code int) {
	if w.started {
		return
	}
	w.status, w.started = code, true
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.head {
		return len(p), nil
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

// Flush lets long responses (Complete's keep-alive) reach the client.
func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recorder) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func hostID(id string) string {
	var b [24]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
