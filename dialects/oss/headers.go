package oss

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

const (
	metaPrefix = "x-oss-meta-"
	crcHeader  = "x-oss-hash-crc64ecma"
	sseHeader  = "x-oss-server-side-encryption"
	// maxUserMetadata is OSS's limit on user metadata (8 KB).
	maxUserMetadata = 8 << 10
)

// decodeMetadata reads the content headers, x-oss-meta-* (into the same
// User map x-amz-meta-* uses), storage class and SSE from h.
func decodeMetadata(h http.Header) (translate.Metadata, error) {
	m := s3wire.ContentHeaders(h)
	m.SSE = h.Get(sseHeader)
	var size int
	m.User, size = s3wire.UserMetadata(h, metaPrefix)
	if size > maxUserMetadata {
		return m, &translate.Error{Code: translate.ErrMetadataTooLarge, Message: "Your metadata headers exceed the maximum allowed metadata size."}
	}
	sc := h.Get("x-oss-storage-class")
	var ok bool
	if m.StorageClass, ok = translate.ParseStorageClass(Spellings, sc); !ok {
		return m, &translate.Error{Code: translate.ErrInvalidStorageClass, ArgName: "x-oss-storage-class", ArgValue: sc,
			Message: "The storage class you specified is not valid."}
	}
	sse := m.SSE
	if m.SSE, ok = translate.ParseSSE(Spellings, sse); !ok {
		return m, &translate.Error{Code: translate.ErrInvalidEncryptionAlgorithm, ArgName: sseHeader, ArgValue: sse,
			Message: "The encryption method specified is not supported."}
	}
	return m, nil
}

// ossStorageClass is OSS's spelling of a stored storage class.
func ossStorageClass(sc string) string { return translate.StorageClassFor(Spellings, sc) }

// ossSSE is OSS's spelling of a stored server-side encryption; "" for none.
func ossSSE(neutral string) string { return translate.SSEFor(Spellings, neutral) }

// etag returns OSS's form of a neutral ETag: quoted uppercase hex (with
// "-N" for multipart objects).
func etag(e string) string { return `"` + strings.ToUpper(e) + `"` }

// objectType is x-oss-object-type: Multipart for assembled objects.
func objectType(info translate.ObjectInfo) string {
	if len(info.PartSizes) > 0 || strings.Contains(info.ETag, "-") {
		return "Multipart"
	}
	return "Normal"
}

// setCRC sets x-oss-hash-crc64ecma from stored checksums, and only when a
// well-formed CRC-64/ECMA value is recorded: never an invented one.
func setCRC(h http.Header, c translate.Checksums) {
	if v, ok := c.CRC64ECMAValue(); ok {
		h.Set(crcHeader, strconv.FormatUint(v, 10))
	}
}

// crcText returns the decimal CRC-64 of stored checksums, "" when absent.
func crcText(c translate.Checksums) string {
	if v, ok := c.CRC64ECMAValue(); ok {
		return strconv.FormatUint(v, 10)
	}
	return ""
}

// setContentMD5 sets Content-MD5 (base64) from a plain hex MD5 ETag.
func setContentMD5(h http.Header, e string) {
	if raw, err := hex.DecodeString(e); err == nil && len(raw) == md5.Size {
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(raw))
	}
}

// writeObjectHeaders sets the headers describing an object on GET/HEAD.
func writeObjectHeaders(h http.Header, info translate.ObjectInfo) {
	m := info.Metadata
	h.Set("ETag", etag(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	ct := m.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	for k, v := range map[string]string{"Content-Encoding": m.ContentEncoding, "Content-Disposition": m.ContentDisposition,
		"Content-Language": m.ContentLanguage, "Cache-Control": m.CacheControl, "Expires": m.Expires, sseHeader: ossSSE(m.SSE)} {
		if v != "" {
			h.Set(k, v)
		}
	}
	h.Set("x-oss-object-type", objectType(info))
	h.Set("x-oss-storage-class", ossStorageClass(m.StorageClass))
	for k, v := range m.User {
		h[metaPrefix+k] = []string{v}
	}
}

// bodyInput builds the engine's view of an upload body: the stream, its
// length, Content-MD5 (malformed: InvalidDigest) and x-oss-hash-crc64ecma
// (decimal, verified as CRC64ECMA; malformed: InvalidArgument).
func bodyInput(r *dialects.Request) (translate.BodyInput, error) {
	in, err := s3wire.PayloadInput(r)
	if err != nil {
		return in, err
	}
	h := r.HTTP.Header
	if v := h.Get(crcHeader); v != "" {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return in, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: crcHeader, ArgValue: v,
				Message: "The x-oss-hash-crc64ecma you specified is not a valid unsigned 64-bit number."}
		}
		var raw [8]byte
		binary.BigEndian.PutUint64(raw[:], n)
		in.Options.Expected = translate.Checksums{translate.CRC64ECMA: translate.EncodeChecksum(raw[:])}
	}
	return in, nil
}

// urlEncode is OSS's encoding-type=url form (both SDKs decode it with
// url.QueryUnescape).
func urlEncode(s string) string { return url.QueryEscape(s) }

// encoder returns the key encoder for a request's encoding-type.
func encoder(r *dialects.Request) (func(string) string, string, error) {
	switch et := r.Query.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, "", nil
	case "url":
		return urlEncode, "url", nil
	default:
		return nil, "", &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "encoding-type", ArgValue: et,
			Message: "The encoding-type parameter must be url."}
	}
}

// intParam parses an optional non-negative integer query parameter.
func intParam(r *dialects.Request, name string, def int) (int, error) {
	v := r.Query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: name, ArgValue: v,
			Message: "The " + name + " parameter must be a non-negative integer."}
	}
	return n, nil
}

// readXML reads a small XML request body through the engine's body checks
// (Content-MD5, CRC-64) and decodes it into v (see s3wire.DecodeXML). A
// body of unknown length is read without a declared size.
func readXML(r *dialects.Request, limit int64, v any, optional bool) error {
	in, err := bodyInput(r)
	if err != nil {
		if translate.CodeOf(err) != translate.ErrMissingContentLength {
			return err
		}
		in = translate.BodyInput{Reader: r.Payload.Reader, Size: -1}
		if in.Reader == nil {
			in.Reader = http.NoBody
		}
	}
	return s3wire.DecodeXML(in, limit, v, optional)
}

// forbidOverwrite reads x-oss-forbid-overwrite (PutObject, CopyObject,
// CompleteMultipartUpload): "true" is the neutral IfAbsent condition, so an
// existing object is FileAlreadyExists 409; "false" or absent is none;
// anything else is InvalidArgument with OSS's EC 0017-00000279 ("Valid
// values are true and false only"). Case is ignored, as the SDKs send
// strconv.FormatBool's lowercase.
func forbidOverwrite(h http.Header) (translate.WriteCond, error) {
	v, ok := h["X-Oss-Forbid-Overwrite"]
	if !ok {
		return translate.WriteCond{}, nil
	}
	switch val := strings.Join(v, ","); {
	case strings.EqualFold(val, "true"):
		return translate.WriteCond{IfAbsent: true}, nil
	case strings.EqualFold(val, "false"):
		return translate.WriteCond{}, nil
	default:
		return translate.WriteCond{}, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-oss-forbid-overwrite", ArgValue: val,
			Message: "The x-oss-forbid-overwrite header must be true or false.", Extra: map[string]string{ecKey: "0017-00000279"}}
	}
}
