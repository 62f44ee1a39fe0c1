package translate

import (
	"io"
	"time"
)

// Metadata is what travels with an object apart from its bytes: the standard
// content headers and the user metadata. Dialects map their prefixes
// (x-amz-meta-, x-oss-meta-, x-obs-meta-) to and from User.
type Metadata struct {
	ContentType        string
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	Expires            string
	// User metadata, keys lowercased and without any prefix.
	User map[string]string
	// StorageClass as sent by the client, in S3 spelling (STANDARD, ...);
	// empty means the default.
	StorageClass string
	// SSE is the server-side encryption indication the client asked for
	// (AES256, aws:kms); it is recorded and echoed, not applied, by fs.
	SSE string
	// WebsiteRedirectLocation is S3's x-amz-website-redirect-location
	// (OBS: x-obs-website-redirect-location): stored and returned, as S3
	// does for a bucket that is not a website.
	WebsiteRedirectLocation string `json:",omitempty"`
}

// Clone returns a deep copy of m.
func (m Metadata) Clone() Metadata {
	c := m
	if m.User != nil {
		c.User = make(map[string]string, len(m.User))
		for k, v := range m.User {
			c.User[k] = v
		}
	}
	return c
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string // unquoted, lowercase hex, with "-N" for multipart objects
	LastModified time.Time
	Metadata     Metadata
	// Checksum holds the object's full checksums (whole-object or composite,
	// see ChecksumType) by algorithm; empty when none was recorded.
	Checksum Checksums
	// ChecksumType is ChecksumFullObject or ChecksumComposite; empty when
	// Checksum is empty.
	ChecksumType ChecksumType
	// PartSizes lists the part sizes of a multipart object in order, so that
	// GET ?partNumber=N can be served; nil for single-part objects.
	PartSizes []int64
	// CompletedBy names the CompleteMultipartUpload request that made the
	// object (see completionDigest), so that the same request retried
	// within CompleteRetryWindow is answered with the object; empty for
	// objects written any other way. Backends store it with the object
	// and drop it on copies.
	CompletedBy string `json:",omitempty"`
	// PartChecksums holds, for a multipart object whose upload chose a
	// checksum algorithm, each part's checksum of that algorithm, in the
	// order of PartSizes (S3 reports them in GetObjectAttributes and on
	// HEAD/GET by part number); nil otherwise.
	PartChecksums []Checksums `json:",omitempty"`
}

// PartsCount returns the number of parts (1 for a single-part object).
func (o *ObjectInfo) PartsCount() int {
	if len(o.PartSizes) == 0 {
		return 1
	}
	return len(o.PartSizes)
}

// Range is a resolved byte range [Start, Start+Length) of an object.
type Range struct {
	Start, Length int64
}

// Object is an open object: its description and a reader of the requested
// bytes. The caller must close Body.
type Object struct {
	Info ObjectInfo
	// Range is the byte range Body yields; nil means the whole object.
	Range *Range
	Body  io.ReadCloser
}

// ListQuery asks for one page of a bucket listing, in S3's sense: keys
// beginning with Prefix, strictly after After, grouped at Delimiter.
type ListQuery struct {
	Prefix    string
	Delimiter string
	// After is an exclusive start: a key or a common prefix already
	// returned. Keys equal to or before it are skipped, and so is every key
	// under a common prefix that is <= After.
	After   string
	MaxKeys int // at most this many keys plus common prefixes; 0 returns an empty, untruncated page
}

// ListPage is one page of a listing, keys and common prefixes each in
// ascending byte order.
type ListPage struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	// Truncated reports that more entries follow; Next is then the last key
	// or common prefix in this page (to pass as After).
	Truncated bool
	Next      string
}

// PutObjectRequest stores an object whole.
type PutObjectRequest struct {
	Bucket, Key string
	Metadata    Metadata
	Body        *Body
}

// CopyObjectRequest copies an object, optionally replacing its metadata.
type CopyObjectRequest struct {
	SrcBucket, SrcKey string
	Bucket, Key       string
	// ReplaceMetadata selects Metadata over the source's (S3's
	// x-amz-metadata-directive: REPLACE).
	ReplaceMetadata bool
	Metadata        Metadata
	// Conditions on the source (x-amz-copy-source-if-*).
	SrcConditions Conditions
}

// Conditions are the HTTP preconditions of a read or copy.
type Conditions struct {
	IfMatch           string // quoted or bare ETag list, "*" allowed
	IfNoneMatch       string
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
}

// UploadInfo describes a multipart upload as the backend keeps it.
type UploadInfo struct {
	Bucket, Key string
	// ID is the backend's own upload ID (never shown to clients).
	ID string
	// Initiator is the access key that created the upload.
	Initiator string
	Initiated time.Time
	Metadata  Metadata
	// ChecksumAlgorithm and ChecksumType are the checksum chosen at create
	// (empty when none).
	ChecksumAlgorithm ChecksumAlgorithm
	ChecksumType      ChecksumType
	// FrontMinPartSize is the smallest non-last part the client's dialect
	// allows (its Rules.MinPartSize), set by the engine at create; 0 when
	// unknown. A backend whose store requires larger parts must still
	// accept parts down to this size (see Multipart).
	FrontMinPartSize int64
}

// PartInfo describes one uploaded part.
type PartInfo struct {
	Number       int
	Size         int64
	ETag         string // unquoted lowercase hex MD5
	LastModified time.Time
	// Checksum holds the part's checksums by algorithm (always its CRC-64/ECMA
	// when the engine computed one, plus any requested algorithm).
	Checksum Checksums
}

// UploadsQuery asks for one page of in-progress uploads.
type UploadsQuery struct {
	Prefix    string
	Delimiter string
	// KeyAfter and IDAfter form the exclusive start (key-marker and the
	// backend's upload ID).
	KeyAfter, IDAfter string
	MaxUploads        int
}

// UploadsPage is one page of in-progress uploads.
type UploadsPage struct {
	Uploads        []UploadInfo
	CommonPrefixes []string
	Truncated      bool
}

// PartsPage is one page of a part listing, ascending by number.
type PartsPage struct {
	Parts     []PartInfo
	Truncated bool
	// NextMarker is the last part number in this page.
	NextMarker int
}

// CompletePart names one part of a Complete request with the values the
// engine has already checked against the stored part.
type CompletePart struct {
	Number int
	Size   int64
	ETag   string
}

// CompleteRequest assembles an upload into its object. The engine has
// already validated the part list; the backend must make the object appear
// atomically with exactly Info's ETag, size, checksums and part sizes, and
// free the upload.
type CompleteRequest struct {
	Bucket, Key string
	UploadID    string // backend upload ID
	Parts       []CompletePart
	// Info is what the completed object must report.
	Info ObjectInfo
	// Cond is the client's precondition on the object the upload would
	// replace, evaluated atomically with the commit (see WriteCond).
	Cond WriteCond
}
