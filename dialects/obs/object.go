package obs

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// putObject stores an object and answers with its ETag, its SSE and, for
// a class other than the default, its storage class, in OBS's spelling.
func (d *Dialect) putObject(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := decodeMetadata(r.HTTP.Header)
	if err != nil {
		return err
	}
	if _, err := profile.WriteCond(r.HTTP.Header); err != nil {
		return err
	}
	in, err := bodyInput(r)
	if err != nil {
		return err
	}
	info, err := d.cfg.Engine.PutObject(r.HTTP.Context(), r.Caller, translate.PutRequest{Bucket: r.Bucket, Key: r.Key, Metadata: meta, Body: in})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", s3wire.Quote(info.ETag))
	if sse := profile.SSEValue(meta.SSE); sse != "" {
		h.Set(sseHeader, sse)
	}
	if meta.StorageClass != "" {
		h.Set(storageClassHdr, translate.StorageClassFor(Spellings, meta.StorageClass))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
