package obs

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// OBS's header names (protocols.md §3.6; huaweicloud-sdk-go-obs const.go).
const (
	metaPrefix        = "x-obs-meta-"
	copySourceHeader  = "x-obs-copy-source"
	copySourceRange   = "x-obs-copy-source-range"
	copySourcePrefix  = "x-obs-copy-source-"
	storageClassHdr   = "x-obs-storage-class"
	sseHeader         = "x-obs-server-side-encryption"
	sseCustomerAlgHdr = "x-obs-server-side-encryption-customer-algorithm"
	metadataDirective = "x-obs-metadata-directive"
)

// maxUserMetadata is the limit on user metadata (names plus values), as
// for S3.
const maxUserMetadata = 2 << 10

// storageClasses maps OBS's storage classes to the neutral (S3) spelling
// kept in translate.Metadata, and back.
var storageClasses = map[string]string{
	"STANDARD": "STANDARD", "WARM": "STANDARD_IA", "COLD": "GLACIER", "DEEP_ARCHIVE": "DEEP_ARCHIVE",
}

// obsStorageClass returns OBS's name for a neutral storage class; "" for
// the default.
func obsStorageClass(neutral string) string {
	for o, n := range storageClasses {
		if n == neutral {
			return o
		}
	}
	return neutral
}

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
	if sc := h.Get(storageClassHdr); sc != "" {
		n, ok := storageClasses[strings.ToUpper(sc)]
		if !ok {
			return m, &translate.Error{Code: translate.ErrInvalidStorageClass, Message: "The storage class you specified is not valid"}
		}
		m.StorageClass = n
	}
	switch sse := h.Get(sseHeader); sse {
	case "":
	case "kms":
		m.SSE = "aws:kms"
	case "AES256":
		m.SSE = sse
	default:
		return m, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: sseHeader, ArgValue: sse,
			Message: "The encryption method specified is not supported"}
	}
	if h.Get(sseCustomerAlgHdr) != "" {
		return m, translate.Errorf(translate.ErrNotImplemented, "Server-side encryption with customer-provided keys is not supported.")
	}
	return m, nil
}

// sseHeaderValue returns OBS's x-obs-server-side-encryption for a neutral
// SSE value.
func sseHeaderValue(neutral string) string {
	if neutral == "aws:kms" {
		return "kms"
	}
	return neutral
}

// writeObjectHeaders sets the headers describing an object on a GET or
// HEAD response.
func writeObjectHeaders(h http.Header, info translate.ObjectInfo) {
	m := info.Metadata
	h.Set("ETag", quote(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	ct := m.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	h.Set("Content-Type", ct)
	sc := obsStorageClass(m.StorageClass)
	if sc == "STANDARD" {
		sc = "" // OBS, like S3, omits the default class
	}
	for k, v := range map[string]string{"Content-Encoding": m.ContentEncoding, "Content-Disposition": m.ContentDisposition,
		"Content-Language": m.ContentLanguage, "Cache-Control": m.CacheControl, "Expires": m.Expires,
		storageClassHdr: sc, sseHeader: sseHeaderValue(m.SSE)} {
		if v != "" {
			h.Set(k, v)
		}
	}
	for k, v := range m.User {
		h[metaPrefix+k] = []string{v}
	}
}

func quote(etag string) string { return `"` + etag + `"` }

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
	if v, ok := r.HTTP.Header["Content-Md5"]; ok {
		raw, err := base64.StdEncoding.DecodeString(strings.Join(v, ""))
		if err != nil || len(raw) != md5.Size {
			return in, &translate.Error{Code: translate.ErrInvalidDigest, Message: "The Content-MD5 you specified is not valid."}
		}
		in.Options.ContentMD5 = raw
	}
	return in, nil
}

// parseConditions reads If-* headers with the given prefix ("" or
// "x-obs-copy-source-").
func parseConditions(h http.Header, prefix string) translate.Conditions {
	t := func(name string) time.Time {
		v := h.Get(prefix + name)
		if v == "" {
			return time.Time{}
		}
		tm, err := http.ParseTime(v)
		if err != nil {
			return time.Time{}
		}
		return tm
	}
	return translate.Conditions{
		IfMatch: h.Get(prefix + "If-Match"), IfNoneMatch: h.Get(prefix + "If-None-Match"),
		IfModifiedSince: t("If-Modified-Since"), IfUnmodifiedSince: t("If-Unmodified-Since"),
	}
}
