package translate

import "context"

// Backend is a store that buckets and objects live in. Implementations live
// in backends/<name> and map their native errors to this package's Codes at
// their own edge; they never return a provider's error code to a client.
//
// Every method takes a context first and must return promptly once it is
// cancelled. Names are the backend's own bucket names (routing and renaming
// happened before). Keys are any byte string of 1 to 1024 bytes; a backend
// must store and list them faithfully and must never let a key reach outside
// its bucket.
type Backend interface {
	// ListBuckets returns every bucket, sorted by name.
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// CreateBucket makes an empty bucket. It returns ErrBucketAlreadyOwnedByYou
	// if the bucket exists.
	CreateBucket(ctx context.Context, bucket string) error
	// HeadBucket returns ErrNoSuchBucket if the bucket does not exist.
	HeadBucket(ctx context.Context, bucket string) (BucketInfo, error)
	// DeleteBucket removes an empty bucket and any in-progress uploads in it.
	// It returns ErrNoSuchBucket or ErrBucketNotEmpty.
	DeleteBucket(ctx context.Context, bucket string) error

	// ListObjects returns one page of keys as ListQuery describes.
	// ErrNoSuchBucket if the bucket does not exist.
	ListObjects(ctx context.Context, bucket string, q ListQuery) (ListPage, error)
	// HeadObject describes an object: ErrNoSuchBucket, ErrNoSuchKey.
	HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error)
	// GetObject opens an object, or the byte range rng of it (already
	// resolved against the size by the caller via HeadObject or the
	// returned Info; nil for the whole object). ErrNoSuchBucket, ErrNoSuchKey.
	// The object read is one consistent version even if it is overwritten
	// while being read.
	GetObject(ctx context.Context, bucket, key string, rng *Range) (*Object, error)
	// PutObject stores Body under the key, replacing any object there,
	// atomically: a reader sees the old object or the new one, never a mix,
	// and a failed Body (see Body's contract) leaves the old object in place.
	// Once Body has returned io.EOF, the backend records body.Sums(): the
	// ETag is Sums.ETag(), Checksum is Sums.Checksum (ChecksumType
	// FULL_OBJECT when not empty), Size is Sums.Size.
	PutObject(ctx context.Context, bucket, key string, body *Body, meta Metadata) (ObjectInfo, error)
	// CopyObject copies src to dst atomically as PutObject does, with info's
	// meta replacing the source's (the engine already chose which); ETag,
	// checksums and part sizes are the source's.
	// ErrNoSuchBucket, ErrNoSuchKey for the source.
	CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta Metadata) (ObjectInfo, error)
	// DeleteObject removes the key; deleting a missing key succeeds.
	// ErrNoSuchBucket.
	DeleteObject(ctx context.Context, bucket, key string) error

	Multipart
}

// Multipart is the multipart-upload part of a Backend.
//
// The backend keeps all upload state (metadata, initiator, parts) in the
// store itself, so that any gateway instance, or the same one after a
// restart, can continue an upload.
type Multipart interface {
	// CreateMultipartUpload starts an upload and returns its backend ID
	// (an opaque string the engine seals into the client's upload ID).
	// info.ID is ignored. ErrNoSuchBucket.
	//
	// info.FrontMinPartSize is the client's minimum non-last part size. A
	// backend whose store requires larger parts must still accept, and
	// complete, parts down to that size (for instance by staging them and
	// assembling store-sized parts at Complete); the completed object must
	// then report exactly CompleteRequest.Info. A backend whose store takes
	// any size may ignore it; 0 means unknown (store rules apply).
	CreateMultipartUpload(ctx context.Context, info UploadInfo) (string, error)
	// GetMultipartUpload returns an upload's state. ErrNoSuchUpload if it
	// does not exist or belongs to another bucket or key.
	GetMultipartUpload(ctx context.Context, bucket, key, uploadID string) (UploadInfo, error)
	// UploadPart stores a part, replacing any part with that number,
	// atomically. Concurrent uploads of one number follow last-write-wins
	// by start time (OBS's rule): the part whose upload BEGAN last is kept,
	// whole, never a mix, whatever order the uploads finish in, also across
	// gateway instances sharing the store. An upload that loses (a
	// later-begun one already committed) discards its bytes and still
	// succeeds with its own PartInfo, so no client retries forever. An
	// upload begins before its body's first byte is read: the backend fixes
	// the begin time first (the conformance suite orders its race by the
	// first Read).
	// Once Body has returned io.EOF the backend records body.Sums() as the
	// part's Size, ETag and Checksum; see Body's contract. ErrNoSuchUpload.
	UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body *Body) (PartInfo, error)
	// UploadPartCopy stores bytes [rng) of an existing object as a part.
	// rng nil means the whole source. ErrNoSuchUpload, ErrNoSuchKey.
	// The part's MD5 and requested checksums are computed by the backend
	// (algs lists which besides MD5).
	UploadPartCopy(ctx context.Context, bucket, key, uploadID string, number int,
		srcBucket, srcKey string, rng *Range, algs []ChecksumAlgorithm) (PartInfo, error)
	// ListParts returns parts with numbers greater than after, ascending, at
	// most max. ErrNoSuchUpload.
	ListParts(ctx context.Context, bucket, key, uploadID string, after, max int) (PartsPage, error)
	// ListMultipartUploads returns in-progress uploads sorted by key, then by
	// initiation time. ErrNoSuchBucket.
	ListMultipartUploads(ctx context.Context, bucket string, q UploadsQuery) (UploadsPage, error)
	// CompleteMultipartUpload assembles the listed parts (already validated
	// by the engine) into the object, atomically, and frees the upload.
	// ErrNoSuchUpload; ErrInvalidPart if a listed part vanished.
	CompleteMultipartUpload(ctx context.Context, req CompleteRequest) (ObjectInfo, error)
	// AbortMultipartUpload frees the upload and all its parts.
	// ErrNoSuchUpload.
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
}

// PartLocator is an optional Backend ability: finding the byte range of
// part n of a multipart object when ObjectInfo.PartSizes is not known
// (stores keep their own part layout). It returns the range and the
// object's part count; ErrInvalidRange if there is no part n.
type PartLocator interface {
	PartRange(ctx context.Context, bucket, key string, n int) (*Range, int, error)
}
