package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// ListObjects implements translate.Backend: storekit.Lister over the
// store's ListObjectsV2, paged by start-after rather than by continuation
// token since stores differ in how their tokens treat common prefixes
// (MinIO repeats them). Objects assembled from staged parts are listed
// with the client's ETag, from their annex (storekit.ApplyListedAnnexes).
func (b *Backend) ListObjects(ctx context.Context, bucket string, q translate.ListQuery) (translate.ListPage, error) {
	if q.MaxKeys == 0 {
		_, err := b.HeadBucket(ctx, bucket)
		return translate.ListPage{}, err
	}
	l := storekit.NewLister(q)
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(int32(l.PageSize()))}
	if q.Prefix != "" {
		in.Prefix = aws.String(q.Prefix)
	}
	if q.Delimiter != "" {
		in.Delimiter = aws.String(q.Delimiter)
	}
	for {
		in.StartAfter = nil
		if after := l.StartAfter(); after != "" {
			in.StartAfter = aws.String(after)
		}
		cctx, cancel := b.timeout(ctx)
		out, err := b.client.ListObjectsV2(cctx, in)
		cancel()
		if err != nil {
			return translate.ListPage{}, mapError(err, bucket, "")
		}
		objs := make([]translate.ObjectInfo, len(out.Contents))
		for i, o := range out.Contents {
			objs[i] = translate.ObjectInfo{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size),
				ETag: unquote(o.ETag), LastModified: aws.ToTime(o.LastModified)}
		}
		cps := make([]string, len(out.CommonPrefixes))
		for i, p := range out.CommonPrefixes {
			cps[i] = aws.ToString(p.Prefix)
		}
		done, err := l.Add(objs, cps, aws.ToBool(out.IsTruncated))
		if err != nil {
			return translate.ListPage{}, errf(err, "listing %s", bucket)
		}
		if done {
			page := l.Page()
			err := storekit.ApplyListedAnnexes(ctx, page.Objects, func(ctx context.Context, key string) ([]byte, error) {
				return b.getAnnex(ctx, bucket, key)
			})
			if err != nil {
				return translate.ListPage{}, err
			}
			return page, nil
		}
	}
}

// ListMultipartUploads implements translate.Backend. Stores differ in how
// much of ListMultipartUploads they implement (MinIO ignores prefix,
// delimiter and markers), so the gateway lists the store's uploads whole and
// storekit.ListUploads applies the neutral query, reading each listed
// upload's state.
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string, q translate.UploadsQuery) (translate.UploadsPage, error) {
	var all []storekit.StoreUpload
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)}
	for {
		cctx, cancel := b.timeout(ctx)
		out, err := b.client.ListMultipartUploads(cctx, in)
		cancel()
		if err != nil {
			return translate.UploadsPage{}, mapError(err, bucket, "")
		}
		for _, u := range out.Uploads {
			all = append(all, storekit.StoreUpload{Key: aws.ToString(u.Key), ID: aws.ToString(u.UploadId), Initiated: aws.ToTime(u.Initiated)})
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextKeyMarker) == "" {
			break
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
	staged, err := b.stager().Uploads(ctx, bucket)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	all = append(all, staged...)
	return storekit.ListUploads(bucket, q, all, func(id string) (storekit.Upload, error) {
		st, err := b.readState(ctx, bucket, id)
		if err != nil {
			// This backend has always left out an upload whose state it
			// cannot read, whatever the reason.
			return st, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Err: err}
		}
		return st, nil
	})
}
