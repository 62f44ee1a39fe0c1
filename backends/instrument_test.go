package backends_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/backends/s3"
	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// TestInstrument: calls through the wrapper reach the real backend and are
// counted by backend, operation and outcome (ok or the neutral code), and
// timed; Probe and Close pass through uncounted.
func TestInstrument(t *testing.T) {
	ctx := context.Background()
	raw, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b := backends.Instrument("inst-fs", raw)
	if _, ok := b.(translate.PartLocator); ok {
		t.Error("the fs backend is no PartLocator, but its wrapper is")
	}
	count := func(op, outcome string) float64 {
		return testutil.ToFloat64(metrics.BackendCalls.WithLabelValues("inst-fs", op, outcome))
	}
	for _, tc := range []struct {
		op, outcome string
		call        func() error
	}{
		{"CreateBucket", "ok", func() error { return b.CreateBucket(ctx, "b1") }},
		{"CreateBucket", "BucketAlreadyOwnedByYou", func() error { return b.CreateBucket(ctx, "b1") }},
		{"HeadBucket", "NoSuchBucket", func() error { _, err := b.HeadBucket(ctx, "missing"); return err }},
		{"PutObject", "ok", func() error {
			_, err := b.PutObject(ctx, "b1", "k", translate.BytesBody([]byte("hello")), translate.Metadata{})
			return err
		}},
		// A conditional write reaches fs's own atomic check through the
		// wrapper (it is a ConditionalWriter, not NotImplemented).
		{"PutObject", "ObjectExists", func() error {
			_, err := b.(translate.ConditionalWriter).PutObjectIf(ctx, "b1", "k", translate.BytesBody([]byte("again")),
				translate.Metadata{}, translate.WriteCond{IfAbsent: true})
			return err
		}},
		{"HeadObject", "NoSuchKey", func() error { _, err := b.HeadObject(ctx, "b1", "nope"); return err }},
		{"GetObject", "ok", func() error {
			o, err := b.GetObject(ctx, "b1", "k", nil)
			if err == nil {
				o.Body.Close()
			}
			return err
		}},
	} {
		before := count(tc.op, tc.outcome)
		err := tc.call()
		if got := translate.CodeOf(err); (tc.outcome == "ok") != (err == nil) || (err != nil && got.String() != tc.outcome) {
			t.Fatalf("%s: %v, want outcome %s", tc.op, err, tc.outcome)
		}
		if d := count(tc.op, tc.outcome) - before; d != 1 {
			t.Errorf("%s %s counted %v times, want 1", tc.op, tc.outcome, d)
		}
	}
	lists := testutil.ToFloat64(metrics.BackendCalls.WithLabelValues("inst-fs", "ListBuckets", "ok"))
	if err := backends.Probe(ctx, b); err != nil {
		t.Errorf("Probe on a working fs backend: %v", err)
	}
	if d := testutil.ToFloat64(metrics.BackendCalls.WithLabelValues("inst-fs", "ListBuckets", "ok")) - lists; d != 0 {
		t.Errorf("a readiness probe was counted as a client call (%v)", d)
	}
	if c, ok := b.(io.Closer); !ok || c.Close() != nil {
		t.Error("the wrapper does not pass Close through")
	}
}

// TestInstrumentKeepsPartLocator: a backend that can locate parts (s3)
// stays one through the wrapper.
func TestInstrumentKeepsPartLocator(t *testing.T) {
	o := s3.DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.RequestTimeout, o.ConnectTimeout = "http://127.0.0.1:1", "ak", "sk", time.Second, time.Second
	kit, err := s3.New(*o)
	if err != nil {
		t.Fatal(err)
	}
	defer kit.Close()
	raw := kit.AsBackend()
	if _, ok := raw.(translate.PartLocator); !ok {
		t.Fatal("the s3 backend is no longer a PartLocator; this test needs another")
	}
	if _, ok := backends.Instrument("inst-s3", raw).(translate.PartLocator); !ok {
		t.Error("the wrapper hides the s3 backend's PartLocator")
	}
}
