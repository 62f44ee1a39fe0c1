package s3

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Staging (storestate's staged uploads, run by storekit.Stager) serves
// clients whose minimum part is smaller than the store's: an upload
// created with UploadInfo.FrontMinPartSize below Options.MinPartSize
// keeps its parts as objects under its state directory and gets a store
// upload only at Complete, assembled from store-sized groups of parts.
// This file is the Stager's storekit.Store over the S3 API.

// restreamed counts the bytes Complete streamed through the gateway a
// second time (staged parts concatenated into store parts).
var restreamed atomic.Int64

// RestreamedBytes returns how many bytes this process's s3 backends have
// streamed a second time to assemble staged parts into store parts, since
// start. Parts copied server-side are not counted.
func RestreamedBytes() int64 { return restreamed.Load() }

// stager returns the backend's staging flow.
func (b *Backend) stager() *storekit.Stager {
	return &storekit.Stager{Name: "s3", Store: store{b}, MinPartSize: b.opts.MinPartSize, Restreamed: &restreamed}
}

// getAnnex returns the content of the annex object annexKey, at most
// storekit.MaxStateSize bytes; ErrNoSuchKey when there is none.
func (b *Backend) getAnnex(ctx context.Context, bucket, annexKey string) ([]byte, error) {
	return store{b}.GetSmall(ctx, bucket, annexKey)
}

// store is storekit.Store over the backend's S3 client.
type store struct{ b *Backend }

var _ storekit.Store = store{}

func (s store) PutSmall(ctx context.Context, bucket, key string, data []byte) error {
	return s.b.putSmall(ctx, bucket, key, data)
}

func (s store) PutStream(ctx context.Context, bucket, key string, number int, body *translate.Body) (translate.Sums, error) {
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body,
		ContentLength: aws.Int64(body.Size()), ContentMD5: md5Header(body)}
	if body.Size() == 0 {
		if _, err := io.Copy(io.Discard, body); err != nil {
			return translate.Sums{}, err
		}
		in.Body = http.NoBody
	}
	if _, err := s.b.client.PutObject(ctx, in, streaming); err != nil {
		return translate.Sums{}, mapError(err, bucket, "")
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.Sums{}, errf(nil, "store accepted staged part %d before the body ended", number)
	}
	return sums, nil
}

func (s store) GetSmall(ctx context.Context, bucket, key string) ([]byte, error) {
	ctx, cancel := s.b.timeout(ctx)
	defer cancel()
	out, err := s.b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, mapError(err, bucket, key)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, storekit.MaxStateSize))
	return data, mapError(err, bucket, key)
}

func (s store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := s.b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, mapError(err, bucket, key)
	}
	return mappedBody{out.Body, bucket}, nil
}

// mappedBody maps the errors of a store object's body, but io.EOF.
type mappedBody struct {
	io.ReadCloser
	bucket string
}

func (m mappedBody) Read(p []byte) (int, error) {
	n, err := m.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = mapError(err, m.bucket, "")
	}
	return n, err
}

func (s store) Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	info, err := s.b.storeHead(ctx, bucket, key)
	return info, err
}

func (s store) List(ctx context.Context, bucket, prefix string, fn func(key string)) error {
	return s.b.eachKey(ctx, bucket, prefix, fn)
}

func (s store) Delete(ctx context.Context, bucket, key string) error {
	ctx, cancel := s.b.timeout(ctx)
	defer cancel()
	_, err := s.b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return mapError(err, bucket, key)
}

func (s store) DeletePrefix(ctx context.Context, bucket, prefix string) error {
	return s.b.deletePrefix(ctx, bucket, prefix)
}

func (s store) ReadState(ctx context.Context, bucket, id string) (storekit.Upload, error) {
	return s.b.readState(ctx, bucket, id)
}

func (s store) Buckets(ctx context.Context) ([]string, error) {
	all, err := s.b.ListBuckets(ctx)
	names := make([]string, len(all))
	for i, bk := range all {
		names[i] = bk.Name
	}
	return names, err
}

func (s store) CreateUpload(ctx context.Context, bucket, key string, m translate.Metadata) (string, error) {
	return s.b.createStoreUpload(ctx, bucket, key, m)
}

func (s store) UploadPart(ctx context.Context, bucket, key, uploadID string, n int, r io.Reader, size int64) (string, error) {
	in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
		PartNumber: aws.Int32(int32(n)), Body: r, ContentLength: aws.Int64(size)}
	if size == 0 {
		in.Body = http.NoBody
	}
	out, err := s.b.client.UploadPart(ctx, in, streaming)
	if err != nil {
		return "", mapError(err, bucket, key)
	}
	return aws.ToString(out.ETag), nil
}

func (s store) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, n int, srcKey string, size int64) (string, error) {
	out, err := s.b.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(uploadID), PartNumber: aws.Int32(int32(n)),
		CopySource: aws.String(copySource(bucket, srcKey))})
	if err != nil {
		return "", mapError(err, bucket, key)
	}
	if out.CopyPartResult == nil {
		return "", errf(nil, "UploadPartCopy returned no result")
	}
	return aws.ToString(out.CopyPartResult.ETag), nil
}

func (s store) CompleteUpload(ctx context.Context, bucket, key, uploadID string, etags []string, cond translate.WriteCond) (string, error) {
	parts := make([]types.CompletedPart, len(etags))
	for i, etag := range etags {
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(etag)}
	}
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(uploadID), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
	in.IfNoneMatch, in.IfMatch = condHeaders(cond)
	out, err := s.b.client.CompleteMultipartUpload(ctx, in)
	if err != nil {
		return "", mapError(err, bucket, key)
	}
	return unquote(out.ETag), nil
}

func (s store) AbortUpload(ctx context.Context, bucket, key, uploadID string) {
	ctx, cancel := s.b.timeout(ctx)
	defer cancel()
	s.b.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID)})
}

// putSmall stores data as key.
func (b *Backend) putSmall(ctx context.Context, bucket, key string, data []byte) error {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	return mapError(err, bucket, key)
}
