package translate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// RouteSide is one end of a migrating route: a backend, its bucket and an
// optional key prefix there, as in Route.
type RouteSide struct {
	Backend   string
	Bucket    string
	KeyPrefix string
}

// MigrateNamespace is the key prefix, in a migrating route's destination,
// under which the gateway keeps its migration state: tombstones of keys
// deleted or overwritten during the migration and the bulk copy's
// checkpoint. The store backends refuse their own reserved prefix
// (".babelgate/") through the Backend interface, so the migration keeps a
// prefix of its own; the migrating route hides it from listings and
// refuses client keys under it. `babelgate migrate --cleanup` removes it
// after the cut-over. Its keys are flat (no "/"): MinIO's ListObjectsV2
// answers a start-after inside a nested "directory" with a short page
// marked not truncated, which would end a listing of many tombstones
// early.
const MigrateNamespace = ".babelgate-migrate."

// tombstoneKey is where a delete during the migration leaves its mark: a
// fixed-length name, so any client key has one.
func tombstoneKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return MigrateNamespace + "tomb." + hex.EncodeToString(sum[:])
}

// migrating presents a bucket that is moving from one backend to another as
// one backend, for the front bucket:
//
//   - reads (HEAD, GET, ranges, part numbers, attributes) look in the
//     destination first and fall through to the source, unless a tombstone
//     says the key was deleted during the migration;
//   - listings merge both sides in key order, the destination's entry
//     winning for a key on both (see mergePages);
//   - writes go to the destination only; one that replaces an object
//     still on the source leaves a tombstone (the source's object is
//     superseded: never copied, never compared);
//   - a delete writes a tombstone in the destination first, then removes
//     the key from the destination and (best effort: the source may be
//     read-only) from the source, so neither a fall-through read nor a
//     copy racing the delete can bring the object back;
//   - new multipart uploads begin on the destination; uploads begun on the
//     source before the migration continue there (the engine picks the
//     side from the sealed upload ID, see Engine.uploadBackend) and their
//     completed object is copied to the destination at once.
type migrating struct {
	front    string
	dst, src *routed
	// dstName and srcName are the two backends' names.
	dstName, srcName string
	// srcSide and dstSide locate the two sides on their backends.
	srcSide, dstSide RouteSide
	// onRead, when set, is called after an object was read whole from
	// the source (copy on first read).
	onRead func(key string)
}

func errReservedKey(front, key string) error {
	return &Error{Code: ErrInvalidArgument, Bucket: front, Key: key, ArgName: "key", ArgValue: key,
		Message: "Keys beginning with " + MigrateNamespace + " are reserved by the gateway while the bucket is migrating."}
}

func reserved(key string) bool { return strings.HasPrefix(key, MigrateNamespace) }

func noSuchKey(front, key string) error {
	return &Error{Code: ErrNoSuchKey, Bucket: front, Key: key, Message: "The specified key does not exist."}
}

// tombstoned reports whether key was deleted during the migration.
func (m *migrating) tombstoned(ctx context.Context, key string) (bool, error) {
	_, err := m.dst.HeadObject(ctx, m.front, tombstoneKey(key))
	switch CodeOf(err) {
	case 0:
		return true, nil
	case ErrNoSuchKey, ErrNoSuchBucket: // no bucket yet, so no tombstone
		return false, nil
	}
	return false, err
}

// fallThrough decides whether a read that missed the destination (err)
// goes on to the source.
func (m *migrating) fallThrough(ctx context.Context, key string, err error) (bool, error) {
	if CodeOf(err) == ErrNoSuchBucket {
		return true, nil // the destination bucket is not made yet
	}
	if CodeOf(err) != ErrNoSuchKey {
		return false, err
	}
	dead, terr := m.tombstoned(ctx, key)
	if terr != nil {
		return false, terr
	}
	if dead {
		return false, noSuchKey(m.front, key)
	}
	return true, nil
}

func (m *migrating) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	info, err := m.HeadBucket(ctx, m.front)
	if err != nil {
		return nil, nil
	}
	return []BucketInfo{info}, nil
}

// CreateBucket creates the destination bucket.
func (m *migrating) CreateBucket(ctx context.Context, bucket string) error {
	return m.dst.CreateBucket(ctx, bucket)
}

// HeadBucket answers from the destination, or from the source while the
// destination bucket does not exist yet.
func (m *migrating) HeadBucket(ctx context.Context, bucket string) (BucketInfo, error) {
	info, err := m.dst.HeadBucket(ctx, bucket)
	if CodeOf(err) == ErrNoSuchBucket {
		return m.src.HeadBucket(ctx, bucket)
	}
	return info, err
}

// DeleteBucket is refused while the bucket migrates: it would have to
// delete two buckets, one of which the gateway may only read.
func (m *migrating) DeleteBucket(ctx context.Context, bucket string) error {
	return Errorf(ErrNotImplemented, "Bucket %s is being migrated; it cannot be deleted until the migration is over.", m.front)
}

func (m *migrating) HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	if reserved(key) {
		return ObjectInfo{}, noSuchKey(m.front, key)
	}
	info, err := m.dst.HeadObject(ctx, bucket, key)
	if ok, ferr := m.fallThrough(ctx, key, err); !ok {
		return info, ferr
	}
	return m.src.HeadObject(ctx, bucket, key)
}

func (m *migrating) GetObject(ctx context.Context, bucket, key string, rng *Range) (*Object, error) {
	if reserved(key) {
		return nil, noSuchKey(m.front, key)
	}
	o, err := m.dst.GetObject(ctx, bucket, key, rng)
	if ok, ferr := m.fallThrough(ctx, key, err); !ok {
		return o, ferr
	}
	o, err = m.src.GetObject(ctx, bucket, key, rng)
	if err == nil && rng == nil && m.onRead != nil {
		m.onRead(key)
	}
	return o, err
}

// PartRange serves a part-number read from the side that holds the key.
func (m *migrating) PartRange(ctx context.Context, bucket, key string, n int) (*Range, int, error) {
	_, err := m.dst.HeadObject(ctx, bucket, key)
	if ok, ferr := m.fallThrough(ctx, key, err); ok {
		return m.src.PartRange(ctx, bucket, key, n)
	} else if ferr != nil {
		return nil, 0, ferr
	}
	return m.dst.PartRange(ctx, bucket, key, n)
}

func (m *migrating) PutObject(ctx context.Context, bucket, key string, body *Body, meta Metadata) (ObjectInfo, error) {
	if reserved(key) {
		return ObjectInfo{}, errReservedKey(m.front, key)
	}
	return m.superseded(ctx, key)(m.dst.PutObject(ctx, bucket, key, body, meta))
}

func (m *migrating) PutObjectIf(ctx context.Context, bucket, key string, body *Body, meta Metadata, cond WriteCond) (ObjectInfo, error) {
	if reserved(key) {
		return ObjectInfo{}, errReservedKey(m.front, key)
	}
	if cond.IfMatch != "" {
		if err := m.promote(ctx, key); err != nil {
			return ObjectInfo{}, err
		}
	}
	if err := m.absentOnSource(ctx, key, cond); err != nil {
		return ObjectInfo{}, err
	}
	return m.superseded(ctx, key)(m.dst.PutObjectIf(ctx, bucket, key, body, meta, cond))
}

// CopyObject writes the copy to the destination. The engine routes a copy
// whose source is this bucket through GetObject and PutObject (the source
// key may be on either side), so srcBucket and srcKey here are always on
// the destination's backend.
func (m *migrating) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta Metadata) (ObjectInfo, error) {
	if reserved(dstKey) {
		return ObjectInfo{}, errReservedKey(m.front, dstKey)
	}
	return m.superseded(ctx, dstKey)(m.dst.CopyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta))
}

func (m *migrating) CopyObjectIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta Metadata, cond WriteCond) (ObjectInfo, error) {
	if reserved(dstKey) {
		return ObjectInfo{}, errReservedKey(m.front, dstKey)
	}
	if cond.IfMatch != "" {
		if err := m.promote(ctx, dstKey); err != nil {
			return ObjectInfo{}, err
		}
	}
	if err := m.absentOnSource(ctx, dstKey, cond); err != nil {
		return ObjectInfo{}, err
	}
	return m.superseded(ctx, dstKey)(m.dst.CopyObjectIf(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, cond))
}

// absentOnSource makes an IfAbsent condition see the source too: a key
// that still lives only on the source exists for the client. The
// destination evaluates the condition again at its commit; a copy of the
// key landing in between is refused there.
func (m *migrating) absentOnSource(ctx context.Context, key string, cond WriteCond) error {
	if !cond.IfAbsent {
		return nil
	}
	_, err := m.HeadObject(ctx, m.front, key)
	if err == nil {
		return cond.Check(true, "")
	}
	if CodeOf(err) == ErrNoSuchKey {
		return nil
	}
	return err
}

// promote copies key from the source to the destination when it lives
// only on the source, so that an If-Match write is evaluated against the
// object the client sees.
func (m *migrating) promote(ctx context.Context, key string) error {
	_, err := m.dst.HeadObject(ctx, m.front, key)
	ok, ferr := m.fallThrough(ctx, key, err)
	if !ok {
		if CodeOf(ferr) == ErrNoSuchKey {
			return nil // the backend's condition answers NoSuchKey itself
		}
		return ferr
	}
	_, cerr := m.copyKey(ctx, key)
	if CodeOf(cerr) == ErrNoSuchKey {
		return nil
	}
	return cerr
}

// DeleteObject deletes key on both sides after leaving a tombstone in the
// destination. The tombstone comes first: a bulk copy that wrote the key
// after this delete removed it sees the tombstone when it checks after its
// write (see copyKey), and a fall-through read sees it before it reaches
// the source. The source's delete is best effort: a read-only source
// keeps the object, the tombstone hides it.
func (m *migrating) DeleteObject(ctx context.Context, bucket, key string) error {
	if reserved(key) {
		return nil
	}
	if err := m.writeTombstone(ctx, key); err != nil {
		return err
	}
	if err := m.dst.DeleteObject(ctx, bucket, key); err != nil {
		return err
	}
	m.src.DeleteObject(ctx, bucket, key) // best effort, see above
	return nil
}

// superseded returns a function passing a destination write's outcome
// through; after a successful write of a key the source still holds, it
// leaves a tombstone: the source's object is superseded, so neither the
// bulk copy nor verify compares it with the newer one. Best effort: were
// the tombstone lost, the copy's IfAbsent still keeps the newer object.
func (m *migrating) superseded(ctx context.Context, key string) func(ObjectInfo, error) (ObjectInfo, error) {
	return func(info ObjectInfo, err error) (ObjectInfo, error) {
		if err != nil {
			return info, err
		}
		if _, herr := m.src.HeadObject(ctx, m.front, key); herr == nil {
			m.writeTombstone(ctx, key)
		}
		return info, nil
	}
}

func (m *migrating) writeTombstone(ctx context.Context, key string) error {
	body, err := NewBody(strings.NewReader(key), int64(len(key)), BodyOptions{})
	if err != nil {
		return err
	}
	_, err = m.dst.PutObject(ctx, m.front, tombstoneKey(key), body, Metadata{ContentType: "application/x-babelgate-tombstone"})
	return err
}

func (m *migrating) CreateMultipartUpload(ctx context.Context, info UploadInfo) (string, error) {
	if reserved(info.Key) {
		return "", errReservedKey(m.front, info.Key)
	}
	return m.dst.CreateMultipartUpload(ctx, info)
}

// The upload calls below act on uploads begun during the migration, on
// the destination; the engine hands those begun earlier to sourceUploads.

func (m *migrating) GetMultipartUpload(ctx context.Context, bucket, key, id string) (UploadInfo, error) {
	return m.dst.GetMultipartUpload(ctx, bucket, key, id)
}

func (m *migrating) UploadPart(ctx context.Context, bucket, key, id string, n int, body *Body) (PartInfo, error) {
	return m.dst.UploadPart(ctx, bucket, key, id, n, body)
}

func (m *migrating) UploadPartCopy(ctx context.Context, bucket, key, id string, n int, srcBucket, srcKey string, rng *Range, algs []ChecksumAlgorithm) (PartInfo, error) {
	return m.dst.UploadPartCopy(ctx, bucket, key, id, n, srcBucket, srcKey, rng, algs)
}

func (m *migrating) ListParts(ctx context.Context, bucket, key, id string, after, max int) (PartsPage, error) {
	return m.dst.ListParts(ctx, bucket, key, id, after, max)
}

func (m *migrating) CompleteMultipartUpload(ctx context.Context, req CompleteRequest) (ObjectInfo, error) {
	return m.superseded(ctx, req.Key)(m.dst.CompleteMultipartUpload(ctx, req))
}

func (m *migrating) AbortMultipartUpload(ctx context.Context, bucket, key, id string) error {
	return m.dst.AbortMultipartUpload(ctx, bucket, key, id)
}

// ListMultipartUploads lists the destination's uploads; see
// listUploadsBoth for the engine's listing of both sides.
func (m *migrating) ListMultipartUploads(ctx context.Context, bucket string, q UploadsQuery) (UploadsPage, error) {
	return m.dst.ListMultipartUploads(ctx, bucket, q)
}

// sourceUploads carries out the calls of an upload begun on the source
// before the migration: on the source, and on completion it copies the
// object to the destination, unless a newer write got there first.
type sourceUploads struct {
	*routed
	m *migrating
}

func (s sourceUploads) CompleteMultipartUpload(ctx context.Context, req CompleteRequest) (ObjectInfo, error) {
	info, err := s.routed.CompleteMultipartUpload(ctx, req)
	if err != nil {
		return info, err
	}
	// The completion is the newest write of the key: it replaces what the
	// destination holds now, but not a write that lands meanwhile.
	cond := WriteCond{IfAbsent: true}
	if cur, herr := s.m.dst.HeadObject(ctx, s.m.front, req.Key); herr == nil {
		cond = WriteCond{IfMatch: cur.ETag}
	}
	// A tombstone of an earlier delete or overwrite does not hide this
	// newer object: it is copied regardless, and if the copy fails the
	// tombstone goes, so that reads fall through to it on the source (and
	// the bulk copy takes it later). The client's upload succeeded either
	// way.
	out, _, err := s.m.copyKeyAs(ctx, req.Key, cond, nil, false)
	if err != nil || out == Gone {
		s.m.dst.DeleteObject(ctx, s.m.front, tombstoneKey(req.Key))
	}
	return info, nil
}

var (
	_ Backend           = (*migrating)(nil)
	_ ConditionalWriter = (*migrating)(nil)
	_ PartLocator       = (*migrating)(nil)
)
