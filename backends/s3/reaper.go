package s3

import (
	"context"
	"io"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// newSweeper is storestate's sweeper of abandoned staged uploads over
// this store, with the backend's StagingMaxAge.
func (b *Backend) newSweeper() *storekit.Sweeper { return b.stager().Sweeper(b.opts.StagingMaxAge) }

// Sweep removes now, in every bucket of the store, the staged uploads
// initiated longer than Options.StagingMaxAge ago (what the background
// reaper does periodically), and returns how many it removed; see
// storekit.Sweeper.Sweep for how failures are reported.
func (b *Backend) Sweep(ctx context.Context) (int, error) { return b.sweeper.Sweep(ctx) }

// Close implements io.Closer: it stops the reaper of abandoned staged
// uploads, waiting for a sweep in progress to end. The backend stays
// usable. It may be called more than once.
func (b *Backend) Close() error {
	b.reaper.Stop()
	return nil
}

var (
	_ io.Closer         = (*Backend)(nil)
	_ translate.Backend = (*Backend)(nil)
)
