package translate

import (
	"net"
	"strings"
	"unicode/utf8"
)

// ValidBucketName reports whether name follows S3's bucket naming rules:
// 3–63 characters of lowercase letters, digits, '.' and '-', starting and
// ending with a letter or digit, no "..", not an IPv4 address. The same
// names are valid for OSS and OBS (which forbid '.' in some regions; the
// stricter rule is left to the store).
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
		default:
			return false
		}
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return false
	}
	return net.ParseIP(name) == nil
}

// CheckBucketName returns ErrInvalidBucketName for a name a new bucket
// may not have under the rules: one ValidBucketName refuses, or one with a
// reserved prefix or suffix. Nil rules check the syntax only.
func (r *Rules) CheckBucketName(name string) error {
	bad := !ValidBucketName(name)
	if r != nil && !bad {
		bad = r.BucketNameNoDots && strings.Contains(name, ".")
		for _, p := range r.ReservedBucketPrefixes {
			bad = bad || strings.HasPrefix(name, p)
		}
		for _, s := range r.ReservedBucketSuffixes {
			bad = bad || strings.HasSuffix(name, s)
		}
	}
	if bad {
		return &Error{Code: ErrInvalidBucketName, Bucket: name, Message: "The specified bucket is not valid."}
	}
	return nil
}

// CheckKey returns an error for a key the rules do not allow: empty,
// longer than MaxKeyLength bytes, or not UTF-8 (which no dialect's XML
// listing could return faithfully).
func (r *Rules) CheckKey(bucket, key string) error {
	switch {
	case key == "":
		return &Error{Code: ErrInvalidArgument, Bucket: bucket, Message: "Object key must not be empty."}
	case r.MaxKeyLength > 0 && len(key) > r.MaxKeyLength:
		return &Error{Code: ErrKeyTooLong, Bucket: bucket, Key: key[:64] + "...", Message: "Your key is too long."}
	case !utf8.ValidString(key):
		return &Error{Code: ErrInvalidArgument, Bucket: bucket, Message: "Object key is not valid UTF-8."}
	}
	return nil
}
