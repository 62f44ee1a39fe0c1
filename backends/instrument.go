package backends

import (
	"context"
	"io"
	"time"

	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// Prober is an optional Backend ability: a cheap call that proves the
// store answers (readiness). A backend without it is probed with
// ListBuckets.
type Prober interface {
	Probe(ctx context.Context) error
}

// Probe asks b whether its store answers: b's own Probe when it has one,
// else ListBuckets. The caller bounds it with ctx.
func Probe(ctx context.Context, b translate.Backend) error {
	if p, ok := b.(Prober); ok {
		return p.Probe(ctx)
	}
	_, err := b.ListBuckets(ctx)
	return err
}

// Instrument returns b wrapped so that every call is counted in
// metrics.BackendCalls (by name, method and outcome) and timed in
// metrics.BackendDuration. The wrapper keeps b's optional abilities
// visible: it is a translate.PartLocator when b is one, a
// translate.ConditionalWriter that answers as b would, and an io.Closer
// and a Prober that reach b's (neither probe nor close is counted).
// GetObject is timed until the object is open, not while it is read.
func Instrument(name string, b translate.Backend) translate.Backend {
	ib := &instrumented{name: name, b: b}
	if pl, ok := b.(translate.PartLocator); ok {
		return &instrumentedLocator{instrumented: ib, pl: pl}
	}
	return ib
}

type instrumented struct {
	name string
	b    translate.Backend
}

// observe records one call of op that began at start and ended with *err.
func (i *instrumented) observe(op string, start time.Time, err *error) {
	outcome := "ok"
	if *err != nil {
		outcome = translate.CodeOf(*err).String()
	}
	metrics.BackendCalls.WithLabelValues(i.name, op, outcome).Inc()
	metrics.BackendDuration.WithLabelValues(i.name, op).Observe(time.Since(start).Seconds())
}

func (i *instrumented) Probe(ctx context.Context) error { return Probe(ctx, i.b) }

func (i *instrumented) Close() error {
	if c, ok := i.b.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (i *instrumented) ListBuckets(ctx context.Context) (_ []translate.BucketInfo, err error) {
	defer i.observe("ListBuckets", time.Now(), &err)
	return i.b.ListBuckets(ctx)
}

func (i *instrumented) CreateBucket(ctx context.Context, bucket string) (err error) {
	defer i.observe("CreateBucket", time.Now(), &err)
	return i.b.CreateBucket(ctx, bucket)
}

func (i *instrumented) HeadBucket(ctx context.Context, bucket string) (_ translate.BucketInfo, err error) {
	defer i.observe("HeadBucket", time.Now(), &err)
	return i.b.HeadBucket(ctx, bucket)
}

func (i *instrumented) DeleteBucket(ctx context.Context, bucket string) (err error) {
	defer i.observe("DeleteBucket", time.Now(), &err)
	return i.b.DeleteBucket(ctx, bucket)
}

func (i *instrumented) ListObjects(ctx context.Context, bucket string, q translate.ListQuery) (_ translate.ListPage, err error) {
	defer i.observe("ListObjects", time.Now(), &err)
	return i.b.ListObjects(ctx, bucket, q)
}

func (i *instrumented) HeadObject(ctx context.Context, bucket, key string) (_ translate.ObjectInfo, err error) {
	defer i.observe("HeadObject", time.Now(), &err)
	return i.b.HeadObject(ctx, bucket, key)
}

func (i *instrumented) GetObject(ctx context.Context, bucket, key string, rng *translate.Range) (_ *translate.Object, err error) {
	defer i.observe("GetObject", time.Now(), &err)
	return i.b.GetObject(ctx, bucket, key, rng)
}

func (i *instrumented) PutObject(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata) (_ translate.ObjectInfo, err error) {
	defer i.observe("PutObject", time.Now(), &err)
	return i.b.PutObject(ctx, bucket, key, body, meta)
}

func (i *instrumented) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata) (_ translate.ObjectInfo, err error) {
	defer i.observe("CopyObject", time.Now(), &err)
	return i.b.CopyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta)
}

func (i *instrumented) DeleteObject(ctx context.Context, bucket, key string) (err error) {
	defer i.observe("DeleteObject", time.Now(), &err)
	return i.b.DeleteObject(ctx, bucket, key)
}

func (i *instrumented) CreateMultipartUpload(ctx context.Context, info translate.UploadInfo) (_ string, err error) {
	defer i.observe("CreateMultipartUpload", time.Now(), &err)
	return i.b.CreateMultipartUpload(ctx, info)
}

func (i *instrumented) GetMultipartUpload(ctx context.Context, bucket, key, uploadID string) (_ translate.UploadInfo, err error) {
	defer i.observe("GetMultipartUpload", time.Now(), &err)
	return i.b.GetMultipartUpload(ctx, bucket, key, uploadID)
}

func (i *instrumented) UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body *translate.Body) (_ translate.PartInfo, err error) {
	defer i.observe("UploadPart", time.Now(), &err)
	return i.b.UploadPart(ctx, bucket, key, uploadID, number, body)
}

func (i *instrumented) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, number int, srcBucket, srcKey string, rng *translate.Range, algs []translate.ChecksumAlgorithm) (_ translate.PartInfo, err error) {
	defer i.observe("UploadPartCopy", time.Now(), &err)
	return i.b.UploadPartCopy(ctx, bucket, key, uploadID, number, srcBucket, srcKey, rng, algs)
}

func (i *instrumented) ListParts(ctx context.Context, bucket, key, uploadID string, after, max int) (_ translate.PartsPage, err error) {
	defer i.observe("ListParts", time.Now(), &err)
	return i.b.ListParts(ctx, bucket, key, uploadID, after, max)
}

func (i *instrumented) ListMultipartUploads(ctx context.Context, bucket string, q translate.UploadsQuery) (_ translate.UploadsPage, err error) {
	defer i.observe("ListMultipartUploads", time.Now(), &err)
	return i.b.ListMultipartUploads(ctx, bucket, q)
}

func (i *instrumented) CompleteMultipartUpload(ctx context.Context, req translate.CompleteRequest) (_ translate.ObjectInfo, err error) {
	defer i.observe("CompleteMultipartUpload", time.Now(), &err)
	return i.b.CompleteMultipartUpload(ctx, req)
}

func (i *instrumented) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) (err error) {
	defer i.observe("AbortMultipartUpload", time.Now(), &err)
	return i.b.AbortMultipartUpload(ctx, bucket, key, uploadID)
}

// PutObjectIf forwards the optional translate.ConditionalWriter ability
// (NotImplemented when b lacks it, as the engine answers).
func (i *instrumented) PutObjectIf(ctx context.Context, bucket, key string, body *translate.Body,
	meta translate.Metadata, cond translate.WriteCond) (_ translate.ObjectInfo, err error) {
	defer i.observe("PutObject", time.Now(), &err)
	return translate.PutIf(ctx, i.b, bucket, key, body, meta, cond)
}

// CopyObjectIf forwards the optional translate.ConditionalWriter ability.
func (i *instrumented) CopyObjectIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string,
	meta translate.Metadata, cond translate.WriteCond) (_ translate.ObjectInfo, err error) {
	defer i.observe("CopyObject", time.Now(), &err)
	return translate.CopyIf(ctx, i.b, srcBucket, srcKey, dstBucket, dstKey, meta, cond)
}

// instrumentedLocator is an instrumented backend that is also a
// translate.PartLocator.
type instrumentedLocator struct {
	*instrumented
	pl translate.PartLocator
}

func (i *instrumentedLocator) PartRange(ctx context.Context, bucket, key string, n int) (_ *translate.Range, _ int, err error) {
	defer i.observe("PartRange", time.Now(), &err)
	return i.pl.PartRange(ctx, bucket, key, n)
}

var (
	_ translate.Backend           = (*instrumented)(nil)
	_ translate.PartLocator       = (*instrumentedLocator)(nil)
	_ io.Closer                   = (*instrumented)(nil)
	_ Prober                      = (*instrumented)(nil)
	_ translate.ConditionalWriter = (*instrumented)(nil)
)

// noDocs is what an instrumented backend without translate.BucketDocs
// answers: the engine then serves no bucket settings.
var noDocs = &translate.Error{Code: translate.ErrNotImplemented, Message: "This backend keeps no bucket settings."}

// GetBucketDoc implements translate.BucketDocs, reaching b's.
func (i *instrumented) GetBucketDoc(ctx context.Context, bucket, name string) (_ []byte, err error) {
	d, ok := i.b.(translate.BucketDocs)
	if !ok {
		return nil, noDocs
	}
	defer i.observe("GetBucketDoc", time.Now(), &err)
	return d.GetBucketDoc(ctx, bucket, name)
}

// PutBucketDoc implements translate.BucketDocs, reaching b's.
func (i *instrumented) PutBucketDoc(ctx context.Context, bucket, name string, data []byte) (err error) {
	d, ok := i.b.(translate.BucketDocs)
	if !ok {
		return noDocs
	}
	defer i.observe("PutBucketDoc", time.Now(), &err)
	return d.PutBucketDoc(ctx, bucket, name, data)
}

// DeleteBucketDoc implements translate.BucketDocs, reaching b's.
func (i *instrumented) DeleteBucketDoc(ctx context.Context, bucket, name string) (err error) {
	d, ok := i.b.(translate.BucketDocs)
	if !ok {
		return noDocs
	}
	defer i.observe("DeleteBucketDoc", time.Now(), &err)
	return d.DeleteBucketDoc(ctx, bucket, name)
}
