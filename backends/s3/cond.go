package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Conditional writes go to the store as S3's If-None-Match: * and If-Match
// (see storekit.StoreCond for how the client's ETag becomes the store's),
// which S3 and MinIO evaluate atomically with PutObject and
// CompleteMultipartUpload. MinIO's CopyObject takes no destination
// condition: a copy is checked first (HEAD) and then made, so a write of
// the same key between the two is not seen; the condition is still sent,
// for stores that honour it (S3).

// condHeaders returns the If-None-Match and If-Match values for cond, in
// the store's terms; nil when not asked.
func condHeaders(cond translate.WriteCond) (ifNoneMatch, ifMatch *string) {
	if cond.IfAbsent {
		ifNoneMatch = aws.String("*")
	}
	if cond.IfMatch != "" {
		ifMatch = aws.String(`"` + cond.IfMatch + `"`)
	}
	return ifNoneMatch, ifMatch
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
	info, err := b.putObject(ctx, bucket, key, body, meta, sc)
	return info, storekit.CondError(err, sc)
}

// CopyObjectIf implements translate.ConditionalWriter: checked, then
// copied (see above).
func (b *Backend) CopyObjectIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if err := storekit.CheckKey(dstBucket, dstKey); err != nil {
		return translate.ObjectInfo{}, err
	}
	sc, err := b.stager().StoreCond(ctx, dstBucket, dstKey, cond)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if sc.IfAbsent {
		_, err := b.storeHead(ctx, dstBucket, dstKey)
		switch translate.CodeOf(err) {
		case 0:
			return translate.ObjectInfo{}, &translate.Error{Code: translate.ErrObjectExists, Bucket: dstBucket, Key: dstKey}
		case translate.ErrNoSuchKey:
		default:
			return translate.ObjectInfo{}, err
		}
	}
	info, err := b.copyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, sc)
	return info, storekit.CondError(err, sc)
}

var _ translate.ConditionalWriter = (*Backend)(nil)
