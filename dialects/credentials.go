package dialects

import (
	"io"
	"sync/atomic"

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

// SwappableCredentials are credentials that can be replaced as a whole
// while requests use them (a configuration reload). Each Lookup sees one
// complete set, the old or the new, never a mix; a request that already
// authenticated keeps the principal it got. The zero value knows no key.
// It is safe for concurrent use.
type SwappableCredentials struct {
	cur atomic.Pointer[StaticCredentials]
}

// NewSwappableCredentials returns credentials serving c.
func NewSwappableCredentials(c StaticCredentials) *SwappableCredentials {
	s := &SwappableCredentials{}
	s.Swap(c)
	return s
}

// Swap makes c the credentials every later Lookup sees and returns the
// previous set (nil if there was none). c must not be modified afterwards.
func (s *SwappableCredentials) Swap(c StaticCredentials) StaticCredentials {
	if old := s.cur.Swap(&c); old != nil {
		return *old
	}
	return nil
}

// Lookup implements Credentials.
func (s *SwappableCredentials) Lookup(accessKey string) (string, *translate.Principal, bool) {
	c := s.cur.Load()
	if c == nil {
		return "", nil, false
	}
	return c.Lookup(accessKey)
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
