package s3wire

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// ListParams reads the parameters ListObjects v1 and v2 share: prefix,
// delimiter, max-keys (default 1000; not a non-negative integer:
// InvalidArgument) and encoding-type (see [Encoder]).
func ListParams(r *dialects.Request) (q translate.ListQuery, encode func(string) string, err error) {
	q.Prefix = r.Query.Get("prefix")
	q.Delimiter = r.Query.Get("delimiter")
	q.MaxKeys = 1000
	if v := r.Query.Get("max-keys"); v != "" {
		n, perr := strconv.ParseInt(v, 10, 32)
		if perr != nil || n < 0 {
			return q, nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "maxKeys", ArgValue: v,
				Message: "Argument maxKeys must be an integer between 0 and 2147483647"}
		}
		q.MaxKeys = int(n)
	}
	encode, err = Encoder(r)
	return q, encode, err
}

// Encoder returns the key encoder for the request's encoding-type: the
// identity when absent, [URLEncode] for "url", else InvalidArgument.
func Encoder(r *dialects.Request) (func(string) string, error) {
	switch et := r.Query.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, nil
	case "url":
		return URLEncode, nil
	default:
		return nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "encoding-type", ArgValue: et,
			Message: "Invalid Encoding Method specified in Request"}
	}
}

// URLEncode is the S3-family encoding-type=url form of a key, prefix,
// delimiter or marker: every byte but the unreserved characters of RFC 3986
// (A-Z a-z 0-9 - . _ ~) and '/' is percent-encoded, so a space is %20 (not
// '+'), a '+' is %2B, control characters and UTF-8 bytes are escaped, and
// "test_file(3).png" is "test_file%283%29.png" as the S3 API reference's
// EncodingType says. Decoders of every kind read it back: botocore's
// unquote_plus (handlers.py decode_list_object), Go's url.QueryUnescape and
// url.PathUnescape.
func URLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// IntParam parses an optional non-negative integer query parameter; def
// when absent. Anything but an integer from 0 to 2147483647 is S3's
// InvalidArgument "Argument <name> must be an integer between 0 and
// 2147483647" (its wording for max-parts and max-uploads).
func IntParam(r *dialects.Request, name string, def int) (int, error) {
	v := r.Query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 0 {
		return 0, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: name, ArgValue: v,
			Message: "Argument " + name + " must be an integer between 0 and 2147483647"}
	}
	return int(n), nil
}

// PartNumber parses the partNumber query parameter of a part upload and
// returns it with its raw text; range checks are the engine's, from the
// rules.
func PartNumber(r *dialects.Request) (int, string, error) {
	raw := r.Query.Get("partNumber")
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, raw, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "partNumber", ArgValue: raw,
			Message: "Part number must be an integer between 1 and 10000, inclusive"}
	}
	return n, raw, nil
}

// CopySource parses a copy-source header value: "bucket/key" or
// "/bucket/key", URL-encoded, optionally with "?versionId=" (NotImplemented
// unless "null"). A '+' decodes as a space, as in a query component: the
// OBS Go SDK sends bucket + "/" + url.QueryEscape(key) in both its AWS and
// OBS modes (obs/trait_object.go, trait_part.go), and SDKs that
// percent-encode send a literal '+' as %2B.
func CopySource(v string) (bucket, key string, err error) {
	bad := &translate.Error{Code: translate.ErrInvalidCopySource, Message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"}
	if v, err = CopySourcePath(v, bad); err != nil {
		return "", "", err
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

// CopySourcePath returns a copy-source header value without its query:
// "?versionId=" other than "null" is NotImplemented (babelgate keeps no
// versions), a query that does not parse is bad.
func CopySourcePath(v string, bad error) (string, error) {
	i := strings.Index(v, "?")
	if i < 0 {
		return v, nil
	}
	q, err := url.ParseQuery(v[i+1:])
	if err != nil {
		return "", bad
	}
	if vid := q.Get("versionId"); vid != "" && vid != "null" {
		return "", translate.Errorf(translate.ErrNotImplemented, "Versioning is not implemented by babelgate.")
	}
	return v[:i], nil
}

// Conditions reads the If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since headers with the given prefix ("" for the request's
// own, "x-amz-copy-source-" and the like for a copy's source). An absent
// or malformed date is no condition.
func Conditions(h http.Header, prefix string) translate.Conditions {
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

// ReadRequest decodes what GET and HEAD object share: Range, the
// conditions and partNumber (not an integer: InvalidArgument; 0 becomes -1
// for the engine to report out of range; with a Range: InvalidRequest).
func ReadRequest(r *dialects.Request) (translate.GetRequest, error) {
	req := translate.GetRequest{Bucket: r.Bucket, Key: r.Key, Range: r.HTTP.Header.Get("Range"),
		Conditions: Conditions(r.HTTP.Header, "")}
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

// SetResponseOverrides sets the headers GET's response-* query parameters
// of r ask for.
func SetResponseOverrides(h http.Header, r *dialects.Request) {
	for q, hdr := range responseOverrides {
		if v := r.Query.Get(q); v != "" {
			h.Set(hdr, v)
		}
	}
}

// ContentMD5 decodes the request's Content-MD5 header: nil when absent,
// InvalidDigest when it is not the base64 of 16 bytes.
func ContentMD5(h http.Header) ([]byte, error) {
	v, ok := h["Content-Md5"]
	if !ok {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(v, ""))
	if err != nil || len(raw) != md5.Size {
		return nil, &translate.Error{Code: translate.ErrInvalidDigest, Message: "The Content-MD5 you specified is not valid."}
	}
	return raw, nil
}

// ObjectURL is the URL of the object r addresses, as a Complete result's
// Location: the request's scheme, Host and escaped path.
func ObjectURL(r *dialects.Request) string {
	scheme := "http"
	if r.HTTP.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.HTTP.Host + r.HTTP.URL.EscapedPath()
}

// WriteCond reads the conditional-write headers (If-Match, If-None-Match)
// of a PutObject, CopyObject or CompleteMultipartUpload when the profile
// takes them; see translate.ParseWriteCond for the combinations refused.
// A profile without them refuses <Prefix>forbid-overwrite with
// NotImplemented.
func (p *Profile) WriteCond(h http.Header) (translate.WriteCond, error) {
	if !p.ConditionalWrites {
		// OBS documents no conditional writes and no
		// x-obs-forbid-overwrite; the latter is refused, not ignored.
		if name := p.Prefix + "forbid-overwrite"; h.Get(name) != "" {
			return translate.WriteCond{}, translate.Errorf(translate.ErrNotImplemented, "The %s header is not implemented by babelgate.", name)
		}
		return translate.WriteCond{}, nil
	}
	return translate.ParseWriteCond(h.Get("If-Match"), h.Get("If-None-Match"))
}

// InitiatedTime reads <Prefix>if-match-initiated-time of an
// AbortMultipartUpload (an HTTP date, as aws-sdk-go-v2 sends it); zero
// when absent or when the profile does not take it, InvalidArgument when
// it is not a date.
func (p *Profile) InitiatedTime(h http.Header) (time.Time, error) {
	name := p.Prefix + "if-match-initiated-time"
	v := h.Get(name)
	if !p.ConditionalWrites || v == "" {
		return time.Time{}, nil
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: name, ArgValue: v,
			Message: "Invalid date format header, expected to be in ISO8601, RFC1123 or RFC1123Z time format."}
	}
	return t, nil
}
