package fs

import (
	"strings"
)

// Keys map to paths inside a bucket directory as follows.
//
// A key is cut into raw pieces: after every '/' (which stays at the end of
// its piece) and after every maxPiece bytes that contain no '/'. So every
// piece but the last ends in '/' or is exactly maxPiece bytes long, and a
// key ending in '/' keeps that '/' in its last piece ("dir/" is one piece,
// "dir/x" is "dir/" + "x"). Every piece but the last is a directory named
// escape(piece)+".d"; the last is the object file escape(piece)+".o". Thus
// "photos/2024/a.jpg" is photos%2F.d/2024%2F.d/a.jpg.o.
//
// The escape keeps [A-Za-z0-9] and "-_.~+=,@" (a '.' only when it is not the
// first byte) and writes every other byte as %XX, so names never begin with
// '.', are never "." or "..", contain no '/' or NUL, and are at most
// 3*maxPiece+2 bytes, under every common file-name limit. Names that begin
// with '.' are the backend's own (temporary files, upload state).
//
// The pieces of a key are also what makes a walk in key order possible:
// the keys below directory piece d are exactly the keys that begin with the
// directory's accumulated prefix and are longer than it, no other entry of
// the same directory has keys beginning with that prefix, and so sorting a
// directory's entries by raw piece (a file before a directory with the same
// piece) sorts their keys.

const (
	// maxPiece is the longest raw piece in bytes.
	maxPiece = 80
	// dirSuffix and fileSuffix end directory and object file names.
	dirSuffix  = ".d"
	fileSuffix = ".o"
)

// splitKey returns the raw pieces of s as described above: every piece but
// the last ends in '/' or has maxPiece bytes. The last piece may be
// incomplete. It returns nil for the empty string.
func splitKey(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '/' || i-start+1 == maxPiece {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// keyPath returns the slash-separated path of key's object file relative
// to its bucket directory, and the paths of its parent directories from the
// outermost in. key must not be empty.
func keyPath(key string) (file string, dirs []string) {
	pieces := splitKey(key)
	var b strings.Builder
	dirs = make([]string, 0, len(pieces)-1)
	for _, p := range pieces[:len(pieces)-1] {
		b.WriteString(escapePiece(p))
		b.WriteString(dirSuffix)
		dirs = append(dirs, b.String())
		b.WriteByte('/')
	}
	b.WriteString(escapePiece(pieces[len(pieces)-1]))
	b.WriteString(fileSuffix)
	return b.String(), dirs
}

// dirEntryName returns the directory name of a raw piece.
func dirEntryName(piece string) string { return escapePiece(piece) + dirSuffix }

// keep reports whether byte c is written as itself by escapePiece (except
// for the rule about a leading '.').
func keep(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.~+=,@", c) >= 0
}

const upperHex = "0123456789ABCDEF"

// escapePiece returns the file-name form of a raw piece (without suffix).
func escapePiece(p string) string {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if keep(c) && (c != '.' || i > 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

// unescapePiece reverses escapePiece. It accepts only the canonical form,
// so that no two names decode to the same piece.
func unescapePiece(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			if !keep(c) || (c == '.' && b.Len() == 0) {
				return "", false
			}
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			return "", false
		}
		d := byte(hi<<4 | lo)
		if keep(d) && (d != '.' || b.Len() > 0) {
			return "", false // not canonical
		}
		b.WriteByte(d)
		i += 2
	}
	return b.String(), true
}

// unhex returns the value of an uppercase hex digit, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// entry is one decoded directory entry of the key tree.
type entry struct {
	piece string // raw piece
	name  string // name on disk
	dir   bool
}

// decodeName decodes a name found in the key tree. ok is false for hidden
// names, names of another form (foreign files) and pieces that splitKey
// could not have produced at that position, so that a walk never yields a
// key twice or out of order.
func decodeName(name string) (entry, bool) {
	if name == "" || name[0] == '.' {
		return entry{}, false
	}
	var dir bool
	var stem string
	switch {
	case strings.HasSuffix(name, dirSuffix):
		dir, stem = true, strings.TrimSuffix(name, dirSuffix)
	case strings.HasSuffix(name, fileSuffix):
		stem = strings.TrimSuffix(name, fileSuffix)
	default:
		return entry{}, false
	}
	p, ok := unescapePiece(stem)
	if !ok || len(p) > maxPiece {
		return entry{}, false
	}
	if i := strings.IndexByte(p, '/'); i >= 0 && i != len(p)-1 {
		return entry{}, false
	}
	if dir && p[len(p)-1] != '/' && len(p) != maxPiece {
		return entry{}, false
	}
	return entry{piece: p, name: name, dir: dir}, true
}

// compareEntries orders entries of one directory in key order: by raw piece,
// and a file before a directory with the same piece.
func compareEntries(a, b entry) int {
	if c := strings.Compare(a.piece, b.piece); c != 0 {
		return c
	}
	switch {
	case a.dir == b.dir:
		return 0
	case !a.dir:
		return -1
	}
	return 1
}
