// Package obs serves Huawei Cloud OBS's native REST dialect: requests signed
// "Authorization: OBS <AK>:<sig>" (or presigned with AccessKeyId, Expires
// and Signature), x-obs-* headers, OBS's XML bodies and its error form
// (protocols.md §3). OBS clients that sign the AWS way (the OBS Go SDK's
// default SigV2 mode and its SigV4 mode) are served by the S3 dialect.
//
// Everything that is not wire specific (access, validation against
// translate.OBSRules including the initiator-only rule, ETags) is the
// engine's.
package obs

import (
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/hmacsig"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
	"github.com/babelgate/babelgate/translate/policy"
)

// Config configures the OBS dialect: its Region is reported by
// GetBucketLocation and HeadBucket (default "region", the OBS Go SDK's
// default), its MaxSkew defaults to OBS's documented 15 minutes.
type Config = dialects.Settings

// Dialect is the OBS dialect. It is safe for concurrent use.
type Dialect struct {
	cfg    Config
	h      *s3wire.Handlers
	router *s3wire.Router
}

// xmlns is OBS's XML namespace. The SDK decodes without namespaces
// (obs/model_*.go), so the documents carry the element names of
// protocols.md §3.5 and obs/model_*.go, which are S3's.
const xmlns = "http://obs.myhwclouds.com/doc/2015-06-30/"

// profile is OBS's wire form for the handlers it shares with S3: x-obs-*
// headers (user metadata with S3's 2 KB limit), OBS's storage-class and
// SSE names, no checksums but Content-MD5 (the body's only integrity
// value), Owner before StorageClass in listings, no empty DisplayName, the
// location in ListBuckets, max-parts=0 read as 1000, PutObject's storage
// class reported, and GetBucketLocation's <Location>.
var profile = s3wire.Profile{
	Xmlns:                 xmlns,
	Prefix:                "x-obs-",
	RegionHeader:          "x-obs-bucket-location",
	Wire:                  Spellings,
	OwnerFirst:            true,
	OmitEmptyDisplayName:  true,
	ListBucketLocation:    true,
	ZeroMaxPartsIsDefault: true,
	ReportStorageClass:    true,
	LocationElement:       "Location",
}

// New returns the OBS dialect.
func New(cfg Config) *Dialect {
	cfg = cfg.WithDefaults("region")
	d := &Dialect{cfg: cfg}
	d.h = &s3wire.Handlers{Profile: profile, Engine: cfg.Engine, Region: cfg.Region, Errors: errorForm,
		DecodeMetadata: profile.ReadMetadata, Body: s3wire.PayloadInput, PolicyFlavor: policy.OBS,
		CompleteKeepAlive: cfg.CompleteKeepAlive, EncodeError: d.EncodeError}
	d.router = &s3wire.Router{Routes: d.routes(), Unsupported: unsupported,
		Refuse: s3wire.RefuseUnimplemented(profile.Prefix, obsUnimplemented)}
	return d
}

// Name implements dialects.Dialect.
func (d *Dialect) Name() string { return "obs" }

// Begin sets OBS's request-ID headers on every response (protocols.md
// §3.6: x-obs-request-id, x-obs-id-2, Server: OBS).
func (d *Dialect) Begin(w http.ResponseWriter, r *dialects.Request) {
	h := w.Header()
	h.Set("x-obs-request-id", r.ID)
	h.Set("x-obs-id-2", r.HostID)
	h.Set("Server", "OBS")
}

// Authenticate verifies the OBS header signature or the OBS presigned
// query and returns the caller, with the request body as its payload (OBS
// has no transfer framing of its own).
func (d *Dialect) Authenticate(r *dialects.Request) (translate.Caller, error) {
	hr := r.HTTP
	auth := hr.Header.Get("Authorization")
	r.Payload = dialects.Payload{Reader: hr.Body, Size: hr.ContentLength}
	r.PayloadMode = "unsigned"
	var (
		ak  string
		err error
	)
	q := hr.URL.Query()
	switch {
	case strings.HasPrefix(auth, "OBS "):
		r.AuthKind = "obs"
		ak, err = hmacsig.OBS.VerifyHeader(hr, r.Bucket, r.VirtualHosted, d.cfg.Secret, d.cfg.Now(), d.cfg.MaxSkew)
	case auth == "" && q.Has("AccessKeyId") && q.Has("Signature"):
		r.AuthKind = "obs-query"
		ak, err = hmacsig.OBS.VerifyQuery(hr, r.Bucket, r.VirtualHosted, d.cfg.Secret, d.cfg.Now())
	case auth == "" && q.Has("AccessKeyId") && q.Has("Policy"):
		err = translate.Errorf(translate.ErrNotImplemented, "Policy-based query authentication is not supported by babelgate.")
	case auth != "":
		err = translate.Errorf(translate.ErrAuthorizationHeaderMalformed, "Unsupported Authorization Type")
	default:
		return d.cfg.Anonymous("Anonymous access is not allowed.")
	}
	if err != nil {
		return translate.Caller{Rules: &d.cfg.Rules}, err
	}
	return d.cfg.Caller(ak)
}
