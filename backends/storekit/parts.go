package storekit

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// A part record is an empty object whose name records one part's checksums,
// so that one listing of PartRecordPrefix(id) returns every part's record
// without reading any object:
//
//	UploadDir(id) + "p" + <number, at least 5 digits> + "." + etag + "." + base64url(JSON of sums)
//
// The ETag must not contain '.' (store ETags are hex).

// PartRecord is the key of the record of part number of upload id, with
// the given ETag and checksums.
func PartRecord(id string, number int, etag string, sums translate.Checksums) string {
	// A map of strings to strings always encodes.
	data, _ := json.Marshal(sums)
	return fmt.Sprintf("%sp%05d.%s.%s", UploadDir(id), number, etag, base64.RawURLEncoding.EncodeToString(data))
}

// PartRecordPrefix is the prefix of every part record of upload id.
func PartRecordPrefix(id string) string { return UploadDir(id) + "p" }

// ParsePartRecord reads back what PartRecord(id, ...) named; ok is false
// for a key that is not a well-formed record of upload id.
func ParsePartRecord(id, key string) (number int, etag string, sums translate.Checksums, ok bool) {
	return parsePartRecord(PartRecordPrefix(id), key)
}

func parsePartRecord(prefix, key string) (number int, etag string, sums translate.Checksums, ok bool) {
	rest, found := strings.CutPrefix(key, prefix)
	parts := strings.SplitN(rest, ".", 3)
	if !found || len(parts) != 3 {
		return 0, "", nil, false
	}
	n, err := strconv.Atoi(parts[0])
	data, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || err2 != nil || json.Unmarshal(data, &sums) != nil {
		return 0, "", nil, false
	}
	return n, parts[1], sums, true
}

// PartChecksums folds a listing of upload id's record keys into the
// recorded checksums by part number and ETag. Keys that are not records of
// the upload are ignored; of two records of one part and ETag, the later
// key wins. The result is never nil.
func PartChecksums(id string, keys []string) map[int]map[string]translate.Checksums {
	prefix := PartRecordPrefix(id)
	out := map[int]map[string]translate.Checksums{}
	for _, key := range keys {
		if n, etag, sums, ok := parsePartRecord(prefix, key); ok {
			if out[n] == nil {
				out[n] = map[string]translate.Checksums{}
			}
			out[n][etag] = sums
		}
	}
	return out
}
