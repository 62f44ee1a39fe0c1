package storekit

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// Store is what the staging flow (Stager) needs of an object store, in
// neutral terms; the kit implements it over a Driver (kitStore). Every
// error a method returns is already a translate error (classified from
// the store's), and every method bounds its own calls (timeouts, retries)
// as the kit's other calls do, except where said otherwise.
type Store interface {
	// PutSmall stores data as key (state, records, markers, annexes).
	PutSmall(ctx context.Context, bucket, key string, data []byte) error
	// PutStream streams body, client part number, to key, never
	// retrying, and returns the body's sums once it has ended; a store
	// that accepted the object before the body ended is an error.
	PutStream(ctx context.Context, bucket, key string, number int, body *translate.Body) (translate.Sums, error)
	// GetSmall returns key's content, at most MaxStateSize bytes;
	// ErrNoSuchKey when there is none.
	GetSmall(ctx context.Context, bucket, key string) ([]byte, error)
	// Get opens key for streaming, bounded by ctx only. Errors of the
	// returned reader other than io.EOF are mapped too.
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	// Head describes key as the store holds it (no annex applied; the
	// kit's entry, KeptMeta, still in its user metadata).
	Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error)
	// List calls fn for every key under prefix.
	List(ctx context.Context, bucket, prefix string, fn func(key string)) error
	// Delete removes key (a missing one is not an error); DeletePrefix
	// removes every object under prefix.
	Delete(ctx context.Context, bucket, key string) error
	DeletePrefix(ctx context.Context, bucket, prefix string) error
	// ReadState reads upload id's state (see Read).
	ReadState(ctx context.Context, bucket, id string) (Upload, error)
	// Buckets lists the store's buckets.
	Buckets(ctx context.Context) ([]string, error)
	// CreateUpload starts the store's upload of key with metadata m and
	// returns its ID.
	CreateUpload(ctx context.Context, bucket, key string, m translate.Metadata) (string, error)
	// UploadPart streams exactly size bytes of r as part n of the
	// store's upload, bounded by ctx only and never retried, and returns
	// the part's ETag as the store gave it.
	UploadPart(ctx context.Context, bucket, key, uploadID string, n int, r io.Reader, size int64) (string, error)
	// UploadPartCopy copies the whole object srcKey (size bytes) of
	// bucket server-side as part n, returning the part's ETag.
	UploadPartCopy(ctx context.Context, bucket, key, uploadID string, n int, srcKey string, size int64) (string, error)
	// CompleteUpload completes the store's upload from the parts' ETags
	// (part i+1 is etags[i]), with metadata m (as CreateUpload had it: a
	// store may apply it only now), bounded by ctx only, and returns the
	// object's ETag unquoted ("" when the store gave none). cond is in
	// the store's terms (see Stager.StoreCond); a store that cannot take
	// a part of it checks that part itself first (see the backend).
	CompleteUpload(ctx context.Context, bucket, key, uploadID string, etags []string, m translate.Metadata, cond translate.WriteCond) (string, error)
	// AbortUpload aborts the store's upload, ignoring failures; ctx is
	// not cancelled with the caller's.
	AbortUpload(ctx context.Context, bucket, key, uploadID string)
}

// Stager runs staged uploads over a Store: an upload created with
// UploadInfo.FrontMinPartSize below MinPartSize keeps its parts as
// objects under its state directory and gets a store upload only at
// Complete, assembled from store-sized groups of parts.
type Stager struct {
	// Name names the backend in errors and logs ("s3").
	Name  string
	Store Store
	// MinPartSize is the store's minimum part; MaxParts, when not 0, the
	// most parts a store upload takes.
	MinPartSize int64
	MaxParts    int
	// Restreamed counts the bytes Complete streamed a second time.
	Restreamed *atomic.Int64
}

// errf is an internal error in the backend's words.
func (s *Stager) errf(format string, args ...any) error {
	return translate.Wrap(translate.ErrInternal, nil, fmt.Sprintf(s.Name+" backend: "+format, args...))
}

// Staging reports whether an upload created as info describes is staged.
func (s *Stager) Staging(info translate.UploadInfo) bool {
	return info.FrontMinPartSize > 0 && info.FrontMinPartSize < s.MinPartSize
}

// Create creates a staged upload: its state and its marker.
func (s *Stager) Create(ctx context.Context, info translate.UploadInfo) (string, error) {
	id := NewStagedID()
	st := NewUpload(info)
	st.Staged = true
	put := func(key string, data []byte) error { return s.Store.PutSmall(ctx, info.Bucket, key, data) }
	if err := Write(id, st, put); err != nil {
		return "", err
	}
	if err := s.Store.PutSmall(ctx, info.Bucket, StagedMarker(id), nil); err != nil {
		s.Store.DeletePrefix(ctx, info.Bucket, UploadDir(id))
		return "", err
	}
	metrics.StagedUploads.WithLabelValues(s.Name).Inc()
	return id, nil
}

// State returns the state of id when it is a staged upload of key; ok
// is false for an upload the store itself holds.
func (s *Stager) State(ctx context.Context, bucket, key, id string) (st Upload, ok bool, err error) {
	if !IsStagedID(id) {
		return Upload{}, false, nil
	}
	st, err = s.Store.ReadState(ctx, bucket, id)
	if err != nil {
		return st, false, err
	}
	if _, err := st.InfoFor(bucket, key, id); err != nil {
		return st, false, err
	}
	return st, st.Staged, nil
}

// StagePart streams body to a staged part object, then records it.
func (s *Stager) StagePart(ctx context.Context, bucket, id string, number int, body *translate.Body) (translate.PartInfo, error) {
	p := NewStagedPart(number)
	sums, err := s.Store.PutStream(ctx, bucket, p.Object(id), number, body)
	if err != nil {
		return translate.PartInfo{}, err
	}
	metrics.StagedBytes.WithLabelValues(s.Name).Add(float64(sums.Size))
	p.ETag, p.Size, p.Checksum = sums.ETag(), sums.Size, sums.Checksum
	if err := s.Store.PutSmall(ctx, bucket, p.Record(id), nil); err != nil {
		return translate.PartInfo{}, err
	}
	return p.Info(), nil
}

// Parts returns the winning staged part of each number.
func (s *Stager) Parts(ctx context.Context, bucket, id string) (map[int]StagedPart, error) {
	var keys []string
	err := s.Store.List(ctx, bucket, PartRecordPrefix(id), func(key string) { keys = append(keys, key) })
	return StagedParts(id, keys), err
}

// Abort frees a staged upload: its marker and directory.
func (s *Stager) Abort(ctx context.Context, bucket, id string) error {
	if err := s.Store.Delete(ctx, bucket, StagedMarker(id)); err != nil {
		return err
	}
	return s.Store.DeletePrefix(ctx, bucket, UploadDir(id))
}

// Uploads lists the staged uploads of bucket, described from their
// state; an upload whose state is gone is left out.
func (s *Stager) Uploads(ctx context.Context, bucket string) ([]StoreUpload, error) {
	var ids []string
	err := s.Store.List(ctx, bucket, StagedMarkerPrefix, func(key string) {
		if id, ok := ParseStagedMarker(key); ok {
			ids = append(ids, id)
		}
	})
	if err != nil {
		return nil, err
	}
	var out []StoreUpload
	for _, id := range ids {
		st, err := s.Store.ReadState(ctx, bucket, id)
		if err != nil {
			continue
		}
		out = append(out, StoreUpload{Key: st.Key, ID: id, Initiated: st.Initiated})
	}
	return out, nil
}

// ReadAnnex applies info.Key's annex to info when it matches the store's
// object; a missing annex leaves info as it is. One small GET, a 404 when
// there is none: ApplyKept calls it only for an object whose entry says
// an annex may exist, or that has no entry.
func (s *Stager) ReadAnnex(ctx context.Context, bucket string, info *translate.ObjectInfo) error {
	data, err := s.Store.GetSmall(ctx, bucket, AnnexKey(info.Key))
	if translate.CodeOf(err) == translate.ErrNoSuchKey {
		return nil
	}
	if err != nil {
		return err
	}
	ApplyAnnex(data, info)
	return nil
}

// AnnexFor returns the annex of info, an object as the store describes
// it, when it has one that matches it; ok is false otherwise.
func (s *Stager) AnnexFor(ctx context.Context, bucket string, info translate.ObjectInfo) (a Annex, ok bool, err error) {
	data, err := s.Store.GetSmall(ctx, bucket, AnnexKey(info.Key))
	if translate.CodeOf(err) == translate.ErrNoSuchKey {
		return Annex{}, false, nil
	}
	if err != nil {
		return Annex{}, false, err
	}
	a, ok = ParseAnnex(data)
	return a, ok && a.Matches(info), nil
}

// Sweeper returns the sweeper of abandoned staged uploads over the
// store, removing those initiated longer than maxAge ago.
func (s *Stager) Sweeper(maxAge time.Duration) *Sweeper {
	return &Sweeper{
		MaxAge:       maxAge,
		Buckets:      s.Store.Buckets,
		List:         s.Store.List,
		ReadState:    s.Store.ReadState,
		DeletePrefix: s.Store.DeletePrefix,
		Delete:       s.Store.Delete,
	}
}

// Upload returns the state of upload id of key, staged or not:
// ErrNoSuchUpload when it is gone or belongs to another key.
func (s *Stager) Upload(ctx context.Context, bucket, key, id string) (Upload, error) {
	st, err := s.Store.ReadState(ctx, bucket, id)
	if err != nil {
		return st, err
	}
	if _, err := st.InfoFor(bucket, key, id); err != nil {
		return st, err
	}
	return st, nil
}
