package fs

import (
	"crypto/rand"
	"encoding/binary"
	"os"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/translate"
)

// Concurrent uploads of one part number follow OBS's "last write wins":
// the part whose upload BEGAN last is kept, whole (protocols.md §3.5,
// obs_04_0099: the time of the last write is the creation time of the
// part's metadata). Each part file's header records when its upload began,
// with a random tiebreak; a part is renamed into place only if the part
// already there began earlier, decided under an exclusive lock on the
// upload's lock file, so the rule holds across processes sharing the
// directory. An upload that loses discards its data and still succeeds.
//
// Times are the wall clock (UnixNano) of the machine running the backend;
// the fs backend serves one machine, so every writer reads the same clock.
// Within one process the stamps are strictly increasing (backends.Stamps), so an
// upload that begins after another has begun always wins over it, however
// coarse or unsteady the clock.

// lockFile is the per-upload lock file, inside the upload directory; its
// name never parses as a part.
const lockFile = "lock"

// partHeader is a part file's header: the PartInfo plus when its upload
// began. Readers that decode into translate.PartInfo ignore the extra
// fields, and parts written before they existed decode as having begun at
// the epoch, so any new upload replaces them.
type partHeader struct {
	translate.PartInfo
	// Began is when the part's upload began, in Unix nanoseconds.
	Began int64 `json:"began,omitempty"`
	// Tiebreak orders two uploads that began in the same nanosecond.
	Tiebreak uint64 `json:"tiebreak,omitempty"`
}

// newPartHeader stamps a part whose upload begins now.
func newPartHeader(p translate.PartInfo) partHeader {
	var b [8]byte
	rand.Read(b[:])
	return partHeader{PartInfo: p, Began: stamps.Next(), Tiebreak: binary.BigEndian.Uint64(b[:])}
}

// stamps hands out the begin stamps of part headers.
var stamps backends.Stamps

// after reports whether h began strictly after o.
func (h partHeader) after(o partHeader) bool {
	if h.Began != o.Began {
		return h.Began > o.Began
	}
	return h.Tiebreak > o.Tiebreak
}

// storedPartHeader reads the header of the committed part file name: ok is
// false if there is none (or it cannot be read, in which case the new part
// replaces it).
func storedPartHeader(root *os.Root, name string) (partHeader, bool) {
	f, err := root.Open(name)
	if err != nil {
		return partHeader{}, false
	}
	defer f.Close()
	var h partHeader
	if _, err := readHeader(f, &h); err != nil {
		return partHeader{}, false
	}
	return h, true
}
