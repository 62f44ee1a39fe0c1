// Package oss serves the Alibaba Cloud OSS REST dialect: its routing table,
// its signatures (V1 through dialects/hmacsig, V4 in this package), its XML
// bodies, x-oss-* headers, CRC-64 reporting and its error table with EC
// codes. Everything that is not wire specific is the engine's.
package oss

import (
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/hmacsig"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
	"github.com/babelgate/babelgate/translate/policy"
)

// Config configures the OSS dialect: its Region is reported by
// GetBucketInfo and GetBucketLocation ("oss-"+Region; default
// cn-hangzhou), while V4 scopes of any region verify.
type Config = dialects.Settings

// Dialect is the OSS dialect. It is safe for concurrent use.
type Dialect struct {
	cfg    Config
	v4     *v4Verifier
	router *s3wire.Router
	// h serves the operations whose flow OSS shares with S3 (settings.go,
	// InitiateMultipartUpload).
	h *s3wire.Handlers
}

// profile is OSS's wire form for the handlers it shares with S3 and OBS
// (policies, CORS, canned ACLs, POST uploads, InitiateMultipartUpload):
// x-oss-* headers, OSS's storage-class and SSE names, no namespace, no
// checksums reported. InitiateMultipartUpload's keys are returned raw,
// without EncodingType, which both SDKs accept (protocols.md §2.8).
var profile = s3wire.Profile{Prefix: "x-oss-", Wire: Spellings}

// New returns the OSS dialect.
func New(cfg Config) *Dialect {
	cfg = cfg.WithDefaults("cn-hangzhou")
	d := &Dialect{cfg: cfg}
	d.v4 = &v4Verifier{lookup: d.cfg.Secret, maxSkew: cfg.MaxSkew, now: cfg.Now}
	d.h = &s3wire.Handlers{Profile: profile, Engine: cfg.Engine,
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
		ak, err = hmacsig.OSS.VerifyHeader(hr, r.Bucket, r.VirtualHosted, d.cfg.Secret, d.cfg.Now(), d.cfg.MaxSkew)
	case q.Get("x-oss-signature-version") != "":
		r.AuthKind = "oss-v4-query"
		ak, err = d.v4.verifyQuery(hr, r.Bucket, r.Key)
	case q.Has("OSSAccessKeyId"):
		r.AuthKind = "oss-v1-query"
		ak, err = hmacsig.OSS.VerifyQuery(hr, r.Bucket, r.VirtualHosted, d.cfg.Secret, d.cfg.Now())
	case strings.HasPrefix(auth, "OSS2 "):
		return translate.Caller{}, translate.Errorf(translate.ErrNotImplemented, "The OSS2 signature is not supported; use V1 or V4.")
	case auth != "":
		return translate.Caller{}, translate.Errorf(translate.ErrAuthorizationHeaderMalformed, "Authorization header is invalid.")
	default:
		return d.cfg.Anonymous("AccessDenied: anonymous access is not allowed.")
	}
	if err != nil {
		return translate.Caller{}, err
	}
	if v := hr.Header.Get("x-oss-content-sha256"); v != "" && v != unsignedPayload {
		if !dialects.IsHexSHA256(v) {
			return translate.Caller{}, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-oss-content-sha256", ArgValue: v,
				Message: "The x-oss-content-sha256 header is invalid.", Extra: map[string]string{ecKey: "0002-00000214"}}
		}
		r.Payload.SHA256 = v
		r.PayloadMode = "signed"
	}
	return d.cfg.Caller(ak)
}
