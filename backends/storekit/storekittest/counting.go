// Package storekittest has what the tests of storekit's drivers share: a
// decorator that counts the calls the kit makes of a real driver (the
// store stays real), and RunKept, which checks against a real store how
// the kit keeps an object's values (storekit.KeptMeta, annexes) and how
// many store calls HEAD and GET make.
package storekittest

import (
	"context"
	"io"
	"maps"
	"sync"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Counting is a storekit.Driver that passes every call to D, counting
// calls by method name; the kit takes it as Driver() (with D's uploads or
// blocks). It is a storekit.MetadataUpdater and a storekit.PartRanger
// too, passing those on when D is one (declare them only when D does: the
// kit reads D's Abilities).
type Counting struct {
	D storekit.Driver
	// BeforeUpdate, when set, is called before each UpdateMetadata is
	// passed on: a test orders a concurrent write with it.
	BeforeUpdate func(bucket, key string)
	// UpdateErr, when set, is returned by UpdateMetadata instead of
	// passing the call on: a store that refuses the update.
	UpdateErr error

	mu    sync.Mutex
	calls map[string]int
}

// Count wraps d.
func Count(d storekit.Driver) *Counting { return &Counting{D: d, calls: map[string]int{}} }

func (c *Counting) count(name string) {
	c.mu.Lock()
	c.calls[name]++
	c.mu.Unlock()
}

// Calls returns the calls counted since the last Reset, by method name.
func (c *Counting) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// Reset forgets the calls counted.
func (c *Counting) Reset() {
	c.mu.Lock()
	c.calls = map[string]int{}
	c.mu.Unlock()
}

// Abilities and Classify are not store calls: not counted.
func (c *Counting) Abilities() storekit.Abilities     { return c.D.Abilities() }
func (c *Counting) Classify(err error) translate.Code { return c.D.Classify(err) }

func (c *Counting) ListBuckets(ctx context.Context) ([]translate.BucketInfo, error) {
	c.count("ListBuckets")
	return c.D.ListBuckets(ctx)
}

func (c *Counting) CreateBucket(ctx context.Context, bucket string) error {
	c.count("CreateBucket")
	return c.D.CreateBucket(ctx, bucket)
}

func (c *Counting) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	c.count("HeadBucket")
	return c.D.HeadBucket(ctx, bucket)
}

func (c *Counting) DeleteBucket(ctx context.Context, bucket string) error {
	c.count("DeleteBucket")
	return c.D.DeleteBucket(ctx, bucket)
}

func (c *Counting) Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	c.count("Head")
	return c.D.Head(ctx, bucket, key)
}

func (c *Counting) Get(ctx context.Context, bucket, key string, rng *translate.Range) (io.ReadCloser, translate.ObjectInfo, error) {
	c.count("Get")
	return c.D.Get(ctx, bucket, key, rng)
}

func (c *Counting) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts storekit.PutOptions) (string, error) {
	c.count("Put")
	return c.D.Put(ctx, bucket, key, body, size, opts)
}

func (c *Counting) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts storekit.PutOptions) (string, error) {
	c.count("Copy")
	return c.D.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey, opts)
}

func (c *Counting) Delete(ctx context.Context, bucket string, keys []string) error {
	c.count("Delete")
	return c.D.Delete(ctx, bucket, keys)
}

func (c *Counting) List(ctx context.Context, bucket string, req storekit.ListRequest) (storekit.ListResult, error) {
	c.count("List")
	return c.D.List(ctx, bucket, req)
}

// Driver is c as the kit takes it: with D's own multipart uploads
// (storekit.Uploader) or its blocks (storekit.BlockStore), as D has them,
// counted too.
func (c *Counting) Driver() storekit.Driver {
	if _, ok := c.D.(storekit.BlockStore); ok {
		return countingBlocks{c}
	}
	return countingUploads{c}
}

// countingUploads counts the calls of D's storekit.Uploader.
type countingUploads struct{ *Counting }

func (c countingUploads) up() storekit.Uploader { return c.D.(storekit.Uploader) }

func (c countingUploads) CreateUpload(ctx context.Context, bucket, key string, opts storekit.PutOptions) (string, error) {
	c.count("CreateUpload")
	return c.up().CreateUpload(ctx, bucket, key, opts)
}

func (c countingUploads) UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, opts storekit.PutOptions) (string, error) {
	c.count("UploadPart")
	return c.up().UploadPart(ctx, bucket, key, id, n, body, size, opts)
}

func (c countingUploads) CopyPart(ctx context.Context, bucket, key, id string, n int, srcKey string, size int64) (string, error) {
	c.count("CopyPart")
	return c.up().CopyPart(ctx, bucket, key, id, n, srcKey, size)
}

func (c countingUploads) CompleteUpload(ctx context.Context, bucket, key, id string, parts []storekit.Part, opts storekit.PutOptions) (string, error) {
	c.count("CompleteUpload")
	return c.up().CompleteUpload(ctx, bucket, key, id, parts, opts)
}

func (c countingUploads) AbortUpload(ctx context.Context, bucket, key, id string) error {
	c.count("AbortUpload")
	return c.up().AbortUpload(ctx, bucket, key, id)
}

func (c countingUploads) ListParts(ctx context.Context, bucket, key, id string, after, max int) (storekit.PartsResult, error) {
	c.count("ListParts")
	return c.up().ListParts(ctx, bucket, key, id, after, max)
}

func (c countingUploads) ListUploads(ctx context.Context, bucket, keyMarker, idMarker string) (storekit.UploadsResult, error) {
	c.count("ListUploads")
	return c.up().ListUploads(ctx, bucket, keyMarker, idMarker)
}

// countingBlocks counts the calls of D's storekit.BlockStore.
type countingBlocks struct{ *Counting }

func (c countingBlocks) bs() storekit.BlockStore { return c.D.(storekit.BlockStore) }

func (c countingBlocks) StageBlock(ctx context.Context, bucket, key, id string, body io.Reader, size int64, md5 []byte) error {
	c.count("StageBlock")
	return c.bs().StageBlock(ctx, bucket, key, id, body, size, md5)
}

func (c countingBlocks) Blocks(ctx context.Context, bucket, key string) ([]storekit.Block, error) {
	c.count("Blocks")
	return c.bs().Blocks(ctx, bucket, key)
}

func (c countingBlocks) CommitBlocks(ctx context.Context, bucket, key string, ids []string, opts storekit.PutOptions, etag string) (string, error) {
	c.count("CommitBlocks")
	return c.bs().CommitBlocks(ctx, bucket, key, ids, opts, etag)
}

// PartRange implements storekit.PartRanger through D.
func (c *Counting) PartRange(ctx context.Context, bucket, key string, n int) (*translate.Range, int, error) {
	c.count("PartRange")
	return c.D.(storekit.PartRanger).PartRange(ctx, bucket, key, n)
}

// UpdateMetadata implements storekit.MetadataUpdater through D, after
// BeforeUpdate, or fails with UpdateErr.
func (c *Counting) UpdateMetadata(ctx context.Context, bucket, key, storeETag string, meta translate.Metadata) error {
	c.count("UpdateMetadata")
	if c.BeforeUpdate != nil {
		c.BeforeUpdate(bucket, key)
	}
	if c.UpdateErr != nil {
		return c.UpdateErr
	}
	return c.D.(storekit.MetadataUpdater).UpdateMetadata(ctx, bucket, key, storeETag, meta)
}

var (
	_ storekit.Driver          = (*Counting)(nil)
	_ storekit.PartRanger      = (*Counting)(nil)
	_ storekit.MetadataUpdater = (*Counting)(nil)
	_ storekit.Uploader        = countingUploads{}
	_ storekit.BlockStore      = countingBlocks{}
)
