package obs

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// OBS's header names (protocols.md §3.6; huaweicloud-sdk-go-obs const.go).
const (
	metaPrefix        = "x-obs-meta-"
	storageClassHdr   = "x-obs-storage-class"
	sseHeader         = "x-obs-server-side-encryption"
	sseCustomerAlgHdr = "x-obs-server-side-encryption-customer-algorithm"
)

// obsPrefix is OBS's vendor header prefix.
const obsPrefix = "x-obs-"

// obsUnimplemented are OBS-only headers babelgate does not implement, by
// the operations that take them, refused NotImplemented besides the
// S3-family ones (s3wire.RefuseUnimplemented under x-obs-: tagging,
// object-lock, grants, canned ACLs other than private): x-obs-expires, an
// object's expiration in days (OBS API reference, PutObject).
var obsUnimplemented = map[translate.Op][]string{
	translate.OpPutObject:             {"x-obs-expires"},
	translate.OpCreateMultipartUpload: {"x-obs-expires"},
	translate.OpCopyObject:            {"x-obs-expires"},
}

// maxUserMetadata is the limit on user metadata (names plus values), as
// for S3.
const maxUserMetadata = 2 << 10

// decodeMetadata reads the content headers, x-obs-meta-* (into the same
// Metadata.User map the S3 dialect fills from x-amz-meta-*), the storage
// class and the server-side encryption from h.
func decodeMetadata(h http.Header) (translate.Metadata, error) {
	m := translate.Metadata{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    h.Get("Content-Encoding"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	redirect, err := s3wire.RedirectLocation(h, obsPrefix+"website-redirect-location")
	if err != nil {
		return m, err
	}
	m.WebsiteRedirectLocation = redirect
	size := 0
	for k, vs := range h {
		lk := strings.ToLower(k)
		if name, ok := strings.CutPrefix(lk, metaPrefix); ok && name != "" {
			if m.User == nil {
				m.User = map[string]string{}
			}
			v := strings.Join(vs, ",")
			m.User[name] = v
			size += len(name) + len(v)
		}
	}
	if size > maxUserMetadata {
		return m, &translate.Error{Code: translate.ErrMetadataTooLarge,
			Extra: map[string]string{"Size": strconv.Itoa(size), "MaxSizeAllowed": strconv.Itoa(maxUserMetadata)}}
	}
	sc, ok := translate.ParseStorageClass(Spellings, h.Get(storageClassHdr))
	if !ok {
		return m, &translate.Error{Code: translate.ErrInvalidStorageClass, Message: "The storage class you specified is not valid"}
	}
	m.StorageClass = sc
	sse := h.Get(sseHeader)
	if m.SSE, ok = translate.ParseSSE(Spellings, sse); !ok {
		return m, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: sseHeader, ArgValue: sse,
			Message: "The encryption method specified is not supported"}
	}
	if h.Get(sseCustomerAlgHdr) != "" {
		return m, translate.Errorf(translate.ErrNotImplemented, "Server-side encryption with customer-provided keys is not supported.")
	}
	return m, nil
}

// bodyInput builds the engine's view of the request body: the stream, its
// declared length and the Content-MD5 the client sent (OBS's only body
// integrity value).
func bodyInput(r *dialects.Request) (translate.BodyInput, error) {
	p := r.Payload
	if p.Size < 0 {
		return translate.BodyInput{}, &translate.Error{Code: translate.ErrMissingContentLength, Message: "You must provide the Content-Length HTTP header."}
	}
	in := translate.BodyInput{Reader: p.Reader, Size: p.Size}
	if p.Reader == nil {
		in.Reader = http.NoBody
	}
	md5, err := s3wire.ContentMD5(r.HTTP.Header)
	in.Options.ContentMD5 = md5
	return in, err
}
