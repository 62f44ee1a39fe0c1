package storekit

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/translate"
)

// Staging lets a store whose minimum part size is larger than the client's
// take the client's small parts: each part is stored as a plain object (a
// staged part) under the upload's directory, and the store's own upload is
// made only at Complete, from parts assembled to the store's minimum
// (PlanGroups). A staged upload's ID begins with StagedIDPrefix and its
// state has Staged set.
//
// A staged part is two objects: its bytes, StagedPart.Object, and an empty
// record, StagedPart.Record, whose name carries the part's ETag, size and
// checksums, so one listing describes every part. Records of one number
// compete by begin time: the part whose upload began last wins (OBS's
// rule), whatever order the uploads finished in.

// StagedIDPrefix begins every staged upload's ID.
const StagedIDPrefix = "st-"

// NewStagedID returns a fresh staged upload ID.
func NewStagedID() string { return StagedIDPrefix + randomHex(16) }

// IsStagedID reports whether id has the form of a staged upload's ID; the
// upload's state (Upload.Staged) is what decides.
func IsStagedID(id string) bool { return strings.HasPrefix(id, StagedIDPrefix) }

// StagedMarkerPrefix is the prefix of the markers that list staged uploads
// (which the store's ListMultipartUploads cannot show).
const StagedMarkerPrefix = Prefix + "staged/"

// StagedMarker is the key of the empty marker listing staged upload id.
func StagedMarker(id string) string { return StagedMarkerPrefix + id }

// ParseStagedMarker returns the upload ID a marker key names.
func ParseStagedMarker(key string) (string, bool) {
	id, ok := strings.CutPrefix(key, StagedMarkerPrefix)
	return id, ok && IsStagedID(id) && !strings.Contains(id, "/")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// StagedPart describes one staged part of an upload.
type StagedPart struct {
	Number int
	// Begin is when the part's upload began (Unix nanoseconds); Rand tells
	// apart parts begun in the same nanosecond.
	Begin int64
	Rand  string
	// ETag, Size and Checksum are the part's, known once its bytes are
	// stored.
	ETag     string
	Size     int64
	Checksum translate.Checksums
}

// NewStagedPart starts a staged part of number, begun now. Within one
// process Begin is strictly increasing, so a part begun after another has
// begun always wins over it, however coarse or unsteady the clock.
func NewStagedPart(number int) StagedPart {
	return StagedPart{Number: number, Begin: stamps.Next(), Rand: randomHex(4)}
}

// stamps hands out the begin stamps of staged parts and block attempts.
var stamps backends.Stamps

// Object is the key of the part's bytes in upload id.
func (p StagedPart) Object(id string) string {
	return fmt.Sprintf("%ss%05d.%d.%s", UploadDir(id), p.Number, p.Begin, p.Rand)
}

// Record is the key of the part's record in upload id. The ETag must not
// contain '.'.
func (p StagedPart) Record(id string) string {
	data, _ := json.Marshal(p.Checksum)
	return fmt.Sprintf("%s%05d.%d.%s.%s.%d.%s", PartRecordPrefix(id), p.Number, p.Begin, p.Rand, p.ETag, p.Size,
		base64.RawURLEncoding.EncodeToString(data))
}

// Info is the part as a client sees it.
func (p StagedPart) Info() translate.PartInfo {
	return translate.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, LastModified: time.Unix(0, p.Begin).UTC(),
		Checksum: p.Checksum.Clone()}
}

// later reports whether p began after q (ties broken by Rand).
func (p StagedPart) later(q StagedPart) bool {
	if p.Begin != q.Begin {
		return p.Begin > q.Begin
	}
	return p.Rand > q.Rand
}

// ParseStagedRecord reads back what StagedPart.Record(id) named; ok is
// false for any other key (a plain part record included).
func ParseStagedRecord(id, key string) (StagedPart, bool) {
	rest, found := strings.CutPrefix(key, PartRecordPrefix(id))
	f := strings.Split(rest, ".")
	if !found || len(f) != 6 {
		return StagedPart{}, false
	}
	var p StagedPart
	var err [4]error
	p.Number, err[0] = strconv.Atoi(f[0])
	p.Begin, err[1] = strconv.ParseInt(f[1], 10, 64)
	p.Rand, p.ETag = f[2], f[3]
	p.Size, err[2] = strconv.ParseInt(f[4], 10, 64)
	data, err3 := base64.RawURLEncoding.DecodeString(f[5])
	if err3 == nil {
		err3 = json.Unmarshal(data, &p.Checksum)
	}
	err[3] = err3
	for _, e := range err {
		if e != nil {
			return StagedPart{}, false
		}
	}
	return p, p.Number > 0
}

// StagedParts folds a listing of upload id's record keys into the winning
// part of each number: the one begun last. Other keys are ignored. The
// result is never nil.
func StagedParts(id string, keys []string) map[int]StagedPart {
	out := map[int]StagedPart{}
	for _, k := range keys {
		if p, ok := ParseStagedRecord(id, k); ok {
			if cur, seen := out[p.Number]; !seen || p.later(cur) {
				out[p.Number] = p
			}
		}
	}
	return out
}

// StagedPartsPage is the ListParts page of parts: numbers greater than
// after, ascending, at most max.
func StagedPartsPage(parts map[int]StagedPart, after, max int) translate.PartsPage {
	var nums []int
	for n := range parts {
		if n > after {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	var page translate.PartsPage
	for i, n := range nums {
		if i == max {
			page.Truncated = true
			break
		}
		page.Parts = append(page.Parts, parts[n].Info())
		page.NextMarker = n
	}
	return page
}

// Group is one store part assembled from consecutive staged parts. Copy
// reports that it is a single staged part big enough to be copied into the
// store's upload server-side; otherwise the parts' bytes are streamed, in
// order, as one store part of Size bytes.
type Group struct {
	Parts []StagedPart
	Size  int64
	Copy  bool
}

// PlanGroups divides the parts of a Complete (in order) into store parts
// of at least min bytes, except the last: greedily, a part of at least min
// that would begin a group is a group of its own, copied; otherwise parts
// are appended to the current group until it reaches min.
func PlanGroups(parts []StagedPart, min int64) []Group {
	var out []Group
	var cur Group
	for _, p := range parts {
		if len(cur.Parts) == 0 && p.Size >= min {
			out = append(out, Group{Parts: []StagedPart{p}, Size: p.Size, Copy: true})
			continue
		}
		cur.Parts = append(cur.Parts, p)
		cur.Size += p.Size
		if cur.Size >= min {
			out = append(out, cur)
			cur = Group{}
		}
	}
	if len(cur.Parts) > 0 {
		out = append(out, cur)
	}
	return out
}

// StagedComplete matches a Complete request's parts (already validated by
// the engine against ListParts) to the winning staged parts; a part that
// is gone or has another ETag is ErrInvalidPart.
func StagedComplete(bucket, key string, want []translate.CompletePart, have map[int]StagedPart) ([]StagedPart, error) {
	out := make([]StagedPart, 0, len(want))
	for _, w := range want {
		p, ok := have[w.Number]
		if !ok || p.ETag != w.ETag {
			return nil, &translate.Error{Code: translate.ErrInvalidPart, Bucket: bucket, Key: key,
				Message: "One or more of the specified parts could not be found."}
		}
		out = append(out, p)
	}
	return out, nil
}
