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
}

// S3Rules are Amazon S3's documented limits.
var S3Rules = Rules{
	MinPartNumber: 1, MaxPartNumber: 10000,
	MinPartSize:   5 << 20,
	MaxPartSize:   5 << 30,
	MaxObjectSize: 5 << 30,
	MaxKeyLength:  1024,

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
}

// OBSRules are Huawei Cloud OBS's native limits: 100 KB minimum non-last
// parts, 5 GB maximum parts, and only the initiator may work on an upload.
var OBSRules = Rules{
	MinPartNumber: 1, MaxPartNumber: 10000,
	MinPartSize:   100 << 10,
	MaxPartSize:   5 << 30,
	MaxObjectSize: 5 << 30,
	MaxKeyLength:  1024,
	InitiatorOnly: true,
}
