package s3

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// putObject stores an object and answers with its ETag, its S3 checksums
// (of type FULL_OBJECT) and its SSE.
func (d *Dialect) putObject(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := decodeMetadata(r.HTTP.Header)
	if err != nil {
		return err
	}
	cond, err := profile.WriteCond(r.HTTP.Header)
	if err != nil {
		return err
	}
	in, err := bodyInput(r)
	if err != nil {
		return err
	}
	info, err := d.cfg.Engine.PutObject(r.HTTP.Context(), r.Caller, translate.PutRequest{Bucket: r.Bucket, Key: r.Key, Metadata: meta, Body: in, Cond: cond})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", s3wire.Quote(info.ETag))
	profile.WriteChecksumHeaders(h, info.Checksum)
	if len(profile.Checksums(info.Checksum)) > 0 {
		h.Set("x-amz-checksum-type", string(translate.ChecksumFullObject))
	}
	if meta.SSE != "" {
		h.Set("x-amz-server-side-encryption", profile.SSEValue(meta.SSE))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
