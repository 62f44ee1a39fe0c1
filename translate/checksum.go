package translate

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
)

// ChecksumAlgorithm names a whole-body checksum. Values are S3's spelling;
// CRC64ECMA is Alibaba's x-oss-hash-crc64ecma (CRC-64/XZ).
type ChecksumAlgorithm string

// The checksum algorithms babelgate computes and verifies.
const (
	CRC32     ChecksumAlgorithm = "CRC32"
	CRC32C    ChecksumAlgorithm = "CRC32C"
	CRC64NVME ChecksumAlgorithm = "CRC64NVME"
	SHA1      ChecksumAlgorithm = "SHA1"
	SHA256    ChecksumAlgorithm = "SHA256"
	CRC64ECMA ChecksumAlgorithm = "CRC64ECMA"
	// The algorithms S3 added in 2025 (aws-sdk-go-v2 service/s3
	// types.ChecksumAlgorithm; S3 API reference, Checksum): the digests are
	// sent as base64 of their canonical big-endian bytes.
	SHA512    ChecksumAlgorithm = "SHA512"
	MD5       ChecksumAlgorithm = "MD5"
	XXHASH64  ChecksumAlgorithm = "XXHASH64"  // XXH64, seed 0
	XXHASH3   ChecksumAlgorithm = "XXHASH3"   // XXH3-64, seed 0
	XXHASH128 ChecksumAlgorithm = "XXHASH128" // XXH3-128, seed 0
)

// S3ChecksumAlgorithms are the algorithms S3 clients may name, in the order
// of aws-sdk-go-v2's types.ChecksumAlgorithm.Values.
var S3ChecksumAlgorithms = []ChecksumAlgorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128}

// DefaultChecksum is the algorithm S3 computes for an object uploaded with
// no checksum (S3 API reference, Checksum.ChecksumCRC64NVME: "or if the
// object was uploaded without a checksum (and Amazon S3 added the default
// checksum, CRC64NVME, to the uploaded object)").
const DefaultChecksum = CRC64NVME

// ParseChecksumAlgorithm parses an S3 algorithm name, case-insensitively.
func ParseChecksumAlgorithm(s string) (ChecksumAlgorithm, bool) {
	for _, a := range S3ChecksumAlgorithms {
		if strings.EqualFold(s, string(a)) {
			return a, true
		}
	}
	return "", false
}

// IsCRC reports whether the algorithm is a CRC, whose values can be combined
// into a full-object checksum.
func (a ChecksumAlgorithm) IsCRC() bool {
	return a == CRC32 || a == CRC32C || a == CRC64NVME || a == CRC64ECMA
}

// AllowsType reports whether a multipart upload may use the algorithm with
// checksum type t: FULL_OBJECT only for the CRCs S3 can combine (CRC32,
// CRC32C, CRC64NVME), COMPOSITE for every algorithm but CRC64NVME (S3 user
// guide, "Checking object integrity": CRC64NVME supports full object
// checksums only).
func (a ChecksumAlgorithm) AllowsType(t ChecksumType) bool {
	switch t {
	case ChecksumFullObject:
		return a == CRC32 || a == CRC32C || a == CRC64NVME
	case ChecksumComposite:
		return a != CRC64NVME
	}
	return false
}

// DefaultType is the checksum type S3 picks for a multipart upload that
// names the algorithm but no type: FULL_OBJECT for CRC64NVME, else
// COMPOSITE.
func (a ChecksumAlgorithm) DefaultType() ChecksumType {
	if a == CRC64NVME {
		return ChecksumFullObject
	}
	return ChecksumComposite
}

// Size returns the length in bytes of the algorithm's raw digest.
func (a ChecksumAlgorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME, CRC64ECMA, XXHASH64, XXHASH3:
		return 8
	case SHA1:
		return sha1.Size
	case SHA256, SHA256Tree:
		return sha256.Size
	case SHA512:
		return sha512.Size
	case MD5:
		return md5.Size
	case XXHASH128:
		return 16
	}
	return 0
}

// ChecksumType is how a multipart object's checksum is formed.
type ChecksumType string

// Checksum types (S3's x-amz-checksum-type).
const (
	ChecksumComposite  ChecksumType = "COMPOSITE"
	ChecksumFullObject ChecksumType = "FULL_OBJECT"
)

// Checksums maps an algorithm to the base64 of its raw big-endian digest,
// S3's wire form; composite values carry S3's "-N" suffix.
type Checksums map[ChecksumAlgorithm]string

// Clone returns a copy of c.
func (c Checksums) Clone() Checksums {
	if c == nil {
		return nil
	}
	out := make(Checksums, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}

var (
	crc32cTable   = crc32.MakeTable(crc32.Castagnoli)
	crc64NVMEFast = newCRC64Fast(crc64NVMEPoly) // CLMUL where the CPU has it (crc64fast.go)
	crc64ECMAFast = newCRC64Fast(crc64.ECMA)
	crc64NVMEPoly = uint64(0x9A6C9329AC4BC9B5) // CRC-64/NVME, reflected form
)

// NewChecksumHash returns a fresh hash for the algorithm; its Sum is the
// raw big-endian digest.
func NewChecksumHash(a ChecksumAlgorithm) (hash.Hash, error) {
	switch a {
	case CRC32:
		return crc32.NewIEEE(), nil
	case CRC32C:
		return crc32.New(crc32cTable), nil
	case CRC64NVME:
		return crc64NVMEFast.new(), nil
	case CRC64ECMA:
		return crc64ECMAFast.new(), nil
	case SHA1:
		return sha1.New(), nil
	case SHA256:
		return sha256.New(), nil
	case SHA512:
		return sha512.New(), nil
	case MD5:
		return md5.New(), nil
	case XXHASH64:
		return xxhash.New(), nil
	case XXHASH3:
		return xxh3.New(), nil
	case XXHASH128:
		return xxh128{xxh3.New()}, nil
	case SHA256Tree:
		return NewTreeHash(), nil
	}
	return nil, fmt.Errorf("unknown checksum algorithm %q", a)
}

// xxh128 is XXH3-128 as a hash.Hash whose Sum is the canonical big-endian
// 16 bytes (high half first, as XXH128_canonicalFromHash).
type xxh128 struct{ *xxh3.Hasher }

func (h xxh128) Size() int { return 16 }

func (h xxh128) Sum(b []byte) []byte {
	sum := h.Sum128().Bytes()
	return append(b, sum[:]...)
}

// EncodeChecksum returns the wire (base64) form of a raw digest.
func EncodeChecksum(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }

// DecodeChecksum parses the wire form of a plain (not composite) checksum and
// checks its length for the algorithm.
func DecodeChecksum(a ChecksumAlgorithm, s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("checksum %s: %w", a, err)
	}
	if len(raw) != a.Size() {
		return nil, fmt.Errorf("checksum %s: %d bytes, want %d", a, len(raw), a.Size())
	}
	return raw, nil
}

// CRC64ECMAValue returns the CRC-64/ECMA value of a Checksums entry as the
// unsigned integer OSS prints, and whether it was present and well formed.
func (c Checksums) CRC64ECMAValue() (uint64, bool) {
	raw, err := DecodeChecksum(CRC64ECMA, c[CRC64ECMA])
	if err != nil {
		return 0, false
	}
	return binary.BigEndian.Uint64(raw), true
}

// CompositeChecksum returns S3's COMPOSITE checksum of parts: the algorithm
// applied to the concatenated raw part digests, base64, then "-N".
func CompositeChecksum(a ChecksumAlgorithm, partValues []string) (string, error) {
	h, err := NewChecksumHash(a)
	if err != nil {
		return "", err
	}
	for i, v := range partValues {
		raw, err := DecodeChecksum(a, v)
		if err != nil {
			return "", fmt.Errorf("part %d: %w", i+1, err)
		}
		h.Write(raw)
	}
	return fmt.Sprintf("%s-%d", EncodeChecksum(h.Sum(nil)), len(partValues)), nil
}

// FullObjectCRC combines the CRCs of consecutive parts into the CRC of their
// concatenation, without the data: the FULL_OBJECT checksum of a multipart
// object, and OSS's whole-object CRC-64.
func FullObjectCRC(a ChecksumAlgorithm, partValues []string, partSizes []int64) (string, error) {
	if !a.IsCRC() {
		return "", fmt.Errorf("%s cannot be combined", a)
	}
	if len(partValues) != len(partSizes) {
		return "", fmt.Errorf("%d checksums for %d parts", len(partValues), len(partSizes))
	}
	poly, width := crcParams(a)
	var acc uint64
	for i, v := range partValues {
		raw, err := DecodeChecksum(a, v)
		if err != nil {
			return "", fmt.Errorf("part %d: %w", i+1, err)
		}
		var c uint64
		if width == 32 {
			c = uint64(binary.BigEndian.Uint32(raw))
		} else {
			c = binary.BigEndian.Uint64(raw)
		}
		if i == 0 {
			acc = c
			continue
		}
		acc = CombineCRC(poly, width, acc, c, partSizes[i])
	}
	out := make([]byte, width/8)
	if width == 32 {
		binary.BigEndian.PutUint32(out, uint32(acc))
	} else {
		binary.BigEndian.PutUint64(out, acc)
	}
	return EncodeChecksum(out), nil
}

func crcParams(a ChecksumAlgorithm) (poly uint64, width int) {
	switch a {
	case CRC32:
		return crc32.IEEE, 32
	case CRC32C:
		return crc32.Castagnoli, 32
	case CRC64NVME:
		return crc64NVMEPoly, 64
	default:
		return crc64.ECMA, 64
	}
}

// CombineCRC returns the CRC of A‖B given crcA = CRC(A), crcB = CRC(B) and
// the length of B, for a reflected CRC of the given width (32 or 64) with
// all-ones init and final xor, and reversed polynomial poly. It is zlib's
// crc32_combine, generalised: it applies len2 zero bytes to crcA through
// GF(2) matrix squaring, then xors crcB.
func CombineCRC(poly uint64, width int, crcA, crcB uint64, lenB int64) uint64 {
	if lenB <= 0 {
		return crcA
	}
	odd := make([]uint64, width)  // operator for one zero bit
	even := make([]uint64, width) // scratch
	odd[0] = poly
	row := uint64(1)
	for n := 1; n < width; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(even, odd) // two zero bits
	gf2Square(odd, even) // four zero bits
	for {
		gf2Square(even, odd) // first pass: one zero byte
		if lenB&1 != 0 {
			crcA = gf2Times(even, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		gf2Square(odd, even)
		if lenB&1 != 0 {
			crcA = gf2Times(odd, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

func gf2Times(mat []uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat []uint64) {
	for n := range mat {
		square[n] = gf2Times(mat, mat[n])
	}
}
