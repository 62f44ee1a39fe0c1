package s3

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// readState returns an upload's state; ErrNoSuchUpload when there is none.
func (b *Backend) readState(ctx context.Context, bucket, id string) (storekit.Upload, error) {
	return storekit.Read(bucket, id, func(key string) ([]byte, error) {
		ctx, cancel := b.timeout(ctx)
		defer cancel()
		out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return nil, mapError(err, bucket, key)
		}
		defer out.Body.Close()
		data, err := io.ReadAll(io.LimitReader(out.Body, storekit.MaxStateSize))
		return data, mapError(err, bucket, "")
	})
}

// partRecords returns the recorded checksums by part number and ETag.
func (b *Backend) partRecords(ctx context.Context, bucket, id string) (map[int]map[string]translate.Checksums, error) {
	var keys []string
	err := b.eachKey(ctx, bucket, storekit.PartRecordPrefix(id), func(key string) { keys = append(keys, key) })
	return storekit.PartChecksums(id, keys), err
}

// eachKey calls fn for every key with the prefix.
func (b *Backend) eachKey(ctx context.Context, bucket, prefix string, fn func(key string)) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		cctx, cancel := b.timeout(ctx)
		out, err := b.client.ListObjectsV2(cctx, in)
		cancel()
		if err != nil {
			return mapError(err, bucket, "")
		}
		for _, o := range out.Contents {
			fn(aws.ToString(o.Key))
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// deletePrefix removes every object under prefix.
func (b *Backend) deletePrefix(ctx context.Context, bucket, prefix string) error {
	var keys []types.ObjectIdentifier
	if err := b.eachKey(ctx, bucket, prefix, func(k string) { keys = append(keys, types.ObjectIdentifier{Key: aws.String(k)}) }); err != nil {
		return err
	}
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		cctx, cancel := b.timeout(ctx)
		_, err := b.client.DeleteObjects(cctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: keys[:n], Quiet: aws.Bool(true)}})
		cancel()
		if err != nil {
			return mapError(err, bucket, "")
		}
		keys = keys[n:]
	}
	return nil
}

// clearState aborts the gateway's uploads in a bucket and removes their
// state, before the bucket is deleted.
func (b *Backend) clearState(ctx context.Context, bucket string) error {
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)}
	cctx, cancel := b.timeout(ctx)
	out, err := b.client.ListMultipartUploads(cctx, in)
	cancel()
	if err != nil {
		return mapError(err, bucket, "")
	}
	for _, u := range out.Uploads {
		cctx, cancel := b.timeout(ctx)
		b.client.AbortMultipartUpload(cctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
		cancel()
	}
	return b.deletePrefix(ctx, bucket, storekit.Prefix)
}
