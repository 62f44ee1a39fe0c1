package s3

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
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
			return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]"}
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
		h.Set("x-amz-server-side-encryption", profile.SSEValue(meta.SSE))
	}
	return s3wire.WriteXML(w, http.StatusOK, s3wire.InitiateResult{Xmlns: xmlns, Bucket: r.Bucket, Key: r.Key, UploadID: id})
}

// completeXMLLimit bounds a CompleteMultipartUpload document (10,000 parts
// with every checksum element fit well within it).
const completeXMLLimit = 4 << 20

// readCompleteXML decodes a CompleteMultipartUpload body. Its
// x-amz-checksum-* headers are the whole object's checksum, not the XML
// document's, so they are left out of the body's checks (issue 10, 9.1).
func readCompleteXML(r *dialects.Request, v *s3wire.CompleteRequest) error {
	in, err := payloadInput(r, false)
	if err != nil {
		if translate.CodeOf(err) != translate.ErrMissingContentLength {
			return err
		}
		in = translate.BodyInput{Reader: http.NoBody, Size: -1}
		if r.Payload.Reader != nil {
			in.Reader = io.LimitReader(r.Payload.Reader, completeXMLLimit+1)
		}
	}
	return s3wire.DecodeXML(in, completeXMLLimit, v, false)
}

func (d *Dialect) completeUpload(w http.ResponseWriter, r *dialects.Request) error {
	var body s3wire.CompleteRequest
	if err := readCompleteXML(r, &body); err != nil {
		return d.h.BucketFirst(r, err)
	}
	req := translate.CompleteUploadRequest{Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), ObjectSize: -1}
	for _, p := range body.Parts {
		req.Parts = append(req.Parts, translate.ClientPart{Number: p.PartNumber, ETag: p.ETag, Checksum: p.Checksums()})
	}
	cond, err := profile.WriteCond(r.HTTP.Header)
	if err != nil {
		return err
	}
	req.Cond = cond
	if v := r.HTTP.Header.Get("x-amz-mp-object-size"); v != "" {
		n, err := parseSize(v)
		if err != nil {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-amz-mp-object-size", ArgValue: v,
				Message: "Value for x-amz-mp-object-size header is invalid."}
		}
		req.ObjectSize = n
	}
	for _, a := range translate.S3ChecksumAlgorithms {
		if v := r.HTTP.Header.Get(profile.ChecksumHeader(a)); v != "" {
			if req.Checksum != nil {
				return translate.Errorf(translate.ErrInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			req.Checksum = translate.Checksums{a: v}
		}
	}
	switch t := translate.ChecksumType(strings.ToUpper(r.HTTP.Header.Get("x-amz-checksum-type"))); t {
	case "", translate.ChecksumComposite, translate.ChecksumFullObject:
		req.ChecksumType = t
	default:
		return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Value for x-amz-checksum-type header is invalid."}
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
			res := s3wire.CompleteResult{Xmlns: xmlns, Location: s3wire.ObjectURL(r), Bucket: r.Bucket,
				Key: r.Key, ETag: s3wire.Quote(info.ETag), ChecksumFields: s3wire.ChecksumXML(profile.Checksums(info.Checksum))}
			if len(profile.Checksums(info.Checksum)) > 0 {
				res.ChecksumType = string(info.ChecksumType)
			}
			return s3wire.WriteXML(w, http.StatusOK, res)
		},
		EncodeError: d.EncodeError,
	})
}
