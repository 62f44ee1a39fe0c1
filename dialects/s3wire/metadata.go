package s3wire

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strings"

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
