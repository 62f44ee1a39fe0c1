package storekit

import (
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
)

// IdentMeta encodes user metadata names for a store that takes only
// identifiers as metadata names (letters, digits and '_', not beginning
// with a digit; Azure's are C# identifiers) and compares them without
// case. A name (lowercase) that is an identifier, does not begin with
// Prefix and is not one of the driver's Own names is kept as it is; any
// other is stored as Prefix + hex of its bytes, which no kept name can be.
type IdentMeta struct {
	// Prefix marks an encoded name ("bgx_"); lowercase.
	Prefix string
	// Own are the driver's own metadata names (lowercase), never a
	// client's.
	Own []string
}

// Encode is the store's name of user metadata name n (lowercase).
func (c IdentMeta) Encode(n string) string {
	if isIdentifier(n) && !strings.HasPrefix(n, c.Prefix) && !slices.Contains(c.Own, n) {
		return n
	}
	return c.Prefix + hex.EncodeToString([]byte(n))
}

// Decode reverses Encode for a name the store lists (any case); ok is
// false for the driver's own names and undecodable ones.
func (c IdentMeta) Decode(stored string) (string, bool) {
	stored = strings.ToLower(stored)
	if h, ok := strings.CutPrefix(stored, c.Prefix); ok {
		b, err := hex.DecodeString(h)
		return string(b), err == nil
	}
	return stored, !slices.Contains(c.Own, stored)
}

func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// OnceSeeker gives an SDK that asks for an io.ReadSeekCloser one over a
// stream of known size read once: it answers the length probes (Seek to
// the end, and back before any byte is read) and refuses a rewind after
// reading, so that a request is never silently re-sent with part of its
// body.
type OnceSeeker struct {
	R    io.Reader
	Size int64
	read bool
}

func (s *OnceSeeker) Read(p []byte) (int, error) {
	s.read = true
	return s.R.Read(p)
}

// Seek answers the probes described on OnceSeeker and fails otherwise.
func (s *OnceSeeker) Seek(off int64, whence int) (int64, error) {
	switch {
	case off == 0 && whence == io.SeekEnd:
		return s.Size, nil
	case off == 0 && !s.read && (whence == io.SeekStart || whence == io.SeekCurrent):
		return 0, nil
	}
	return 0, errors.New("storekit: a streamed body cannot be rewound")
}

// Close does nothing: the body is the caller's.
func (s *OnceSeeker) Close() error { return nil }
