package translate

import (
	"context"
	"strings"
)

// Route sends one front bucket to a backend, optionally under another
// bucket name and below a key prefix there.
type Route struct {
	// Bucket is the bucket name clients use.
	Bucket string
	// Backend names the backend that holds it.
	Backend string
	// BackendBucket is its name on the backend; empty means Bucket.
	BackendBucket string
	// KeyPrefix, when set, is put before every key on the backend, so
	// several front buckets can share one backend bucket. A prefixed
	// bucket cannot be created or deleted through the gateway: it exists
	// when its backend bucket does.
	KeyPrefix string
	// Source, when set, makes the route a migration: the bucket is moving
	// from Source to the destination that Backend, BackendBucket and
	// KeyPrefix name. Reads fall through from the destination to the
	// source, writes go to the destination (see migrating).
	Source *RouteSide
	// CopyOnRead, for a migrating route, copies an object read whole from
	// the source to the destination in the background.
	CopyOnRead bool
}

// routed presents a route's slice of a backend as a whole backend for the
// front bucket: it renames the bucket, prefixes keys on the way in and
// strips them on the way out.
type routed struct {
	b      Backend
	front  string
	bucket string
	prefix string
}

func (r *routed) key(k string) string { return r.prefix + k }
func (r *routed) unkey(k string) string {
	return strings.TrimPrefix(k, r.prefix)
}

// fixErr names the front bucket and key in an error from the backend.
func (r *routed) fixErr(err error) error {
	if err == nil {
		return nil
	}
	if te := AsError(err); te.Code != ErrInternal || te.Bucket != "" {
		te.Bucket = r.front
		te.Key = r.unkey(te.Key)
		return te
	}
	return err
}

func (r *routed) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	info, err := r.HeadBucket(ctx, r.front)
	if err != nil {
		return nil, nil
	}
	return []BucketInfo{info}, nil
}

func (r *routed) CreateBucket(ctx context.Context, _ string) error {
	if r.prefix != "" {
		if _, err := r.b.HeadBucket(ctx, r.bucket); err != nil {
			return r.fixErr(err)
		}
		return &Error{Code: ErrBucketAlreadyOwnedByYou, Bucket: r.front}
	}
	return r.fixErr(r.b.CreateBucket(ctx, r.bucket))
}

func (r *routed) HeadBucket(ctx context.Context, _ string) (BucketInfo, error) {
	info, err := r.b.HeadBucket(ctx, r.bucket)
	info.Name = r.front
	return info, r.fixErr(err)
}

func (r *routed) DeleteBucket(ctx context.Context, _ string) error {
	if r.prefix != "" {
		return Errorf(ErrNotImplemented, "Bucket %s is a key prefix of a shared backend bucket; it cannot be deleted through the gateway.", r.front)
	}
	return r.fixErr(r.b.DeleteBucket(ctx, r.bucket))
}

func (r *routed) ListObjects(ctx context.Context, _ string, q ListQuery) (ListPage, error) {
	q.Prefix = r.prefix + q.Prefix
	if q.After != "" {
		q.After = r.prefix + q.After
	}
	page, err := r.b.ListObjects(ctx, r.bucket, q)
	if err != nil {
		return page, r.fixErr(err)
	}
	for i := range page.Objects {
		page.Objects[i].Key = r.unkey(page.Objects[i].Key)
	}
	for i := range page.CommonPrefixes {
		page.CommonPrefixes[i] = r.unkey(page.CommonPrefixes[i])
	}
	page.Next = r.unkey(page.Next)
	return page, nil
}

func (r *routed) obj(info ObjectInfo, err error) (ObjectInfo, error) {
	info.Key = r.unkey(info.Key)
	return info, r.fixErr(err)
}

func (r *routed) HeadObject(ctx context.Context, _, key string) (ObjectInfo, error) {
	return r.obj(r.b.HeadObject(ctx, r.bucket, r.key(key)))
}

func (r *routed) GetObject(ctx context.Context, _, key string, rng *Range) (*Object, error) {
	o, err := r.b.GetObject(ctx, r.bucket, r.key(key), rng)
	if err != nil {
		return nil, r.fixErr(err)
	}
	o.Info.Key = key
	return o, nil
}

func (r *routed) PutObject(ctx context.Context, _, key string, body *Body, meta Metadata) (ObjectInfo, error) {
	return r.obj(r.b.PutObject(ctx, r.bucket, r.key(key), body, meta))
}

// CopyObject copies within this route's backend; the engine checked that
// the source is routed to the same backend.
func (r *routed) CopyObject(ctx context.Context, srcBucket, srcKey, _, dstKey string, meta Metadata) (ObjectInfo, error) {
	return r.obj(r.b.CopyObject(ctx, srcBucket, srcKey, r.bucket, r.key(dstKey), meta))
}

// PutObjectIf forwards the optional ConditionalWriter ability.
func (r *routed) PutObjectIf(ctx context.Context, _, key string, body *Body, meta Metadata, cond WriteCond) (ObjectInfo, error) {
	return r.obj(PutIf(ctx, r.b, r.bucket, r.key(key), body, meta, cond))
}

// CopyObjectIf forwards the optional ConditionalWriter ability.
func (r *routed) CopyObjectIf(ctx context.Context, srcBucket, srcKey, _, dstKey string, meta Metadata, cond WriteCond) (ObjectInfo, error) {
	return r.obj(CopyIf(ctx, r.b, srcBucket, srcKey, r.bucket, r.key(dstKey), meta, cond))
}

func (r *routed) DeleteObject(ctx context.Context, _, key string) error {
	return r.fixErr(r.b.DeleteObject(ctx, r.bucket, r.key(key)))
}

func (r *routed) upload(info UploadInfo, err error) (UploadInfo, error) {
	info.Bucket, info.Key = r.front, r.unkey(info.Key)
	return info, r.fixErr(err)
}

func (r *routed) CreateMultipartUpload(ctx context.Context, info UploadInfo) (string, error) {
	info.Bucket, info.Key = r.bucket, r.key(info.Key)
	id, err := r.b.CreateMultipartUpload(ctx, info)
	return id, r.fixErr(err)
}

func (r *routed) GetMultipartUpload(ctx context.Context, _, key, id string) (UploadInfo, error) {
	return r.upload(r.b.GetMultipartUpload(ctx, r.bucket, r.key(key), id))
}

func (r *routed) UploadPart(ctx context.Context, _, key, id string, n int, body *Body) (PartInfo, error) {
	p, err := r.b.UploadPart(ctx, r.bucket, r.key(key), id, n, body)
	return p, r.fixErr(err)
}

func (r *routed) UploadPartCopy(ctx context.Context, _, key, id string, n int, srcBucket, srcKey string, rng *Range, algs []ChecksumAlgorithm) (PartInfo, error) {
	p, err := r.b.UploadPartCopy(ctx, r.bucket, r.key(key), id, n, srcBucket, srcKey, rng, algs)
	return p, r.fixErr(err)
}

func (r *routed) ListParts(ctx context.Context, _, key, id string, after, max int) (PartsPage, error) {
	p, err := r.b.ListParts(ctx, r.bucket, r.key(key), id, after, max)
	return p, r.fixErr(err)
}

func (r *routed) ListMultipartUploads(ctx context.Context, _ string, q UploadsQuery) (UploadsPage, error) {
	q.Prefix = r.prefix + q.Prefix
	if q.KeyAfter != "" {
		q.KeyAfter = r.prefix + q.KeyAfter
	}
	page, err := r.b.ListMultipartUploads(ctx, r.bucket, q)
	for i := range page.Uploads {
		page.Uploads[i].Bucket, page.Uploads[i].Key = r.front, r.unkey(page.Uploads[i].Key)
	}
	for i := range page.CommonPrefixes {
		page.CommonPrefixes[i] = r.unkey(page.CommonPrefixes[i])
	}
	return page, r.fixErr(err)
}

func (r *routed) CompleteMultipartUpload(ctx context.Context, req CompleteRequest) (ObjectInfo, error) {
	req.Bucket, req.Key = r.bucket, r.key(req.Key)
	req.Info.Key = req.Key
	return r.obj(r.b.CompleteMultipartUpload(ctx, req))
}

func (r *routed) AbortMultipartUpload(ctx context.Context, _, key, id string) error {
	return r.fixErr(r.b.AbortMultipartUpload(ctx, r.bucket, r.key(key), id))
}

// PartRange forwards the optional PartLocator ability.
func (r *routed) PartRange(ctx context.Context, _, key string, n int) (*Range, int, error) {
	pl, ok := r.b.(PartLocator)
	if !ok {
		return nil, 0, &Error{Code: ErrInvalidRange, Message: "The requested partnumber is not satisfiable"}
	}
	rng, count, err := pl.PartRange(ctx, r.bucket, r.key(key), n)
	return rng, count, r.fixErr(err)
}

var _ Backend = (*routed)(nil)

// The documents of a front bucket routed into a backend bucket are named
// "route-<front bucket>-<name>" there, so front buckets sharing one
// backend bucket (under different key prefixes) keep apart settings.
func (r *routed) docName(name string) string {
	if r.prefix == "" && r.front == r.bucket {
		return name
	}
	return "route-" + r.front + "-" + name
}

var noDocs = &Error{Code: ErrNotImplemented, Message: "This backend keeps no bucket settings."}

// GetBucketDoc implements BucketDocs on the routed bucket.
func (r *routed) GetBucketDoc(ctx context.Context, _, name string) ([]byte, error) {
	d, ok := r.b.(BucketDocs)
	if !ok {
		return nil, noDocs
	}
	data, err := d.GetBucketDoc(ctx, r.bucket, r.docName(name))
	return data, r.fixErr(err)
}

// PutBucketDoc implements BucketDocs on the routed bucket.
func (r *routed) PutBucketDoc(ctx context.Context, _, name string, data []byte) error {
	d, ok := r.b.(BucketDocs)
	if !ok {
		return noDocs
	}
	return r.fixErr(d.PutBucketDoc(ctx, r.bucket, r.docName(name), data))
}

// DeleteBucketDoc implements BucketDocs on the routed bucket.
func (r *routed) DeleteBucketDoc(ctx context.Context, _, name string) error {
	d, ok := r.b.(BucketDocs)
	if !ok {
		return noDocs
	}
	return r.fixErr(d.DeleteBucketDoc(ctx, r.bucket, r.docName(name)))
}
