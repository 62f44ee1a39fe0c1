package dialects

import (
	"time"

	"github.com/babelgate/babelgate/translate"
)

// DefaultMaxSkew is the clock skew a signed request may have when a
// dialect's settings name none: 15 minutes, the limit S3, OSS and OBS
// document.
const DefaultMaxSkew = 15 * time.Minute

// Settings are what a signing dialect is configured with, whatever its
// wire form: the engine it runs operations on, the credentials its
// signatures are checked against, the limits its clients are promised,
// its clock and skew bound, the region it reports and how a long
// CompleteMultipartUpload keeps its connection alive. A dialect's Config
// embeds them and adds what only it has.
type Settings struct {
	Engine      *translate.Engine
	Credentials Credentials
	// Rules are the limits the dialect's clients are promised (its
	// translate rules with the configuration's overrides).
	Rules translate.Rules
	// MaxSkew bounds clock skew for signed requests (0: DefaultMaxSkew).
	MaxSkew time.Duration
	// Region is the region the dialect reports; each dialect's New
	// documents its default.
	Region string
	// Now returns the current time (tests); nil means time.Now.
	Now func() time.Time
	// CompleteKeepAlive is how CompleteMultipartUpload keeps a long merge's
	// connection alive (see KeepAlive); nil means the defaults.
	CompleteKeepAlive *KeepAlive
}

// Settings returns the settings a registered dialect is built with from
// its environment; the region is left to the dialect.
func (e Env) Settings() Settings {
	return Settings{Engine: e.Engine, Credentials: e.Credentials, Rules: e.Rules, MaxSkew: e.MaxSkew,
		CompleteKeepAlive: e.CompleteKeepAlive}
}

// WithDefaults returns s with its zero values defaulted: MaxSkew to
// DefaultMaxSkew, Now to time.Now and an empty Region to region.
func (s Settings) WithDefaults(region string) Settings {
	if s.MaxSkew == 0 {
		s.MaxSkew = DefaultMaxSkew
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Region == "" {
		s.Region = region
	}
	return s
}

// Secret returns the secret of accessKey, ok=false when the key is unknown
// or there are no credentials; it is a signature verifier's lookup.
func (s *Settings) Secret(accessKey string) (string, bool) {
	if s.Credentials == nil {
		return "", false
	}
	secret, _, ok := s.Credentials.Lookup(accessKey)
	return secret, ok
}

// Caller returns the caller whose signature verified with accessKey's
// secret: its principal, under the dialect's Rules. The key is looked up
// again because a reload may have removed it since its secret was read;
// an unknown key is InvalidAccessKeyID.
func (s *Settings) Caller(accessKey string) (translate.Caller, error) {
	if s.Credentials == nil {
		return translate.Caller{}, &translate.Error{Code: translate.ErrInvalidAccessKeyID}
	}
	_, p, ok := s.Credentials.Lookup(accessKey)
	if !ok || p == nil {
		return translate.Caller{}, &translate.Error{Code: translate.ErrInvalidAccessKeyID}
	}
	return translate.Caller{Principal: p, Rules: &s.Rules}, nil
}

// Anonymous is the answer to an unsigned request: a caller with no
// principal under the dialect's Rules, and AccessDenied with the dialect's
// message, caused by ErrAnonymous (so that the pipeline may still let the
// request through where a bucket allows anonymous access).
func (s *Settings) Anonymous(message string) (translate.Caller, error) {
	return translate.Caller{Rules: &s.Rules}, &translate.Error{Code: translate.ErrAccessDenied, Message: message, Err: ErrAnonymous}
}

// IsHexSHA256 reports whether s is a SHA-256 digest in lowercase hex, the
// form of a signed payload hash (x-amz-content-sha256,
// x-oss-content-sha256).
func IsHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
