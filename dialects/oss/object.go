package oss

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// putObject stores an object and answers with its ETag, Content-MD5 and
// x-oss-hash-crc64ecma (which both SDKs compare with their own CRC).
func (d *Dialect) putObject(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := decodeMetadata(r.HTTP.Header)
	if err != nil {
		return err
	}
	cond, err := forbidOverwrite(r.HTTP.Header)
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
	h.Set("ETag", etag(info.ETag))
	setContentMD5(h, info.ETag)
	setCRC(h, info.Checksum)
	if meta.SSE != "" {
		h.Set(sseHeader, ossSSE(meta.SSE))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// readHeaders sets GET/HEAD object headers and returns the status. The
// CRC-64 is sent only for the whole object, never for a range.
func (d *Dialect) readHeaders(w http.ResponseWriter, r *dialects.Request, info translate.ObjectInfo, rng *translate.Range) int {
	h := w.Header()
	writeObjectHeaders(h, info)
	s3wire.SetResponseOverrides(h, r)
	status, length := http.StatusOK, info.Size
	if rng != nil {
		status, length = http.StatusPartialContent, rng.Length
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.Start, rng.Start+rng.Length-1, info.Size))
	} else {
		setCRC(h, info.Checksum)
		if objectType(info) == "Normal" {
			setContentMD5(h, info.ETag)
		}
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	return status
}

func readRequest(r *dialects.Request) translate.GetRequest {
	return translate.GetRequest{Bucket: r.Bucket, Key: r.Key, Range: r.HTTP.Header.Get("Range"),
		Conditions: s3wire.Conditions(r.HTTP.Header, "")}
}

func (d *Dialect) getObject(w http.ResponseWriter, r *dialects.Request) error {
	obj, err := d.cfg.Engine.GetObject(r.HTTP.Context(), r.Caller, readRequest(r))
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	w.WriteHeader(d.readHeaders(w, r, obj.Info, obj.Range))
	if _, err := io.Copy(w, obj.Body); err != nil {
		return translate.Wrap(translate.ErrInternal, err, "streaming object")
	}
	return nil
}

func (d *Dialect) headObject(w http.ResponseWriter, r *dialects.Request) error {
	req := readRequest(r)
	req.Range = "" // HEAD describes the whole object
	info, _, err := d.cfg.Engine.HeadObject(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	w.WriteHeader(d.readHeaders(w, r, info, nil))
	return nil
}

// getObjectMeta is HEAD ?objectMeta: ETag, size, Last-Modified and the
// CRC-64, without the content headers or user metadata.
func (d *Dialect) getObjectMeta(w http.ResponseWriter, r *dialects.Request) error {
	info, _, err := d.cfg.Engine.HeadObject(r.HTTP.Context(), r.Caller, translate.GetRequest{Bucket: r.Bucket, Key: r.Key})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", etag(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	setCRC(h, info.Checksum)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (d *Dialect) deleteObject(w http.ResponseWriter, r *dialects.Request) error {
	if err := d.cfg.Engine.DeleteObject(r.HTTP.Context(), r.Caller, r.Bucket, r.Key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// copySource parses x-oss-copy-source, "/bucket/key" with the key
// URL-encoded: the legacy SDK query-escapes it ('/' as %2F, ' ' as '+'),
// the v2 SDK path-escapes it; query-unescaping reads both, since the v2
// escaping encodes '+' itself. "?versionId=" is NotImplemented unless
// "null".
func copySource(v string) (bucket, key string, err error) {
	bad := &translate.Error{Code: translate.ErrInvalidCopySource, ArgName: "x-oss-copy-source", ArgValue: v,
		Message: "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey."}
	path, err := s3wire.CopySourcePath(v, bad)
	if err != nil {
		return "", "", err
	}
	rest := strings.TrimPrefix(path, "/")
	b, k, ok := strings.Cut(rest, "/")
	if !ok {
		return "", "", bad
	}
	dk, perr := url.QueryUnescape(k)
	if perr != nil || b == "" || dk == "" {
		return "", "", bad
	}
	return b, dk, nil
}

// copyObject is CopyObject (x-oss-copy-source, x-oss-metadata-directive).
func (d *Dialect) copyObject(w http.ResponseWriter, r *dialects.Request) error {
	sb, sk, err := copySource(r.HTTP.Header.Get("x-oss-copy-source"))
	if err != nil {
		return err
	}
	cond, err := forbidOverwrite(r.HTTP.Header)
	if err != nil {
		return err
	}
	req := translate.CopyRequest{SrcBucket: sb, SrcKey: sk, Bucket: r.Bucket, Key: r.Key,
		SrcConditions: s3wire.Conditions(r.HTTP.Header, "x-oss-copy-source-"), Cond: cond}
	switch dir := r.HTTP.Header.Get("x-oss-metadata-directive"); dir {
	case "", "COPY":
	case "REPLACE":
		req.ReplaceMetadata = true
		if req.Metadata, err = decodeMetadata(r.HTTP.Header); err != nil {
			return err
		}
	default:
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-oss-metadata-directive", ArgValue: dir,
			Message: "The x-oss-metadata-directive must be COPY or REPLACE."}
	}
	info, err := d.cfg.Engine.CopyObject(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	setCRC(w.Header(), info.Checksum)
	return s3wire.WriteXML(w, http.StatusOK, copyObjectResult{LastModified: s3wire.Time(info.LastModified), ETag: etag(info.ETag)})
}
