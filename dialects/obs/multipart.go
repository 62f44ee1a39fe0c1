package obs

import (
	"context"
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

func (d *Dialect) createUpload(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := decodeMetadata(r.HTTP.Header)
	if err != nil {
		return err
	}
	id, _, err := d.cfg.Engine.CreateMultipartUpload(r.HTTP.Context(), r.Caller,
		translate.CreateUploadRequest{Bucket: r.Bucket, Key: r.Key, Metadata: meta})
	if err != nil {
		return err
	}
	if meta.SSE != "" {
		w.Header().Set(sseHeader, profile.SSEValue(meta.SSE))
	}
	return s3wire.WriteXML(w, http.StatusOK, s3wire.InitiateResult{Xmlns: xmlns, Bucket: r.Bucket, Key: r.Key, UploadID: id})
}

// completeUpload merges the listed parts; the merged ETag is the engine's
// MD5(M1…MN)-N, which is also OBS's (obs_04_0102).
func (d *Dialect) completeUpload(w http.ResponseWriter, r *dialects.Request) error {
	var body s3wire.CompleteRequest
	if err := d.h.ReadXML(r, 4<<20, &body, false); err != nil {
		return d.h.BucketFirst(r, err)
	}
	req := translate.CompleteUploadRequest{Bucket: r.Bucket, Key: r.Key, UploadID: r.Query.Get("uploadId"), ObjectSize: -1}
	for _, p := range body.Parts {
		req.Parts = append(req.Parts, translate.ClientPart{Number: p.PartNumber, ETag: p.ETag})
	}
	if _, err := profile.WriteCond(r.HTTP.Header); err != nil {
		return err
	}
	// A long merge is kept alive as S3 does (200, white space, then the
	// result or an <Error> in the body); the OBS SDK reports such an error
	// as a failure to parse the result.
	var info translate.ObjectInfo
	return d.cfg.CompleteKeepAlive.Serve(w, r, dialects.LongCall{
		Run: func(ctx context.Context) (err error) {
			info, err = d.cfg.Engine.CompleteMultipartUpload(ctx, r.Caller, req)
			return err
		},
		Respond: func(w http.ResponseWriter) error {
			return s3wire.WriteXML(w, http.StatusOK, s3wire.CompleteResult{Xmlns: xmlns, Location: s3wire.ObjectURL(r),
				Bucket: r.Bucket, Key: r.Key, ETag: s3wire.Quote(info.ETag)})
		},
		EncodeError: d.EncodeError,
	})
}
