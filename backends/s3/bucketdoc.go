package s3

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/backends/storestate"
	"github.com/babelgate/babelgate/translate"
)

var _ translate.BucketDocs = (*Backend)(nil)

// GetBucketDoc implements translate.BucketDocs: the object
// storestate.BucketDocKey(name) of the bucket.
func (b *Backend) GetBucketDoc(ctx context.Context, bucket, name string) ([]byte, error) {
	key := storestate.BucketDocKey(name)
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, mapError(err, bucket, key)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, storestate.MaxStateSize))
	return data, mapError(err, bucket, "")
}

// PutBucketDoc implements translate.BucketDocs.
func (b *Backend) PutBucketDoc(ctx context.Context, bucket, name string, data []byte) error {
	return b.putSmall(ctx, bucket, storestate.BucketDocKey(name), data)
}

// DeleteBucketDoc implements translate.BucketDocs.
func (b *Backend) DeleteBucketDoc(ctx context.Context, bucket, name string) error {
	key := storestate.BucketDocKey(name)
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return mapError(err, bucket, key)
}
