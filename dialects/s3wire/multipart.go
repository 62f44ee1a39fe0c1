package s3wire

import (
	"context"
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// UploadPart stores one part: the part's ETag, its reported checksums and,
// if the upload has one, its SSE header.
func (h *Handlers) UploadPart(w http.ResponseWriter, r *dialects.Request) error {
	n, raw, err := PartNumber(r)
	if err != nil {
		return h.BucketFirst(r, err)
	}
	in, err := h.Body(r)
	if err != nil {
		return err
	}
	part, upload, err := h.Engine.UploadPart(r.HTTP.Context(), r.Caller, translate.UploadPartRequest{
		Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), PartNumber: n, RawPartNumber: raw, Body: in})
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("ETag", Quote(part.ETag))
	h.WriteChecksumHeaders(hd, part.Checksum)
	if upload.Metadata.SSE != "" {
		hd.Set(h.Prefix+"server-side-encryption", h.SSEValue(upload.Metadata.SSE))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// UploadPartCopy copies <Prefix>copy-source (optionally its
// <Prefix>copy-source-range, under its conditions) into one part.
func (h *Handlers) UploadPartCopy(w http.ResponseWriter, r *dialects.Request) error {
	n, raw, err := PartNumber(r)
	if err != nil {
		return h.BucketFirst(r, err)
	}
	sb, sk, err := CopySource(r.HTTP.Header.Get(h.Prefix + "copy-source"))
	if err != nil {
		return err
	}
	part, src, err := h.Engine.UploadPartCopy(r.HTTP.Context(), r.Caller, translate.UploadPartCopyRequest{
		Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), PartNumber: n, RawPartNumber: raw,
		SrcBucket: sb, SrcKey: sk, SrcRange: r.HTTP.Header.Get(h.Prefix + "copy-source-range"),
		SrcConditions: Conditions(r.HTTP.Header, h.Prefix+"copy-source-")})
	if err != nil {
		return err
	}
	return WriteXML(w, http.StatusOK, CopyPartResult{Xmlns: h.Xmlns, LastModified: Time(src.LastModified),
		ETag: Quote(part.ETag), ChecksumFields: ChecksumXML(h.Checksums(part.Checksum))})
}

// ListParts lists an upload's parts after part-number-marker, at most
// max-parts (reported as at most 1000).
func (h *Handlers) ListParts(w http.ResponseWriter, r *dialects.Request) error {
	marker, err := IntParam(r, "part-number-marker", 0)
	if err != nil {
		return h.BucketFirst(r, err)
	}
	max, err := IntParam(r, "max-parts", 1000)
	if err != nil {
		return h.BucketFirst(r, err)
	}
	id := r.Query.Get("uploadId")
	page, upload, err := h.Engine.ListParts(r.HTTP.Context(), r.Caller, r.Bucket, r.Key, id, marker, max)
	if err != nil {
		return err
	}
	if max > 1000 || (max == 0 && h.ZeroMaxPartsIsDefault) {
		max = 1000
	}
	initiator := h.Owner(upload.Initiator)
	res := ListPartsResult{Xmlns: h.Xmlns, Bucket: r.Bucket, Key: r.Key, UploadID: id, Initiator: initiator, Owner: initiator,
		StorageClass: h.ListedStorageClass(upload.Metadata), PartNumberMarker: marker, MaxParts: max, IsTruncated: page.Truncated}
	if len(h.ChecksumAlgorithms) > 0 {
		res.ChecksumAlgorithm, res.ChecksumType = string(upload.ChecksumAlgorithm), string(upload.ChecksumType)
	}
	for _, p := range page.Parts {
		res.Parts = append(res.Parts, PartEntry{PartNumber: p.Number, LastModified: Time(p.LastModified),
			ETag: Quote(p.ETag), Size: p.Size, ChecksumFields: ChecksumXML(h.Checksums(p.Checksum))})
	}
	if len(page.Parts) > 0 {
		res.NextPartNumberMarker = page.Parts[len(page.Parts)-1].Number
	}
	return WriteXML(w, http.StatusOK, res)
}

// ListUploads lists a bucket's multipart uploads after key-marker and
// upload-id-marker, at most max-uploads (0 or over 1000 reported as 1000).
func (h *Handlers) ListUploads(w http.ResponseWriter, r *dialects.Request) error {
	max, err := IntParam(r, "max-uploads", 1000)
	if err != nil {
		return h.BucketFirst(r, err)
	}
	encode, err := Encoder(r)
	if err != nil {
		return h.BucketFirst(r, err)
	}
	q := translate.UploadsQuery{Prefix: r.Query.Get("prefix"), Delimiter: r.Query.Get("delimiter"),
		KeyAfter: r.Query.Get("key-marker"), IDAfter: r.Query.Get("upload-id-marker"), MaxUploads: max}
	page, err := h.Engine.ListMultipartUploads(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	if max > 1000 || max == 0 {
		max = 1000
	}
	res := ListUploadsResult{Xmlns: h.Xmlns, Bucket: r.Bucket, KeyMarker: encode(q.KeyAfter), UploadIDMarker: r.Query.Get("upload-id-marker"),
		Delimiter: encode(q.Delimiter), Prefix: encode(q.Prefix), EncodingType: r.Query.Get("encoding-type"), MaxUploads: max,
		IsTruncated: page.Truncated}
	for i, u := range page.Uploads {
		in := h.Owner(u.Initiator)
		e := UploadEntry{Key: encode(u.Key), UploadID: page.IDs[i], Initiator: in, Owner: in,
			StorageClass: h.ListedStorageClass(u.Metadata), Initiated: Time(u.Initiated)}
		if len(h.ChecksumAlgorithms) > 0 {
			e.ChecksumAlgorithm, e.ChecksumType = string(u.ChecksumAlgorithm), string(u.ChecksumType)
		}
		res.Uploads = append(res.Uploads, e)
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, CommonPrefix{Prefix: encode(p)})
	}
	if page.Truncated {
		res.NextKeyMarker, res.NextUploadIDMarker = nextUploadMarkers(page)
		res.NextKeyMarker = encode(res.NextKeyMarker)
	}
	return WriteXML(w, http.StatusOK, res)
}

// BucketFirst returns NoSuchBucket instead of err, a request's own defect
// found before the engine ran (a malformed part number, max-parts,
// max-uploads or Complete document), when the addressed bucket does not
// exist: S3 reports the missing bucket first on every multipart call.
func (h *Handlers) BucketFirst(r *dialects.Request, err error) error {
	if _, herr := h.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); translate.CodeOf(herr) == translate.ErrNoSuchBucket {
		return herr
	}
	return err
}

// MissingBucketFirst wraps a multipart handler whose argument checks run
// before the engine (CreateMultipartUpload's checksum headers): an
// argument error it returns becomes NoSuchBucket when the bucket does not
// exist (see [Handlers.BucketFirst]).
func (h *Handlers) MissingBucketFirst(next func(http.ResponseWriter, *dialects.Request) error) func(http.ResponseWriter, *dialects.Request) error {
	return func(w http.ResponseWriter, r *dialects.Request) error {
		err := next(w, r)
		switch translate.CodeOf(err) {
		case translate.ErrInvalidArgument, translate.ErrInvalidRequest, translate.ErrMalformedXML:
			return h.BucketFirst(r, err)
		}
		return err
	}
}

// nextUploadMarkers are the markers that continue a truncated uploads
// page: its last entry in key order. That is an upload (its key and client
// upload ID) or, when the page ends on a common prefix, the prefix with no
// upload ID: the backends skip every upload under a common prefix that is
// <= key-marker, so the next page starts past it instead of listing the
// same page again (a page of only common prefixes used to leave
// NextKeyMarker empty, and clients following markers looped).
func nextUploadMarkers(page translate.UploadListing) (key, id string) {
	if n := len(page.Uploads); n > 0 {
		key, id = page.Uploads[n-1].Key, page.IDs[n-1]
	}
	if n := len(page.CommonPrefixes); n > 0 && page.CommonPrefixes[n-1] > key {
		key, id = page.CommonPrefixes[n-1], ""
	}
	return key, id
}

// AbortUpload aborts the upload: 204.
func (h *Handlers) AbortUpload(w http.ResponseWriter, r *dialects.Request) error {
	initiated, err := h.InitiatedTime(r.HTTP.Header)
	if err != nil {
		return err
	}
	if err := h.Engine.AbortMultipartUploadIf(r.HTTP.Context(), r.Caller, r.Bucket, r.Key, r.Query.Get("uploadId"), initiated); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// CreateUpload is CreateMultipartUpload: the upload's metadata from the
// request headers and, in a profile that reports checksums,
// <Prefix>checksum-algorithm and <Prefix>checksum-type (echoed when set);
// the answer carries the SSE header and the InitiateMultipartUploadResult.
func (h *Handlers) CreateUpload(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := h.DecodeMetadata(r.HTTP.Header)
	if err != nil {
		return err
	}
	req := translate.CreateUploadRequest{Bucket: r.Bucket, Key: r.Key, Metadata: meta}
	checksums := len(h.ChecksumAlgorithms) > 0
	if checksums {
		if req.ChecksumAlgorithm, req.ChecksumType, err = h.uploadChecksum(r.HTTP.Header); err != nil {
			return err
		}
	}
	id, info, err := h.Engine.CreateMultipartUpload(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	hd := w.Header()
	if checksums && info.ChecksumAlgorithm != "" {
		hd.Set(h.Prefix+"checksum-algorithm", string(info.ChecksumAlgorithm))
		hd.Set(h.Prefix+"checksum-type", string(info.ChecksumType))
	}
	if meta.SSE != "" {
		hd.Set(h.Prefix+"server-side-encryption", h.SSEValue(meta.SSE))
	}
	return WriteXML(w, http.StatusOK, InitiateResult{Xmlns: h.Xmlns, Bucket: r.Bucket, Key: r.Key, UploadID: id})
}

// uploadChecksum reads an upload's <Prefix>checksum-algorithm and
// <Prefix>checksum-type, with S3's InvalidRequest texts.
func (h *Handlers) uploadChecksum(hd http.Header) (translate.ChecksumAlgorithm, translate.ChecksumType, error) {
	var alg translate.ChecksumAlgorithm
	if v := hd.Get(h.Prefix + "checksum-algorithm"); v != "" {
		a, ok := translate.ParseChecksumAlgorithm(v)
		if !ok {
			return "", "", &translate.Error{Code: translate.ErrInvalidRequest, Message: "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]"}
		}
		alg = a
	}
	t, err := h.ChecksumType(hd)
	return alg, t, err
}

// ChecksumType reads <Prefix>checksum-type: "", COMPOSITE or FULL_OBJECT
// (any case), else InvalidRequest.
func (p *Profile) ChecksumType(hd http.Header) (translate.ChecksumType, error) {
	name := p.Prefix + "checksum-type"
	switch t := translate.ChecksumType(strings.ToUpper(hd.Get(name))); t {
	case "", translate.ChecksumComposite, translate.ChecksumFullObject:
		return t, nil
	}
	return "", &translate.Error{Code: translate.ErrInvalidRequest, Message: "Value for " + name + " header is invalid."}
}

// Complete carries out a CompleteMultipartUpload the dialect has read into
// req and answers with CompleteMultipartUploadResult (with the checksums
// the profile reports and their type). A merge that takes a while answers
// as S3 does, through h.CompleteKeepAlive: 200 at once, white space while
// it works, then the result or an <Error> in the body, written by
// h.EncodeError (the OBS SDK reports such an error as a failure to parse
// the result).
func (h *Handlers) Complete(w http.ResponseWriter, r *dialects.Request, req translate.CompleteUploadRequest) error {
	var info translate.ObjectInfo
	return h.CompleteKeepAlive.Serve(w, r, dialects.LongCall{
		Run: func(ctx context.Context) (err error) {
			info, err = h.Engine.CompleteMultipartUpload(ctx, r.Caller, req)
			return err
		},
		Respond: func(w http.ResponseWriter) error {
			res := CompleteResult{Xmlns: h.Xmlns, Location: ObjectURL(r), Bucket: r.Bucket,
				Key: r.Key, ETag: Quote(info.ETag), ChecksumFields: ChecksumXML(h.Checksums(info.Checksum))}
			if len(h.Checksums(info.Checksum)) > 0 {
				res.ChecksumType = string(info.ChecksumType)
			}
			return WriteXML(w, http.StatusOK, res)
		},
		EncodeError: h.EncodeError,
	})
}
