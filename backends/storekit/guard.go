package storekit

import (
	"context"
	"io"
	"slices"

	"github.com/babelgate/babelgate/translate"
)

// guarded is the driver as the kit calls it: a call naming a bucket the
// driver's BucketChecker refuses never reaches the driver, and a Put
// larger than a BlockStore's largest block is staged as blocks and
// committed by the kit (putBlocks). It forwards the driver's optional
// interfaces (up, bs, pr, mu: nil when the driver lacks them, and then
// never called, as New checks against Abilities); an optional interface
// added to the Driver contract is forwarded here too.
type guarded struct {
	Driver
	up           Uploader
	bs           BlockStore
	pr           PartRanger
	mu           MetadataUpdater
	check        func(bucket string) error
	maxBlockSize int64
}

// newGuarded wraps d.
func newGuarded(d Driver) guarded {
	g := guarded{Driver: d, maxBlockSize: d.Abilities().MaxBlockSize}
	g.up, _ = d.(Uploader)
	g.bs, _ = d.(BlockStore)
	g.pr, _ = d.(PartRanger)
	g.mu, _ = d.(MetadataUpdater)
	if c, ok := d.(BucketChecker); ok {
		g.check = c.CheckBucket
	}
	return g
}

// ok is ErrNoSuchBucket for the first of buckets the driver refuses.
func (g guarded) ok(buckets ...string) error {
	for _, bk := range buckets {
		if g.check != nil && g.check(bk) != nil {
			return &translate.Error{Code: translate.ErrNoSuchBucket, Bucket: bk}
		}
	}
	return nil
}

// guard runs call unless err (a refused bucket) is set.
func guard[T any](err error, call func() (T, error)) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return call()
}

func (g guarded) CreateBucket(ctx context.Context, bucket string) error {
	if g.check != nil {
		if err := g.check(bucket); err != nil {
			return err
		}
	}
	return g.Driver.CreateBucket(ctx, bucket)
}

func (g guarded) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	return guard(g.ok(bucket), func() (translate.BucketInfo, error) { return g.Driver.HeadBucket(ctx, bucket) })
}

func (g guarded) DeleteBucket(ctx context.Context, bucket string) error {
	_, err := guard(g.ok(bucket), func() (any, error) { return nil, g.Driver.DeleteBucket(ctx, bucket) })
	return err
}

func (g guarded) Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	return guard(g.ok(bucket), func() (translate.ObjectInfo, error) { return g.Driver.Head(ctx, bucket, key) })
}

func (g guarded) Get(ctx context.Context, bucket, key string, rng *translate.Range) (io.ReadCloser, translate.ObjectInfo, error) {
	if err := g.ok(bucket); err != nil {
		return nil, translate.ObjectInfo{}, err
	}
	return g.Driver.Get(ctx, bucket, key, rng)
}

func (g guarded) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts PutOptions) (string, error) {
	return guard(g.ok(bucket), func() (string, error) {
		if g.bs != nil && size > g.maxBlockSize {
			return putBlocks(ctx, g, bucket, key, body, size, opts)
		}
		return g.Driver.Put(ctx, bucket, key, body, size, opts)
	})
}

func (g guarded) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts PutOptions) (string, error) {
	return guard(g.ok(srcBucket, dstBucket), func() (string, error) {
		return g.Driver.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey, opts)
	})
}

func (g guarded) Delete(ctx context.Context, bucket string, keys []string) error {
	_, err := guard(g.ok(bucket), func() (any, error) { return nil, g.Driver.Delete(ctx, bucket, keys) })
	return err
}

// List drops what the store returned up to req.StartAfter (a store paging
// by opaque tokens may ignore where to start: Azurite ignores Azure's
// startFrom) and reads on past a page so left empty that the store says
// is truncated, by its token.
func (g guarded) List(ctx context.Context, bucket string, req ListRequest) (ListResult, error) {
	if err := g.ok(bucket); err != nil {
		return ListResult{}, err
	}
	for {
		res, err := g.Driver.List(ctx, bucket, req)
		if err != nil {
			return res, err
		}
		upTo := func(k string) bool { return k <= req.StartAfter }
		res.Objects = slices.DeleteFunc(res.Objects, func(o translate.ObjectInfo) bool { return upTo(o.Key) })
		res.Prefixes = slices.DeleteFunc(res.Prefixes, upTo)
		if !res.Truncated || res.NextToken == "" || len(res.Objects)+len(res.Prefixes) > 0 {
			return res, nil
		}
		req.Token = res.NextToken
	}
}

func (g guarded) CreateUpload(ctx context.Context, bucket, key string, opts PutOptions) (string, error) {
	return guard(g.ok(bucket), func() (string, error) { return g.up.CreateUpload(ctx, bucket, key, opts) })
}

func (g guarded) UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, opts PutOptions) (string, error) {
	return guard(g.ok(bucket), func() (string, error) { return g.up.UploadPart(ctx, bucket, key, id, n, body, size, opts) })
}

func (g guarded) CopyPart(ctx context.Context, bucket, key, id string, n int, srcKey string, size int64) (string, error) {
	return guard(g.ok(bucket), func() (string, error) { return g.up.CopyPart(ctx, bucket, key, id, n, srcKey, size) })
}

func (g guarded) CompleteUpload(ctx context.Context, bucket, key, id string, parts []Part, opts PutOptions) (string, error) {
	return guard(g.ok(bucket), func() (string, error) { return g.up.CompleteUpload(ctx, bucket, key, id, parts, opts) })
}

func (g guarded) AbortUpload(ctx context.Context, bucket, key, id string) error {
	_, err := guard(g.ok(bucket), func() (any, error) { return nil, g.up.AbortUpload(ctx, bucket, key, id) })
	return err
}

func (g guarded) ListParts(ctx context.Context, bucket, key, id string, after, max int) (PartsResult, error) {
	return guard(g.ok(bucket), func() (PartsResult, error) { return g.up.ListParts(ctx, bucket, key, id, after, max) })
}

func (g guarded) ListUploads(ctx context.Context, bucket, keyMarker, idMarker string) (UploadsResult, error) {
	return guard(g.ok(bucket), func() (UploadsResult, error) { return g.up.ListUploads(ctx, bucket, keyMarker, idMarker) })
}

func (g guarded) StageBlock(ctx context.Context, bucket, key, id string, body io.Reader, size int64, md5 []byte) error {
	_, err := guard(g.ok(bucket), func() (any, error) { return nil, g.bs.StageBlock(ctx, bucket, key, id, body, size, md5) })
	return err
}

func (g guarded) Blocks(ctx context.Context, bucket, key string) ([]Block, error) {
	return guard(g.ok(bucket), func() ([]Block, error) { return g.bs.Blocks(ctx, bucket, key) })
}

func (g guarded) CommitBlocks(ctx context.Context, bucket, key string, ids []string, opts PutOptions, etag string) (string, error) {
	return guard(g.ok(bucket), func() (string, error) { return g.bs.CommitBlocks(ctx, bucket, key, ids, opts, etag) })
}

func (g guarded) UpdateMetadata(ctx context.Context, bucket, key, storeETag string, meta translate.Metadata) error {
	_, err := guard(g.ok(bucket), func() (any, error) { return nil, g.mu.UpdateMetadata(ctx, bucket, key, storeETag, meta) })
	return err
}

func (g guarded) PartRange(ctx context.Context, bucket, key string, n int) (*translate.Range, int, error) {
	if err := g.ok(bucket); err != nil {
		return nil, 0, err
	}
	return g.pr.PartRange(ctx, bucket, key, n)
}

var (
	_ Driver          = guarded{}
	_ Uploader        = guarded{}
	_ BlockStore      = guarded{}
	_ PartRanger      = guarded{}
	_ MetadataUpdater = guarded{}
)
