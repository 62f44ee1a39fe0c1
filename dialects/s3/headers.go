package s3

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

const metaPrefix = "x-amz-meta-"

// maxUserMetadata is S3's limit on user metadata (names plus values).
const maxUserMetadata = 2 << 10

// decodeMetadata reads the content headers and x-amz-meta-* from h.
func decodeMetadata(h http.Header) (translate.Metadata, error) {
	m := translate.Metadata{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    stripAWSChunked(h.Get("Content-Encoding")),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
		StorageClass:       h.Get("x-amz-storage-class"),
		SSE:                h.Get("x-amz-server-side-encryption"),
	}
	redirect, err := s3wire.RedirectLocation(h, "x-amz-website-redirect-location")
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
			m.User[name] = s3wire.DecodeMetadataValue(v)
			size += len(name) + len(v)
		}
	}
	if size > maxUserMetadata {
		return m, &translate.Error{Code: translate.ErrMetadataTooLarge,
			Extra: map[string]string{"Size": strconv.Itoa(size), "MaxSizeAllowed": strconv.Itoa(maxUserMetadata)}}
	}
	sc, ok := translate.ParseStorageClass(translate.WireS3, m.StorageClass)
	if !ok {
		return m, &translate.Error{Code: translate.ErrInvalidStorageClass, Message: "The storage class you specified is not valid"}
	}
	m.StorageClass = sc
	sse, ok := translate.ParseSSE(translate.WireS3, m.SSE)
	if !ok {
		return m, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-amz-server-side-encryption", ArgValue: m.SSE,
			Message: "The encryption method specified is not supported"}
	}
	m.SSE = sse
	if h.Get("x-amz-server-side-encryption-customer-algorithm") != "" {
		return m, translate.Errorf(translate.ErrNotImplemented, "Server-side encryption with customer-provided keys is not supported.")
	}
	return m, nil
}

// stripAWSChunked removes the aws-chunked transfer coding from a
// Content-Encoding value; it describes the request, not the object.
func stripAWSChunked(v string) string {
	var keep []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(p, "aws-chunked") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}

// bodyInput builds the engine's view of the request body: the decoded
// payload and every integrity value the client sent, as headers or
// announced trailers.
func bodyInput(r *dialects.Request) (translate.BodyInput, error) {
	h := r.HTTP.Header
	p := r.Payload
	if p.Size < 0 {
		return translate.BodyInput{}, &translate.Error{Code: translate.ErrMissingContentLength, Message: "You must provide the Content-Length HTTP header."}
	}
	in := translate.BodyInput{Reader: p.Reader, Size: p.Size, Options: translate.BodyOptions{SHA256: p.SHA256}}
	if p.Reader == nil {
		in.Reader = http.NoBody
	}
	md5, err := s3wire.ContentMD5(h)
	if err != nil {
		return in, err
	}
	in.Options.ContentMD5 = md5
	for _, a := range translate.S3ChecksumAlgorithms {
		name := "x-amz-checksum-" + strings.ToLower(string(a))
		if v := h.Get(name); v != "" {
			if _, err := translate.DecodeChecksum(a, v); err != nil {
				return in, &translate.Error{Code: translate.ErrInvalidRequest, Message: "Value for " + name + " header is invalid."}
			}
			if in.Options.Expected == nil {
				in.Options.Expected = translate.Checksums{}
			}
			in.Options.Expected[a] = v
		}
	}
	if alg := h.Get("x-amz-sdk-checksum-algorithm"); alg != "" {
		if a, ok := translate.ParseChecksumAlgorithm(alg); ok {
			in.Options.Algorithms = append(in.Options.Algorithms, a)
		}
	}
	for _, name := range p.TrailerNames {
		alg, ok := strings.CutPrefix(name, "x-amz-checksum-")
		a, known := translate.ParseChecksumAlgorithm(alg)
		if !ok || !known {
			return in, &translate.Error{Code: translate.ErrInvalidRequest, Message: "The value specified in the x-amz-trailer header is not supported"}
		}
		in.Options.Algorithms = append(in.Options.Algorithms, a)
	}
	if p.Trailer != nil {
		names := p.TrailerNames
		in.Options.Trailer = func() (translate.Checksums, error) {
			got := p.Trailer()
			out := translate.Checksums{}
			for _, name := range names {
				v, ok := got[name]
				if !ok {
					return nil, &translate.Error{Code: translate.ErrMalformedTrailer, Message: "The trailer " + name + " announced in x-amz-trailer was not sent."}
				}
				a, _ := translate.ParseChecksumAlgorithm(strings.TrimPrefix(name, "x-amz-checksum-"))
				if _, err := translate.DecodeChecksum(a, v); err != nil {
					return nil, &translate.Error{Code: translate.ErrInvalidRequest, Message: "Value for " + name + " trailing header is invalid."}
				}
				out[a] = v
			}
			return out, nil
		}
	}
	return in, nil
}

func parseSize(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n < 0 {
		err = strconv.ErrRange
	}
	return n, err
}
