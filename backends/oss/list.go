package oss

import (
	"context"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// ListObjects implements translate.Backend: storekit.Lister over OSS's
// ListObjectsV2 (each call retried), paged by start-after as the lister
// directs. Objects assembled from staged parts are listed with the
// client's ETag, from their annex (storekit.ApplyListedAnnexes).
func (b *Backend) ListObjects(ctx context.Context, bucket string, q translate.ListQuery) (translate.ListPage, error) {
	if q.MaxKeys == 0 {
		_, err := b.HeadBucket(ctx, bucket)
		return translate.ListPage{}, err
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return translate.ListPage{}, err
	}
	l := storekit.NewLister(q)
	for {
		var res oss.ListObjectsResultV2
		err := b.retry(ctx, func(ctx context.Context) error {
			opts := []oss.Option{oss.MaxKeys(l.PageSize()), oss.WithContext(ctx)}
			if q.Prefix != "" {
				opts = append(opts, oss.Prefix(q.Prefix))
			}
			if q.Delimiter != "" {
				opts = append(opts, oss.Delimiter(q.Delimiter))
			}
			if after := l.StartAfter(); after != "" {
				opts = append(opts, oss.StartAfter(after))
			}
			var err error
			res, err = bk.ListObjectsV2(opts...)
			return mapError(err, bucket, "")
		})
		if err != nil {
			return translate.ListPage{}, err
		}
		objs := make([]translate.ObjectInfo, len(res.Objects))
		for i, o := range res.Objects {
			objs[i] = translate.ObjectInfo{Key: o.Key, Size: o.Size, ETag: unquote(o.ETag),
				LastModified: o.LastModified, Metadata: translate.Metadata{StorageClass: s3StorageClass(o.StorageClass)}}
		}
		done, err := l.Add(objs, res.CommonPrefixes, res.IsTruncated)
		if err != nil {
			return translate.ListPage{}, errf(err, "listing %s", bucket)
		}
		if done {
			page := l.Page()
			err := storekit.ApplyListedAnnexes(ctx, page.Objects, func(ctx context.Context, key string) ([]byte, error) {
				return b.getAnnex(ctx, bk, bucket, key)
			})
			if err != nil {
				return translate.ListPage{}, err
			}
			return page, nil
		}
	}
}

// ListMultipartUploads implements translate.Backend. The gateway lists the
// store's uploads whole and storekit.ListUploads applies the neutral
// query (the neutral upload-ID marker is the store's own ID, and uploads
// started outside the gateway, or under the reserved prefix, are left out),
// reading each listed upload's state.
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string, q translate.UploadsQuery) (translate.UploadsPage, error) {
	stored, err := b.storeUploads(ctx, bucket)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	all := make([]storekit.StoreUpload, len(stored))
	for i, u := range stored {
		all[i] = storekit.StoreUpload{Key: u.Key, ID: u.UploadID, Initiated: u.Initiated}
	}
	staged, err := b.stager().Uploads(ctx, bucket)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	all = append(all, staged...)
	return storekit.ListUploads(bucket, q, all, func(id string) (storekit.Upload, error) {
		return b.readState(ctx, bucket, id)
	})
}
