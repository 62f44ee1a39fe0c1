package azure

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// containerName maps a bucket to its container. Azure's container names
// are 3-63 lowercase letters, digits and single hyphens, beginning and
// ending with a letter or digit
// (https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata);
// S3 also allows dots and double hyphens. Those names are refused with
// InvalidBucketName rather than encoded: an encoding would have to take
// names from the same space and could collide with a bucket a client
// names directly.
func (d *Driver) containerName(bucket string) (string, error) {
	name := d.opts.ContainerPrefix + bucket
	ok := len(name) >= 3 && len(name) <= 63 && !strings.Contains(name, "--") &&
		strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" &&
		name[0] != '-' && name[len(name)-1] != '-'
	if !ok {
		return "", &translate.Error{Code: translate.ErrInvalidBucketName, Bucket: bucket,
			Message: "The specified bucket is not valid on this backend: Azure container names take lowercase letters, digits and single hyphens only."}
	}
	return name, nil
}

// Metadata names: Azure's must be C# identifiers (letters, digits and
// '_', not beginning with a digit) and are case-insensitive. A user
// metadata name that is one (and does not begin with encodedMeta) is kept
// as it is; any other is stored as encodedMeta + hex of its bytes, which
// no kept name can be. metaExpires and metaRedirect hold Expires and the
// website redirect location, which Azure has no property for.
const (
	encodedMeta  = "bgx_"
	metaExpires  = "bgexpires"
	metaRedirect = "bgredirect"
	metaETag     = "bgetag" // a multipart object's ETag (see CompleteUpload)
	metaUpload   = "bgkey"  // the key of an upload's record blob (base64url)
	metaInit     = "bginit" // when an upload began (RFC 3339, nanoseconds)
)

// ownMeta reports whether az (lowercase) is one of the driver's names.
func ownMeta(az string) bool {
	return az == metaExpires || az == metaRedirect || az == metaETag || az == metaUpload || az == metaInit
}

// metaValue is the value of the metadata entry name (any case), "" if none.
func metaValue(meta map[string]*string, name string) string {
	for k, v := range meta {
		if strings.EqualFold(k, name) && v != nil {
			return *v
		}
	}
	return ""
}

// writableKey refuses, with InvalidKey, a key Azure would store under
// another name: Azure takes '\' in a blob name for '/'.
func writableKey(bucket, key string) error {
	if strings.Contains(key, `\`) {
		return &translate.Error{Code: translate.ErrInvalidKey, Bucket: bucket, Key: key,
			Message: "Object keys with a backslash are not supported on this backend: Azure stores '\\' as '/'."}
	}
	return nil
}

// metaName is the Azure name of user metadata name n (lowercase).
func metaName(n string) string {
	if isIdentifier(n) && !strings.HasPrefix(n, encodedMeta) && !ownMeta(n) {
		return n
	}
	return encodedMeta + hex.EncodeToString([]byte(n))
}

// userName reverses metaName; ok is false for the driver's own names.
func userName(az string) (string, bool) {
	az = strings.ToLower(az)
	if h, ok := strings.CutPrefix(az, encodedMeta); ok {
		b, err := hex.DecodeString(h)
		return string(b), err == nil
	}
	return az, !ownMeta(az)
}

func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// toAzureMeta is the blob metadata for m: user metadata under Azure names,
// Expires and the website redirect location.
func toAzureMeta(m translate.Metadata) map[string]*string {
	out := make(map[string]*string, len(m.User)+1)
	for k, v := range m.User {
		v := v
		out[metaName(strings.ToLower(k))] = &v
	}
	for name, v := range map[string]string{metaExpires: m.Expires, metaRedirect: m.WebsiteRedirectLocation} {
		if v != "" {
			out[name] = &v
		}
	}
	return out
}

// fromAzureMeta reads toAzureMeta's metadata back into m.
func fromAzureMeta(az map[string]*string, m *translate.Metadata) {
	for k, v := range az {
		if v == nil {
			continue
		}
		switch strings.ToLower(k) {
		case metaExpires:
			m.Expires = *v
			continue
		case metaRedirect:
			m.WebsiteRedirectLocation = *v
			continue
		}
		if n, ok := userName(k); ok {
			if m.User == nil {
				m.User = map[string]string{}
			}
			m.User[n] = *v
		}
	}
}

// Block IDs. Every block the gateway stages on a blob has an ID of
// blockIDLen bytes (Azure requires all of one blob's block IDs to be of
// one length, at most 64 bytes), base64-encoded:
//
//	'b' | sha256(upload ID)[:8] | part number (2 bytes) | attempt (10 bytes) | index (2 bytes) | MD5 (16 bytes)
//
// An attempt is one upload of one part: 8 bytes of the time it began
// (strictly increasing in the process) and 2 random ones. A part's data
// blocks have indexes from 0 and a zero MD5; once they are staged, a
// one-byte tag block (index tagIndex) records the part's MD5. A part
// exists once its tag does, so a part whose body failed never shows; of
// one number, the tagged attempt that began last is the part, however the
// uploads finish, and a new upload never rewrites the blocks another may
// still be streaming. Only data blocks are committed; Azure discards the
// rest of a blob's uncommitted blocks at its commit.
const (
	blockIDLen = 1 + 8 + 2 + attemptLen + 2 + 16
	attemptLen = 10
	tagIndex   = 0xffff
)

// attempt names one upload of one part.
type attempt [attemptLen]byte

// lastAttempt makes attempts strictly increasing within the process.
var lastAttempt atomic.Int64

// newAttempt starts an attempt now.
func newAttempt() attempt {
	for {
		last, now := lastAttempt.Load(), time.Now().UnixNano()
		if now <= last {
			now = last + 1
		}
		if lastAttempt.CompareAndSwap(last, now) {
			var a attempt
			binary.BigEndian.PutUint64(a[:8], uint64(now))
			rand.Read(a[8:])
			return a
		}
	}
}

// began is when the attempt began.
func (a attempt) began() time.Time { return time.Unix(0, int64(binary.BigEndian.Uint64(a[:8]))).UTC() }

// blockRef is what a block ID says.
type blockRef struct {
	n     int
	att   attempt
	index int
	md5   [16]byte
}

func uploadTag(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	return sum[:8]
}

// blockID is the base64 ID of the block r of upload id.
func blockID(id string, r blockRef) string {
	raw := make([]byte, 0, blockIDLen)
	raw = append(append(raw, 'b'), uploadTag(id)...)
	raw = binary.BigEndian.AppendUint16(raw, uint16(r.n))
	raw = append(raw, r.att[:]...)
	raw = binary.BigEndian.AppendUint16(raw, uint16(r.index))
	raw = append(raw, r.md5[:]...)
	return base64.StdEncoding.EncodeToString(raw)
}

// parseBlockID reads blockID back; ok is false for blocks not of upload id.
func parseBlockID(id, b64 string) (r blockRef, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != blockIDLen || raw[0] != 'b' || string(raw[1:9]) != string(uploadTag(id)) {
		return blockRef{}, false
	}
	r.n = int(binary.BigEndian.Uint16(raw[9:11]))
	copy(r.att[:], raw[11:11+attemptLen])
	r.index = int(binary.BigEndian.Uint16(raw[11+attemptLen : 13+attemptLen]))
	copy(r.md5[:], raw[13+attemptLen:])
	return r, true
}

// seeker gives the SDK the io.ReadSeekCloser it asks for over a stream
// of known size read once: it answers the length probes (Seek to the end
// and back before any byte is read) and refuses a rewind after reading,
// so that a request is never silently re-sent with part of its body.
type seeker struct {
	r    io.Reader
	size int64
	read bool
}

func (s *seeker) Read(p []byte) (int, error) {
	s.read = true
	return s.r.Read(p)
}

func (s *seeker) Seek(off int64, whence int) (int64, error) {
	switch {
	case off == 0 && whence == io.SeekEnd:
		return s.size, nil
	case off == 0 && !s.read && (whence == io.SeekStart || whence == io.SeekCurrent):
		return 0, nil
	}
	return 0, errors.New("azure: a streamed body cannot be rewound")
}

func (s *seeker) Close() error { return nil }
