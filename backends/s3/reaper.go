package s3

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/backends/storestate"
	"github.com/babelgate/babelgate/translate"
)

// newSweeper is storestate's sweeper of abandoned staged uploads over
// this store, with the backend's StagingMaxAge.
func (b *Backend) newSweeper() *storestate.Sweeper {
	return &storestate.Sweeper{
		MaxAge: b.opts.StagingMaxAge,
		Buckets: func(ctx context.Context) ([]string, error) {
			all, err := b.ListBuckets(ctx)
			names := make([]string, len(all))
			for i, bk := range all {
				names[i] = bk.Name
			}
			return names, err
		},
		List:         b.eachKey,
		ReadState:    b.readState,
		DeletePrefix: b.deletePrefix,
		Delete: func(ctx context.Context, bucket, key string) error {
			ctx, cancel := b.timeout(ctx)
			defer cancel()
			_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			return mapError(err, bucket, key)
		},
	}
}

// Sweep removes now, in every bucket of the store, the staged uploads
// initiated longer than Options.StagingMaxAge ago (what the background
// reaper does periodically), and returns how many it removed; see
// storestate.Sweeper.Sweep for how failures are reported.
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
