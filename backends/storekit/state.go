// What the gateway keeps in a store it fronts: the parts of a multipart
// upload's description that S3-like stores have no API for. The kit reads
// and writes the objects named here through its Driver.
//
// Everything lives in the client's own bucket, under the reserved key
// prefix Prefix:
//
//	.babelgate/uploads/<hex of the first 16 bytes of sha256(upload ID)>/state
//	    the upload's state: Upload as JSON
//	.babelgate/uploads/<same>/p<number, 5 digits>.<etag>.<base64url(JSON checksums)>
//	    an empty object recording one part's checksums
//	.babelgate/uploads/<same>/p<number>.<begin>.<rand>.<etag>.<size>.<base64url(JSON checksums)>
//	    the record of one staged part (see StagedPart)
//	.babelgate/uploads/<same>/s<number>.<begin>.<rand>
//	    the bytes of one staged part
//	.babelgate/staged/<upload ID>
//	    an empty marker listing a staged upload (it has no store upload)
//	.babelgate/azure-uploads/<upload ID>
//	    a marker listing an upload on a BlockStore (which has no list of
//	    uploads; see BlockUploadsPrefix)
//	.babelgate/annex/<hex of the first 16 bytes of sha256(key)>
//	    what a client was promised about an object (Annex as JSON): one
//	    assembled from staged parts or completed from a multipart upload,
//	    one whose checksums neither the store nor its own metadata keeps,
//	    or a server-side copy of either; reads look for it when the
//	    object's entry says one may exist, or it has no entry
//
// and, on every object the kit writes, not under the prefix but in the
// object's own user metadata, the entry KeptMeta ("babelgate-kept", see
// kept.go): the checksums (and the ETag when not the store's) a client
// sees, when the store's metadata can hold them, and whether an annex may
// exist.
//
// Staged uploads left incomplete longer than a backend's staging_max_age
// are removed by a reaper (Sweeper, StartReaper).
//
// These names and the JSON form are an on-store format: data written by
// earlier versions must stay readable, so they do not change.

package storekit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Prefix is the key prefix the gateway reserves in every bucket of a store
// for its own state. Listings hide it and clients cannot write under it.
const Prefix = ".babelgate/"

// MaxStateSize bounds how much of a state object is read. An upload's
// state is a few hundred bytes; the largest objects are annexes of
// 10000-part objects, with every part's size and checksum (about 1 MB with
// SHA-256 or longer digests).
const MaxStateSize = 4 << 20

// Reserved reports whether key lies under the reserved prefix.
func Reserved(key string) bool { return strings.HasPrefix(key, Prefix) }

// CheckKey refuses a client key under the reserved prefix, or the prefix's
// own name without its slash (on stores with file-tree semantics, MinIO's
// among them, an object ".babelgate" hides every key under ".babelgate/"
// from listings), with ErrAccessDenied; any other key is nil.
func CheckKey(bucket, key string) error {
	if Reserved(key) || key == strings.TrimSuffix(Prefix, "/") {
		return &translate.Error{Code: translate.ErrAccessDenied, Bucket: bucket, Key: key,
			Message: "Keys beginning with " + Prefix + " are reserved by the gateway on this backend."}
	}
	return nil
}

// Upload is what the gateway keeps about an upload that the store has no
// API for, as JSON in the object StateKey(id).
type Upload struct {
	Key               string                      `json:"key"`
	Initiator         string                      `json:"initiator"`
	Initiated         time.Time                   `json:"initiated"`
	Metadata          translate.Metadata          `json:"metadata"`
	ChecksumAlgorithm translate.ChecksumAlgorithm `json:"checksum_algorithm,omitempty"`
	ChecksumType      translate.ChecksumType      `json:"checksum_type,omitempty"`
	// Staged marks an upload whose parts are staged as objects under its
	// UploadDir until Complete (see staged.go); the store has no upload
	// for it until then.
	Staged bool `json:"staged,omitempty"`
}

// NewUpload is the state of an upload being created as info describes it;
// a zero info.Initiated becomes the current time (UTC).
func NewUpload(info translate.UploadInfo) Upload {
	if info.Initiated.IsZero() {
		info.Initiated = time.Now().UTC()
	}
	return Upload{Key: info.Key, Initiator: info.Initiator, Initiated: info.Initiated, Metadata: info.Metadata,
		ChecksumAlgorithm: info.ChecksumAlgorithm, ChecksumType: info.ChecksumType}
}

// Info is the neutral description of the upload id in bucket.
func (u Upload) Info(bucket, id string) translate.UploadInfo {
	return translate.UploadInfo{Bucket: bucket, Key: u.Key, ID: id, Initiator: u.Initiator, Initiated: u.Initiated,
		Metadata: u.Metadata, ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType}
}

// InfoFor is Info for a request that names the upload by key and id: the
// store binds an upload ID to one key, so an ID presented with another key
// is ErrNoSuchUpload.
func (u Upload) InfoFor(bucket, key, id string) (translate.UploadInfo, error) {
	if u.Key != key {
		return translate.UploadInfo{}, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Key: key}
	}
	return u.Info(bucket, id), nil
}

// Marshal is the upload's on-store form, the content of StateKey(id).
func (u Upload) Marshal() ([]byte, error) { return json.Marshal(u) }

// ParseUpload decodes what Marshal wrote.
func ParseUpload(data []byte) (Upload, error) {
	var u Upload
	err := json.Unmarshal(data, &u)
	return u, err
}

// Write stores u as the state of the store's upload id: put writes data as
// the object key (in the upload's bucket) and returns the store's error,
// mapped to a translate code, which Write returns.
func Write(id string, u Upload, put func(key string, data []byte) error) error {
	data, err := u.Marshal()
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "storekit: encoding upload state")
	}
	return put(StateKey(id), data)
}

// Read returns the state of the store's upload id in bucket. get reads the
// object key, at most MaxStateSize bytes of it, and returns the store's
// error mapped to a translate code. An invalid ID (see ValidUploadID) is
// ErrNoSuchUpload without calling get; so is a missing state object or
// bucket (ErrNoSuchKey, ErrNoSuchBucket from get, wrapped). Other errors
// from get are returned unchanged; a state that does not decode is
// ErrInternal.
func Read(bucket, id string, get func(key string) ([]byte, error)) (Upload, error) {
	if err := ValidUploadID(bucket, id); err != nil {
		return Upload{}, err
	}
	data, err := get(StateKey(id))
	if err != nil {
		if c := translate.CodeOf(err); c == translate.ErrNoSuchKey || c == translate.ErrNoSuchBucket {
			return Upload{}, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Err: err}
		}
		return Upload{}, err
	}
	u, err := ParseUpload(data)
	if err != nil {
		return Upload{}, translate.Wrap(translate.ErrInternal, err, "storekit: decoding upload state "+id)
	}
	return u, nil
}

// ValidUploadID rejects, with ErrNoSuchUpload, IDs no store hands out
// before they reach the store's URL parser: empty, longer than 1024 bytes,
// holding NUL, CR or LF, beginning with '/', or with a "." or ".." path
// segment. Any other ID is nil.
func ValidUploadID(bucket, id string) error {
	bad := id == "" || len(id) > 1024 || strings.ContainsAny(id, "\x00\r\n") || strings.HasPrefix(id, "/")
	for _, seg := range strings.Split(id, "/") {
		bad = bad || seg == "." || seg == ".."
	}
	if bad {
		return &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket}
	}
	return nil
}

// UploadDir is the prefix, ending in '/', under which the state of the
// store's upload id lives. The ID is hashed so that no ID can shape the key;
// distinct IDs get distinct directories.
func UploadDir(id string) string {
	sum := sha256.Sum256([]byte(id))
	return Prefix + "uploads/" + hex.EncodeToString(sum[:16]) + "/"
}

// StateKey is the key of the state object of the store's upload id.
func StateKey(id string) string { return UploadDir(id) + "state" }
