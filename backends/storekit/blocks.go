package storekit

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Multipart uploads over staged blocks, for a store with no multipart API
// of its own but blocks staged on the destination object and committed as
// a list (Azure's Put Block / Put Block List). The store keeps the
// uncommitted blocks; their IDs carry all the bookkeeping, so the driver
// keeps no part list. Every block ID is BlockIDLen bytes (a store may
// require all of one object's block IDs to be of one length; Azure's are
// at most 64 bytes), base64-encoded:
//
//	'b' | sha256(upload ID)[:8] | part number (2 bytes) | attempt (10 bytes) | index (2 bytes) | MD5 (16 bytes)
//
// An Attempt is one upload of one part: 8 bytes of the time it began
// (strictly increasing in the process) and 2 random ones. A part's data
// blocks have indexes from 0 and a zero MD5; once they are staged, a
// one-byte tag block (index TagIndex) records the part's MD5. A part
// exists once its tag does, so a part whose body failed never shows; of
// one number, the tagged attempt that began last is the part, however the
// uploads finish, and a new upload never rewrites the blocks another may
// still be streaming. Only data blocks are committed.
const (
	BlockIDLen = 1 + 8 + 2 + attemptLen + 2 + 16
	attemptLen = 10
	// TagIndex is the index of a part's tag block; a part has fewer data
	// blocks.
	TagIndex = 0xffff
)

// Attempt names one upload of one part.
type Attempt [attemptLen]byte

// NewAttempt starts an attempt now: its time is a begin stamp (backends.Stamps), strictly
// increasing within the process, as staged parts' are.
func NewAttempt() Attempt {
	var a Attempt
	binary.BigEndian.PutUint64(a[:8], uint64(stamps.Next()))
	rand.Read(a[8:])
	return a
}

// Began is when the attempt began.
func (a Attempt) Began() time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(a[:8]))).UTC()
}

// BlockRef is what a block ID says.
type BlockRef struct {
	Part    int
	Attempt Attempt
	Index   int
	MD5     [16]byte
}

func uploadTag(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	return sum[:8]
}

// BlockID is the base64 ID of the block r of upload id.
func BlockID(id string, r BlockRef) string {
	raw := make([]byte, 0, BlockIDLen)
	raw = append(append(raw, 'b'), uploadTag(id)...)
	raw = binary.BigEndian.AppendUint16(raw, uint16(r.Part))
	raw = append(raw, r.Attempt[:]...)
	raw = binary.BigEndian.AppendUint16(raw, uint16(r.Index))
	raw = append(raw, r.MD5[:]...)
	return base64.StdEncoding.EncodeToString(raw)
}

// ParseBlockID reads BlockID back; ok is false for blocks not of upload id.
func ParseBlockID(id, b64 string) (r BlockRef, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != BlockIDLen || raw[0] != 'b' || string(raw[1:9]) != string(uploadTag(id)) {
		return BlockRef{}, false
	}
	r.Part = int(binary.BigEndian.Uint16(raw[9:11]))
	copy(r.Attempt[:], raw[11:11+attemptLen])
	r.Index = int(binary.BigEndian.Uint16(raw[11+attemptLen : 13+attemptLen]))
	copy(r.MD5[:], raw[13+attemptLen:])
	return r, true
}

// Block is one uncommitted block as the store lists it.
type Block struct {
	ID   string
	Size int64
}

// BlockPart is one tagged attempt of a part as the block list shows it.
type BlockPart struct {
	Attempt Attempt
	MD5     string   // hex, from the tag block
	Size    int64    // of the data blocks
	IDs     []string // data blocks by index; "" where one is missing
}

// LatestParts reads upload id's tagged attempts from an object's
// uncommitted blocks (others' are ignored): the winning one (the last
// begun) by part number.
func LatestParts(id string, blocks []Block) map[int]*BlockPart {
	type key struct {
		n   int
		att Attempt
	}
	all := map[key]*BlockPart{}
	tagged := map[key]bool{}
	for _, blk := range blocks {
		ref, ok := ParseBlockID(id, blk.ID)
		if !ok {
			continue
		}
		k := key{ref.Part, ref.Attempt}
		p := all[k]
		if p == nil {
			p = &BlockPart{Attempt: ref.Attempt}
			all[k] = p
		}
		if ref.Index == TagIndex {
			p.MD5, tagged[k] = hex.EncodeToString(ref.MD5[:]), true
			continue
		}
		for len(p.IDs) <= ref.Index {
			p.IDs = append(p.IDs, "")
		}
		p.IDs[ref.Index] = blk.ID
		p.Size += blk.Size
	}
	latest := map[int]*BlockPart{}
	for k, p := range all {
		if l := latest[k.n]; tagged[k] && (l == nil || string(p.Attempt[:]) > string(l.Attempt[:])) {
			latest[k.n] = p
		}
	}
	return latest
}

// PartsPage is the page of latest's parts numbered above after, at most
// max, ascending, as Driver.ListParts returns it: each part's ETag is its
// MD5 and its LastModified when its attempt began.
func PartsPage(latest map[int]*BlockPart, after, max int) PartsResult {
	var nums []int
	for n := range latest {
		if n > after {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	var res PartsResult
	for _, n := range nums {
		if len(res.Parts) == max {
			res.Truncated = true
			break
		}
		p := latest[n]
		res.Parts = append(res.Parts, translate.PartInfo{Number: n, Size: p.Size, ETag: p.MD5, LastModified: p.Attempt.Began()})
	}
	return res
}
