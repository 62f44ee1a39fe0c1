package s3

import (
	"context"

	"github.com/babelgate/babelgate/backends/storekit"
)

// StagedKeys lists what the store holds of staged upload id in bucket
// under the reserved prefix: its state directory and its marker.
func StagedKeys(b *Backend) func(ctx context.Context, bucket, id string) ([]string, error) {
	return func(ctx context.Context, bucket, id string) ([]string, error) {
		var keys []string
		add := func(k string) { keys = append(keys, k) }
		if err := b.eachKey(ctx, bucket, storekit.UploadDir(id), add); err != nil {
			return nil, err
		}
		err := b.eachKey(ctx, bucket, storekit.StagedMarker(id), func(k string) {
			if k == storekit.StagedMarker(id) {
				add(k)
			}
		})
		return keys, err
	}
}
