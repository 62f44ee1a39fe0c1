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

// payloadHashes checks an upload's hashes (UploadArchive and
// UploadMultipartPart): a required x-amz-sha256-tree-hash, returned as a
// Checksums value, and the linear SHA-256 (linearHash).
func payloadHashes(r *dialects.Request) (string, error) {
	tree, err := treeHashHeader(r)
	if err != nil {
		return "", err
	}
	return tree, linearHash(r)
}

// treeBody is an upload's body: size bytes, verified on the way against
// the signed linear SHA-256 and the client's tree hash (translate.Body
// withholds the last bytes on a mismatch, so nothing is stored).
func treeBody(r *dialects.Request, size int64, tree string) translate.BodyInput {
	return translate.BodyInput{Reader: r.Payload.Reader, Size: size, Options: translate.BodyOptions{
		SHA256: r.Payload.SHA256, Expected: translate.Checksums{translate.SHA256Tree: tree},
		ClientAlgorithm: translate.SHA256Tree}}
}

// treeHashHeader reads a required x-amz-sha256-tree-hash as a Checksums
// value.
func treeHashHeader(r *dialects.Request) (string, error) {
	h, err := requiredHeader(r, "x-amz-sha256-tree-hash")
	if err != nil {
		return "", err
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

// requiredHeader returns a header a request must carry; without it the
// request is MissingParameterValueException naming it.
func requiredHeader(r *dialects.Request, name string) (string, error) {
	v := r.HTTP.Header.Get(name)
	if v == "" {
		return "", missingParam("Required parameter missing: " + name)
	}
	return v, nil
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
func (d *Dialect) uploadArchive(w http.ResponseWriter, o *vaultOp) error {
	r := o.r
	desc, err := description(r)
	if err != nil {
		return err
	}
	size, err := contentLength(r)
	if err != nil {
		return err
	}
	tree, err := payloadHashes(r)
	if err != nil {
		return err
	}
	id := newID()
	_, err = d.cfg.Engine.PutObject(r.HTTP.Context(), r.Caller, translate.PutRequest{Bucket: o.bucket, Key: archiveKey(id),
		Metadata: translate.Metadata{ContentType: "application/octet-stream", User: map[string]string{metaDesc: desc}},
		Body:     treeBody(r, size, tree)})
	if err != nil {
		return err
	}
	return writeArchiveCreated(w, o.p, id, tree)
}

// deleteArchive: DELETE …/archives/{id}, 204; an unknown archive is
// ResourceNotFoundException.
func (d *Dialect) deleteArchive(w http.ResponseWriter, o *vaultOp) error {
	if _, err := d.headArchive(o.r, o.bucket, o.p.id); err != nil {
		return err
	}
	if err := d.cfg.Engine.DeleteObject(o.r.HTTP.Context(), o.r.Caller, o.bucket, archiveKey(o.p.id)); err != nil {
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
