package obs

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

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
	return d.h.Complete(w, r, req)
}
