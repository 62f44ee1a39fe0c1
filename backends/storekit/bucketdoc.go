package storekit

import (
	"context"

	"github.com/babelgate/babelgate/translate"
)

// BucketDocKey is where the kit keeps the bucket document name
// (translate.BucketDocs: the bucket's policy, CORS rules, canned ACL):
// .babelgate/bucket/<name>, under the reserved prefix, so listings hide it
// and DeleteBucket removes it with the rest of the gateway's state.
func BucketDocKey(name string) string { return Prefix + "bucket/" + name }

var _ translate.BucketDocs = (*Backend)(nil)

// GetBucketDoc implements translate.BucketDocs: ErrNoSuchKey when there is
// none.
func (b *Backend) GetBucketDoc(ctx context.Context, bucket, name string) ([]byte, error) {
	return b.getSmall(ctx, bucket, BucketDocKey(name))
}

// PutBucketDoc implements translate.BucketDocs.
func (b *Backend) PutBucketDoc(ctx context.Context, bucket, name string, data []byte) error {
	return b.putSmall(ctx, bucket, BucketDocKey(name), data)
}

// DeleteBucketDoc implements translate.BucketDocs.
func (b *Backend) DeleteBucketDoc(ctx context.Context, bucket, name string) error {
	key := BucketDocKey(name)
	return b.do(ctx, bucket, key, func(ctx context.Context) error { return b.d.Delete(ctx, bucket, []string{key}) })
}
