package s3

import (
	"io"
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

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
	if req.ChecksumType, err = profile.ChecksumType(r.HTTP.Header); err != nil {
		return err
	}
	return d.h.Complete(w, r, req)
}
