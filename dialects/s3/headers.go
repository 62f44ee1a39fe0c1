package s3

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// decodeMetadata reads the content headers (without the aws-chunked
// coding), x-amz-meta-* (RFC 2047 encoded-words decoded, see
// s3wire.DecodeMetadataValue), the storage class and the server-side
// encryption from h (s3wire.Profile.ReadMetadata).
func decodeMetadata(h http.Header) (translate.Metadata, error) {
	m, err := profile.ReadMetadata(h)
	if err != nil {
		return m, err
	}
	m.ContentEncoding = stripAWSChunked(m.ContentEncoding)
	for name, v := range m.User {
		m.User[name] = s3wire.DecodeMetadataValue(v)
	}
	return m, nil
}

// stripAWSChunked removes the aws-chunked transfer coding from a
// Content-Encoding value (it describes the request, not the object) and
// keeps the other codings exactly as sent.
func stripAWSChunked(v string) string {
	parts := strings.Split(v, ",")
	keep := parts[:0]
	for _, p := range parts {
		if !strings.EqualFold(strings.TrimSpace(p), "aws-chunked") {
			keep = append(keep, p)
		}
	}
	if len(keep) == len(parts) {
		return v
	}
	return strings.TrimSpace(strings.Join(keep, ","))
}

// bodyInput builds the engine's view of the request body: the decoded
// payload and every integrity value the client sent, as headers or
// announced trailers, checked the way S3 checks them (see checksumInput).
func bodyInput(r *dialects.Request) (translate.BodyInput, error) {
	return payloadInput(r, true)
}

// payloadInput is bodyInput; withChecksums false leaves the x-amz-checksum-*
// headers out, for requests where they describe something other than the
// body (CompleteMultipartUpload's whole-object checksum).
func payloadInput(r *dialects.Request, withChecksums bool) (translate.BodyInput, error) {
	in, err := s3wire.PayloadInput(r)
	if err == nil && withChecksums {
		err = checksumInput(r.HTTP.Header, r.Payload, &in.Options)
	}
	return in, err
}

// checksumInput reads the flexible checksums of a PutObject or UploadPart
// into o, with S3's codes and texts (as OpenStack Swift's s3api functional
// tests record them against AWS, test/s3api/test_object_checksums.py):
//   - two x-amz-checksum-* headers: InvalidRequest "Expecting a single
//     x-amz-checksum- header. Multiple checksum Types are not allowed."; a
//     header and a trailer: the same without its second sentence;
//   - a value that is not the base64 of the algorithm's digest length:
//     InvalidRequest "Value for x-amz-checksum-<alg> header is invalid."
//     (" trailing header" for a trailer, checked when it arrives);
//   - x-amz-sdk-checksum-algorithm unknown, or naming another algorithm
//     than the header or trailer sent: InvalidRequest "Value for
//     x-amz-sdk-checksum-algorithm header is invalid.";
//   - x-amz-trailer naming anything but one checksum: InvalidRequest "The
//     value specified in the x-amz-trailer header is not supported";
//   - a trailer sent but not announced in x-amz-trailer, or announced and
//     not sent: MalformedTrailerError.
//
// o.ClientAlgorithm is set to the algorithm the client chose, if any.
func checksumInput(h http.Header, p dialects.Payload, o *translate.BodyOptions) error {
	// How many headers first, then their value (the order of Swift's
	// s3api, which matches S3's answers).
	var header translate.ChecksumAlgorithm
	for _, a := range translate.S3ChecksumAlgorithms {
		if h.Get(profile.ChecksumHeader(a)) == "" {
			continue
		}
		if header != "" {
			return translate.Errorf(translate.ErrInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		header = a
	}
	if header != "" {
		name := profile.ChecksumHeader(header)
		v := h.Get(name)
		if _, err := translate.DecodeChecksum(header, v); err != nil {
			return translate.Errorf(translate.ErrInvalidRequest, "Value for %s header is invalid.", name)
		}
		o.Expected = translate.Checksums{header: v}
	}
	var trailer translate.ChecksumAlgorithm
	for _, name := range p.TrailerNames {
		alg, ok := strings.CutPrefix(name, "x-amz-checksum-")
		a, known := translate.ParseChecksumAlgorithm(alg)
		if !ok || !known || trailer != "" {
			return translate.Errorf(translate.ErrInvalidRequest, "The value specified in the x-amz-trailer header is not supported")
		}
		if header != "" {
			return translate.Errorf(translate.ErrInvalidRequest, "Expecting a single x-amz-checksum- header")
		}
		trailer = a
	}
	chosen := header
	if trailer != "" {
		chosen = trailer
	}
	if v := h.Get("x-amz-sdk-checksum-algorithm"); v != "" {
		a, ok := translate.ParseChecksumAlgorithm(v)
		if !ok || (chosen != "" && a != chosen) {
			return translate.Errorf(translate.ErrInvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
		chosen = a
	}
	if chosen != "" {
		o.Algorithms = append(o.Algorithms, chosen)
		o.ClientAlgorithm = chosen
	}
	if p.Trailer == nil {
		return nil
	}
	announced := p.TrailerNames
	o.Trailer = func() (translate.Checksums, error) {
		got := p.Trailer()
		out := translate.Checksums{}
		for name := range got {
			if !slices.Contains(announced, name) {
				return nil, &translate.Error{Code: translate.ErrMalformedTrailer,
					Message: "The request contained trailing data that was not well-formed or did not conform to our published schema.",
					Err:     fmt.Errorf("trailer %q was not announced in x-amz-trailer", name)}
			}
		}
		for _, name := range announced {
			v, ok := got[name]
			if !ok {
				return nil, &translate.Error{Code: translate.ErrMalformedTrailer,
					Message: "The request contained trailing data that was not well-formed or did not conform to our published schema.",
					Err:     fmt.Errorf("trailer %q announced in x-amz-trailer was not sent", name)}
			}
			if _, err := translate.DecodeChecksum(trailer, v); err != nil {
				return nil, translate.Errorf(translate.ErrInvalidRequest, "Value for %s trailing header is invalid.", name)
			}
			out[trailer] = v
		}
		return out, nil
	}
	return nil
}

func parseSize(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n < 0 {
		err = strconv.ErrRange
	}
	return n, err
}
