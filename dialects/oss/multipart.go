package oss

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// partNumber parses partNumber; the range check (1–10000, InvalidArgument
// with ArgumentName/ArgumentValue) is the engine's.
func partNumber(r *dialects.Request) (int, string, error) {
	raw := r.Query.Get("partNumber")
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, raw, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "partNumber", ArgValue: raw,
			Message: "Part number must be an integer between 1 and 10000, inclusive."}
	}
	return n, raw, nil
}

// uploadPart is UploadPart: the ETag (uppercase MD5), Content-MD5, the
// part's CRC-64 and, if set at initiate, x-oss-server-side-encryption.
// Part size is never checked here, only at Complete.
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
	h.Set("ETag", etag(part.ETag))
	setContentMD5(h, part.ETag)
	setCRC(h, part.Checksum)
	if upload.Metadata.SSE != "" {
		h.Set(sseHeader, ossSSE(upload.Metadata.SSE))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// uploadPartCopy is UploadPartCopy (x-oss-copy-source, optional
// x-oss-copy-source-range "bytes=first-last").
func (d *Dialect) uploadPartCopy(w http.ResponseWriter, r *dialects.Request) error {
	n, raw, err := partNumber(r)
	if err != nil {
		return err
	}
	sb, sk, err := copySource(r.HTTP.Header.Get("x-oss-copy-source"))
	if err != nil {
		return err
	}
	part, src, err := d.cfg.Engine.UploadPartCopy(r.HTTP.Context(), r.Caller, translate.UploadPartCopyRequest{
		Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), PartNumber: n, RawPartNumber: raw,
		SrcBucket: sb, SrcKey: sk, SrcRange: r.HTTP.Header.Get("x-oss-copy-source-range"),
		SrcConditions: s3wire.Conditions(r.HTTP.Header, "x-oss-copy-source-")})
	if err != nil {
		if te := translate.AsError(err); te.ArgName == "x-amz-copy-source-range" {
			te.ArgName = "x-oss-copy-source-range"
			te.Message = "The x-oss-copy-source-range value must be of the form bytes=first-last."
		}
		return err
	}
	setCRC(w.Header(), part.Checksum)
	return s3wire.WriteXML(w, http.StatusOK, copyPartResult{LastModified: s3wire.Time(src.LastModified), ETag: etag(part.ETag)})
}

// listParts is ListParts, with each part's HashCrc64ecma.
func (d *Dialect) listParts(w http.ResponseWriter, r *dialects.Request) error {
	marker, err := intParam(r, "part-number-marker", 0)
	if err != nil {
		return err
	}
	max, err := intParam(r, "max-parts", 1000)
	if err != nil {
		return err
	}
	if max == 0 || max > 1000 {
		max = 1000
	}
	id := r.Query.Get("uploadId")
	page, upload, err := d.cfg.Engine.ListParts(r.HTTP.Context(), r.Caller, r.Bucket, r.Key, id, marker, max)
	if err != nil {
		return err
	}
	res := listPartsResult{Bucket: r.Bucket, Key: r.Key, UploadID: id, StorageClass: ossStorageClass(upload.Metadata.StorageClass),
		PartNumberMarker: marker, MaxParts: max, IsTruncated: page.Truncated}
	for _, p := range page.Parts {
		res.Parts = append(res.Parts, partEntry{PartNumber: p.Number, LastModified: s3wire.Time(p.LastModified),
			ETag: etag(p.ETag), Size: p.Size, HashCrc64ecma: crcText(p.Checksum)})
	}
	if len(page.Parts) > 0 {
		res.NextPartNumberMarker = page.Parts[len(page.Parts)-1].Number
	}
	return s3wire.WriteXML(w, http.StatusOK, res)
}

func (d *Dialect) listUploads(w http.ResponseWriter, r *dialects.Request) error {
	max, err := intParam(r, "max-uploads", 1000)
	if err != nil {
		return err
	}
	if max == 0 || max > 1000 {
		max = 1000
	}
	enc, et, err := encoder(r)
	if err != nil {
		return err
	}
	q := translate.UploadsQuery{Prefix: r.Query.Get("prefix"), Delimiter: r.Query.Get("delimiter"),
		KeyAfter: r.Query.Get("key-marker"), IDAfter: r.Query.Get("upload-id-marker"), MaxUploads: max}
	page, err := d.cfg.Engine.ListMultipartUploads(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	res := listUploadsResult{Bucket: r.Bucket, KeyMarker: enc(q.KeyAfter), UploadIDMarker: r.Query.Get("upload-id-marker"),
		Delimiter: enc(q.Delimiter), Prefix: enc(q.Prefix), MaxUploads: max, IsTruncated: page.Truncated, EncodingType: et}
	for i, u := range page.Uploads {
		res.Uploads = append(res.Uploads, uploadEntry{Key: enc(u.Key), UploadID: page.IDs[i],
			StorageClass: ossStorageClass(u.Metadata.StorageClass), Initiated: s3wire.Time(u.Initiated)})
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
	if page.Truncated && len(page.Uploads) > 0 {
		last := len(page.Uploads) - 1
		res.NextKeyMarker = enc(page.Uploads[last].Key)
		res.NextUploadIDMarker = page.IDs[last]
	}
	return s3wire.WriteXML(w, http.StatusOK, res)
}

func (d *Dialect) abortUpload(w http.ResponseWriter, r *dialects.Request) error {
	if err := d.cfg.Engine.AbortMultipartUpload(r.HTTP.Context(), r.Caller, r.Bucket, r.Key, r.Query.Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// completeUpload is CompleteMultipartUpload. With "x-oss-complete-all:
// yes" the body must be empty and every uploaded part is used in number
// order (a body then is InvalidArgument, EC 0042-00000216). The response
// carries the combined CRC-64 when every part has one.
func (d *Dialect) completeUpload(w http.ResponseWriter, r *dialects.Request) error {
	cond, err := forbidOverwrite(r.HTTP.Header)
	if err != nil {
		return err
	}
	req := translate.CompleteUploadRequest{Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), ObjectSize: -1, Cond: cond}
	if all := r.HTTP.Header.Get("x-oss-complete-all"); all != "" {
		if !strings.EqualFold(all, "yes") {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-oss-complete-all", ArgValue: all,
				Message: "The x-oss-complete-all header must be yes."}
		}
		if r.HTTP.ContentLength != 0 {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-oss-complete-all", ArgValue: all,
				Message: "The body of a CompleteMultipartUpload request with x-oss-complete-all must be empty.",
				Extra:   map[string]string{ecKey: "0042-00000216"}}
		}
		req.AllParts = true
	} else {
		var body completeRequest
		if err := readXML(r, 4<<20, &body, false); err != nil {
			return err
		}
		for _, p := range body.Parts {
			req.Parts = append(req.Parts, translate.ClientPart{Number: p.PartNumber, ETag: p.ETag})
		}
	}
	// A long merge is kept alive as S3 does: 200, white space, then the
	// result (without the CRC-64 and SSE headers, which can no longer be
	// sent; the SDKs check the CRC only when it is there) or an <Error>.
	// Neither OSS SDK looks for an <Error> in a 200, and the V2 SDK would
	// take it for a result, so after one the connection is cut: both SDKs
	// then report the response as failed.
	var info translate.ObjectInfo
	return d.cfg.CompleteKeepAlive.Serve(w, r, dialects.LongCall{
		Run: func(ctx context.Context) (err error) {
			info, err = d.cfg.Engine.CompleteMultipartUpload(ctx, r.Caller, req)
			if translate.CodeOf(err) == translate.ErrObjectExists {
				// Complete's own EC for an existing object (0042-00000214).
				te := translate.AsError(err)
				te.Extra = map[string]string{ecKey: "0042-00000214"}
			}
			return err
		},
		Respond: func(w http.ResponseWriter) error {
			h := w.Header()
			setCRC(h, info.Checksum)
			if info.Metadata.SSE != "" {
				h.Set(sseHeader, ossSSE(info.Metadata.SSE))
			}
			return s3wire.WriteXML(w, http.StatusOK, completeResult{Location: s3wire.ObjectURL(r),
				Bucket: r.Bucket, Key: r.Key, ETag: etag(info.ETag)})
		},
		EncodeError:     d.EncodeError,
		CloseAfterError: true,
	})
}
