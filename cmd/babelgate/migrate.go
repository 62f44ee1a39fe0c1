package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/translate"
)

// migrateFlags are migrate's command line.
type migrateFlags struct {
	config, bucket, prefix, metricsListen string
	verify, dryRun, cleanup               bool
	rate                                  sizeFlag
	concurrency                           int
	// pauseAfter is a test hook: after this many objects were copied and
	// the checkpoint saved, print a line and wait to be killed.
	pauseAfter int
}

func parseMigrateFlags(args []string, out io.Writer) (migrateFlags, error) {
	f := migrateFlags{concurrency: 4}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.config, "config", "", "YAML config file with the migrating routes (required)")
	fs.StringVar(&f.bucket, "bucket", "", "migrate only this bucket's route (default: every migrating route)")
	fs.StringVar(&f.bucket, "route", "", "the same as --bucket (routes are named by their bucket)")
	fs.StringVar(&f.prefix, "prefix", "", "copy, count or verify only keys beginning with this")
	fs.BoolVar(&f.verify, "verify", false, "compare every key on both sides instead of copying; exit 1 on any difference")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would be copied and how much, copying nothing")
	fs.BoolVar(&f.cleanup, "cleanup", false, "after the cut-over: delete the migration's tombstones and checkpoints ("+translate.MigrateNamespace+") from --bucket")
	fs.Var(&f.rate, "rate", "limit the bytes copied per second, all workers together (e.g. 10MiB; default: no limit)")
	fs.IntVar(&f.concurrency, "concurrency", 4, "objects copied at once")
	fs.StringVar(&f.metricsListen, "metrics-listen", "", "serve the copy's progress as Prometheus metrics (and /healthz) on host:port")
	fs.IntVar(&f.pauseAfter, "test-pause-after", 0, "(for tests) stop after copying this many objects, checkpoint saved, and wait to be killed")
	fs.Usage = func() {
		fmt.Fprint(out, `Usage: babelgate migrate --config FILE [--bucket B] [--verify | --dry-run | --cleanup] [flags]

Copies every object of each migrating route (a route with from: and to:)
from its source to its destination while the gateway keeps serving it.
The copy is resumable: its checkpoint lives in the destination, so a run
killed at any point continues where it stopped. Objects the destination
already holds (written through the gateway, or copied before) are left
alone, and deleted ones are never brought back.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("unexpected arguments: %v", fs.Args())
	case f.config == "":
		return f, errors.New("migrate needs --config")
	case f.concurrency < 1:
		return f, errors.New("--concurrency must be at least 1")
	case f.cleanup && f.bucket == "":
		return f, errors.New("--cleanup needs --bucket")
	case f.rate < 0:
		return f, errors.New("--rate must not be negative")
	}
	return f, nil
}

func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flagOut := stderr
	if wantsHelp(args) {
		flagOut = stdout
	}
	f, err := parseMigrateFlags(args, flagOut)
	if err != nil {
		return err
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, stderr)
	slog.SetDefault(logger)
	bs, err := openBackends(ctx, cfg, true)
	defer func() {
		for _, b := range bs {
			if c, ok := b.(io.Closer); ok {
				c.Close()
			}
		}
	}()
	if err != nil {
		return err
	}
	bs = instrumentBackends(bs)
	engine, err := translate.NewEngine(translate.EngineConfig{Backends: bs, Default: cfg.DefaultBackend,
		Routes: cfg.TranslateRoutes(), UploadIDSecret: []byte(cfg.Server.UploadIDSecret)})
	if err != nil {
		return err
	}
	if f.cleanup {
		n, err := engine.Cleanup(ctx, f.bucket)
		fmt.Fprintf(stdout, "%s: deleted %d migration objects\n", f.bucket, n)
		return err
	}
	buckets, err := migratingBuckets(cfg, f.bucket)
	if err != nil {
		return err
	}
	if f.metricsListen != "" {
		acfg := *cfg
		acfg.Server.MetricsListen = f.metricsListen
		adm, err := startAdmin(&acfg, bs, logger)
		if err != nil {
			return err
		}
		defer adm.Close()
	}
	var errs []error
	for _, b := range buckets {
		g, err := engine.Migration(b)
		if err != nil {
			return err
		}
		switch {
		case f.verify:
			err = verifyBucket(ctx, g, b, f, stdout)
		default:
			err = copyBucket(ctx, g, b, f, stdout)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b, err))
		}
	}
	return errors.Join(errs...)
}

// migratingBuckets returns the front buckets of the migrating routes, or
// only want's, which must be one.
func migratingBuckets(cfg *config.Config, want string) ([]string, error) {
	var out []string
	for _, r := range cfg.Routes {
		if r.From != nil && r.To != nil && (want == "" || r.Bucket == want) {
			out = append(out, r.Bucket)
		}
	}
	switch {
	case want != "" && len(out) == 0:
		return nil, fmt.Errorf("bucket %q has no migrating route (a route with from: and to:) in the config", want)
	case len(out) == 0:
		return nil, errors.New("the config has no migrating route (a route with from: and to:)")
	}
	sort.Strings(out)
	return out, nil
}

// checkpoint is the bulk copy's state, kept in the destination: every
// key up to and including Through (in byte order, under Prefix) has been
// handled, and Complete says a run reached the end.
type checkpoint struct {
	Prefix   string    `json:"prefix"`
	Through  string    `json:"through"`
	Complete bool      `json:"complete"`
	Copied   int64     `json:"copied"`
	Bytes    int64     `json:"bytes"`
	Updated  time.Time `json:"updated"`
}

// checkpointName names the checkpoint of a copy of prefix: one per prefix.
func checkpointName(prefix string) string {
	if prefix == "" {
		return "copy"
	}
	sum := sha256.Sum256([]byte(prefix))
	return "copy-" + hex.EncodeToString(sum[:8])
}

func loadCheckpoint(ctx context.Context, g *translate.Migration, prefix string) (checkpoint, error) {
	cp := checkpoint{Prefix: prefix}
	raw, err := g.LoadState(ctx, checkpointName(prefix))
	if err != nil || raw == nil {
		return cp, err
	}
	if err := json.Unmarshal(raw, &cp); err != nil {
		return cp, fmt.Errorf("reading the checkpoint: %w", err)
	}
	return cp, nil
}

func saveCheckpoint(ctx context.Context, g *translate.Migration, cp checkpoint) error {
	cp.Updated = time.Now().UTC()
	raw, _ := json.Marshal(cp)
	if err := g.SaveState(ctx, checkpointName(cp.Prefix), raw); err != nil {
		return fmt.Errorf("saving the checkpoint: %w", err)
	}
	return nil
}

// eachSourceKey calls fn for every source key under prefix after after,
// in order, a page at a time.
func eachSourceKey(ctx context.Context, g *translate.Migration, prefix, after string, fn func(translate.ObjectInfo) error) error {
	for {
		p, err := g.ListSource(ctx, prefix, after, 1000)
		if err != nil {
			return fmt.Errorf("listing the source: %w", err)
		}
		for _, o := range p.Objects {
			if err := fn(o); err != nil {
				return err
			}
		}
		if !p.Truncated || p.Next == "" {
			return nil
		}
		after = p.Next
	}
}

// verifyBucket compares every key of either side and prints the
// differences; it fails if there is any.
func verifyBucket(ctx context.Context, g *translate.Migration, bucket string, f migrateFlags, stdout io.Writer) error {
	keys := map[string]bool{}
	if err := eachSourceKey(ctx, g, f.prefix, "", func(o translate.ObjectInfo) error { keys[o.Key] = true; return nil }); err != nil {
		return err
	}
	for after := ""; ; {
		p, err := g.ListDestination(ctx, f.prefix, after, 1000)
		if err != nil {
			return fmt.Errorf("listing the destination: %w", err)
		}
		for _, o := range p.Objects {
			keys[o.Key] = true
		}
		if !p.Truncated || p.Next == "" {
			break
		}
		after = p.Next
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	diffs := 0
	for _, k := range sorted {
		d, err := g.Compare(ctx, k)
		if err != nil {
			return fmt.Errorf("comparing %q: %w", k, err)
		}
		if d != nil {
			diffs++
			fmt.Fprintf(stdout, "DIFF %s %q: %s\n", bucket, d.Key, d.Reason)
		}
	}
	fmt.Fprintf(stdout, "verify %s: %d keys compared, %d differences\n", bucket, len(sorted), diffs)
	if diffs > 0 {
		return fmt.Errorf("%d differences", diffs)
	}
	return nil
}

// copyBucket runs (or, with --dry-run, plans) the bulk copy of one bucket.
func copyBucket(ctx context.Context, g *translate.Migration, bucket string, f migrateFlags, stdout io.Writer) error {
	if !f.dryRun {
		if err := g.EnsureDestination(ctx); err != nil {
			return fmt.Errorf("the destination bucket: %w", err)
		}
	}
	cp, err := loadCheckpoint(ctx, g, f.prefix)
	if err != nil {
		return err
	}
	from, to := g.Sides()
	mode := "streaming through the gateway"
	if g.ServerSide() {
		mode = "server-side"
	}
	if cp.Complete {
		fmt.Fprintf(stdout, "%s: a previous copy completed; checking every key again\n", bucket)
		cp = checkpoint{Prefix: f.prefix}
	} else if cp.Through != "" {
		fmt.Fprintf(stdout, "%s: resuming after %q (%d objects, %d bytes copied before)\n", bucket, cp.Through, cp.Copied, cp.Bytes)
	}
	// Count first (a listing is cheap next to a copy), so progress knows
	// what is left.
	var total, totalBytes int64
	var planned []translate.ObjectInfo
	err = eachSourceKey(ctx, g, f.prefix, cp.Through, func(o translate.ObjectInfo) error {
		total++
		totalBytes += o.Size
		if f.dryRun {
			planned = append(planned, o)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if f.dryRun {
		return dryRun(ctx, g, bucket, planned, stdout)
	}
	fmt.Fprintf(stdout, "%s: copying %d objects (%s) from %s:%s to %s:%s, %s\n", bucket, total, humanBytes(totalBytes),
		from.Backend, from.Bucket, to.Backend, to.Bucket, mode)
	r := newCopyRun(g, bucket, f, cp, total, totalBytes, stdout)
	return r.run(ctx)
}

// dryRun prints, for each planned key, whether it would be copied.
func dryRun(ctx context.Context, g *translate.Migration, bucket string, planned []translate.ObjectInfo, stdout io.Writer) error {
	var n, bytes int64
	for _, o := range planned {
		copyIt, err := g.WouldCopy(ctx, o.Key)
		if err != nil {
			return err
		}
		if copyIt {
			n++
			bytes += o.Size
			fmt.Fprintf(stdout, "would copy %s %q (%d bytes)\n", bucket, o.Key, o.Size)
		}
	}
	fmt.Fprintf(stdout, "dry run %s: would copy %d of %d objects, %s\n", bucket, n, len(planned), humanBytes(bytes))
	return nil
}

// humanBytes shows n in binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// limiter spreads reads so that all of them together take at most rate
// bytes per second.
type limiter struct {
	mu   sync.Mutex
	rate float64
	next time.Time
}

func (l *limiter) wait(ctx context.Context, n int) error {
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	at := l.next
	l.next = l.next.Add(time.Duration(float64(n) / l.rate * float64(time.Second)))
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// limitedReader reads through a limiter, in chunks of at most a tenth of
// a second's worth.
type limitedReader struct {
	ctx context.Context
	r   io.Reader
	l   *limiter
}

func (lr *limitedReader) Read(p []byte) (int, error) {
	if max := int(lr.l.rate / 10); max > 0 && len(p) > max {
		p = p[:max]
	}
	if err := lr.l.wait(lr.ctx, len(p)); err != nil {
		return 0, err
	}
	return lr.r.Read(p)
}

// countingReader adds the bytes read to a counter.
type countingReader struct {
	r  io.Reader
	fn func(int)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.fn(n)
	return n, err
}

// sizeFlag is a flag taking a config.Size ("10MiB").
type sizeFlag config.Size

func (s *sizeFlag) String() string { return config.Size(*s).String() }
func (s *sizeFlag) Set(v string) error {
	n, err := config.ParseSize(v)
	*s = sizeFlag(n)
	return err
}
