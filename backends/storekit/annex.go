package storekit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"

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
	// CompletedBy is the object's translate.ObjectInfo.CompletedBy: the
	// Complete request that made it, answered again while it stays.
	CompletedBy string `json:"completedBy,omitempty"`
	// PartChecksums are the per-part checksums of an upload that chose an
	// algorithm (translate.ObjectInfo.PartChecksums).
	PartChecksums []translate.Checksums `json:"partChecksums,omitempty"`
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
		Checksums: info.Checksum, ChecksumType: info.ChecksumType, PartSizes: info.PartSizes, PartChecksums: info.PartChecksums,
		CompletedBy: info.CompletedBy}
}

// MayHaveAnnex reports whether an object with the store ETag etag is one
// the store assembled from parts ("-N"). Listings look for annexes only of
// those (they carry no checksums, and only such objects' ETags differ from
// the client's); HEAD and GET look for one as the object's entry says
// (Stager.ApplyKept).
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
	a, ok := ParseAnnex(data)
	if !ok || !a.Matches(*info) {
		return false
	}
	info.ETag, info.Checksum, info.ChecksumType, info.PartSizes = a.ETag, a.Checksums.Clone(), a.ChecksumType, a.PartSizes
	info.CompletedBy = a.CompletedBy
	info.PartChecksums = a.PartChecksums
	if len(info.Checksum) == 0 {
		info.Checksum, info.ChecksumType = nil, ""
	}
	return true
}

func normETag(s string) string { return strings.ToLower(strings.Trim(s, `" `)) }

// ParseAnnex decodes an annex object; ok is false when data does not
// decode.
func ParseAnnex(data []byte) (Annex, bool) {
	var a Annex
	return a, json.Unmarshal(data, &a) == nil
}

// Matches reports whether the annex describes the object info as the
// store holds it: same key, store ETag and size.
func (a Annex) Matches(info translate.ObjectInfo) bool {
	return a.Key == info.Key && a.StoreETag == normETag(info.ETag) && a.Size == info.Size
}

// CopyAnnex is the annex of dst, a copy of an object whose annex is src,
// which the store holds with dst's store ETag and size. ok is false when
// the copy is not the bytes the annex describes (another size).
func CopyAnnex(src Annex, dst translate.ObjectInfo) (Annex, bool) {
	if dst.Size != src.Size {
		return Annex{}, false
	}
	src.Key, src.StoreETag = dst.Key, normETag(dst.ETag)
	src.CompletedBy = "" // a copy was made by no Complete
	src.Checksums = src.Checksums.Clone()
	return src, true
}

// annexConcurrency bounds the annex reads ApplyListedAnnexes makes at
// once.
const annexConcurrency = 8

// ApplyListedAnnexes gives the listed objects assembled from staged parts
// (a multipart store ETag, see MayHaveAnnex) the client's ETag from their
// annex, when it matches (see Annex.Matches); other objects, and objects
// without an annex, keep the store's. Listings carry only ETags, so only
// the ETag is replaced. read returns the content of an annex key, at most
// MaxStateSize bytes, or the store's error mapped to a translate code;
// ErrNoSuchKey is no annex. Reads run concurrently (a few at a time); the
// first other error is returned, with objs partly updated.
func ApplyListedAnnexes(ctx context.Context, objs []translate.ObjectInfo, read func(ctx context.Context, key string) ([]byte, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, annexConcurrency)
	for i := range objs {
		if !MayHaveAnnex(objs[i].ETag) {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(o *translate.ObjectInfo) {
			defer func() { <-sem; wg.Done() }()
			data, err := read(ctx, AnnexKey(o.Key))
			if err != nil {
				if translate.CodeOf(err) != translate.ErrNoSuchKey {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
				}
				return
			}
			if a, ok := ParseAnnex(data); ok && a.Matches(*o) {
				o.ETag = a.ETag
			}
		}(&objs[i])
	}
	wg.Wait()
	return first
}

// Unkept reports whether sums hold a checksum the store does not keep
// itself (kept reports false for its algorithm). An object with one needs
// its values kept after the store accepted it, in its own metadata (see
// MetadataUpdater) or an annex, for reads to return them.
func Unkept(sums translate.Checksums, kept func(translate.ChecksumAlgorithm) bool) bool {
	for a := range sums {
		if !kept(a) {
			return true
		}
	}
	return false
}

// SingleAnnex is the annex of an object written whole (PutObject) as info
// describes, which the store holds with storeETag: it keeps info's
// checksums, for a store that keeps only some of them.
func SingleAnnex(info translate.ObjectInfo, storeETag string) Annex {
	a := NewAnnex(info, storeETag)
	a.PartSizes, a.PartChecksums = nil, nil
	return a
}
