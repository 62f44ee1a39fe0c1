package oss

import (
	"context"
	"io"
	"strconv"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// imur is the SDK's handle of an upload.
func imur(bucket, key, id string) oss.InitiateMultipartUploadResult {
	return oss.InitiateMultipartUploadResult{Bucket: bucket, Key: key, UploadID: id}
}

func (d *driver) CreateUpload(ctx context.Context, bucket, key string, o storekit.PutOptions) (string, error) {
	res, err := d.bucket(bucket).InitiateMultipartUpload(key, append(metaOptions(o.Metadata), oss.WithContext(ctx))...)
	return res.UploadID, err
}

// UploadPart makes the request directly: Bucket.DoUploadPart would wrap
// even an empty body in a reader, which Go's transport then sends chunked.
func (d *driver) UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, o storekit.PutOptions) (string, error) {
	params := map[string]any{"partNumber": strconv.Itoa(n), "uploadId": id}
	resp, err := d.bucket(bucket).Do("PUT", key, params, writeOptions(ctx, size, o.ContentMD5), bodyReader(body, size), nil)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return unquote(resp.Headers.Get("ETag")), nil
}

func (d *driver) CopyPart(ctx context.Context, bucket, key, id string, n int, srcKey string, size int64) (string, error) {
	part, err := d.bucket(bucket).UploadPartCopy(imur(bucket, key, id), bucket, srcKey, 0, size, n, oss.WithContext(ctx))
	return unquote(part.ETag), err
}

func (d *driver) CompleteUpload(ctx context.Context, bucket, key, id string, parts []storekit.Part, o storekit.PutOptions) (string, error) {
	up := make([]oss.UploadPart, len(parts))
	for i, p := range parts {
		up[i] = oss.UploadPart{PartNumber: p.Number, ETag: `"` + p.ETag + `"`}
	}
	out, err := d.bucket(bucket).CompleteMultipartUpload(imur(bucket, key, id), up, append(condOptions(o.Cond), oss.WithContext(ctx))...)
	return unquote(out.ETag), err
}

func (d *driver) AbortUpload(ctx context.Context, bucket, key, id string) error {
	return d.bucket(bucket).AbortMultipartUpload(imur(bucket, key, id), oss.WithContext(ctx))
}

// ListParts reports no checksum of a part: OSS keeps its CRC-64 only per
// object.
func (d *driver) ListParts(ctx context.Context, bucket, key, id string, after, max int) (storekit.PartsResult, error) {
	opts := []oss.Option{oss.MaxParts(max), oss.WithContext(ctx)}
	if after > 0 {
		opts = append(opts, oss.PartNumberMarker(after))
	}
	res, err := d.bucket(bucket).ListUploadedParts(imur(bucket, key, id), opts...)
	if err != nil {
		return storekit.PartsResult{}, err
	}
	out := storekit.PartsResult{Truncated: res.IsTruncated}
	for _, p := range res.UploadedParts {
		out.Parts = append(out.Parts, translate.PartInfo{Number: p.PartNumber, Size: int64(p.Size), ETag: unquote(p.ETag),
			LastModified: p.LastModified})
	}
	return out, nil
}

func (d *driver) ListUploads(ctx context.Context, bucket, keyMarker, idMarker string) (storekit.UploadsResult, error) {
	opts := []oss.Option{oss.MaxUploads(1000), oss.WithContext(ctx)}
	if keyMarker != "" {
		opts = append(opts, oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker))
	}
	res, err := d.bucket(bucket).ListMultipartUploads(opts...)
	if err != nil {
		return storekit.UploadsResult{}, err
	}
	out := storekit.UploadsResult{Truncated: res.IsTruncated, NextKeyMarker: res.NextKeyMarker, NextIDMarker: res.NextUploadIDMarker}
	for _, u := range res.Uploads {
		out.Uploads = append(out.Uploads, storekit.StoreUpload{Key: u.Key, ID: u.UploadID, Initiated: u.Initiated})
	}
	return out, nil
}
