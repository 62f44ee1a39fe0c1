package dialects

import (
	"io"

	"github.com/babelgate/babelgate/translate"
)

// Credentials look up a caller by access key.
type Credentials interface {
	// Lookup returns the secret and principal for accessKey, ok=false if
	// the key is unknown.
	Lookup(accessKey string) (secret string, p *translate.Principal, ok bool)
}

// StaticCredentials are credentials from configuration.
type StaticCredentials map[string]StaticUser

// StaticUser is one configured user.
type StaticUser struct {
	Secret    string
	Principal *translate.Principal
}

// Lookup implements Credentials.
func (s StaticCredentials) Lookup(accessKey string) (string, *translate.Principal, bool) {
	u, ok := s[accessKey]
	return u.Secret, u.Principal, ok
}

// Payload is a request body after the dialect removed its transfer framing
// during authentication (aws-chunked for S3), with what the signature says
// about it.
type Payload struct {
	Reader io.Reader
	// Size is the decoded size, -1 when unknown.
	Size int64
	// SHA256 is the signed hex SHA-256 of the body, to verify; "" if the
	// payload was not signed.
	SHA256 string
	// Trailer returns the trailing headers after Reader hit io.EOF.
	Trailer func() map[string]string
	// TrailerNames are the trailers the client announced, lowercased.
	TrailerNames []string
}
