package glacier

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// newID returns a fresh archive or job id: 48 random bytes, base64url (64
// characters). Ids are unguessable; an id that names no archive is
// ResourceNotFoundException.
func newID() string {
	var b [48]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{64}$`)

// description reads x-amz-archive-description: at most 1,024 printable
// ASCII characters (the model's documentation of archiveDescription).
func description(r *dialects.Request) (string, error) {
	v := r.HTTP.Header.Get("x-amz-archive-description")
	if len(v) > 1024 {
		return "", invalidParam("Invalid archive description: it is longer than 1024 characters.")
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return "", invalidParam("Invalid archive description: only printable ASCII characters are allowed.")
		}
	}
	return v, nil
}

// treeHashHeader reads a required x-amz-sha256-tree-hash as a Checksums
// value.
func treeHashHeader(r *dialects.Request) (string, error) {
	h := r.HTTP.Header.Get("x-amz-sha256-tree-hash")
	if h == "" {
		return "", missingParam("Required parameter missing: x-amz-sha256-tree-hash")
	}
	v, ok := translate.TreeHashValue(strings.ToLower(h))
	if !ok {
		return "", invalidParam("Invalid x-amz-sha256-tree-hash: " + h)
	}
	return v, nil
}

// linearHash requires x-amz-content-sha256 on a payload-carrying request
// ("required for authorization", UploadArchive and UploadMultipartPart).
func linearHash(r *dialects.Request) error {
	if r.Payload.SHA256 == "" {
		return missingParam("Required parameter missing: x-amz-content-sha256")
	}
	return nil
}

func contentLength(r *dialects.Request) (int64, error) {
	if r.HTTP.ContentLength < 0 {
		return 0, missingParam("Required parameter missing: Content-Length")
	}
	return r.HTTP.ContentLength, nil
}

// uploadArchive: POST /{account}/vaults/{vault}/archives, 201 with
// Location, x-amz-archive-id and x-amz-sha256-tree-hash. The body streams
// to the backend; its tree hash and linear SHA-256 are verified on the way
// and a mismatch stores nothing (translate.Body withholds the last bytes).
func (d *Dialect) uploadArchive(w http.ResponseWriter, r *dialects.Request, p path) error {
	bucket, _, err := d.openVault(r, p.vault)
	if err != nil {
		return err
	}
	desc, err := description(r)
	if err != nil {
		return err
	}
	size, err := contentLength(r)
	if err != nil {
		return err
	}
	tree, err := treeHashHeader(r)
	if err != nil {
		return err
	}
	if err := linearHash(r); err != nil {
		return err
	}
	id := newID()
	_, err = d.cfg.Engine.PutObject(r.HTTP.Context(), r.Caller, translate.PutRequest{Bucket: bucket, Key: archiveKey(id),
		Metadata: translate.Metadata{ContentType: "application/octet-stream", User: map[string]string{metaDesc: desc}},
		Body: translate.BodyInput{Reader: r.Payload.Reader, Size: size, Options: translate.BodyOptions{
			SHA256: r.Payload.SHA256, Expected: translate.Checksums{translate.SHA256Tree: tree},
			ClientAlgorithm: translate.SHA256Tree}}})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Location", location(p, "archives", id))
	h.Set("x-amz-archive-id", id)
	h.Set("x-amz-sha256-tree-hash", translate.TreeHashHex(tree))
	w.WriteHeader(http.StatusCreated)
	return nil
}

// deleteArchive: DELETE …/archives/{id}, 204; an unknown archive is
// ResourceNotFoundException.
func (d *Dialect) deleteArchive(w http.ResponseWriter, r *dialects.Request, p path) error {
	bucket, _, err := d.openVault(r, p.vault)
	if err != nil {
		return err
	}
	if _, err := d.headArchive(r, bucket, p.id); err != nil {
		return err
	}
	if err := d.cfg.Engine.DeleteObject(r.HTTP.Context(), r.Caller, bucket, archiveKey(p.id)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// headArchive returns an archive's object, or ResourceNotFoundException.
func (d *Dialect) headArchive(r *dialects.Request, bucket, id string) (translate.ObjectInfo, error) {
	if !idRE.MatchString(id) {
		return translate.ObjectInfo{}, notFound("Archive not found: " + id)
	}
	info, _, err := d.cfg.Engine.HeadObject(r.HTTP.Context(), r.Caller, translate.GetRequest{Bucket: bucket, Key: archiveKey(id)})
	if translate.CodeOf(err) == translate.ErrNoSuchKey {
		return info, notFound("Archive not found: " + id)
	}
	return info, err
}

// Part sizes: 1 MiB × 2^n up to 4 GiB (protocols.md §4.2).
const (
	minPartSize = 1 << 20
	maxPartSize = 4 << 30
)

func validPartSize(n int64) bool {
	return n >= minPartSize && n <= maxPartSize && n&(n-1) == 0
}

// parseContentRange parses UploadMultipartPart's "bytes a-b/*": a ≤ b,
// both decimal, the total "*" (Glacier does not know the archive's size
// until Complete). It returns the first byte and the length.
func parseContentRange(s string) (first, length int64, err error) {
	rest, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, 0, fmt.Errorf("want bytes a-b/*")
	}
	span, total, ok := strings.Cut(rest, "/")
	if !ok || total != "*" {
		return 0, 0, fmt.Errorf("want bytes a-b/*")
	}
	a, b, ok := strings.Cut(span, "-")
	if !ok {
		return 0, 0, fmt.Errorf("want bytes a-b/*")
	}
	fa, err1 := strconv.ParseUint(a, 10, 63)
	fb, err2 := strconv.ParseUint(b, 10, 63)
	if err1 != nil || err2 != nil || fb < fa {
		return 0, 0, fmt.Errorf("want bytes a-b/* with a <= b")
	}
	return int64(fa), int64(fb-fa) + 1, nil
}
