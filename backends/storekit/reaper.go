package storekit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// DefaultStagingMaxAge is how long a staged upload may stay incomplete
// before the reaper removes it, when a backend's staging_max_age is not
// set.
const DefaultStagingMaxAge = 7 * 24 * time.Hour

// ReapInterval is how often a reaper with maxAge sweeps:
// min(1h, maxAge/2), and at least a millisecond.
func ReapInterval(maxAge time.Duration) time.Duration {
	return max(time.Millisecond, min(time.Hour, maxAge/2))
}

// Sweeper removes staged uploads abandoned for longer than MaxAge: their
// state, part records and staged part objects (everything under
// UploadDir), then their marker. The store's own uploads are not its
// business (stores expire them with lifecycle rules). The callbacks hold
// the store's SDK calls; each returns errors mapped to translate codes.
//
// An upload is judged by its state's Initiated time; a marker whose state
// is missing (a removal cut short) is removed too. A Complete that runs
// while its upload is being reaped fails with ErrInvalidPart or
// ErrNoSuchUpload: MaxAge should be far longer than any upload takes.
type Sweeper struct {
	MaxAge time.Duration
	// Buckets lists the store's buckets.
	Buckets func(ctx context.Context) ([]string, error)
	// List calls fn for every key under prefix in bucket.
	List func(ctx context.Context, bucket, prefix string, fn func(key string)) error
	// ReadState reads upload id's state (see Read): ErrNoSuchUpload when
	// it is gone.
	ReadState func(ctx context.Context, bucket, id string) (Upload, error)
	// DeletePrefix removes every object under prefix; Delete removes one
	// object (a missing one is not an error).
	DeletePrefix func(ctx context.Context, bucket, prefix string) error
	Delete       func(ctx context.Context, bucket, key string) error
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Sweep removes, in every bucket, the staged uploads initiated longer
// than MaxAge ago, and returns how many it removed. It goes on past a
// failing bucket or upload and returns the failures joined; a bucket
// deleted meanwhile is not a failure. It returns early when ctx ends.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	buckets, err := s.Buckets(ctx)
	if err != nil {
		return 0, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	cutoff := now().Add(-s.MaxAge)
	var errs []error
	removed := 0
	for _, bucket := range buckets {
		if ctx.Err() != nil {
			break
		}
		n, err := s.sweepBucket(ctx, bucket, cutoff)
		removed += n
		if err != nil && translate.CodeOf(err) != translate.ErrNoSuchBucket {
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(append(errs, ctx.Err())...)
}

// sweepBucket removes bucket's staged uploads initiated before cutoff.
func (s *Sweeper) sweepBucket(ctx context.Context, bucket string, cutoff time.Time) (int, error) {
	var ids []string
	err := s.List(ctx, bucket, StagedMarkerPrefix, func(key string) {
		if id, ok := ParseStagedMarker(key); ok {
			ids = append(ids, id)
		}
	})
	if err != nil {
		return 0, err
	}
	var errs []error
	removed := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		st, err := s.ReadState(ctx, bucket, id)
		switch {
		case translate.CodeOf(err) == translate.ErrNoSuchUpload:
			// A marker without state: what a cut-short removal leaves.
		case err != nil:
			errs = append(errs, err)
			continue
		case !st.Staged || !st.Initiated.Before(cutoff):
			continue
		}
		// The directory first, the marker last: a removal cut short leaves
		// the marker, and the next sweep finishes it.
		if err := s.DeletePrefix(ctx, bucket, UploadDir(id)); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.Delete(ctx, bucket, StagedMarker(id)); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// Reaper runs a Sweeper in the background, every ReapInterval(MaxAge),
// from Start until Stop.
type Reaper struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// StartReaper starts a goroutine that calls s.Sweep every
// ReapInterval(s.MaxAge), the first time one interval from now, logging
// failures to the process's default logger with name (the backend's
// type). Stop ends it.
func StartReaper(name string, s *Sweeper) *Reaper {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reaper{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(ReapInterval(s.MaxAge))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n, err := s.Sweep(ctx)
			observeSweep(name, n, err, ctx.Err() != nil)
			if err != nil && ctx.Err() == nil {
				slog.Warn(name+" backend: sweeping abandoned staged uploads", "removed", n, "error", err)
			} else if n > 0 {
				slog.Info(name+" backend: removed abandoned staged uploads", "removed", n, "max_age", s.MaxAge)
			}
		}
	}()
	return r
}

// observeSweep counts one sweep of the reaper of store type name that
// removed n uploads and ended with err; a sweep cut short by Stop counts
// its removals but not as a run.
func observeSweep(name string, n int, err error, stopped bool) {
	metrics.ReaperRemoved.WithLabelValues(name).Add(float64(n))
	if stopped {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	metrics.ReaperRuns.WithLabelValues(name, result).Inc()
}

// Stop ends the reaper's goroutine, cancelling a sweep in progress, and
// waits for it to return. It may be called more than once; a nil Reaper
// does nothing.
func (r *Reaper) Stop() {
	if r == nil {
		return
	}
	r.once.Do(r.cancel)
	<-r.done
}
