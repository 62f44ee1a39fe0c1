package translate

// Op is a neutral operation. Dialects resolve each request to one Op through
// a routing table; a test in each dialect checks that every Op in [AllOps] is
// either routed or listed as unsupported.
type Op int

// The operations. Append only.
const (
	OpListBuckets Op = iota + 1
	OpCreateBucket
	OpHeadBucket
	OpDeleteBucket
	OpGetBucketLocation
	OpListObjects
	OpListObjectsV2
	OpPutObject
	OpGetObject
	OpHeadObject
	OpDeleteObject
	OpDeleteObjects
	OpCopyObject
	OpCreateMultipartUpload
	OpUploadPart
	OpUploadPartCopy
	OpListParts
	OpListMultipartUploads
	OpCompleteMultipartUpload
	OpAbortMultipartUpload
	OpPutBucketPolicy
	OpGetBucketPolicy
	OpDeleteBucketPolicy
	OpPutBucketCors
	OpGetBucketCors
	OpDeleteBucketCors
	OpPutBucketAcl
	OpPostObject
)

// AllOps lists every Op in order.
func AllOps() []Op {
	ops := make([]Op, 0, int(OpPostObject))
	for o := OpListBuckets; o <= OpPostObject; o++ {
		ops = append(ops, o)
	}
	return ops
}

var opNames = [...]string{"", "ListBuckets", "CreateBucket", "HeadBucket", "DeleteBucket", "GetBucketLocation",
	"ListObjects", "ListObjectsV2", "PutObject", "GetObject", "HeadObject", "DeleteObject", "DeleteObjects",
	"CopyObject", "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "ListParts", "ListMultipartUploads",
	"CompleteMultipartUpload", "AbortMultipartUpload", "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy",
	"PutBucketCors", "GetBucketCors", "DeleteBucketCors", "PutBucketAcl", "PostObject"}

// String returns the operation's S3-style name, used in logs and metrics.
func (o Op) String() string {
	if o > 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return "Unknown"
}

// Access is what an operation needs of the caller on its bucket.
type Access int

// Access levels.
const (
	AccessNone Access = iota // no bucket involved (ListBuckets filters instead)
	AccessRead
	AccessWrite
)

// Access returns what the operation needs on its target bucket. Copy
// operations additionally need AccessRead on the source bucket.
func (o Op) Access() Access {
	switch o {
	case OpListBuckets:
		return AccessNone
	case OpHeadBucket, OpGetBucketLocation, OpListObjects, OpListObjectsV2, OpGetObject, OpHeadObject,
		OpListParts, OpListMultipartUploads:
		return AccessRead
	default:
		return AccessWrite
	}
}
