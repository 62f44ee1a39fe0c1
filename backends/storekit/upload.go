package storekit

import (
	"context"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// CreateMultipartUpload implements translate.Backend: the store's own
// upload, plus a state object; or, for a client whose minimum part is
// smaller than the store's, a staged upload (staged.go).
func (b *Backend) CreateMultipartUpload(ctx context.Context, info translate.UploadInfo) (string, error) {
	if err := b.checkWrite(info.Bucket, info.Key, info.Metadata); err != nil {
		return "", err
	}
	if b.stager.Staging(info) {
		return b.stager.Create(ctx, info)
	}
	s := kitStore{b}
	id, err := s.CreateUpload(ctx, info.Bucket, info.Key, info.Metadata)
	if err != nil {
		return "", err
	}
	put := func(key string, data []byte) error { return b.putSmall(ctx, info.Bucket, key, data) }
	if err := Write(id, NewUpload(info), put); err != nil {
		s.AbortUpload(context.WithoutCancel(ctx), info.Bucket, info.Key, id)
		return "", err
	}
	return id, nil
}

// GetMultipartUpload implements translate.Backend from the state object.
func (b *Backend) GetMultipartUpload(ctx context.Context, bucket, key, id string) (translate.UploadInfo, error) {
	st, err := b.readState(ctx, bucket, id)
	if err != nil {
		return translate.UploadInfo{}, err
	}
	return st.InfoFor(bucket, key, id)
}

// UploadPart implements translate.Backend, streaming the part to the
// store's upload (or staging it) and recording its checksums.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, id string, number int, body *translate.Body) (translate.PartInfo, error) {
	if err := CheckKey(bucket, key); err != nil {
		return translate.PartInfo{}, err
	}
	if err := ValidUploadID(bucket, id); err != nil {
		return translate.PartInfo{}, err
	}
	if _, staged, err := b.stager.State(ctx, bucket, key, id); err != nil || staged {
		if err != nil {
			return translate.PartInfo{}, err
		}
		return b.stager.StagePart(ctx, bucket, id, number, body)
	}
	if b.blocks { // the store knows no upload: the kit's state says
		if _, err := b.stager.Upload(ctx, bucket, key, id); err != nil {
			return translate.PartInfo{}, err
		}
	}
	b.storeETag(body) // the part passes 1:1 to the store's part
	r, tb, err := streamBody(body)
	if err != nil {
		return translate.PartInfo{}, err
	}
	opts := PutOptions{ContentMD5: body.ContentMD5(), Checksums: b.forward(body)}
	storeETag, err := b.up.UploadPart(ctx, bucket, key, id, number, r, body.Size(), opts)
	if err != nil {
		return translate.PartInfo{}, b.bodyError(tb, err, bucket, key)
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.PartInfo{}, b.errf(nil, "store accepted part %d before the body ended", number)
	}
	part := translate.PartInfo{Number: number, Size: sums.Size, ETag: etagOf(sums, storeETag), LastModified: time.Now().UTC(), Checksum: sums.Checksum}
	if err := b.putSmall(ctx, bucket, PartRecord(id, number, part.ETag, part.Checksum), nil); err != nil {
		return translate.PartInfo{}, err
	}
	return part, nil
}

// UploadPartCopy implements translate.Backend by streaming the source
// range through the gateway as an UploadPart (translate.StreamPartCopy,
// the one place that does), so that the part's MD5, CRC-64 and any
// checksum the upload needs are computed as for any other part; a
// server-side copy would leave them unknown.
func (b *Backend) UploadPartCopy(ctx context.Context, bucket, key, id string, number int, srcBucket, srcKey string,
	rng *translate.Range, algs []translate.ChecksumAlgorithm) (translate.PartInfo, error) {
	if err := CheckKey(bucket, key); err != nil {
		return translate.PartInfo{}, err
	}
	if _, err := b.GetMultipartUpload(ctx, bucket, key, id); err != nil {
		return translate.PartInfo{}, err
	}
	return translate.StreamPartCopy(ctx, b, b, bucket, key, id, number, srcBucket, srcKey, rng, algs)
}

// ListParts implements translate.Backend: the store's parts with the
// checksums the gateway recorded for them, or the staged parts.
func (b *Backend) ListParts(ctx context.Context, bucket, key, id string, after, max int) (translate.PartsPage, error) {
	st, err := b.stager.Upload(ctx, bucket, key, id)
	if err != nil {
		return translate.PartsPage{}, err
	}
	if st.Staged {
		parts, err := b.stager.Parts(ctx, bucket, id)
		return StagedPartsPage(parts, after, max), err
	}
	var keys []string
	if err := b.eachKey(ctx, bucket, PartRecordPrefix(id), func(k string) { keys = append(keys, k) }); err != nil {
		return translate.PartsPage{}, err
	}
	records := PartChecksums(id, keys)
	var res PartsResult
	err = b.do(ctx, bucket, key, func(ctx context.Context) (err error) {
		res, err = b.up.ListParts(ctx, bucket, key, id, after, max)
		return err
	})
	if err != nil {
		return translate.PartsPage{}, err
	}
	page := translate.PartsPage{Truncated: res.Truncated}
	for _, p := range res.Parts {
		if sums := records[p.Number][p.ETag]; sums != nil {
			p.Checksum = sums.Clone()
		}
		page.Parts = append(page.Parts, p)
		page.NextMarker = p.Number
	}
	return page, nil
}

// ListMultipartUploads implements translate.Backend. Stores differ in how
// much of ListMultipartUploads they implement (MinIO ignores prefix,
// delimiter and markers), so the kit lists the store's uploads whole, adds
// the staged ones, and ListUploads applies the neutral query, reading each
// listed upload's state; an upload whose state cannot be read is left out.
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string, q translate.UploadsQuery) (translate.UploadsPage, error) {
	all, err := b.storeUploads(ctx, bucket)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	staged, err := b.stager.Uploads(ctx, bucket)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	return ListUploads(bucket, q, append(all, staged...), func(id string) (Upload, error) {
		st, err := b.readState(ctx, bucket, id)
		if err != nil {
			return st, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Err: err}
		}
		return st, nil
	})
}

// CompleteMultipartUpload implements translate.Backend with the store's
// Complete (bounded by the client's context only, never retried: a retry
// after a lost success would find no upload), then removes the gateway's
// state; or assembles a staged upload. The object's checksums, part sizes
// and the Complete that made it go in an annex.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, req translate.CompleteRequest) (translate.ObjectInfo, error) {
	if err := CheckKey(req.Bucket, req.Key); err != nil {
		return translate.ObjectInfo{}, err
	}
	st, err := b.stager.Upload(ctx, req.Bucket, req.Key, req.UploadID)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if req.Cond, err = b.storeCond(ctx, req.Bucket, req.Key, req.Cond, b.ab.CondComplete); err != nil {
		return translate.ObjectInfo{}, err
	}
	if st.Staged {
		info, err := b.stager.Complete(ctx, st, req)
		return info, CondError(err, req.Cond)
	}
	parts := make([]Part, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = Part{Number: p.Number, ETag: p.ETag}
	}
	storeETag, err := b.up.CompleteUpload(ctx, req.Bucket, req.Key, req.UploadID, parts, PutOptions{Metadata: b.uploadMeta(st.Metadata), Cond: req.Cond})
	if err != nil {
		return translate.ObjectInfo{}, CondError(b.classify(err, req.Bucket, req.Key), req.Cond)
	}
	// The object is complete; state left behind by a failure here only
	// costs a few bytes and is removed with the bucket.
	b.deletePrefix(ctx, req.Bucket, UploadDir(req.UploadID))
	info := req.Info
	info.Key, info.Size, info.LastModified = req.Key, 0, time.Now().UTC()
	sizes := make([]int64, len(req.Parts))
	for i, p := range req.Parts {
		info.Size += p.Size
		sizes[i] = p.Size
	}
	// The store's upload was created without a checksum algorithm, so it
	// keeps none of the object's checksums: they go in an annex, with the
	// part sizes and the Complete that made it (for a retried Complete).
	if len(info.Checksum) > 0 || info.CompletedBy != "" {
		if info.PartSizes == nil {
			info.PartSizes = sizes
		}
		if err := b.writeAnnex(ctx, req.Bucket, req.Key, storeETag, NewAnnex(info, "")); err != nil {
			return translate.ObjectInfo{}, err
		}
	}
	return info, nil
}

// AbortMultipartUpload implements translate.Backend.
func (b *Backend) AbortMultipartUpload(ctx context.Context, bucket, key, id string) error {
	st, err := b.stager.Upload(ctx, bucket, key, id)
	if err != nil {
		return err
	}
	if st.Staged {
		return b.stager.Abort(ctx, bucket, id)
	}
	err = b.do(ctx, bucket, key, func(ctx context.Context) error { return b.up.AbortUpload(ctx, bucket, key, id) })
	if err != nil {
		return err
	}
	return b.deletePrefix(ctx, bucket, UploadDir(id))
}
