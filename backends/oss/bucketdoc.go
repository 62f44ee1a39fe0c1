package oss

import (
	"context"
	"io"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storestate"
	"github.com/babelgate/babelgate/translate"
)

var _ translate.BucketDocs = (*Backend)(nil)

// GetBucketDoc implements translate.BucketDocs: the object
// storestate.BucketDocKey(name) of the bucket.
func (b *Backend) GetBucketDoc(ctx context.Context, bucket, name string) ([]byte, error) {
	key := storestate.BucketDocKey(name)
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return nil, err
	}
	var data []byte
	err = b.retry(ctx, func(ctx context.Context) error {
		r, err := bk.GetObject(key, oss.WithContext(ctx))
		if err != nil {
			return mapError(err, bucket, key)
		}
		defer r.Close()
		data, err = io.ReadAll(io.LimitReader(r, storestate.MaxStateSize))
		return mapError(err, bucket, key)
	})
	return data, err
}

// PutBucketDoc implements translate.BucketDocs.
func (b *Backend) PutBucketDoc(ctx context.Context, bucket, name string, data []byte) error {
	return b.putSmall(ctx, bucket, storestate.BucketDocKey(name), data)
}

// DeleteBucketDoc implements translate.BucketDocs.
func (b *Backend) DeleteBucketDoc(ctx context.Context, bucket, name string) error {
	key := storestate.BucketDocKey(name)
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	return b.retry(ctx, func(ctx context.Context) error {
		return mapError(bk.DeleteObject(key, oss.WithContext(ctx)), bucket, key)
	})
}
