package azure

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

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
// no kept name can be. metaExpires holds Expires, which Azure has no
// property for.
const (
	encodedMeta = "bgx_"
	metaExpires = "bgexpires"
	metaUpload  = "bgkey" // the key of an upload's record blob (base64url)
)

// metaName is the Azure name of user metadata name n (lowercase).
func metaName(n string) string {
	if isIdentifier(n) && !strings.HasPrefix(n, encodedMeta) && n != metaExpires && n != metaUpload {
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
	return az, az != metaExpires && az != metaUpload
}

func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// toAzureMeta is the blob metadata for m: user metadata under Azure names,
// and Expires.
func toAzureMeta(m translate.Metadata) map[string]*string {
	out := make(map[string]*string, len(m.User)+1)
	for k, v := range m.User {
		v := v
		out[metaName(strings.ToLower(k))] = &v
	}
	if m.Expires != "" {
		e := m.Expires
		out[metaExpires] = &e
	}
	return out
}

// fromAzureMeta reads toAzureMeta's metadata back into m.
func fromAzureMeta(az map[string]*string, m *translate.Metadata) {
	for k, v := range az {
		if v == nil {
			continue
		}
		if strings.EqualFold(k, metaExpires) {
			m.Expires = *v
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
// one length), base64-encoded:
//
//	"bg" | 16 hex of sha256(upload ID) | part number, 5 digits | attempt, 20 hex | block index, 4 digits
//
// The attempt is the part's store ETag (partETag): a new upload of a part
// stages new blocks rather than rewriting the blocks another upload of
// the same part may be streaming, so the part whose upload began last
// wins however they finish; the superseded blocks are discarded by Azure
// when the blob is committed.
const blockIDLen = 2 + 16 + 5 + 20 + 4

func uploadTag(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:8])
}

// blockPrefix is the raw prefix of the IDs of upload id's blocks of part n
// (n < 0: every part).
func blockPrefix(id string, n int) string {
	if n < 0 {
		return "bg" + uploadTag(id)
	}
	return fmt.Sprintf("bg%s%05d", uploadTag(id), n)
}

// blockID is the ID of block i of part n's attempt.
func blockID(id string, n int, attempt string, i int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s%s%04d", blockPrefix(id, n), attempt, i))
}

// parseBlockID reads blockID back; ok is false for blocks not of upload id.
func parseBlockID(id, b64 string) (n int, attempt string, i int, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	s := string(raw)
	p := blockPrefix(id, -1)
	if err != nil || len(s) != blockIDLen || !strings.HasPrefix(s, p) {
		return 0, "", 0, false
	}
	_, err1 := fmt.Sscanf(s[len(p):len(p)+5], "%05d", &n)
	_, err2 := fmt.Sscanf(s[len(s)-4:], "%04d", &i)
	return n, s[len(p)+5 : len(s)-4], i, err1 == nil && err2 == nil
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
