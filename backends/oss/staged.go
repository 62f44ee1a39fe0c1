package oss

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storestate"
	"github.com/babelgate/babelgate/translate"
)

// Staging (storestate's staged uploads) serves clients whose minimum part
// is smaller than the store's (an OSS-compatible store configured with a
// min_part_size above OSS's 100 KB): an upload created with
// UploadInfo.FrontMinPartSize below Options.MinPartSize keeps its parts as
// objects under its state directory and gets a store upload only at
// Complete, assembled from store-sized groups of parts.

// restreamed counts the bytes staged Completes streamed a second time.
var restreamed atomic.Int64

// RestreamedBytes returns how many bytes this process's oss backends have
// streamed a second time to assemble staged parts into store parts, since
// start. Parts copied server-side are not counted.
func RestreamedBytes() int64 { return restreamed.Load() }

// completeConcurrency bounds the store parts a staged Complete assembles
// at once.
const completeConcurrency = 4

// staging reports whether an upload created as info describes is staged.
func (b *Backend) staging(info translate.UploadInfo) bool {
	return info.FrontMinPartSize > 0 && info.FrontMinPartSize < b.opts.MinPartSize
}

// createStaged creates a staged upload: its state and its marker.
func (b *Backend) createStaged(ctx context.Context, info translate.UploadInfo) (string, error) {
	id := storestate.NewStagedID()
	st := storestate.NewUpload(info)
	st.Staged = true
	put := func(key string, data []byte) error { return b.putSmall(ctx, info.Bucket, key, data) }
	if err := storestate.Write(id, st, put); err != nil {
		return "", err
	}
	if err := b.putSmall(ctx, info.Bucket, storestate.StagedMarker(id), nil); err != nil {
		b.deletePrefix(ctx, info.Bucket, storestate.UploadDir(id))
		return "", err
	}
	return id, nil
}

// stagedState returns the state of id when it is a staged upload of key;
// ok is false for an upload the store itself holds.
func (b *Backend) stagedState(ctx context.Context, bucket, key, id string) (st storestate.Upload, ok bool, err error) {
	if !storestate.IsStagedID(id) {
		return storestate.Upload{}, false, nil
	}
	st, err = b.readState(ctx, bucket, id)
	if err != nil {
		return st, false, err
	}
	if _, err := st.InfoFor(bucket, key, id); err != nil {
		return st, false, err
	}
	return st, st.Staged, nil
}

// stagePart streams body to a staged part object (never retried), then
// records it.
func (b *Backend) stagePart(ctx context.Context, bucket, id string, number int, body *translate.Body) (translate.PartInfo, error) {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return translate.PartInfo{}, err
	}
	p := storestate.NewStagedPart(number)
	r, tracked, err := streamBody(body)
	if err != nil {
		return translate.PartInfo{}, err
	}
	opts := append([]oss.Option{oss.ContentType(defaultContentType)}, writeOptions(ctx, body)...)
	resp, err := bk.DoPutObject(&oss.PutObjectRequest{ObjectKey: p.Object(id), Reader: r}, opts)
	if err != nil {
		return translate.PartInfo{}, bodyError(tracked, err, bucket, "")
	}
	resp.Body.Close()
	sums, err := finishedSums(body, resp.Headers, "staged part")
	if err != nil {
		return translate.PartInfo{}, err
	}
	p.ETag, p.Size, p.Checksum = sums.ETag(), sums.Size, sums.Checksum
	if err := b.putSmall(ctx, bucket, p.Record(id), nil); err != nil {
		return translate.PartInfo{}, err
	}
	return p.Info(), nil
}

// stagedParts returns the winning staged part of each number.
func (b *Backend) stagedParts(ctx context.Context, bucket, id string) (map[int]storestate.StagedPart, error) {
	var keys []string
	err := b.eachKey(ctx, bucket, storestate.PartRecordPrefix(id), func(key string) { keys = append(keys, key) })
	return storestate.StagedParts(id, keys), err
}

// abortStaged frees a staged upload: its marker and directory.
func (b *Backend) abortStaged(ctx context.Context, bucket, id string) error {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	err = b.retry(ctx, func(ctx context.Context) error {
		return mapError(bk.DeleteObject(storestate.StagedMarker(id), oss.WithContext(ctx)), bucket, "")
	})
	if err != nil {
		return err
	}
	return b.deletePrefix(ctx, bucket, storestate.UploadDir(id))
}

// completeStaged assembles a staged upload: a store upload made now from
// PlanGroups' groups (copied server-side or streamed), completed, then
// the annex that keeps what the client was promised.
func (b *Backend) completeStaged(ctx context.Context, st storestate.Upload, req translate.CompleteRequest) (translate.ObjectInfo, error) {
	bk, err := b.bucket(req.Bucket, false)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	have, err := b.stagedParts(ctx, req.Bucket, req.UploadID)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	parts, err := storestate.StagedComplete(req.Bucket, req.Key, req.Parts, have)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	groups := storestate.PlanGroups(parts, b.opts.MinPartSize)
	began := time.Now()
	cctx, cancel := b.timeout(ctx)
	res, err := bk.InitiateMultipartUpload(req.Key, append(metaOptions(st.Metadata), oss.WithContext(cctx))...)
	cancel()
	if err != nil {
		return translate.ObjectInfo{}, mapError(err, req.Bucket, req.Key)
	}
	up := imur(req.Bucket, req.Key, res.UploadID)
	abort := func() {
		actx, cancel := b.timeout(context.WithoutCancel(ctx))
		defer cancel()
		bk.AbortMultipartUpload(up, oss.WithContext(actx))
	}
	var streamed atomic.Int64
	completed := make([]oss.UploadPart, len(groups))
	errs := make([]error, len(groups))
	gctx, cancelGroups := context.WithCancel(ctx)
	sem := make(chan struct{}, completeConcurrency)
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			etag, err := b.storeGroup(gctx, bk, up, req.UploadID, i+1, g, &streamed)
			if err != nil {
				errs[i] = err
				cancelGroups()
				return
			}
			completed[i] = oss.UploadPart{PartNumber: i + 1, ETag: etag}
		}()
	}
	wg.Wait()
	cancelGroups()
	for _, err := range errs {
		if err != nil {
			abort()
			return translate.ObjectInfo{}, err
		}
	}
	out, err := bk.CompleteMultipartUpload(up, completed, oss.WithContext(ctx))
	if err != nil {
		abort()
		return translate.ObjectInfo{}, mapError(err, req.Bucket, req.Key)
	}
	info := req.Info
	info.Key, info.Size, info.LastModified = req.Key, 0, time.Now().UTC()
	for _, p := range parts {
		info.Size += p.Size
	}
	storeETag := unquote(out.ETag)
	if storeETag == "" {
		h, err := b.storeHead(ctx, bk, req.Bucket, req.Key)
		if err != nil {
			return translate.ObjectInfo{}, err
		}
		storeETag = h.ETag
	}
	// Without its annex the object would report the store's ETag: the
	// upload stays (a retried Complete assembles it again).
	if err := b.putSmall(ctx, req.Bucket, storestate.AnnexKey(req.Key), storestate.NewAnnex(info, storeETag).Marshal()); err != nil {
		return translate.ObjectInfo{}, err
	}
	b.abortStaged(ctx, req.Bucket, req.UploadID)
	// The backend has no logger of its own; the process default one
	// records what assembling cost.
	slog.Info("oss backend: staged upload assembled", "bucket", req.Bucket, "key", req.Key,
		"client_parts", len(parts), "store_parts", len(groups), "size", info.Size,
		"restreamed_bytes", streamed.Load(), "duration", time.Since(began))
	return info, nil
}

// storeHead describes key as the store holds it (no annex applied).
func (b *Backend) storeHead(ctx context.Context, bk *oss.Bucket, bucket, key string) (translate.ObjectInfo, error) {
	var info translate.ObjectInfo
	err := b.retry(ctx, func(ctx context.Context) error {
		h, err := bk.GetObjectDetailedMeta(key, oss.WithContext(ctx))
		if err == nil {
			info = infoFromHeader(key, h)
		}
		return mapError(err, bucket, key)
	})
	return info, err
}

// storeGroup stores group g as part n of the store upload up and returns
// the store's part ETag. Bytes it streams are added to streamed and to
// RestreamedBytes.
func (b *Backend) storeGroup(ctx context.Context, bk *oss.Bucket, up oss.InitiateMultipartUploadResult, id string, n int,
	g storestate.Group, streamed *atomic.Int64) (string, error) {
	if g.Copy {
		var part oss.UploadPart
		err := b.retry(ctx, func(ctx context.Context) error {
			var err error
			part, err = bk.UploadPartCopy(up, up.Bucket, g.Parts[0].Object(id), 0, g.Size, n, oss.WithContext(ctx))
			return mapError(err, up.Bucket, up.Key)
		})
		return part.ETag, err
	}
	cr := &concatReader{ctx: ctx, b: b, bk: bk, id: id, parts: g.Parts}
	defer cr.Close()
	var r io.Reader // nil for an empty part: see streamBody
	if g.Size > 0 {
		r = &io.LimitedReader{R: cr, N: g.Size}
	}
	params := map[string]any{"partNumber": strconv.Itoa(n), "uploadId": up.UploadID}
	resp, err := bk.Do("PUT", up.Key, params, []oss.Option{oss.WithContext(ctx), oss.ContentLength(g.Size)}, r, nil)
	restreamed.Add(cr.n)
	streamed.Add(cr.n)
	if err != nil {
		if cr.err != nil {
			return "", cr.err
		}
		return "", mapError(err, up.Bucket, up.Key)
	}
	resp.Body.Close()
	if cr.n != g.Size {
		return "", errf(nil, "staged parts of store part %d held %d bytes, want %d", n, cr.n, g.Size)
	}
	return resp.Headers.Get("ETag"), nil
}

// concatReader reads staged parts one after the other, opening each only
// when the previous one is done: a stream, never a buffer.
type concatReader struct {
	ctx   context.Context
	b     *Backend
	bk    *oss.Bucket
	id    string
	parts []storestate.StagedPart
	cur   io.ReadCloser
	curN  int64 // bytes read of cur
	n     int64
	err   error
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
			body, err := r.bk.GetObject(key, oss.WithContext(r.ctx))
			if err != nil {
				r.err = mapError(err, r.bk.BucketName, key)
				if translate.CodeOf(r.err) == translate.ErrNoSuchKey {
					r.err = &translate.Error{Code: translate.ErrInvalidPart, Bucket: r.bk.BucketName, Err: err,
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
				r.err = errf(nil, "staged part %d holds %d bytes, want %d", r.parts[0].Number, r.curN, r.parts[0].Size)
				return n, r.err
			}
			r.cur, r.parts = nil, r.parts[1:]
			err = nil
		} else if err != nil {
			r.err = mapError(err, r.bk.BucketName, "")
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

// stagedUploads lists the staged uploads of bucket, described from their
// state; an upload whose state is gone is left out.
func (b *Backend) stagedUploads(ctx context.Context, bucket string) ([]storestate.StoreUpload, error) {
	var ids []string
	err := b.eachKey(ctx, bucket, storestate.StagedMarkerPrefix, func(key string) {
		if id, ok := storestate.ParseStagedMarker(key); ok {
			ids = append(ids, id)
		}
	})
	if err != nil {
		return nil, err
	}
	var out []storestate.StoreUpload
	for _, id := range ids {
		st, err := b.readState(ctx, bucket, id)
		if err != nil {
			continue
		}
		out = append(out, storestate.StoreUpload{Key: st.Key, ID: id, Initiated: st.Initiated})
	}
	return out, nil
}

// readAnnex applies key's annex to info when it matches the store's
// object; a missing annex leaves info as it is. Every object may have one
// (a single PutObject keeps checksums the store does not in an annex, and
// can carry no mark set after the fact), so this always looks: one small
// GET, usually a 404. marked (storestate's annex mark) no longer decides.
func (b *Backend) readAnnex(ctx context.Context, bk *oss.Bucket, bucket string, info *translate.ObjectInfo, marked bool) error {
	_ = marked
	data, err := b.getAnnex(ctx, bk, bucket, storestate.AnnexKey(info.Key))
	if translate.CodeOf(err) == translate.ErrNoSuchKey {
		return nil
	}
	if err != nil {
		return err
	}
	storestate.ApplyAnnex(data, info)
	return nil
}

// getAnnex returns the content of the annex object annexKey, at most
// storestate.MaxStateSize bytes; ErrNoSuchKey when there is none.
func (b *Backend) getAnnex(ctx context.Context, bk *oss.Bucket, bucket, annexKey string) ([]byte, error) {
	var data []byte
	err := b.retry(ctx, func(ctx context.Context) error {
		r, err := bk.GetObject(annexKey, oss.WithContext(ctx))
		if err != nil {
			return mapError(err, bucket, annexKey)
		}
		defer r.Close()
		data, err = io.ReadAll(io.LimitReader(r, storestate.MaxStateSize))
		return mapError(err, bucket, annexKey)
	})
	return data, err
}

// annexOf returns the annex of key when the store's object has one that
// matches it; ok is false otherwise.
func (b *Backend) annexOf(ctx context.Context, bucket, key string) (a storestate.Annex, ok bool, err error) {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return storestate.Annex{}, false, err
	}
	var h http.Header
	err = b.retry(ctx, func(ctx context.Context) error {
		var err error
		h, err = bk.GetObjectDetailedMeta(key, oss.WithContext(ctx))
		return mapError(err, bucket, key)
	})
	if err != nil {
		return storestate.Annex{}, false, err
	}
	info := infoFromHeader(key, h)
	data, err := b.getAnnex(ctx, bk, bucket, storestate.AnnexKey(key))
	if translate.CodeOf(err) == translate.ErrNoSuchKey {
		return storestate.Annex{}, false, nil
	}
	if err != nil {
		return storestate.Annex{}, false, err
	}
	a, ok = storestate.ParseAnnex(data)
	return a, ok && a.Matches(info), nil
}
