package s3

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

func (d *driver) CreateUpload(ctx context.Context, bucket, key string, o storekit.PutOptions) (string, error) {
	m := o.Metadata
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), Metadata: m.User, Expires: expires(m),
		WebsiteRedirectLocation: storekit.NonEmpty(m.WebsiteRedirectLocation)}
	setMeta(m, &in.ContentType, &in.ContentEncoding, &in.ContentDisposition, &in.ContentLanguage, &in.CacheControl)
	out, err := d.client.CreateMultipartUpload(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.UploadId), nil
}

func (d *driver) UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, o storekit.PutOptions) (string, error) {
	in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		PartNumber: aws.Int32(int32(n)), Body: body, ContentLength: aws.Int64(size), ContentMD5: md5Header(o.ContentMD5)}
	sums(o.Checksums, &in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256)
	out, err := d.client.UploadPart(ctx, in, streaming)
	if err != nil {
		return "", err
	}
	return unquote(out.ETag), nil
}

func (d *driver) CopyPart(ctx context.Context, bucket, key, id string, n int, srcKey string, size int64) (string, error) {
	out, err := d.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(id), PartNumber: aws.Int32(int32(n)), CopySource: aws.String(copySource(bucket, srcKey))})
	if err != nil {
		return "", err
	}
	if out.CopyPartResult == nil {
		return "", translate.Errorf(translate.ErrInternal, "s3 backend: UploadPartCopy returned no result")
	}
	return unquote(out.CopyPartResult.ETag), nil
}

func (d *driver) CompleteUpload(ctx context.Context, bucket, key, id string, parts []storekit.Part, o storekit.PutOptions) (string, error) {
	cp := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		cp[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(`"` + p.ETag + `"`)}
	}
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: cp}}
	in.IfNoneMatch, in.IfMatch = condHeaders(o.Cond)
	out, err := d.client.CompleteMultipartUpload(ctx, in)
	if err != nil {
		return "", err
	}
	return unquote(out.ETag), nil
}

func (d *driver) AbortUpload(ctx context.Context, bucket, key, id string) error {
	_, err := d.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id)})
	return err
}

func (d *driver) ListParts(ctx context.Context, bucket, key, id string, after, max int) (storekit.PartsResult, error) {
	in := &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id), MaxParts: aws.Int32(int32(max))}
	if after > 0 {
		in.PartNumberMarker = aws.String(fmt.Sprint(after))
	}
	out, err := d.client.ListParts(ctx, in)
	if err != nil {
		return storekit.PartsResult{}, err
	}
	res := storekit.PartsResult{Truncated: aws.ToBool(out.IsTruncated)}
	for _, p := range out.Parts {
		res.Parts = append(res.Parts, translate.PartInfo{Number: int(aws.ToInt32(p.PartNumber)), Size: aws.ToInt64(p.Size),
			ETag: unquote(p.ETag), LastModified: aws.ToTime(p.LastModified),
			Checksum: storeChecksums(p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256)})
	}
	return res, nil
}

func (d *driver) ListUploads(ctx context.Context, bucket, keyMarker, idMarker string) (storekit.UploadsResult, error) {
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), MaxUploads: aws.Int32(1000),
		KeyMarker: storekit.NonEmpty(keyMarker), UploadIdMarker: storekit.NonEmpty(idMarker)}
	out, err := d.client.ListMultipartUploads(ctx, in)
	if err != nil {
		return storekit.UploadsResult{}, err
	}
	res := storekit.UploadsResult{Truncated: aws.ToBool(out.IsTruncated),
		NextKeyMarker: aws.ToString(out.NextKeyMarker), NextIDMarker: aws.ToString(out.NextUploadIdMarker)}
	for _, u := range out.Uploads {
		res.Uploads = append(res.Uploads, storekit.StoreUpload{Key: aws.ToString(u.Key), ID: aws.ToString(u.UploadId), Initiated: aws.ToTime(u.Initiated)})
	}
	return res, nil
}
