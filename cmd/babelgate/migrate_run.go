package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// copyRun is one run of the bulk copy of a bucket: a lister feeding
// workers, and a checkpoint that advances over keys in order. The
// checkpoint's Through is the last key before which every key was
// handled; keys handled out of order (by another worker) wait in done
// until the ones before them are, so a kill at any point loses at most
// the keys in flight, which the next run finds on the destination and
// leaves alone.
type copyRun struct {
	g      *translate.Migration
	bucket string
	f      migrateFlags
	out    io.Writer
	term   bool
	lim    *limiter

	mu                sync.Mutex
	cp                checkpoint
	next, seq         int
	done              map[int]string
	sinceSave         int
	lastSave          time.Time
	total, totalBytes int64 // what this run found to handle
	handled           int64 // keys handled this run
	handledBytes      int64 // their listed sizes
	copied            int64 // keys copied this run
	copiedBytes       int64 // bytes read by this run's copies
	present, gone     int64
	failed            []string
	start             time.Time
	paused            bool
}

func newCopyRun(g *translate.Migration, bucket string, f migrateFlags, cp checkpoint, total, totalBytes int64, out io.Writer) *copyRun {
	r := &copyRun{g: g, bucket: bucket, f: f, out: out, term: isTerminal(out), cp: cp, done: map[int]string{},
		total: total, totalBytes: totalBytes, start: time.Now(), lastSave: time.Now()}
	if f.rate > 0 {
		r.lim = &limiter{rate: float64(f.rate)}
	}
	return r
}

type copyJob struct {
	seq  int
	info translate.ObjectInfo
}

// saveEvery bounds how many handled keys, and how long, a kill can make
// the next run look at again.
const (
	saveEvery    = 100
	saveInterval = 2 * time.Second
)

func (r *copyRun) run(ctx context.Context) error {
	r.metrics()
	jobs := make(chan copyJob)
	var wg sync.WaitGroup
	for i := 0; i < r.f.concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out, n, err := r.copyOne(ctx, j.info.Key)
				if err := r.finish(ctx, j, out, n, err); err != nil {
					return
				}
			}
		}()
	}
	stopDisplay := r.display()
	seq := 0
	listErr := eachSourceKey(ctx, r.g, r.f.prefix, r.cp.Through, func(o translate.ObjectInfo) error {
		select {
		case jobs <- copyJob{seq: seq, info: o}:
			seq++
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(jobs)
	wg.Wait()
	if listErr == nil {
		// Keys deleted meanwhile were counted but never listed: the
		// listing's end is the end.
		r.mu.Lock()
		r.total, r.totalBytes = r.handled, r.handledBytes
		r.metrics()
		r.mu.Unlock()
	}
	stopDisplay()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cp.Complete = listErr == nil && len(r.failed) == 0
	if err := saveCheckpoint(context.WithoutCancel(ctx), r.g, r.cp); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "%s: done: %d copied (%s), %d already on the destination, %d deleted meanwhile, %d failed\n",
		r.bucket, r.copied, humanBytes(r.copiedBytes), r.present, r.gone, len(r.failed))
	if listErr != nil {
		return listErr
	}
	if len(r.failed) > 0 {
		return fmt.Errorf("%d objects failed to copy (run again to retry them): %s", len(r.failed), strings.Join(r.failed, "; "))
	}
	return nil
}

// copyOne copies a key, retrying a failure twice.
func (r *copyRun) copyOne(ctx context.Context, key string) (translate.CopyOutcome, int64, error) {
	wrap := func(rd io.Reader) io.Reader {
		if r.lim != nil {
			rd = &limitedReader{ctx: ctx, r: rd, l: r.lim}
		}
		return &countingReader{r: rd, fn: func(n int) {
			r.mu.Lock()
			r.copiedBytes += int64(n)
			r.mu.Unlock()
			metrics.MigrationCopied.WithLabelValues(r.bucket).Add(float64(n))
		}}
	}
	var err error
	for attempt := 0; attempt < 3 && ctx.Err() == nil; attempt++ {
		var out translate.CopyOutcome
		var n int64
		if out, n, err = r.g.Copy(ctx, key, wrap); err == nil {
			return out, n, nil
		}
	}
	return 0, 0, err
}

// finish records a handled key and advances the checkpoint; it returns an
// error when the run must stop (the test pause hook's context ended).
func (r *copyRun) finish(ctx context.Context, j copyJob, out translate.CopyOutcome, n int64, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handled++
	r.handledBytes += j.info.Size
	if err != nil {
		r.failed = append(r.failed, fmt.Sprintf("%q: %v", j.info.Key, err))
		if !r.term {
			fmt.Fprintf(r.out, "%s: copying %q failed: %v\n", r.bucket, j.info.Key, err)
		}
		r.metrics()
		return nil // the checkpoint stays before this key
	}
	switch out {
	case translate.Copied:
		r.copied++
		r.cp.Copied++
		r.cp.Bytes += n
	case translate.Present:
		r.present++
	case translate.Gone:
		r.gone++
	}
	r.done[j.seq] = j.info.Key
	for {
		k, ok := r.done[r.next]
		if !ok {
			break
		}
		r.cp.Through = k
		delete(r.done, r.next)
		r.next++
	}
	r.sinceSave++
	r.metrics()
	if r.sinceSave >= saveEvery || time.Since(r.lastSave) >= saveInterval {
		r.save(ctx)
	}
	if r.f.pauseAfter > 0 && r.copied >= int64(r.f.pauseAfter) && !r.paused {
		r.paused = true
		r.save(ctx)
		fmt.Fprintf(r.out, "%s: paused after %d copied objects\n", r.bucket, r.copied)
		<-ctx.Done() // hold the lock: nothing else progresses until killed
		return errors.New("paused")
	}
	return nil
}

// save writes the checkpoint; r.mu is held. A failed save is retried at
// the next one.
func (r *copyRun) save(ctx context.Context) {
	if err := saveCheckpoint(ctx, r.g, r.cp); err != nil {
		fmt.Fprintf(r.out, "%s: %v\n", r.bucket, err)
		return
	}
	r.sinceSave, r.lastSave = 0, time.Now()
}

// metrics publishes the progress; r.mu is held.
func (r *copyRun) metrics() {
	metrics.MigrationObjects.WithLabelValues(r.bucket, "done").Set(float64(r.handled))
	metrics.MigrationObjects.WithLabelValues(r.bucket, "left").Set(float64(r.total - r.handled))
	metrics.MigrationBytes.WithLabelValues(r.bucket, "done").Set(float64(r.handledBytes))
	metrics.MigrationBytes.WithLabelValues(r.bucket, "left").Set(float64(r.totalBytes - r.handledBytes))
}

// progress is one progress line; r.mu is held.
func (r *copyRun) progress() string {
	elapsed := time.Since(r.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(r.copiedBytes) / elapsed
	}
	left := r.totalBytes - r.handledBytes
	eta := "?"
	switch {
	case left <= 0:
		eta = "0s"
	case rate > 0:
		eta = time.Duration(float64(left) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("%s: %d/%d objects (%d left), %s/%s (%s left), %s/s, ETA %s", r.bucket,
		r.handled, r.total, r.total-r.handled, humanBytes(r.handledBytes), humanBytes(r.totalBytes), humanBytes(left),
		humanBytes(int64(rate)), eta)
}

// display shows the progress until the returned stop is called: redrawn
// in place on a terminal, as a log line every few seconds otherwise.
func (r *copyRun) display() (stop func()) {
	every := 5 * time.Second
	if r.term {
		every = 250 * time.Millisecond
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	show := func(final bool) {
		r.mu.Lock()
		line := r.progress()
		r.mu.Unlock()
		switch {
		case r.term && final:
			fmt.Fprintf(r.out, "\r%s\x1b[K\n", line)
		case r.term:
			fmt.Fprintf(r.out, "\r%s\x1b[K", line)
		default:
			fmt.Fprintln(r.out, line)
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				show(false)
			case <-quit:
				show(true)
				return
			}
		}
	}()
	return func() { close(quit); <-finished }
}
