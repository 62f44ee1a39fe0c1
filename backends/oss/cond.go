package oss

import (
	"context"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// OSS takes x-oss-forbid-overwrite: true on PutObject, CopyObject and
// CompleteMultipartUpload and evaluates it with the write: IfAbsent is
// atomic. OSS has no If-Match on writes: IfMatch is checked first (HEAD,
// with the annex; storekit.StoreCond) and the write made after, so a
// write of the same key between the two is not seen (check-then-write).

// condOptions are the OSS options that carry cond (in the store's terms).
func condOptions(cond translate.WriteCond) []oss.Option {
	if cond.IfAbsent {
		return []oss.Option{oss.ForbidOverWrite(true)}
	}
	return nil
}

// PutObjectIf implements translate.ConditionalWriter.
func (b *Backend) PutObjectIf(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if err := storekit.CheckKey(bucket, key); err != nil {
		return translate.ObjectInfo{}, err
	}
	sc, err := b.stager().StoreCond(ctx, bucket, key, cond)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	return b.putObject(ctx, bucket, key, body, meta, sc)
}

// CopyObjectIf implements translate.ConditionalWriter.
func (b *Backend) CopyObjectIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if err := storekit.CheckKey(dstBucket, dstKey); err != nil {
		return translate.ObjectInfo{}, err
	}
	sc, err := b.stager().StoreCond(ctx, dstBucket, dstKey, cond)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	return b.copyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, sc)
}

var _ translate.ConditionalWriter = (*Backend)(nil)
