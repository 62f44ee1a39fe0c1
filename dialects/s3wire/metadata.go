package s3wire

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// S3 on user-metadata values that are not US-ASCII (Amazon S3 User Guide,
// "Working with object metadata", User-defined object metadata): "Values
// of such headers are character decoded as per RFC 2047 before storing and
// encoded as per RFC 2047 to make them mail-safe before returning. If the
// string contains only US-ASCII characters, it is presented as is." The
// SDKs leave the encoded-words to the caller (botocore and aws-sdk-go-v2
// hand the header value over as received), so a value round-trips as S3
// returns it.

// DecodeMetadataValue decodes the RFC 2047 encoded-words of a metadata
// value as sent (UTF-8 or any charset Go's mime package knows); a value
// that does not decode is kept as sent.
func DecodeMetadataValue(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// EncodeMetadataValue is a stored metadata value as S3 returns it: as is
// when it is printable US-ASCII, else one RFC 2047 B encoded-word of its
// UTF-8 bytes, "=?UTF-8?B?<base64>?=" (Go's mime.BEncoding would spell the
// encoding "b" and split long values into several words).
func EncodeMetadataValue(v string) string {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c >= 0x7f {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
		}
	}
	return v
}

// RedirectLocation reads an object's website-redirect-location header
// (name): "" when absent. S3 takes only a path in the bucket ("/...") or an
// http:// or https:// URL, answering anything else "The
// website redirect location must have a prefix of 'http://' or 'https://'
// or '/'." (S3's InvalidRedirectLocation, 400, in the S3 API reference's
// error code list).
func RedirectLocation(h http.Header, name string) (string, error) {
	v := h.Get(name)
	if v == "" || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return v, nil
	}
	return "", &translate.Error{Code: translate.ErrInvalidRedirectLocation, ArgName: name, ArgValue: v}
}

// MaxUserMetadata is S3's limit on user metadata, names plus values as
// sent (2 KB); OBS's is the same.
const MaxUserMetadata = 2 << 10

// ContentHeaders returns the object metadata the standard content headers
// of h carry, as sent.
func ContentHeaders(h http.Header) translate.Metadata {
	return translate.Metadata{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    h.Get("Content-Encoding"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
}

// UserMetadata returns the user metadata of h, the headers named
// prefix+name (prefix lowercase, "x-amz-meta-"): names lowercased, the
// values of a repeated header joined with ",", nil when there are none;
// and their size, names plus values as sent.
func UserMetadata(h http.Header, prefix string) (map[string]string, int) {
	var user map[string]string
	size := 0
	for k, vs := range h {
		if name, ok := strings.CutPrefix(strings.ToLower(k), prefix); ok && name != "" {
			if user == nil {
				user = map[string]string{}
			}
			v := strings.Join(vs, ",")
			user[name] = v
			size += len(name) + len(v)
		}
	}
	return user, size
}

// ReadMetadata reads an object's metadata from request headers in the
// profile's wire form: the content headers, <Prefix>website-redirect-location,
// <Prefix>meta-* (values as sent; at most MaxUserMetadata, else
// MetadataTooLarge naming Size and MaxSizeAllowed), <Prefix>storage-class
// and <Prefix>server-side-encryption in the profile's spellings (else
// InvalidStorageClass, or InvalidArgument naming the header), and
// SSE with customer keys refused NotImplemented.
func (p *Profile) ReadMetadata(h http.Header) (translate.Metadata, error) {
	m := ContentHeaders(h)
	redirect, err := RedirectLocation(h, p.Prefix+"website-redirect-location")
	if err != nil {
		return m, err
	}
	m.WebsiteRedirectLocation = redirect
	var size int
	m.User, size = UserMetadata(h, p.Prefix+"meta-")
	if size > MaxUserMetadata {
		return m, &translate.Error{Code: translate.ErrMetadataTooLarge,
			Extra: map[string]string{"Size": strconv.Itoa(size), "MaxSizeAllowed": strconv.Itoa(MaxUserMetadata)}}
	}
	sc, ok := translate.ParseStorageClass(p.Wire, h.Get(p.Prefix+"storage-class"))
	if !ok {
		return m, &translate.Error{Code: translate.ErrInvalidStorageClass, Message: "The storage class you specified is not valid"}
	}
	m.StorageClass = sc
	sseHeader := p.Prefix + "server-side-encryption"
	sse := h.Get(sseHeader)
	if m.SSE, ok = translate.ParseSSE(p.Wire, sse); !ok {
		return m, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: sseHeader, ArgValue: sse,
			Message: "The encryption method specified is not supported"}
	}
	if h.Get(sseHeader+"-customer-algorithm") != "" {
		return m, translate.Errorf(translate.ErrNotImplemented, "Server-side encryption with customer-provided keys is not supported.")
	}
	return m, nil
}

// PayloadInput is the engine's view of a request body: the payload the
// dialect's Authenticate set (http.NoBody for none), its declared size
// (MissingContentLength when unknown), the signed SHA-256 to verify, if
// any, and the Content-MD5 the client sent (InvalidDigest when malformed).
// A dialect adds its own integrity values (checksums, CRC-64) to Options.
func PayloadInput(r *dialects.Request) (translate.BodyInput, error) {
	p := r.Payload
	if p.Size < 0 {
		return translate.BodyInput{}, &translate.Error{Code: translate.ErrMissingContentLength, Message: "You must provide the Content-Length HTTP header."}
	}
	in := translate.BodyInput{Reader: p.Reader, Size: p.Size, Options: translate.BodyOptions{SHA256: p.SHA256}}
	if p.Reader == nil {
		in.Reader = http.NoBody
	}
	md5, err := ContentMD5(r.HTTP.Header)
	if err != nil {
		return in, err
	}
	in.Options.ContentMD5 = md5
	return in, nil
}
