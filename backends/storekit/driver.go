// Package storekit is the store-backend flow written once: a
// translate.Backend (Backend, built by New) over a small Driver that an
// object store implements with its SDK's calls (backends/s3 for S3 and
// OBS, backends/oss for OSS, backends/azure for Azure Blob).
//
// The kit owns everything that is the same on every store: the reserved
// key prefix and its guard on every write path, the gateway's state of
// uploads (state.go), staged uploads for clients whose parts are smaller
// than the store's (staged.go, assemble.go) and their reaper (reaper.go),
// what the store cannot keep, in the object's own metadata (kept.go) or
// an annex (annex.go), the neutral
// listing rules (list.go), conditional writes (cond.go), error
// classification, retries and timeouts of calls without a client body,
// the paging of uploads aborted before DeleteBucket, and UploadPartCopy,
// which streams through the gateway in one place
// (translate.StreamPartCopy). A driver only speaks its store's API.
//
// For a store with no multipart uploads but blocks (BlockStore) the kit
// runs the uploads itself (blockupload.go, blocks.go: upload IDs and their
// list, block IDs, attempts, the winning part of each number, Complete as
// one commit). It also has helpers a driver calls: error codes by table
// and status (StoreCode), Content-Range (ContentRange), identifier-only
// metadata names (IdentMeta, MetaMap), a read-once io.ReadSeekCloser
// (OnceSeeker), the options every store type shares (CallOptions,
// StoreOptions) and the registration of a store type (Register).
//
// Everything the kit keeps lives in the client's own bucket, under the
// reserved key prefix Prefix (see state.go for the layout). These names
// and the JSON form are an on-store format: data written by earlier
// versions must stay readable, so they do not change.
package storekit

import (
	"context"
	"io"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Driver is one object store, spoken to through its SDK. The kit calls
// it; clients never do. A driver is also an Uploader (the store's own
// multipart uploads) or a BlockStore, and may be a PartRanger, a
// BucketChecker and a KeyChecker; New reads which once. Contracts every
// method keeps:
//
//   - Errors are the SDK's own (or any error): the kit classifies each one
//     once, through Classify, at its edge. A driver does not build
//     translate errors, except ErrInternal for a response it cannot parse.
//   - A method bounds nothing itself: the kit gives calls without a client
//     body a context with the request timeout and retries them (a driver
//     turns its SDK's own retries off, see Abilities); calls that stream
//     a body (Put, UploadPart) or return one (Get) are bounded by ctx only
//     and never retried.
//   - A body of 0 bytes (Put, UploadPart, StageBlock) is http.NoBody.
//   - Keys are passed as the client sent them, reserved keys included
//     (the kit writes its own state through the same calls); bucket names
//     are valid for the store or the driver reports its not-found error.
//   - ETags are returned unquoted, lowercase.
type Driver interface {
	// Abilities declares what the store can do. The kit reads it once, in
	// New, and never probes the store per request.
	Abilities() Abilities
	// Classify maps one of the store's errors to a neutral code, or 0 when
	// the driver does not recognise it. Not-found errors map to
	// ErrNoSuchBucket, ErrNoSuchKey or ErrNoSuchUpload (the kit turns
	// ErrNoSuchKey from a call that names no key into ErrNoSuchBucket);
	// errors meaning "try again" to ErrServiceUnavailable (store 5xx,
	// store busy) or ErrSlowDown (throttled); a refused condition to
	// ErrPreconditionFailed, or ErrObjectExists for a key that exists
	// under a no-overwrite condition; a store code that says what the
	// client did wrong (InvalidPart, EntityTooSmall, InvalidRange,
	// BadDigest, BucketNotEmpty, ...) to the matching code. The
	// gateway's own mistakes (AccessDenied, SignatureDoesNotMatch) and
	// unknown codes return 0: the kit makes them ErrInternal, and makes a
	// network failure or a deadline ErrServiceUnavailable itself.
	Classify(err error) translate.Code

	// ListBuckets returns the store's buckets (any order).
	ListBuckets(ctx context.Context) ([]translate.BucketInfo, error)
	// CreateBucket creates bucket; an existing one is the store's
	// "already exists" error (the driver tells owned-by-you when it can).
	CreateBucket(ctx context.Context, bucket string) error
	// HeadBucket describes bucket (Created zero when the store does not
	// say).
	HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error)
	// DeleteBucket deletes bucket; the kit has emptied it of uploads and
	// of its own state first.
	DeleteBucket(ctx context.Context, bucket string) error

	// Head describes key as the store holds it: size, ETag, LastModified,
	// metadata, and the checksums the store keeps (Abilities.Checksums,
	// Abilities.StoreChecksums) with their type (ignored without
	// checksums). No annex is applied.
	Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error)
	// Get opens key, or the byte range rng of it (resolved already; nil
	// is the whole object), and describes it as Head does, with Size the
	// whole object's size.
	Get(ctx context.Context, bucket, key string, rng *translate.Range) (io.ReadCloser, translate.ObjectInfo, error)
	// Put stores exactly size bytes of body as key, atomically, replacing
	// any object there unless opts.Cond refuses it. The driver must read
	// body to its end before the store commits (it declares the length;
	// a store that answers before reading the whole body is an error the
	// kit detects). It returns the store's ETag of the new object ("" if
	// the store gave none).
	Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts PutOptions) (string, error)
	// Copy copies srcKey of srcBucket to dstKey of dstBucket server-side,
	// with opts.Metadata replacing the source's, and returns the copy's
	// store ETag ("" if the store gave none). Only called when
	// Abilities.Copy; opts.ContentMD5 and opts.Checksums are empty.
	Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts PutOptions) (string, error)
	// Delete removes keys (a missing key is not an error), batching as the
	// store allows.
	Delete(ctx context.Context, bucket string, keys []string) error
	// List returns one page of bucket's keys in ascending byte order, as
	// ListRequest describes.
	List(ctx context.Context, bucket string, req ListRequest) (ListResult, error)
}

// Uploader is a store's own multipart uploads; a driver implements it,
// or BlockStore for a store that has none.
type Uploader interface {
	// CreateUpload starts the store's multipart upload of key with opts'
	// metadata (ContentMD5, Checksums and Cond are empty) and returns its
	// ID.
	CreateUpload(ctx context.Context, bucket, key string, opts PutOptions) (string, error)
	// UploadPart streams exactly size bytes of body as part n of upload
	// id, replacing any part n, and returns the part's store ETag. As for
	// Put, the whole body is read before the store commits. opts.Metadata
	// and opts.Cond are empty.
	UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, opts PutOptions) (string, error)
	// CopyPart copies the whole object srcKey of bucket (size bytes, a
	// staged part) server-side as part n of upload id and returns the
	// part's store ETag. Only called when Abilities.CopyPart.
	CopyPart(ctx context.Context, bucket, key, id string, n int, srcKey string, size int64) (string, error)
	// CompleteUpload completes upload id from parts (in order, numbers
	// as uploaded) under opts.Cond, and returns the object's store ETag
	// ("" if the store gave none). opts.Metadata is the upload's, as
	// CreateUpload had it (for a store that applies it only now).
	CompleteUpload(ctx context.Context, bucket, key, id string, parts []Part, opts PutOptions) (string, error)
	// AbortUpload aborts upload id; an upload already gone is the
	// store's no-such-upload error.
	AbortUpload(ctx context.Context, bucket, key, id string) error
	// ListParts returns upload id's parts numbered above after, at most
	// max, ascending. Checksum holds what the store keeps of each part.
	ListParts(ctx context.Context, bucket, key, id string, after, max int) (PartsResult, error)
	// ListUploads returns one page of bucket's uploads in progress, all
	// keys, from the markers of the previous page ("" for the first).
	// Stores differ in the order and paging they implement; the kit reads
	// every page and applies the neutral query itself.
	ListUploads(ctx context.Context, bucket, keyMarker, idMarker string) (UploadsResult, error)
}

// BlockStore is implemented by a driver whose store has no multipart
// uploads but stages blocks on the destination object and commits a list
// of them as the object (Azure's Put Block and Put Block List); it then
// implements no Uploader. The kit runs multipart uploads over it
// (blockupload.go): upload IDs, their listing and their state are the
// kit's, parts are blocks named as blocks.go says, Complete is one
// commit. Abilities.MaxBlockSize and MaxBlocks are the store's block
// rules. Put is called with at most MaxBlockSize bytes: the kit stages a
// larger object as blocks and commits them itself. Errors are the store's,
// as for Driver.
type BlockStore interface {
	// StageBlock streams exactly size bytes of body as the uncommitted
	// block id of key (replacing a block of that ID), verified against
	// md5 when not nil. As for Put, the whole body is read before the
	// store commits.
	StageBlock(ctx context.Context, bucket, key, id string, body io.Reader, size int64, md5 []byte) error
	// Blocks lists key's uncommitted blocks; a key with no object and no
	// blocks may be the store's not-found error.
	Blocks(ctx context.Context, bucket, key string) ([]Block, error)
	// CommitBlocks makes the blocks ids, in order, key's content with
	// opts.Metadata, under opts.Cond, and returns the object's ETag as
	// Head will report it. opts.ContentMD5, when not nil, is the MD5 of
	// the whole object, to keep; etag, when not "", is the ETag the
	// object is to report from now on (a multipart one), which the driver
	// keeps with it (and a Copy of it).
	CommitBlocks(ctx context.Context, bucket, key string, ids []string, opts PutOptions, etag string) (string, error)
}

// BucketChecker is implemented by a driver whose store cannot hold every
// bucket name the dialects accept (S3 takes dots; OSS and Azure do not).
// The kit calls CheckBucket before any driver call that names a bucket:
// the driver's methods see only names it accepts. A refused name is
// ErrNoSuchBucket, except for CreateBucket, which returns CheckBucket's
// error.
type BucketChecker interface {
	// CheckBucket returns nil for a name the store can hold, else why
	// not (ErrInvalidBucketName, in the driver's words).
	CheckBucket(bucket string) error
}

// KeyChecker is implemented by a driver whose store would keep some keys
// under another name (Azure takes '\' for '/'). The kit calls CheckKey
// on every client write (PutObject, CopyObject's destination,
// CreateMultipartUpload) and passes its error on.
type KeyChecker interface {
	CheckKey(bucket, key string) error
}

// PartRanger is implemented by a driver whose store answers where part n
// of a completed multipart object lies (S3's HEAD ?partNumber=n); the kit's
// backend then implements translate.PartLocator with it. It is declared by
// Abilities.PartRanges, not discovered.
type PartRanger interface {
	// PartRange returns part n's byte range in key and the object's part
	// count, as translate.PartLocator does.
	PartRange(ctx context.Context, bucket, key string, n int) (*translate.Range, int, error)
}

// Abilities are what a store can do, declared by its driver and read once
// when the kit is built.
type Abilities struct {
	// Name names the store type in errors, logs and metrics ("s3").
	Name string
	// Copy: the store copies whole objects server-side (Driver.Copy);
	// without it the kit streams a copy through the gateway.
	Copy bool
	// CopyPart: the store copies a whole object server-side into an
	// upload's part (Uploader.CopyPart), used when assembling staged
	// parts. The client's UploadPartCopy always streams
	// (translate.StreamPartCopy): the gateway must compute the part's MD5
	// and checksums, which a server-side copy would leave unknown.
	CopyPart bool
	// Put, Copy and Complete conditions the store evaluates atomically
	// with the write. The kit passes every write its condition in the
	// store's terms (StoreCond) and checks first, by HEAD, each part the
	// store does not evaluate (check-then-write), so a driver may send
	// what it declared and ignore the rest.
	CondPut, CondCopy, CondComplete CondAbility
	// Checksums are the algorithms the store verifies and keeps when a
	// write carries their values (PutOptions.Checksums); StoreChecksums
	// those it computes and keeps on every object by itself (OSS's
	// CRC-64/ECMA). The kit keeps any other checksum of an object in an
	// annex.
	Checksums, StoreChecksums []translate.ChecksumAlgorithm
	// MaxMetadataSize bounds the user metadata of an object (the sum of
	// names and values, bytes); larger is ErrMetadataTooLarge before any
	// call. 0 means no limit is known.
	MaxMetadataSize int
	// MinPartSize, MaxPartSize and MaxParts are the store's multipart
	// rules; a client whose minimum part is below MinPartSize gets a
	// staged upload, assembled into at most MaxParts store parts (more is
	// ErrEntityTooLarge).
	MinPartSize, MaxPartSize int64
	MaxParts                 int
	// PartRanges: the driver implements PartRanger.
	PartRanges bool
	// MD5ETag: the store's ETag of a Put, and of an UploadPart, is the MD5
	// of the bytes it received (S3 and MinIO unless they encrypt with
	// SSE-KMS or SSE-C). The kit then lets the body skip MD5
	// (translate.Body.StoreETag) and gives the client the store's ETag;
	// bytes the kit reshapes (staged parts) are still hashed.
	MD5ETag bool
	// SlashDelimiterOnly: the store groups keys into common prefixes by
	// "/" only (Azure's hierarchy listing; Azurite groups other delimiters
	// wrongly). The kit lists keys flat for any other delimiter and groups
	// them itself, so the driver's List sees Delimiter "" or "/".
	SlashDelimiterOnly bool
	// MaxBlockSize and MaxBlocks are a BlockStore's largest block and the
	// most blocks an object may have (a part larger than MaxBlockSize is
	// several blocks).
	MaxBlockSize int64
	MaxBlocks    int
	// ExistsWhoeverOwns: the store's CreateBucket answers "already
	// exists" for a bucket of any owner (OSS); the kit tells the
	// gateway's own buckets by HeadBucket.
	ExistsWhoeverOwns bool
	// RedirectInMetadata: the kit keeps an object's website redirect
	// location in reserved user metadata (RedirectMeta) too, for a store
	// that drops or lacks its own.
	RedirectInMetadata bool
	// MetadataUpdate: the driver implements MetadataUpdater. A PutObject
	// of at most MetadataUpdateMaxSize bytes (0: any size) then keeps the
	// checksums computed as its body passed in the object's own metadata
	// (KeptMeta) instead of an annex. The bound is for stores whose update
	// rewrites the object's bytes (a copy onto itself), which costs more
	// than a small annex once the object is larger.
	MetadataUpdate        bool
	MetadataUpdateMaxSize int64
}

// CondAbility says which write conditions a store evaluates itself.
type CondAbility struct {
	// IfAbsent: "only if the key holds no object" (If-None-Match: *,
	// x-oss-forbid-overwrite).
	IfAbsent bool
	// IfMatch: "only if the key holds the object with this store ETag".
	IfMatch bool
}

// PutOptions are what a write carries besides its bytes.
type PutOptions struct {
	// Metadata is the object's (content headers and user metadata).
	Metadata translate.Metadata
	// ContentMD5 is the client's Content-MD5 (raw bytes), nil if none:
	// forwarded so the store verifies the bytes too.
	ContentMD5 []byte
	// Checksums are values the client sent, of algorithms in
	// Abilities.Checksums only, for the store to verify and keep.
	Checksums translate.Checksums
	// Cond is the write's condition in the store's terms (see
	// Abilities.CondPut); zero for none.
	Cond translate.WriteCond
}

// Part is one part of a CompleteUpload: its number and store ETag.
type Part struct {
	Number int
	ETag   string
}

// ListRequest asks for one page of a bucket's keys.
type ListRequest struct {
	// Prefix and Delimiter are as in S3's ListObjectsV2.
	Prefix, Delimiter string
	// StartAfter: only keys and common prefixes after it (bytewise).
	StartAfter string
	// Token is the ListResult.NextToken of the page just read, when the
	// driver gave one; StartAfter is then the last entry of that page. A
	// driver whose store pages by start-after ignores it; one whose store
	// pages only by opaque tokens uses it, and otherwise asks to start
	// after StartAfter as it can: the kit drops entries up to StartAfter
	// and reads on past empty truncated pages.
	Token string
	// Max is the most entries (keys and common prefixes) to return,
	// 1..1000.
	Max int
}

// ListResult is one page of keys: objects (Key, Size, ETag,
// LastModified, and StorageClass when the store lists it) and common
// prefixes, each ascending.
type ListResult struct {
	Objects   []translate.ObjectInfo
	Prefixes  []string
	Truncated bool
	// NextToken continues the listing (see ListRequest.Token), "" if the
	// store pages by start-after.
	NextToken string
}

// PartsResult is one page of an upload's parts as the store lists them.
type PartsResult struct {
	Parts     []translate.PartInfo
	Truncated bool
}

// UploadsResult is one page of uploads in progress as the store lists
// them.
type UploadsResult struct {
	Uploads []StoreUpload
	// Truncated reports that more follow, from NextKeyMarker and
	// NextIDMarker.
	Truncated                   bool
	NextKeyMarker, NextIDMarker string
}

// Options are the kit's settings, common to every store type.
type Options struct {
	// RequestTimeout bounds each driver call that carries no client body.
	RequestTimeout time.Duration
	// Retries is how many times such a call is retried after a retryable
	// failure (ErrServiceUnavailable, ErrSlowDown), with exponential
	// backoff from 100ms to 2s.
	Retries int
	// StagingMaxAge is how long a staged upload may stay incomplete
	// before the reaper removes it; 0 means DefaultStagingMaxAge.
	StagingMaxAge time.Duration
}
