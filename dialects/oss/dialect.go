// Package oss serves the Alibaba Cloud OSS REST dialect: its routing table,
// its signatures (V1 through dialects/hmacsig, V4 in this package), its XML
// bodies, x-oss-* headers, CRC-64 reporting and its error table with EC
// codes. Everything that is not wire specific is the engine's.
package oss

import (
	"net/http"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/hmacsig"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
	"github.com/babelgate/babelgate/translate/policy"
)

// Config configures the OSS dialect.
type Config struct {
	Engine      *translate.Engine
	Credentials dialects.Credentials
	// Rules are the limits OSS clients are promised (translate.OSSRules
	// with the config's overrides).
	Rules translate.Rules
	// MaxSkew bounds clock skew for signed requests (default 15 min).
	MaxSkew time.Duration
	// Region is reported by GetBucketInfo and GetBucketLocation
	// ("oss-"+Region); V4 scopes of any region verify.
	Region string
	// Now returns the current time (tests); nil means time.Now.
	Now func() time.Time
	// CompleteKeepAlive is how CompleteMultipartUpload keeps a long merge's
	// connection alive (see dialects.KeepAlive); nil means the defaults.
	CompleteKeepAlive *dialects.KeepAlive
}

// Dialect is the OSS dialect. It is safe for concurrent use.
type Dialect struct {
	cfg    Config
	rules  translate.Rules
	v4     *v4Verifier
	router *s3wire.Router
	// h serves the operations whose flow OSS shares with S3 (settings.go).
	h *s3wire.Handlers
}

// New returns the OSS dialect.
func New(cfg Config) *Dialect {
	if cfg.MaxSkew == 0 {
		cfg.MaxSkew = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Region == "" {
		cfg.Region = "cn-hangzhou"
	}
	d := &Dialect{cfg: cfg, rules: cfg.Rules}
	d.v4 = &v4Verifier{lookup: d.secret, maxSkew: cfg.MaxSkew, now: cfg.Now}
	d.h = &s3wire.Handlers{Profile: s3wire.Profile{Prefix: "x-oss-"}, Engine: cfg.Engine,
		DecodeMetadata: decodeMetadata, Body: bodyInput, PolicyFlavor: policy.OSS}
	d.router = &s3wire.Router{Routes: d.routes(), Unsupported: unsupported}
	return d
}

// Name implements dialects.Dialect.
func (d *Dialect) Name() string { return "oss" }

// Begin sets OSS's request-ID header on every response.
func (d *Dialect) Begin(w http.ResponseWriter, r *dialects.Request) {
	h := w.Header()
	h.Set("x-oss-request-id", r.ID)
	h.Set("Server", "babelgate")
}

func (d *Dialect) secret(accessKey string) (string, bool) {
	if d.cfg.Credentials == nil {
		return "", false
	}
	secret, _, ok := d.cfg.Credentials.Lookup(accessKey)
	return secret, ok
}

// Authenticate verifies an OSS V1 (header or query) or V4 (header or
// query) signature and returns the caller. The body is never read here:
// OSS payloads are UNSIGNED-PAYLOAD, or a hex SHA-256 in
// x-oss-content-sha256 that the engine verifies on the way through.
func (d *Dialect) Authenticate(r *dialects.Request) (translate.Caller, error) {
	hr := r.HTTP
	auth := hr.Header.Get("Authorization")
	q := r.Query
	r.Payload = dialects.Payload{Reader: hr.Body, Size: hr.ContentLength}
	var ak string
	var err error
	switch {
	case strings.HasPrefix(auth, v4Algorithm+" "):
		r.AuthKind = "oss-v4"
		ak, err = d.v4.verifyHeader(hr, r.Bucket, r.Key)
	case strings.HasPrefix(auth, "OSS "):
		r.AuthKind = "oss-v1"
		ak, err = hmacsig.OSS.VerifyHeader(hr, r.Bucket, r.VirtualHosted, d.secret, d.cfg.Now(), d.cfg.MaxSkew)
	case q.Get("x-oss-signature-version") != "":
		r.AuthKind = "oss-v4-query"
		ak, err = d.v4.verifyQuery(hr, r.Bucket, r.Key)
	case q.Has("OSSAccessKeyId"):
		r.AuthKind = "oss-v1-query"
		ak, err = hmacsig.OSS.VerifyQuery(hr, r.Bucket, r.VirtualHosted, d.secret, d.cfg.Now())
	case strings.HasPrefix(auth, "OSS2 "):
		return translate.Caller{}, translate.Errorf(translate.ErrNotImplemented, "The OSS2 signature is not supported; use V1 or V4.")
	case auth != "":
		return translate.Caller{}, translate.Errorf(translate.ErrAuthorizationHeaderMalformed, "Authorization header is invalid.")
	default:
		return translate.Caller{Rules: &d.rules}, &translate.Error{Code: translate.ErrAccessDenied, Message: "AccessDenied: anonymous access is not allowed.", Err: dialects.ErrAnonymous}
	}
	if err != nil {
		return translate.Caller{}, err
	}
	if v := hr.Header.Get("x-oss-content-sha256"); v != "" && v != unsignedPayload {
		if !isHexSHA256(v) {
			return translate.Caller{}, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-oss-content-sha256", ArgValue: v,
				Message: "The x-oss-content-sha256 header is invalid.", Extra: map[string]string{ecKey: "0002-00000214"}}
		}
		r.Payload.SHA256 = v
		r.PayloadMode = "signed"
	}
	// A reload may have removed the key since its secret was looked up.
	_, p, ok := d.cfg.Credentials.Lookup(ak)
	if !ok || p == nil {
		return translate.Caller{}, &translate.Error{Code: translate.ErrInvalidAccessKeyID}
	}
	return translate.Caller{Principal: p, Rules: &d.rules}, nil
}

func isHexSHA256(s string) bool {
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
