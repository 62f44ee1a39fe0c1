package s3

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// CreateMultipartUpload implements translate.Backend: the store's own
// upload, plus a state object; or, for a client whose minimum part is
// smaller than the store's, a staged upload (staged.go).
func (b *Backend) CreateMultipartUpload(ctx context.Context, info translate.UploadInfo) (string, error) {
	if err := storekit.CheckKey(info.Bucket, info.Key); err != nil {
		return "", err
	}
	if b.stager().Staging(info) {
		return b.stager().Create(ctx, info)
	}
	id, err := b.createStoreUpload(ctx, info.Bucket, info.Key, info.Metadata)
	if err != nil {
		return "", err
	}
	put := func(key string, data []byte) error { return b.putSmall(ctx, info.Bucket, key, data) }
	if err := storekit.Write(id, storekit.NewUpload(info), put); err != nil {
		b.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(info.Bucket), Key: aws.String(info.Key), UploadId: aws.String(id)})
		return "", err
	}
	return id, nil
}

// createStoreUpload starts the store's upload of key with metadata m.
func (b *Backend) createStoreUpload(ctx context.Context, bucket, key string, m translate.Metadata) (string, error) {
	cctx, cancel := b.timeout(ctx)
	defer cancel()
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), Metadata: m.User,
		Expires: expires(m)}
	setMeta(m, &in.ContentType, &in.ContentEncoding, &in.ContentDisposition, &in.ContentLanguage, &in.CacheControl)
	out, err := b.client.CreateMultipartUpload(cctx, in)
	if err != nil {
		return "", mapError(err, bucket, key)
	}
	return aws.ToString(out.UploadId), nil
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
// store's upload and recording its checksums.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, id string, number int, body *translate.Body) (translate.PartInfo, error) {
	if err := storekit.ValidUploadID(bucket, id); err != nil {
		return translate.PartInfo{}, err
	}
	if _, staged, err := b.stager().State(ctx, bucket, key, id); err != nil || staged {
		if err != nil {
			return translate.PartInfo{}, err
		}
		return b.stager().StagePart(ctx, bucket, id, number, body)
	}
	in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		PartNumber: aws.Int32(int32(number)), Body: body, ContentLength: aws.Int64(body.Size()), ContentMD5: md5Header(body)}
	b.putChecksums(body, checksumFields{&in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256})
	if _, err := b.client.UploadPart(ctx, in, streaming); err != nil {
		return translate.PartInfo{}, mapError(err, bucket, key)
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.PartInfo{}, errf(nil, "store accepted part %d before the body ended", number)
	}
	part := translate.PartInfo{Number: number, Size: sums.Size, ETag: sums.ETag(), LastModified: time.Now().UTC(), Checksum: sums.Checksum}
	if err := b.putSmall(ctx, bucket, storekit.PartRecord(id, number, part.ETag, part.Checksum), nil); err != nil {
		return translate.PartInfo{}, err
	}
	return part, nil
}

// UploadPartCopy implements translate.Backend by streaming the source range
// through the gateway as an UploadPart, so the part's MD5, CRC-64 and any
// checksum the upload needs are computed as for any other part. (A
// server-side UploadPartCopy would leave those unknown.)
func (b *Backend) UploadPartCopy(ctx context.Context, bucket, key, id string, number int, srcBucket, srcKey string,
	rng *translate.Range, algs []translate.ChecksumAlgorithm) (translate.PartInfo, error) {
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
	return b.UploadPart(ctx, bucket, key, id, number, body)
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
	in := &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id), MaxParts: aws.Int32(int32(max))}
	if after > 0 {
		in.PartNumberMarker = aws.String(fmt.Sprint(after))
	}
	cctx, cancel := b.timeout(ctx)
	defer cancel()
	out, err := b.client.ListParts(cctx, in)
	if err != nil {
		return translate.PartsPage{}, mapError(err, bucket, key)
	}
	var page translate.PartsPage
	for _, p := range out.Parts {
		n := int(aws.ToInt32(p.PartNumber))
		etag := unquote(p.ETag)
		pi := translate.PartInfo{Number: n, Size: aws.ToInt64(p.Size), ETag: etag, LastModified: aws.ToTime(p.LastModified),
			Checksum: records[n][etag].Clone()}
		if pi.Checksum == nil {
			pi.Checksum = storeChecksums(p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256)
		}
		page.Parts = append(page.Parts, pi)
		page.NextMarker = n
	}
	page.Truncated = aws.ToBool(out.IsTruncated)
	return page, nil
}

// CompleteMultipartUpload implements translate.Backend with the store's
// Complete, then removes the gateway's state.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, req translate.CompleteRequest) (translate.ObjectInfo, error) {
	st, err := b.stager().Upload(ctx, req.Bucket, req.Key, req.UploadID)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if req.Cond, err = b.stager().StoreCond(ctx, req.Bucket, req.Key, req.Cond); err != nil {
		return translate.ObjectInfo{}, err
	}
	if st.Staged {
		info, err := b.stager().Complete(ctx, st, req)
		return info, storekit.CondError(err, req.Cond)
	}
	parts := make([]types.CompletedPart, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(`"` + p.ETag + `"`)}
	}
	// Complete may take a while on the store; it is bounded by the
	// client's own context, not the per-call timeout.
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(req.Bucket), Key: aws.String(req.Key),
		UploadId: aws.String(req.UploadID), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
	in.IfNoneMatch, in.IfMatch = condHeaders(req.Cond)
	out, err := b.client.CompleteMultipartUpload(ctx, in)
	if err != nil {
		return translate.ObjectInfo{}, storekit.CondError(mapError(err, req.Bucket, req.Key), req.Cond)
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
	// The store's upload was created without a checksum algorithm, so it
	// keeps none of the object's checksums: they go in an annex, with the
	// part sizes and the Complete that made it (for a retried Complete).
	if len(info.Checksum) > 0 || info.CompletedBy != "" {
		if info.PartSizes == nil {
			info.PartSizes = sizes
		}
		if err := b.writeAnnex(ctx, req.Bucket, req.Key, unquote(out.ETag), storekit.NewAnnex(info, "")); err != nil {
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
	cctx, cancel := b.timeout(ctx)
	defer cancel()
	_, err = b.client.AbortMultipartUpload(cctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id)})
	if err != nil {
		return mapError(err, bucket, key)
	}
	return b.deletePrefix(ctx, bucket, storekit.UploadDir(id))
}
