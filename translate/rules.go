package translate

// Rules are the limits and forms that differ between dialects (the front
// rules a client's dialect promises) and between stores. Code reads these
// values; it does not branch on dialect names.
type Rules struct {
	// MinPartNumber and MaxPartNumber bound part numbers (inclusive).
	MinPartNumber, MaxPartNumber int
	// MinPartSize is the smallest allowed non-last part, checked at Complete
	// (EntityTooSmall).
	MinPartSize int64
	// MaxPartSize is the largest part, checked at UploadPart.
	MaxPartSize int64
	// MaxObjectSize is the largest single PutObject.
	MaxObjectSize int64
	// MaxKeyLength is the longest key in bytes.
	MaxKeyLength int
	// AlwaysChecksum lists algorithms computed on every body whether or not
	// the client asked, besides the engine's own (CRC64ECMA).
	AlwaysChecksum []ChecksumAlgorithm
	// DefaultChecksum is computed on a body whose client chose no checksum
	// algorithm, and on the parts of an upload created without one, and
	// becomes the object's FULL_OBJECT checksum ("" for none). S3 uses
	// CRC64NVME (see [DefaultChecksum]).
	DefaultChecksum ChecksumAlgorithm
	// InitiatorOnly restricts UploadPart, UploadPartCopy, ListParts and
	// CompleteMultipartUpload to the principal that created the upload
	// (OBS: 403 AccessDenied for anyone else, even with write access).
	InitiatorOnly bool
	// AbortByInitiatorOrOwner restricts AbortMultipartUpload to the
	// principal that created the upload and the bucket's owner
	// (Principal.OwnsBucket): OBS answers anyone else 403 AccessDenied,
	// even with write access ("If you are neither the initiator of a
	// multipart upload nor the bucket owner, OBS returns 403 Forbidden",
	// https://support.huaweicloud.com/intl/en-us/api-obs/obs_04_0103.html).
	// Without it any writer of the bucket may abort (S3, OSS).
	AbortByInitiatorOrOwner bool
	// ReservedBucketPrefixes and ReservedBucketSuffixes are bucket names
	// the dialect's service keeps for itself: CreateBucket refuses a name
	// with one of them (InvalidBucketName) on top of the common syntax
	// (ValidBucketName).
	ReservedBucketPrefixes, ReservedBucketSuffixes []string
	// BucketNameNoDots refuses a new bucket name holding '.', which the
	// common syntax allows.
	BucketNameNoDots bool
}

// S3Rules are Amazon S3's documented limits.
var S3Rules = Rules{
	MinPartNumber: 1, MaxPartNumber: 10000,
	MinPartSize:   5 << 20,
	MaxPartSize:   5 << 30,
	MaxObjectSize: 5 << 30,
	MaxKeyLength:  1024,
	// "General purpose buckets naming rules",
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html:
	// "Bucket names must not start with the prefix xn--", "sthree-" (and
	// "sthree-configurator", which "sthree-" covers), "amzn-s3-demo-";
	// "must not end with the suffix -s3alias" (access point aliases),
	// "--ol-s3" (Object Lambda Access Point aliases), ".mrap" (Multi-Region
	// Access Points), "--x-s3" (directory buckets), "--table-s3" (table
	// buckets).
	ReservedBucketPrefixes: []string{"xn--", "sthree-", "amzn-s3-demo-"},
	ReservedBucketSuffixes: []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"},

	DefaultChecksum: DefaultChecksum,
}

// OSSRules are Alibaba Cloud OSS's documented limits: 100 KB minimum
// non-last parts, checked at Complete, never at UploadPart.
var OSSRules = Rules{
	MinPartNumber: 1, MaxPartNumber: 10000,
	MinPartSize:   100 << 10,
	MaxPartSize:   5 << 30,
	MaxObjectSize: 5 << 30,
	MaxKeyLength:  1023,
	// "Allowed characters: Lowercase letters, digits, and hyphens (-)
	// only" (Bucket naming conventions,
	// https://www.alibabacloud.com/help/en/oss/user-guide/bucket-naming-conventions).
	// OSS reserves none of the names AWS does.
	BucketNameNoDots: true,
}

// OBSRules are Huawei Cloud OBS's native limits: 100 KB minimum non-last
// parts, 5 GB maximum parts, only the initiator may work on an upload, and
// only the initiator or the bucket's owner may abort it.
var OBSRules = Rules{
	MinPartNumber: 1, MaxPartNumber: 10000,
	MinPartSize:   100 << 10,
	MaxPartSize:   5 << 30,
	MaxObjectSize: 5 << 30,
	MaxKeyLength:  1024,
	InitiatorOnly: true,
	// "If you are neither the initiator of a multipart upload nor the
	// bucket owner, OBS returns 403 Forbidden" (obs_04_0103).
	AbortByInitiatorOrOwner: true,
}
