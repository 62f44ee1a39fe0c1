package storekit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// unavailable is the message of every retryable store failure, whatever
// the store.
const unavailable = "The storage backend is unavailable; please retry."

// classify turns a driver's error into a neutral one, the only place the
// kit does so. A translate error passes through unchanged (a client body's
// own failure, or a driver's ErrInternal); the driver's Classify maps its
// store's codes; what it does not recognise is a network failure or a
// deadline (ErrServiceUnavailable, retryable) or ErrInternal, the cause
// kept for logs. ErrNoSuchKey from a call that names no key is
// ErrNoSuchBucket.
func (b *Backend) classify(err error, bucket, key string) error {
	if err == nil {
		return nil
	}
	var te *translate.Error
	if errors.As(err, &te) {
		return te
	}
	code := b.d.Classify(err)
	if code == 0 && isNetworkError(err) {
		code = translate.ErrServiceUnavailable
	}
	if code == 0 {
		code = translate.ErrInternal
	}
	if code == translate.ErrNoSuchKey && key == "" {
		code = translate.ErrNoSuchBucket
	}
	e := &translate.Error{Code: code, Bucket: bucket, Key: key, Err: err}
	if retryable(code) {
		e.Message = unavailable
	}
	return e
}

// retryable reports the codes a call is retried on.
func retryable(c translate.Code) bool {
	return c == translate.ErrServiceUnavailable || c == translate.ErrSlowDown
}

// isNetworkError reports failures to reach the store or read its answer,
// and deadlines. A cancelled context is not one: the client went away.
func isNetworkError(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	var opErr *net.OpError
	var urlErr *url.Error
	return errors.As(err, &netErr) || errors.As(err, &opErr) || errors.As(err, &urlErr) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE)
}

// do runs fn, a driver call without a client body, each attempt bounded by
// the request timeout, and retries it on a retryable failure up to
// Options.Retries times with exponential backoff (100ms doubling to 2s),
// unless ctx ends. Its error is classified for bucket and key.
func (b *Backend) do(ctx context.Context, bucket, key string, fn func(ctx context.Context) error) error {
	return b.attempts(ctx, true, true, bucket, key, fn)
}

// once runs fn as do does, but for a call whose retry after a lost
// success would answer otherwise (CreateBucket, DeleteBucket,
// CreateUpload): it is retried only when the store itself answered that it
// did nothing and to try again (a 503, throttling), never after a network
// failure or a timeout.
func (b *Backend) once(ctx context.Context, bucket, key string, fn func(ctx context.Context) error) error {
	return b.attempts(ctx, false, true, bucket, key, fn)
}

// attempts runs fn up to 1+Retries times while it fails retryably (for a
// call that is not idempotent, only while the store answered so); bounded
// adds the request timeout to each attempt.
func (b *Backend) attempts(ctx context.Context, idempotent, bounded bool, bucket, key string, fn func(ctx context.Context) error) error {
	delay := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if bounded {
			cctx, cancel = context.WithTimeout(ctx, b.o.RequestTimeout)
		}
		raw := fn(cctx)
		cancel()
		err := b.classify(raw, bucket, key)
		again := retryable(translate.CodeOf(err)) && (idempotent || retryable(b.d.Classify(raw)))
		if err == nil || attempt >= b.o.Retries || !again {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// trackedBody remembers the first error a client body returned, so that
// when a store call fails because the body did, the body's own neutral
// error (BadDigest, IncompleteBody, ...) is returned rather than the
// transport's report of an aborted request.
type trackedBody struct {
	body io.Reader
	err  error
}

func (t *trackedBody) Read(p []byte) (int, error) {
	n, err := t.body.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

// mappedBody classifies the errors of a store object's body, but io.EOF.
type mappedBody struct {
	io.ReadCloser
	b           *Backend
	bucket, key string
}

func (m mappedBody) Read(p []byte) (int, error) {
	n, err := m.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = m.b.classify(err, m.bucket, m.key)
	}
	return n, err
}

// errf is an internal error in the backend's words.
func (b *Backend) errf(err error, format string, args ...any) error {
	return translate.Wrap(translate.ErrInternal, err, b.ab.Name+" backend: "+fmt.Sprintf(format, args...))
}

// StoreCode is the neutral code of a store's error, for a driver's
// Classify: its code looked up in tables (in order), else its HTTP status:
// 404 is ErrNoSuchKey (the kit tells a bucket's), 412
// ErrPreconditionFailed, any 5xx a retryable ErrServiceUnavailable, the
// same on every store; anything else 0.
func StoreCode(code string, status int, tables ...map[string]translate.Code) translate.Code {
	for _, t := range tables {
		if c, ok := t[code]; ok {
			return c
		}
	}
	switch {
	case status == 404:
		return translate.ErrNoSuchKey
	case status == 412:
		return translate.ErrPreconditionFailed
	case status >= 500:
		return translate.ErrServiceUnavailable
	}
	return 0
}

// NonEmpty is &s, or nil for "": an SDK input's optional string.
func NonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ContentRange reads a ranged response's Content-Range ("bytes 0-9/100"):
// the range it holds and the whole object's size. A value that does not
// parse is ErrInternal.
func ContentRange(v string) (rng translate.Range, total int64, err error) {
	var end int64
	if _, err := fmt.Sscanf(v, "bytes %d-%d/%d", &rng.Start, &end, &total); err != nil {
		return rng, 0, translate.Wrap(translate.ErrInternal, err, "storekit: parsing the store's Content-Range "+v)
	}
	rng.Length = end - rng.Start + 1
	return rng, total, nil
}

// S3Codes are the error codes S3 and the stores that speak its vocabulary
// (OSS, OBS, MinIO, versitygw) share, as neutral codes; a driver looks its
// store's own codes up first (see Driver.Classify), then these. A store's
// 5xx codes are retryable ErrServiceUnavailable.
var S3Codes = map[string]translate.Code{
	"NoSuchBucket":            translate.ErrNoSuchBucket,
	"NoSuchKey":               translate.ErrNoSuchKey,
	"NoSuchUpload":            translate.ErrNoSuchUpload,
	"InvalidPart":             translate.ErrInvalidPart,
	"InvalidPartOrder":        translate.ErrInvalidPartOrder,
	"EntityTooSmall":          translate.ErrEntityTooSmall,
	"EntityTooLarge":          translate.ErrEntityTooLarge,
	"BucketNotEmpty":          translate.ErrBucketNotEmpty,
	"BucketAlreadyExists":     translate.ErrBucketAlreadyExists,
	"BucketAlreadyOwnedByYou": translate.ErrBucketAlreadyOwnedByYou,
	"InvalidBucketName":       translate.ErrInvalidBucketName,
	"InvalidObjectName":       translate.ErrInvalidKey,
	"BadDigest":               translate.ErrBadDigest,
	"InvalidRange":            translate.ErrInvalidRange,
	"PreconditionFailed":      translate.ErrPreconditionFailed,
	"NotModified":             translate.ErrNotModified,
	"IncompleteBody":          translate.ErrIncompleteBody,
	"NotImplemented":          translate.ErrNotImplemented,
	"SlowDown":                translate.ErrSlowDown,
	"InternalError":           translate.ErrServiceUnavailable,
	"ServiceUnavailable":      translate.ErrServiceUnavailable,
	"RequestTimeout":          translate.ErrServiceUnavailable,
}
