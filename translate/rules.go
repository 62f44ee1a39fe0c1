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
	// the client asked (OSS: CRC64ECMA).
	AlwaysChecksum []ChecksumAlgorithm
}

// S3Rules are Amazon S3's documented limits.
var S3Rules = Rules{
	MinPartNumber: 1, MaxPartNumber: 10000,
	MinPartSize:   5 << 20,
	MaxPartSize:   5 << 30,
	MaxObjectSize: 5 << 30,
	MaxKeyLength:  1024,
}
