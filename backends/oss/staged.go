package oss

import (
	"context"
	"io"
	"strconv"
	"sync/atomic"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Staging (storestate's staged uploads, run by storekit.Stager) serves
// clients whose minimum part is smaller than the store's (an
// OSS-compatible store configured with a min_part_size above OSS's
// 100 KB): an upload created with UploadInfo.FrontMinPartSize below
// Options.MinPartSize keeps its parts as objects under its state
// directory and gets a store upload only at Complete, assembled from
// store-sized groups of parts. This file is the Stager's storekit.Store
// over the OSS SDK.

// restreamed counts the bytes staged Completes streamed a second time.
var restreamed atomic.Int64

// RestreamedBytes returns how many bytes this process's oss backends have
// streamed a second time to assemble staged parts into store parts, since
// start. Parts copied server-side are not counted.
func RestreamedBytes() int64 { return restreamed.Load() }

// stager returns the backend's staging flow.
func (b *Backend) stager() *storekit.Stager {
	return &storekit.Stager{Name: "oss", Store: store{b}, MinPartSize: b.opts.MinPartSize, Restreamed: &restreamed}
}

// readAnnex applies key's annex to info when it matches the store's
// object (as storekit.Stager.ReadAnnex does), reusing bk.
func (b *Backend) readAnnex(ctx context.Context, bk *oss.Bucket, bucket string, info *translate.ObjectInfo) error {
	data, err := b.getAnnex(ctx, bk, bucket, storekit.AnnexKey(info.Key))
	if translate.CodeOf(err) == translate.ErrNoSuchKey {
		return nil
	}
	if err != nil {
		return err
	}
	storekit.ApplyAnnex(data, info)
	return nil
}

// getAnnex returns the content of the annex object annexKey, at most
// storekit.MaxStateSize bytes; ErrNoSuchKey when there is none.
func (b *Backend) getAnnex(ctx context.Context, bk *oss.Bucket, bucket, annexKey string) ([]byte, error) {
	var data []byte
	err := b.retry(ctx, func(ctx context.Context) error {
		r, err := bk.GetObject(annexKey, oss.WithContext(ctx))
		if err != nil {
			return mapError(err, bucket, annexKey)
		}
		defer r.Close()
		data, err = io.ReadAll(io.LimitReader(r, storekit.MaxStateSize))
		return mapError(err, bucket, annexKey)
	})
	return data, err
}

// storeHead describes key as the store holds it (no annex applied).
func (b *Backend) storeHead(ctx context.Context, bk *oss.Bucket, bucket, key string) (translate.ObjectInfo, error) {
	var info translate.ObjectInfo
	err := b.retry(ctx, func(ctx context.Context) error {
		h, err := bk.GetObjectDetailedMeta(key, oss.WithContext(ctx))
		if err == nil {
			info = infoFromHeader(key, h)
		}
		return mapError(err, bucket, key)
	})
	return info, err
}

// store is storekit.Store over the backend's OSS client.
type store struct{ b *Backend }

var _ storekit.Store = store{}

func (s store) PutSmall(ctx context.Context, bucket, key string, data []byte) error {
	return s.b.putSmall(ctx, bucket, key, data)
}

func (s store) PutStream(ctx context.Context, bucket, key string, number int, body *translate.Body) (translate.Sums, error) {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return translate.Sums{}, err
	}
	r, tracked, err := streamBody(body)
	if err != nil {
		return translate.Sums{}, err
	}
	opts := append([]oss.Option{oss.ContentType(defaultContentType)}, writeOptions(ctx, body)...)
	resp, err := bk.DoPutObject(&oss.PutObjectRequest{ObjectKey: key, Reader: r}, opts)
	if err != nil {
		return translate.Sums{}, bodyError(tracked, err, bucket, "")
	}
	resp.Body.Close()
	return finishedSums(body, resp.Headers, "staged part")
}

func (s store) GetSmall(ctx context.Context, bucket, key string) ([]byte, error) {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return nil, err
	}
	return s.b.getAnnex(ctx, bk, bucket, key)
}

func (s store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return nil, err
	}
	body, err := bk.GetObject(key, oss.WithContext(ctx))
	if err != nil {
		return nil, mapError(err, bucket, key)
	}
	return mappedBody{body, bucket}, nil
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
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	return s.b.storeHead(ctx, bk, bucket, key)
}

func (s store) List(ctx context.Context, bucket, prefix string, fn func(key string)) error {
	return s.b.eachKey(ctx, bucket, prefix, fn)
}

func (s store) Delete(ctx context.Context, bucket, key string) error {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return err
	}
	return s.b.retry(ctx, func(ctx context.Context) error {
		return mapError(bk.DeleteObject(key, oss.WithContext(ctx)), bucket, key)
	})
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
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return "", err
	}
	cctx, cancel := s.b.timeout(ctx)
	defer cancel()
	res, err := bk.InitiateMultipartUpload(key, append(metaOptions(m), oss.WithContext(cctx))...)
	if err != nil {
		return "", mapError(err, bucket, key)
	}
	return res.UploadID, nil
}

func (s store) UploadPart(ctx context.Context, bucket, key, uploadID string, n int, r io.Reader, size int64) (string, error) {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return "", err
	}
	var body io.Reader // nil for an empty part: see streamBody
	if size > 0 {
		body = &io.LimitedReader{R: r, N: size}
	}
	params := map[string]any{"partNumber": strconv.Itoa(n), "uploadId": uploadID}
	resp, err := bk.Do("PUT", key, params, []oss.Option{oss.WithContext(ctx), oss.ContentLength(size)}, body, nil)
	if err != nil {
		return "", mapError(err, bucket, key)
	}
	resp.Body.Close()
	return resp.Headers.Get("ETag"), nil
}

func (s store) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, n int, srcKey string, size int64) (string, error) {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return "", err
	}
	up := imur(bucket, key, uploadID)
	var part oss.UploadPart
	err = s.b.retry(ctx, func(ctx context.Context) error {
		var err error
		part, err = bk.UploadPartCopy(up, bucket, srcKey, 0, size, n, oss.WithContext(ctx))
		return mapError(err, bucket, key)
	})
	return part.ETag, err
}

func (s store) CompleteUpload(ctx context.Context, bucket, key, uploadID string, etags []string, cond translate.WriteCond) (string, error) {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return "", err
	}
	parts := make([]oss.UploadPart, len(etags))
	for i, etag := range etags {
		parts[i] = oss.UploadPart{PartNumber: i + 1, ETag: etag}
	}
	out, err := bk.CompleteMultipartUpload(imur(bucket, key, uploadID), parts, append(condOptions(cond), oss.WithContext(ctx))...)
	if err != nil {
		return "", mapError(err, bucket, key)
	}
	return unquote(out.ETag), nil
}

func (s store) AbortUpload(ctx context.Context, bucket, key, uploadID string) {
	bk, err := s.b.bucket(bucket, false)
	if err != nil {
		return
	}
	ctx, cancel := s.b.timeout(ctx)
	defer cancel()
	bk.AbortMultipartUpload(imur(bucket, key, uploadID), oss.WithContext(ctx))
}
