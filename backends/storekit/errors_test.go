package storekit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// storeErr is an error as a store's SDK would return it, with the neutral
// code its driver's Classify maps it to.
type storeErr struct{ code translate.Code }

func (e storeErr) Error() string { return "store says " + e.code.String() }

// classifier is the part of a Driver the error path uses: Classify. Its
// other methods are never called by these tests.
type classifier struct{ Driver }

func (classifier) Classify(err error) translate.Code {
	var se storeErr
	if errors.As(err, &se) {
		return se.code
	}
	return 0
}

func classifyingBackend() *Backend {
	return &Backend{d: guarded{Driver: classifier{}}, o: Options{RequestTimeout: time.Second, Retries: 2}}
}

// TestClassify: every store failure becomes a neutral code, the same on
// every store: network failures and deadlines are a retryable
// ErrServiceUnavailable with one message, a client body's own error passes
// through, a not-found from a call without a key is the bucket's.
func TestClassify(t *testing.T) {
	b := classifyingBackend()
	body := translate.Errorf(translate.ErrBadDigest, "client body")
	for _, tc := range []struct {
		name string
		err  error
		key  string
		want translate.Code
	}{
		{"store code", storeErr{translate.ErrInvalidPart}, "k", translate.ErrInvalidPart},
		{"store 5xx", storeErr{translate.ErrServiceUnavailable}, "k", translate.ErrServiceUnavailable},
		{"missing key", storeErr{translate.ErrNoSuchKey}, "k", translate.ErrNoSuchKey},
		{"missing key of a bucket call", storeErr{translate.ErrNoSuchKey}, "", translate.ErrNoSuchBucket},
		{"unknown", errors.New("something new"), "k", translate.ErrInternal},
		{"refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, "k", translate.ErrServiceUnavailable},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), "k", translate.ErrServiceUnavailable},
		{"cancelled", fmt.Errorf("call: %w", context.Canceled), "k", translate.ErrInternal},
		{"client body", fmt.Errorf("write: %w", body), "k", translate.ErrBadDigest},
	} {
		got := b.classify(tc.err, "b", tc.key)
		if c := translate.CodeOf(got); c != tc.want {
			t.Errorf("%s: classify(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
		if retryable(tc.want) && translate.AsError(got).Message != unavailable {
			t.Errorf("%s: message %q, want %q", tc.name, translate.AsError(got).Message, unavailable)
		}
	}
	if b.classify(nil, "b", "k") != nil {
		t.Error("classify(nil) is not nil")
	}
}

// TestRetries: idempotent calls are retried on any retryable failure, up
// to Options.Retries times; calls that are not (once) only when the store
// itself answered "try again", never after a network failure.
func TestRetries(t *testing.T) {
	b := classifyingBackend()
	refused := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	for _, tc := range []struct {
		name      string
		err       error
		once      bool
		wantCalls int
	}{
		{"idempotent, store 503", storeErr{translate.ErrServiceUnavailable}, false, 3},
		{"idempotent, refused", refused, false, 3},
		{"idempotent, not found", storeErr{translate.ErrNoSuchKey}, false, 1},
		{"once, store 503", storeErr{translate.ErrSlowDown}, true, 3},
		{"once, refused", refused, true, 1},
	} {
		calls := 0
		fn := func(ctx context.Context) error {
			calls++
			if _, ok := ctx.Deadline(); !ok {
				t.Errorf("%s: call without the request timeout", tc.name)
			}
			return tc.err
		}
		var err error
		if tc.once {
			err = b.once(t.Context(), "b", "k", fn)
		} else {
			err = b.do(t.Context(), "b", "k", fn)
		}
		if calls != tc.wantCalls || err == nil {
			t.Errorf("%s: %d calls, error %v; want %d calls and the error", tc.name, calls, err, tc.wantCalls)
		}
	}
}
