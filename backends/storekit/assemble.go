package storekit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// completeConcurrency bounds the store parts a staged Complete assembles
// at once.
const completeConcurrency = 4

// Complete assembles staged upload st: a store upload made now from
// PlanGroups' groups (copied server-side or streamed, up to 4 at a time),
// completed, then the annex that keeps what the client was promised. A
// failure aborts the store upload and leaves the staged one; so does a
// failure to write the annex (a retried Complete assembles it again). It
// logs, at Info on the process default logger, "<Name> backend: staged
// upload assembled" with the bytes it streamed a second time
// (restreamed_bytes) and how long it took (duration).
func (s *Stager) Complete(ctx context.Context, st Upload, req translate.CompleteRequest) (translate.ObjectInfo, error) {
	have, err := s.Parts(ctx, req.Bucket, req.UploadID)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	parts, err := StagedComplete(req.Bucket, req.Key, req.Parts, have)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	groups := PlanGroups(parts, s.MinPartSize)
	if s.MaxParts > 0 && len(groups) > s.MaxParts {
		return translate.ObjectInfo{}, &translate.Error{Code: translate.ErrEntityTooLarge, Bucket: req.Bucket, Key: req.Key,
			Message: fmt.Sprintf("The upload needs %d store parts; the store takes at most %d.", len(groups), s.MaxParts)}
	}
	began := time.Now()
	var streamed atomic.Int64
	storeID, err := s.Store.CreateUpload(ctx, req.Bucket, req.Key, st.Metadata)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	abort := func() { s.Store.AbortUpload(context.WithoutCancel(ctx), req.Bucket, req.Key, storeID) }
	etags := make([]string, len(groups))
	errs := make([]error, len(groups))
	gctx, cancel := context.WithCancel(ctx)
	sem := make(chan struct{}, completeConcurrency)
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			etag, err := s.storeGroup(gctx, req.Bucket, req.Key, req.UploadID, storeID, i+1, g, &streamed)
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			etags[i] = etag
		}()
	}
	wg.Wait()
	cancel()
	for _, err := range errs {
		if err != nil {
			abort()
			return translate.ObjectInfo{}, err
		}
	}
	storeETag, err := s.Store.CompleteUpload(ctx, req.Bucket, req.Key, storeID, etags, st.Metadata, req.Cond)
	if err != nil {
		abort()
		return translate.ObjectInfo{}, err
	}
	info := req.Info
	info.Key, info.Size, info.LastModified = req.Key, 0, time.Now().UTC()
	for _, p := range parts {
		info.Size += p.Size
	}
	if storeETag == "" {
		h, err := s.Store.Head(ctx, req.Bucket, req.Key)
		if err != nil {
			return translate.ObjectInfo{}, err
		}
		storeETag = h.ETag
	}
	// Without its annex the object would report the store's ETag: the
	// upload stays (a retried Complete assembles it again).
	if err := s.Store.PutSmall(ctx, req.Bucket, AnnexKey(req.Key), NewAnnex(info, storeETag).Marshal()); err != nil {
		return translate.ObjectInfo{}, err
	}
	s.Abort(ctx, req.Bucket, req.UploadID)
	// The backend has no logger of its own; the process default one
	// records what assembling cost.
	slog.Info(s.Name+" backend: staged upload assembled", "bucket", req.Bucket, "key", req.Key,
		"client_parts", len(parts), "store_parts", len(groups), "size", info.Size,
		"restreamed_bytes", streamed.Load(), "duration", time.Since(began))
	return info, nil
}

// storeGroup stores group g as part n of the store upload storeID and
// returns the store's part ETag. Bytes it streams are added to streamed
// and to Restreamed.
func (s *Stager) storeGroup(ctx context.Context, bucket, key, id, storeID string, n int, g Group, streamed *atomic.Int64) (string, error) {
	if g.Copy {
		return s.Store.UploadPartCopy(ctx, bucket, key, storeID, n, g.Parts[0].Object(id), g.Size)
	}
	r := &concatReader{ctx: ctx, s: s, bucket: bucket, id: id, parts: g.Parts}
	defer r.Close()
	etag, err := s.Store.UploadPart(ctx, bucket, key, storeID, n, r, g.Size)
	if s.Restreamed != nil {
		s.Restreamed.Add(r.n)
	}
	streamed.Add(r.n)
	if err != nil {
		if r.err != nil {
			return "", r.err
		}
		return "", err
	}
	if r.n != g.Size {
		return "", s.errf("staged parts of store part %d held %d bytes, want %d", n, r.n, g.Size)
	}
	return etag, nil
}

// concatReader reads staged parts one after the other, opening each only
// when the previous one is done: a stream, never a buffer.
type concatReader struct {
	ctx    context.Context
	s      *Stager
	bucket string
	id     string
	parts  []StagedPart
	cur    io.ReadCloser
	curN   int64 // bytes read of cur
	n      int64
	err    error
}

func (r *concatReader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if r.cur == nil {
			if len(r.parts) == 0 {
				return 0, io.EOF
			}
			key := r.parts[0].Object(r.id)
			body, err := r.s.Store.Get(r.ctx, r.bucket, key)
			if err != nil {
				r.err = err
				if translate.CodeOf(err) == translate.ErrNoSuchKey {
					cause := err
					var te *translate.Error
					if errors.As(err, &te) && te.Err != nil {
						cause = te.Err
					}
					r.err = &translate.Error{Code: translate.ErrInvalidPart, Bucket: r.bucket, Err: cause,
						Message: "One or more of the specified parts could not be found."}
				}
				return 0, r.err
			}
			r.cur, r.curN = body, 0
		}
		n, err := r.cur.Read(p)
		r.n += int64(n)
		r.curN += int64(n)
		if err == io.EOF {
			r.cur.Close()
			if r.curN != r.parts[0].Size {
				r.err = r.s.errf("staged part %d holds %d bytes, want %d", r.parts[0].Number, r.curN, r.parts[0].Size)
				return n, r.err
			}
			r.cur, r.parts = nil, r.parts[1:]
			err = nil
		} else if err != nil {
			r.err = err
			return n, r.err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close closes the part being read, if any.
func (r *concatReader) Close() error {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	return nil
}
