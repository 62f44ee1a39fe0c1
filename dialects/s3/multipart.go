package s3

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

func (d *Dialect) createUpload(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := decodeMetadata(r.HTTP.Header)
	if err != nil {
		return err
	}
	req := translate.CreateUploadRequest{Bucket: r.Bucket, Key: r.Key, Metadata: meta}
	if v := r.HTTP.Header.Get("x-amz-checksum-algorithm"); v != "" {
		a, ok := translate.ParseChecksumAlgorithm(v)
		if !ok {
			return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"}
		}
		req.ChecksumAlgorithm = a
	}
	switch t := translate.ChecksumType(strings.ToUpper(r.HTTP.Header.Get("x-amz-checksum-type"))); t {
	case "", translate.ChecksumComposite, translate.ChecksumFullObject:
		req.ChecksumType = t
	default:
		return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Value for x-amz-checksum-type header is invalid."}
	}
	id, info, err := d.cfg.Engine.CreateMultipartUpload(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	h := w.Header()
	if info.ChecksumAlgorithm != "" {
		h.Set("x-amz-checksum-algorithm", string(info.ChecksumAlgorithm))
		h.Set("x-amz-checksum-type", string(info.ChecksumType))
	}
	if meta.SSE != "" {
		h.Set("x-amz-server-side-encryption", meta.SSE)
	}
	return writeXML(w, http.StatusOK, initiateResult{Xmlns: xmlns, Bucket: r.Bucket, Key: r.Key, UploadID: id})
}

// partNumber parses the partNumber query parameter; range checks are the
// engine's.
func partNumber(r *dialects.Request) (int, string, error) {
	raw := r.Query.Get("partNumber")
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, raw, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "partNumber", ArgValue: raw,
			Message: "Part number must be an integer between 1 and 10000, inclusive"}
	}
	return n, raw, nil
}

func (d *Dialect) uploadPart(w http.ResponseWriter, r *dialects.Request) error {
	n, raw, err := partNumber(r)
	if err != nil {
		return err
	}
	in, err := bodyInput(r)
	if err != nil {
		return err
	}
	part, upload, err := d.cfg.Engine.UploadPart(r.HTTP.Context(), r.Caller, translate.UploadPartRequest{
		Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), PartNumber: n, RawPartNumber: raw, Body: in})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", quote(part.ETag))
	writeChecksumHeaders(h, part.Checksum)
	if upload.Metadata.SSE != "" {
		h.Set("x-amz-server-side-encryption", upload.Metadata.SSE)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (d *Dialect) uploadPartCopy(w http.ResponseWriter, r *dialects.Request) error {
	n, raw, err := partNumber(r)
	if err != nil {
		return err
	}
	sb, sk, err := copySource(r.HTTP.Header.Get("x-amz-copy-source"))
	if err != nil {
		return err
	}
	part, src, err := d.cfg.Engine.UploadPartCopy(r.HTTP.Context(), r.Caller, translate.UploadPartCopyRequest{
		Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), PartNumber: n, RawPartNumber: raw,
		SrcBucket: sb, SrcKey: sk, SrcRange: r.HTTP.Header.Get("x-amz-copy-source-range"),
		SrcConditions: parseConditions(r.HTTP.Header, "x-amz-copy-source-")})
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, copyPartResult{Xmlns: xmlns, LastModified: s3Time(src.LastModified),
		ETag: quote(part.ETag), checksumFields: checksumXML(s3Checksums(part.Checksum))})
}

// intParam parses an optional non-negative integer query parameter.
func intParam(r *dialects.Request, name string, def int) (int, error) {
	v := r.Query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: name, ArgValue: v,
			Message: "Provided " + name + " not an integer or within integer range"}
	}
	return n, nil
}

func (d *Dialect) listParts(w http.ResponseWriter, r *dialects.Request) error {
	marker, err := intParam(r, "part-number-marker", 0)
	if err != nil {
		return err
	}
	max, err := intParam(r, "max-parts", 1000)
	if err != nil {
		return err
	}
	id := r.Query.Get("uploadId")
	page, upload, err := d.cfg.Engine.ListParts(r.HTTP.Context(), r.Caller, r.Bucket, r.Key, id, marker, max)
	if err != nil {
		return err
	}
	if max > 1000 {
		max = 1000
	}
	initiator := owner{ID: upload.Initiator, DisplayName: upload.Initiator}
	res := listPartsResult{Xmlns: xmlns, Bucket: r.Bucket, Key: r.Key, UploadID: id, Initiator: initiator, Owner: initiator,
		StorageClass: storageClass(upload.Metadata), PartNumberMarker: marker, MaxParts: max, IsTruncated: page.Truncated,
		ChecksumAlgorithm: string(upload.ChecksumAlgorithm), ChecksumType: string(upload.ChecksumType)}
	for _, p := range page.Parts {
		res.Parts = append(res.Parts, partEntry{PartNumber: p.Number, LastModified: s3Time(p.LastModified),
			ETag: quote(p.ETag), Size: p.Size, checksumFields: checksumXML(s3Checksums(p.Checksum))})
	}
	if len(page.Parts) > 0 {
		res.NextPartNumberMarker = page.Parts[len(page.Parts)-1].Number
	}
	return writeXML(w, http.StatusOK, res)
}

func storageClass(m translate.Metadata) string {
	if m.StorageClass == "" {
		return "STANDARD"
	}
	return m.StorageClass
}

func (d *Dialect) listUploads(w http.ResponseWriter, r *dialects.Request) error {
	max, err := intParam(r, "max-uploads", 1000)
	if err != nil {
		return err
	}
	encode := func(s string) string { return s }
	if et := r.Query.Get("encoding-type"); et == "url" {
		encode = urlEncode
	} else if et != "" {
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "encoding-type", ArgValue: et,
			Message: "Invalid Encoding Method specified in Request"}
	}
	q := translate.UploadsQuery{Prefix: r.Query.Get("prefix"), Delimiter: r.Query.Get("delimiter"),
		KeyAfter: r.Query.Get("key-marker"), IDAfter: r.Query.Get("upload-id-marker"), MaxUploads: max}
	page, err := d.cfg.Engine.ListMultipartUploads(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	if max > 1000 || max == 0 {
		max = 1000
	}
	res := listUploadsResult{Xmlns: xmlns, Bucket: r.Bucket, KeyMarker: encode(q.KeyAfter), UploadIDMarker: r.Query.Get("upload-id-marker"),
		Delimiter: encode(q.Delimiter), Prefix: encode(q.Prefix), EncodingType: r.Query.Get("encoding-type"), MaxUploads: max,
		IsTruncated: page.Truncated}
	for i, u := range page.Uploads {
		in := owner{ID: u.Initiator, DisplayName: u.Initiator}
		res.Uploads = append(res.Uploads, uploadEntry{Key: encode(u.Key), UploadID: page.IDs[i], Initiator: in, Owner: in,
			StorageClass: storageClass(u.Metadata), Initiated: s3Time(u.Initiated),
			ChecksumAlgorithm: string(u.ChecksumAlgorithm), ChecksumType: string(u.ChecksumType)})
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encode(p)})
	}
	if page.Truncated && len(page.Uploads) > 0 {
		last := len(page.Uploads) - 1
		res.NextKeyMarker = encode(page.Uploads[last].Key)
		res.NextUploadIDMarker = page.IDs[last]
	}
	return writeXML(w, http.StatusOK, res)
}

func (d *Dialect) abortUpload(w http.ResponseWriter, r *dialects.Request) error {
	if err := d.cfg.Engine.AbortMultipartUpload(r.HTTP.Context(), r.Caller, r.Bucket, r.Key, r.Query.Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Dialect) completeUpload(w http.ResponseWriter, r *dialects.Request) error {
	var body completeRequest
	if err := readXML(r, 4<<20, &body, false); err != nil {
		return err
	}
	req := translate.CompleteUploadRequest{Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), ObjectSize: -1}
	for _, p := range body.Parts {
		req.Parts = append(req.Parts, translate.ClientPart{Number: p.PartNumber, ETag: p.ETag, Checksum: p.checksums()})
	}
	if v := r.HTTP.Header.Get("x-amz-mp-object-size"); v != "" {
		n, err := parseSize(v)
		if err != nil {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-amz-mp-object-size", ArgValue: v,
				Message: "Value for x-amz-mp-object-size header is invalid."}
		}
		req.ObjectSize = n
	}
	for _, a := range translate.S3ChecksumAlgorithms {
		if v := r.HTTP.Header.Get("x-amz-checksum-" + strings.ToLower(string(a))); v != "" {
			if req.Checksum == nil {
				req.Checksum = translate.Checksums{}
			}
			req.Checksum[a] = v
		}
	}
	// A merge that takes a while answers as S3 does: 200 at once, white
	// space while it works, then the result or an <Error> in the body.
	var info translate.ObjectInfo
	return d.cfg.CompleteKeepAlive.Serve(w, r, dialects.LongCall{
		Run: func(ctx context.Context) (err error) {
			info, err = d.cfg.Engine.CompleteMultipartUpload(ctx, r.Caller, req)
			return err
		},
		Respond: func(w http.ResponseWriter) error {
			scheme := "http"
			if r.HTTP.TLS != nil {
				scheme = "https"
			}
			res := completeResult{Xmlns: xmlns, Location: scheme + "://" + r.HTTP.Host + r.HTTP.URL.EscapedPath(), Bucket: r.Bucket,
				Key: r.Key, ETag: quote(info.ETag), checksumFields: checksumXML(s3Checksums(info.Checksum))}
			if len(s3Checksums(info.Checksum)) > 0 {
				res.ChecksumType = string(info.ChecksumType)
			}
			return writeXML(w, http.StatusOK, res)
		},
		EncodeError: d.EncodeError,
	})
}
