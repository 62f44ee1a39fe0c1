package obs

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

func (d *Dialect) putObject(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := decodeMetadata(r.HTTP.Header)
	if err != nil {
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
	h.Set("ETag", quote(info.ETag))
	if meta.SSE != "" {
		h.Set(sseHeader, sseHeaderValue(meta.SSE))
	}
	if sc := obsStorageClass(meta.StorageClass); sc != "" {
		h.Set(storageClassHdr, sc)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// readRequest decodes what GET and HEAD object share.
func readRequest(r *dialects.Request) (translate.GetRequest, error) {
	req := translate.GetRequest{Bucket: r.Bucket, Key: r.Key, Range: r.HTTP.Header.Get("Range"),
		Conditions: parseConditions(r.HTTP.Header, "")}
	if v := r.Query.Get("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return req, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "partNumber", ArgValue: v,
				Message: "Part number must be an integer between 1 and 10000, inclusive"}
		}
		if n == 0 {
			n = -1 // out of range, reported by the engine
		}
		req.PartNumber = n
		if req.Range != "" {
			return req, &translate.Error{Code: translate.ErrInvalidRequest, Message: "Cannot specify both Range header and partNumber query parameter"}
		}
	}
	return req, nil
}

// responseOverrides are GET's response-* query parameters and the headers
// they set.
var responseOverrides = map[string]string{
	"response-content-type": "Content-Type", "response-content-language": "Content-Language",
	"response-expires": "Expires", "response-cache-control": "Cache-Control",
	"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding",
}

// writeReadHeaders sets the response headers of GET and HEAD object and
// returns the status.
func (d *Dialect) writeReadHeaders(w http.ResponseWriter, r *dialects.Request, req translate.GetRequest, info translate.ObjectInfo, rng *translate.Range) int {
	h := w.Header()
	writeObjectHeaders(h, info)
	if req.PartNumber > 0 && len(info.PartSizes) > 0 {
		h.Set("x-obs-mp-parts-count", strconv.Itoa(len(info.PartSizes)))
	}
	for q, hdr := range responseOverrides {
		if v := r.Query.Get(q); v != "" {
			h.Set(hdr, v)
		}
	}
	status := http.StatusOK
	length := info.Size
	if rng != nil && (req.PartNumber == 0 || len(info.PartSizes) > 0 || req.Range != "") {
		status = http.StatusPartialContent
		length = rng.Length
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.Start, rng.Start+rng.Length-1, info.Size))
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	return status
}

func (d *Dialect) getObject(w http.ResponseWriter, r *dialects.Request) error {
	req, err := readRequest(r)
	if err != nil {
		return err
	}
	obj, err := d.cfg.Engine.GetObject(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	w.WriteHeader(d.writeReadHeaders(w, r, req, obj.Info, obj.Range))
	if _, err := io.Copy(w, obj.Body); err != nil {
		return translate.Wrap(translate.ErrInternal, err, "streaming object")
	}
	return nil
}

func (d *Dialect) headObject(w http.ResponseWriter, r *dialects.Request) error {
	req, err := readRequest(r)
	if err != nil {
		return err
	}
	info, rng, err := d.cfg.Engine.HeadObject(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	w.WriteHeader(d.writeReadHeaders(w, r, req, info, rng))
	return nil
}

func (d *Dialect) deleteObject(w http.ResponseWriter, r *dialects.Request) error {
	if err := d.cfg.Engine.DeleteObject(r.HTTP.Context(), r.Caller, r.Bucket, r.Key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// copySource parses x-obs-copy-source: "bucket/key" with the key
// URL-encoded and no leading slash, as the SDK sends it (trait_object.go
// and trait_part.go: bucket + "/" + url.QueryEscape(key), then
// "?versionId="), so '+' decodes as a space; a leading slash is
// tolerated.
func copySource(v string) (bucket, key string, err error) {
	bad := &translate.Error{Code: translate.ErrInvalidCopySource, Message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"}
	if i := strings.Index(v, "?"); i >= 0 {
		q, perr := url.ParseQuery(v[i+1:])
		if perr != nil {
			return "", "", bad
		}
		if vid := q.Get("versionId"); vid != "" && vid != "null" {
			return "", "", translate.Errorf(translate.ErrNotImplemented, "Versioning is not implemented by babelgate.")
		}
		v = v[:i]
	}
	dec, perr := url.QueryUnescape(v)
	if perr != nil {
		return "", "", bad
	}
	dec = strings.TrimPrefix(dec, "/")
	bucket, key, ok := strings.Cut(dec, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", bad
	}
	return bucket, key, nil
}

func (d *Dialect) copyObject(w http.ResponseWriter, r *dialects.Request) error {
	sb, sk, err := copySource(r.HTTP.Header.Get(copySourceHeader))
	if err != nil {
		return err
	}
	req := translate.CopyRequest{SrcBucket: sb, SrcKey: sk, Bucket: r.Bucket, Key: r.Key,
		SrcConditions: parseConditions(r.HTTP.Header, copySourcePrefix)}
	switch dir := r.HTTP.Header.Get(metadataDirective); dir {
	case "", "COPY":
	case "REPLACE":
		req.ReplaceMetadata = true
		if req.Metadata, err = decodeMetadata(r.HTTP.Header); err != nil {
			return err
		}
	default:
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: metadataDirective, ArgValue: dir,
			Message: "Unknown metadata directive."}
	}
	info, err := d.cfg.Engine.CopyObject(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, copyObjectResult{Xmlns: xmlns, LastModified: obsTime(info.LastModified), ETag: quote(info.ETag)})
}
