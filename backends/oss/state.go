package oss

import (
	"bytes"
	"context"
	"io"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// putSmall stores a small in-memory object (state, records); being
// replayable, it is retried.
func (b *Backend) putSmall(ctx context.Context, bucket, key string, data []byte) error {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	return b.retry(ctx, func(ctx context.Context) error {
		var r io.Reader // nil, not an empty reader: see streamBody
		if len(data) > 0 {
			r = bytes.NewReader(data)
		}
		err := bk.PutObject(key, r, oss.WithContext(ctx), oss.ContentType("application/json"))
		return mapError(err, bucket, key)
	})
}

// readState returns an upload's state; ErrNoSuchUpload when there is none.
func (b *Backend) readState(ctx context.Context, bucket, id string) (storekit.Upload, error) {
	return storekit.Read(bucket, id, func(key string) ([]byte, error) {
		bk, err := b.bucket(bucket, false) // ErrNoSuchBucket, hence ErrNoSuchUpload
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
			data, err = io.ReadAll(io.LimitReader(r, storekit.MaxStateSize))
			return mapError(err, bucket, key)
		})
		return data, err
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
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	token := ""
	for {
		var res oss.ListObjectsResultV2
		err := b.retry(ctx, func(ctx context.Context) error {
			opts := []oss.Option{oss.Prefix(prefix), oss.MaxKeys(1000), oss.WithContext(ctx)}
			if token != "" {
				opts = append(opts, oss.ContinuationToken(token))
			}
			var err error
			res, err = bk.ListObjectsV2(opts...)
			return mapError(err, bucket, "")
		})
		if err != nil {
			return err
		}
		for _, o := range res.Objects {
			fn(o.Key)
		}
		if !res.IsTruncated || res.NextContinuationToken == "" {
			return nil
		}
		token = res.NextContinuationToken
	}
}

// deletePrefix removes every object under prefix.
func (b *Backend) deletePrefix(ctx context.Context, bucket, prefix string) error {
	var keys []string
	if err := b.eachKey(ctx, bucket, prefix, func(k string) { keys = append(keys, k) }); err != nil {
		return err
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 1000)]
		err := b.retry(ctx, func(ctx context.Context) error {
			_, err := bk.DeleteObjects(batch, oss.DeleteObjectsQuiet(true), oss.WithContext(ctx))
			return mapError(err, bucket, "")
		})
		if err != nil {
			return err
		}
		keys = keys[len(batch):]
	}
	return nil
}

// clearState aborts the uploads in a bucket and removes the gateway's
// state, before the bucket is deleted (OSS refuses to delete a bucket
// with uploads in progress).
func (b *Backend) clearState(ctx context.Context, bucket string) error {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	uploads, err := b.storeUploads(ctx, bucket)
	if err != nil {
		return err
	}
	for _, u := range uploads {
		imur := oss.InitiateMultipartUploadResult{Bucket: bucket, Key: u.Key, UploadID: u.UploadID}
		err := b.retry(ctx, func(ctx context.Context) error {
			err := mapError(bk.AbortMultipartUpload(imur, oss.WithContext(ctx)), bucket, u.Key)
			if translate.CodeOf(err) == translate.ErrNoSuchUpload {
				return nil // completed or aborted meanwhile
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return b.deletePrefix(ctx, bucket, storekit.Prefix)
}

// storeUploads lists every upload the store has in progress in a bucket.
func (b *Backend) storeUploads(ctx context.Context, bucket string) ([]oss.UncompletedUpload, error) {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return nil, err
	}
	var all []oss.UncompletedUpload
	keyMarker, idMarker := "", ""
	for {
		var res oss.ListMultipartUploadResult
		err := b.retry(ctx, func(ctx context.Context) error {
			opts := []oss.Option{oss.MaxUploads(1000), oss.WithContext(ctx)}
			if keyMarker != "" {
				opts = append(opts, oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker))
			}
			var err error
			res, err = bk.ListMultipartUploads(opts...)
			return mapError(err, bucket, "")
		})
		if err != nil {
			return nil, err
		}
		all = append(all, res.Uploads...)
		if !res.IsTruncated || res.NextKeyMarker == "" ||
			(res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == idMarker) {
			return all, nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}
