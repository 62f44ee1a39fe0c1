package oss

import (
	"context"
	"strconv"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// imur is the SDK's handle of an upload.
func imur(bucket, key, id string) oss.InitiateMultipartUploadResult {
	return oss.InitiateMultipartUploadResult{Bucket: bucket, Key: key, UploadID: id}
}

// CreateMultipartUpload implements translate.Backend: the store's own
// upload, plus a state object; or, for a client whose minimum part is
// smaller than the store's, a staged upload (staged.go). Not retried: a
// retry after a lost success would leave an orphan upload.
func (b *Backend) CreateMultipartUpload(ctx context.Context, info translate.UploadInfo) (string, error) {
	if err := storekit.CheckKey(info.Bucket, info.Key); err != nil {
		return "", err
	}
	if b.stager().Staging(info) {
		return b.stager().Create(ctx, info)
	}
	bk, err := b.bucket(info.Bucket, false)
	if err != nil {
		return "", err
	}
	cctx, cancel := b.timeout(ctx)
	defer cancel()
	res, err := bk.InitiateMultipartUpload(info.Key, append(metaOptions(info.Metadata), oss.WithContext(cctx))...)
	if err != nil {
		return "", mapError(err, info.Bucket, info.Key)
	}
	id := res.UploadID
	if id == "" {
		return "", errf(nil, "the store returned no upload ID for %s/%s", info.Bucket, info.Key)
	}
	put := func(key string, data []byte) error { return b.putSmall(ctx, info.Bucket, key, data) }
	if err := storekit.Write(id, storekit.NewUpload(info), put); err != nil {
		actx, cancel := b.timeout(context.WithoutCancel(ctx))
		defer cancel()
		bk.AbortMultipartUpload(imur(info.Bucket, info.Key, id), oss.WithContext(actx))
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

// UploadPart implements translate.Backend, streaming the part into the
// store's upload (never retried) and then recording its checksums. The
// store binds an upload ID to its key, so a foreign key or ID is its
// NoSuchUpload.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, id string, number int, body *translate.Body) (translate.PartInfo, error) {
	if err := storekit.ValidUploadID(bucket, id); err != nil {
		return translate.PartInfo{}, err
	}
	if storekit.Reserved(key) {
		return translate.PartInfo{}, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Key: key}
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return translate.PartInfo{}, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Err: err}
	}
	if _, staged, err := b.stager().State(ctx, bucket, key, id); err != nil || staged {
		if err != nil {
			return translate.PartInfo{}, err
		}
		return b.stager().StagePart(ctx, bucket, id, number, body)
	}
	r, tracked, err := streamBody(body)
	if err != nil {
		return translate.PartInfo{}, err
	}
	// Bucket.DoUploadPart would wrap even an empty body in a reader, which
	// Go's transport then sends chunked; the request is made directly.
	params := map[string]any{"partNumber": strconv.Itoa(number), "uploadId": id}
	resp, err := bk.Do("PUT", key, params, writeOptions(ctx, body), r, nil)
	if err != nil {
		return translate.PartInfo{}, bodyError(tracked, err, bucket, key)
	}
	resp.Body.Close()
	// The store's ETag is the MD5 the body computed, in uppercase; the
	// part's description comes from the body's own digests.
	sums, err := finishedSums(body, resp.Headers, "part")
	if err != nil {
		return translate.PartInfo{}, err
	}
	part := translate.PartInfo{Number: number, Size: sums.Size, ETag: sums.ETag(), LastModified: time.Now().UTC(), Checksum: sums.Checksum}
	if err := b.putSmall(ctx, bucket, storekit.PartRecord(id, number, part.ETag, part.Checksum), nil); err != nil {
		return translate.PartInfo{}, err
	}
	return part, nil
}

// UploadPartCopy implements translate.Backend by streaming the source range
// through the gateway as an UploadPart, so the part's MD5, CRC-64 and any
// checksum the upload needs are computed as for any other part. (OSS's
// server-side UploadPartCopy would leave those unknown.)
func (b *Backend) UploadPartCopy(ctx context.Context, bucket, key, id string, number int, srcBucket, srcKey string,
	rng *translate.Range, algs []translate.ChecksumAlgorithm) (translate.PartInfo, error) {
	if _, err := b.GetMultipartUpload(ctx, bucket, key, id); err != nil {
		return translate.PartInfo{}, err
	}
	obj, err := b.GetObject(ctx, srcBucket, srcKey, rng)
	if err != nil {
		return translate.PartInfo{}, err
	}
	defer obj.Body.Close()
	size := obj.Info.Size
	if rng != nil {
		size = rng.Length
	}
	body, err := translate.NewBody(obj.Body, size, translate.BodyOptions{Algorithms: algs})
	if err != nil {
		return translate.PartInfo{}, err
	}
	part, err := b.UploadPart(ctx, bucket, key, id, number, body)
	if err != nil && translate.CodeOf(err) == translate.ErrIncompleteBody {
		// The source, not a client, came up short.
		return part, &translate.Error{Code: translate.ErrServiceUnavailable, Bucket: srcBucket, Key: srcKey, Err: err,
			Message: "The copy source could not be read whole; please retry."}
	}
	return part, err
}

// ListParts implements translate.Backend: the store's parts with the
// checksums the gateway recorded for them.
func (b *Backend) ListParts(ctx context.Context, bucket, key, id string, after, max int) (translate.PartsPage, error) {
	st, err := b.stager().Upload(ctx, bucket, key, id)
	if err != nil {
		return translate.PartsPage{}, err
	}
	if st.Staged {
		parts, err := b.stager().Parts(ctx, bucket, id)
		return storekit.StagedPartsPage(parts, after, max), err
	}
	records, err := b.partRecords(ctx, bucket, id)
	if err != nil {
		return translate.PartsPage{}, err
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return translate.PartsPage{}, err
	}
	var res oss.ListUploadedPartsResult
	err = b.retry(ctx, func(ctx context.Context) error {
		opts := []oss.Option{oss.MaxParts(max), oss.WithContext(ctx)}
		if after > 0 {
			opts = append(opts, oss.PartNumberMarker(after))
		}
		var err error
		res, err = bk.ListUploadedParts(imur(bucket, key, id), opts...)
		return mapError(err, bucket, key)
	})
	if err != nil {
		return translate.PartsPage{}, err
	}
	var page translate.PartsPage
	for _, p := range res.UploadedParts {
		etag := unquote(p.ETag)
		page.Parts = append(page.Parts, translate.PartInfo{Number: p.PartNumber, Size: int64(p.Size), ETag: etag,
			LastModified: p.LastModified, Checksum: records[p.PartNumber][etag].Clone()})
		page.NextMarker = p.PartNumber
	}
	page.Truncated = res.IsTruncated
	return page, nil
}

// CompleteMultipartUpload implements translate.Backend with the store's
// Complete, then removes the gateway's state. Not retried: a retry after a
// lost success would say NoSuchUpload.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, req translate.CompleteRequest) (translate.ObjectInfo, error) {
	st, err := b.stager().Upload(ctx, req.Bucket, req.Key, req.UploadID)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if req.Cond, err = b.stager().StoreCond(ctx, req.Bucket, req.Key, req.Cond); err != nil {
		return translate.ObjectInfo{}, err
	}
	if st.Staged {
		return b.stager().Complete(ctx, st, req)
	}
	bk, err := b.bucket(req.Bucket, false)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	parts := make([]oss.UploadPart, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = oss.UploadPart{PartNumber: p.Number, ETag: `"` + p.ETag + `"`}
	}
	// Complete may take a while on the store; it is bounded by the
	// client's own context, not the per-call timeout.
	out, err := bk.CompleteMultipartUpload(imur(req.Bucket, req.Key, req.UploadID), parts, append(condOptions(req.Cond), oss.WithContext(ctx))...)
	if err != nil {
		return translate.ObjectInfo{}, mapError(err, req.Bucket, req.Key)
	}
	// The object is complete; state left behind by a failure here only
	// costs a few bytes and is removed with the bucket.
	b.deletePrefix(ctx, req.Bucket, storekit.UploadDir(req.UploadID))
	info := req.Info
	info.Key, info.Size, info.LastModified = req.Key, 0, time.Now().UTC()
	sizes := make([]int64, len(req.Parts))
	for i, p := range req.Parts {
		info.Size += p.Size
		sizes[i] = p.Size
	}
	// OSS keeps only CRC-64/ECMA: other checksums go in an annex, with the
	// part sizes and the Complete that made it (for a retried Complete).
	if storekit.Unkept(info.Checksum, ossKeeps) || info.CompletedBy != "" {
		if info.PartSizes == nil {
			info.PartSizes = sizes
		}
		if err := b.writeAnnex(ctx, bk, req.Bucket, req.Key, unquote(out.ETag), storekit.NewAnnex(info, "")); err != nil {
			return translate.ObjectInfo{}, err
		}
	}
	return info, nil
}

// AbortMultipartUpload implements translate.Backend.
func (b *Backend) AbortMultipartUpload(ctx context.Context, bucket, key, id string) error {
	st, err := b.stager().Upload(ctx, bucket, key, id)
	if err != nil {
		return err
	}
	if st.Staged {
		return b.stager().Abort(ctx, bucket, id)
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	cctx, cancel := b.timeout(ctx)
	defer cancel()
	// Not retried: a retry after a lost success would say NoSuchUpload.
	if err := bk.AbortMultipartUpload(imur(bucket, key, id), oss.WithContext(cctx)); err != nil {
		return mapError(err, bucket, key)
	}
	return b.deletePrefix(ctx, bucket, storekit.UploadDir(id))
}
