package s3

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/backends/storestate"
	"github.com/babelgate/babelgate/translate"
)

// Staging (storestate's staged uploads) serves clients whose minimum part
// is smaller than the store's: an upload created with
// UploadInfo.FrontMinPartSize below Options.MinPartSize keeps its parts as
// objects under its state directory and gets a store upload only at
// Complete, assembled from store-sized groups of parts.

// restreamed counts the bytes Complete streamed through the gateway a
// second time (staged parts concatenated into store parts).
var restreamed atomic.Int64

// RestreamedBytes returns how many bytes this process's s3 backends have
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

// stagePart streams body to a staged part object, then records it.
func (b *Backend) stagePart(ctx context.Context, bucket, id string, number int, body *translate.Body) (translate.PartInfo, error) {
	p := storestate.NewStagedPart(number)
	obj := p.Object(id)
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(obj), Body: body,
		ContentLength: aws.Int64(body.Size()), ContentMD5: md5Header(body)}
	if body.Size() == 0 {
		if _, err := io.Copy(io.Discard, body); err != nil {
			return translate.PartInfo{}, err
		}
		in.Body = http.NoBody
	}
	if _, err := b.client.PutObject(ctx, in, streaming); err != nil {
		return translate.PartInfo{}, mapError(err, bucket, "")
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.PartInfo{}, errf(nil, "store accepted staged part %d before the body ended", number)
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
	cctx, cancel := b.timeout(ctx)
	_, err := b.client.DeleteObject(cctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(storestate.StagedMarker(id))})
	cancel()
	if err != nil {
		return mapError(err, bucket, "")
	}
	return b.deletePrefix(ctx, bucket, storestate.UploadDir(id))
}

// completeStaged assembles a staged upload: a store upload made now from
// PlanGroups' groups (copied server-side or streamed), completed, then
// the annex that keeps what the client was promised.
func (b *Backend) completeStaged(ctx context.Context, st storestate.Upload, req translate.CompleteRequest) (translate.ObjectInfo, error) {
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
	var streamed atomic.Int64
	storeID, err := b.createStoreUpload(ctx, req.Bucket, req.Key, st.Metadata)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	abort := func() {
		actx, cancel := b.timeout(context.WithoutCancel(ctx))
		defer cancel()
		b.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(req.Bucket), Key: aws.String(req.Key), UploadId: aws.String(storeID)})
	}
	completed := make([]types.CompletedPart, len(groups))
	errs := make([]error, len(groups))
	gctx, cancel := context.WithCancel(ctx)
	sem := make(chan struct{}, completeConcurrency)
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			etag, err := b.storeGroup(gctx, req.Bucket, req.Key, req.UploadID, storeID, i+1, g, &streamed)
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			completed[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(etag)}
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
	out, err := b.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(req.Bucket), Key: aws.String(req.Key),
		UploadId: aws.String(storeID), MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
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
		cctx, cancel := b.timeout(ctx)
		h, err := b.client.HeadObject(cctx, &s3.HeadObjectInput{Bucket: aws.String(req.Bucket), Key: aws.String(req.Key)})
		cancel()
		if err != nil {
			return translate.ObjectInfo{}, mapError(err, req.Bucket, req.Key)
		}
		storeETag = unquote(h.ETag)
	}
	// Without its annex the object would report the store's ETag: the
	// upload stays (a retried Complete assembles it again).
	if err := b.putSmall(ctx, req.Bucket, storestate.AnnexKey(req.Key), storestate.NewAnnex(info, storeETag).Marshal()); err != nil {
		return translate.ObjectInfo{}, err
	}
	b.abortStaged(ctx, req.Bucket, req.UploadID)
	// The backend has no logger of its own; the process default one
	// records what assembling cost.
	slog.Info("s3 backend: staged upload assembled", "bucket", req.Bucket, "key", req.Key,
		"client_parts", len(parts), "store_parts", len(groups), "size", info.Size,
		"restreamed_bytes", streamed.Load(), "duration", time.Since(began))
	return info, nil
}

// storeGroup stores group g as part n of the store upload storeID and
// returns the store's (quoted) part ETag. Bytes it streams are added to
// streamed and to RestreamedBytes.
func (b *Backend) storeGroup(ctx context.Context, bucket, key, id, storeID string, n int, g storestate.Group, streamed *atomic.Int64) (string, error) {
	if g.Copy {
		out, err := b.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String(key),
			UploadId: aws.String(storeID), PartNumber: aws.Int32(int32(n)),
			CopySource: aws.String(copySource(bucket, g.Parts[0].Object(id)))})
		if err != nil {
			return "", mapError(err, bucket, key)
		}
		if out.CopyPartResult == nil {
			return "", errf(nil, "UploadPartCopy returned no result")
		}
		return aws.ToString(out.CopyPartResult.ETag), nil
	}
	r := &concatReader{ctx: ctx, b: b, bucket: bucket, id: id, parts: g.Parts}
	defer r.Close()
	in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(storeID),
		PartNumber: aws.Int32(int32(n)), Body: r, ContentLength: aws.Int64(g.Size)}
	if g.Size == 0 {
		in.Body = http.NoBody
	}
	out, err := b.client.UploadPart(ctx, in, streaming)
	restreamed.Add(r.n)
	streamed.Add(r.n)
	if err != nil {
		if r.err != nil {
			return "", r.err
		}
		return "", mapError(err, bucket, key)
	}
	if r.n != g.Size {
		return "", errf(nil, "staged parts of store part %d held %d bytes, want %d", n, r.n, g.Size)
	}
	return aws.ToString(out.ETag), nil
}

// concatReader reads staged parts one after the other, opening each only
// when the previous one is done: a stream, never a buffer.
type concatReader struct {
	ctx    context.Context
	b      *Backend
	bucket string
	id     string
	parts  []storestate.StagedPart
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
			out, err := r.b.client.GetObject(r.ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
			if err != nil {
				r.err = mapError(err, r.bucket, key)
				if translate.CodeOf(r.err) == translate.ErrNoSuchKey {
					r.err = &translate.Error{Code: translate.ErrInvalidPart, Bucket: r.bucket, Err: err,
						Message: "One or more of the specified parts could not be found."}
				}
				return 0, r.err
			}
			r.cur, r.curN = out.Body, 0
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
			r.err = mapError(err, r.bucket, "")
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
func (b *Backend) readAnnex(ctx context.Context, bucket string, info *translate.ObjectInfo, marked bool) error {
	_ = marked
	data, err := b.getAnnex(ctx, bucket, storestate.AnnexKey(info.Key))
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
func (b *Backend) getAnnex(ctx context.Context, bucket, annexKey string) ([]byte, error) {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(annexKey)})
	if err != nil {
		return nil, mapError(err, bucket, annexKey)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, storestate.MaxStateSize))
	return data, mapError(err, bucket, annexKey)
}

// annexOf returns the annex of key when the store's object has one that
// matches it; ok is false otherwise.
func (b *Backend) annexOf(ctx context.Context, bucket, key string) (a storestate.Annex, ok bool, err error) {
	info, _, err := b.storeHead(ctx, bucket, key)
	if err != nil {
		return storestate.Annex{}, false, err
	}
	data, err := b.getAnnex(ctx, bucket, storestate.AnnexKey(key))
	if translate.CodeOf(err) == translate.ErrNoSuchKey {
		return storestate.Annex{}, false, nil
	}
	if err != nil {
		return storestate.Annex{}, false, err
	}
	a, ok = storestate.ParseAnnex(data)
	return a, ok && a.Matches(info), nil
}
