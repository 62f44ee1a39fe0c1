package storestate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// Annex is what a client was promised about an object the gateway
// assembled from staged parts, whose store ETag, checksums and part layout
// differ from the client's. It is JSON in AnnexKey(Key) and applies only
// while the store's object still has StoreETag and Size: an overwrite
// makes a stale annex inert, so none needs removing for correctness.
type Annex struct {
	Key          string                 `json:"key"`
	StoreETag    string                 `json:"storeETag"`
	ETag         string                 `json:"etag"`
	Size         int64                  `json:"size"`
	Checksums    translate.Checksums    `json:"checksums,omitempty"`
	ChecksumType translate.ChecksumType `json:"checksumType,omitempty"`
	PartSizes    []int64                `json:"partSizes,omitempty"`
}

// AnnexKey is the key of the annex of an object key.
func AnnexKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return Prefix + "annex/" + hex.EncodeToString(sum[:16])
}

// NewAnnex is the annex of an object completed as info describes, which
// the store holds with storeETag.
func NewAnnex(info translate.ObjectInfo, storeETag string) Annex {
	return Annex{Key: info.Key, StoreETag: normETag(storeETag), ETag: info.ETag, Size: info.Size,
		Checksums: info.Checksum, ChecksumType: info.ChecksumType, PartSizes: info.PartSizes}
}

// MayHaveAnnex reports whether an object with the store ETag etag can have
// an annex: only objects the store assembled from parts ("-N") do, so
// reads of other objects need not look.
func MayHaveAnnex(etag string) bool { return strings.Contains(etag, "-") }

// Marshal is the annex's on-store form.
func (a Annex) Marshal() []byte {
	data, _ := json.Marshal(a)
	return data
}

// ApplyAnnex decodes data (an annex object) and, when it describes info
// (same key, store ETag and size), replaces info's ETag, checksums and
// part sizes with the client's. It reports whether it did; an annex that
// does not decode or match is ignored.
func ApplyAnnex(data []byte, info *translate.ObjectInfo) bool {
	var a Annex
	if json.Unmarshal(data, &a) != nil || a.Key != info.Key || a.StoreETag != normETag(info.ETag) || a.Size != info.Size {
		return false
	}
	info.ETag, info.Checksum, info.ChecksumType, info.PartSizes = a.ETag, a.Checksums.Clone(), a.ChecksumType, a.PartSizes
	if len(info.Checksum) == 0 {
		info.Checksum, info.ChecksumType = nil, ""
	}
	return true
}

func normETag(s string) string { return strings.ToLower(strings.Trim(s, `" `)) }
