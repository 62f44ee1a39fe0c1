// Package s3 serves the Amazon S3 REST dialect: its routing table, its
// signatures (SigV4 in the header or query, aws-chunked bodies, SigV2),
// its XML bodies and its error table. Everything that is not wire specific
// is the engine's.
package s3

import (
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/hmacsig"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/dialects/sigv4"
	"github.com/babelgate/babelgate/translate"
)

// Config configures the S3 dialect. Its Region is reported by
// GetBucketLocation and HeadBucket; "" means the first of Regions, else
// us-east-1.
type Config struct {
	dialects.Settings
	// Regions are the regions a SigV4 credential scope may name (S3
	// answers any other with AuthorizationHeaderMalformed naming the
	// expected one); empty means [Region].
	Regions []string
	// AWSModes are the other dialects whose clients may sign the AWS way
	// (dialects.Plugin.AWSMode; OBS-AWS mode). A request addressed under
	// one's domains is such a client, which signs with its own region
	// names (the OBS Go SDK's default is the literal "region", conf.go
	// DEFAULT_REGION): its scope must name one of that dialect's Regions,
	// or any region when they are empty.
	AWSModes []dialects.AWSMode
}

// Dialect is the S3 dialect.
type Dialect struct {
	cfg    Config
	v4     *sigv4.Verifier
	h      *s3wire.Handlers
	router *s3wire.Router
}

// xmlns is S3's XML namespace.
const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// profile is S3's wire form for the handlers it shares with OBS: x-amz-*
// headers, S3's checksums, conditional writes, RFC 2047 metadata values,
// and GetBucketLocation's <LocationConstraint>, empty for us-east-1.
var profile = s3wire.Profile{
	Xmlns:              xmlns,
	Prefix:             "x-amz-",
	RegionHeader:       "x-amz-bucket-region",
	ChecksumAlgorithms: translate.S3ChecksumAlgorithms,
	Wire:               Spellings,
	ConditionalWrites:  true,
	EncodeMetadata:     s3wire.EncodeMetadataValue,
	LocationElement:    "LocationConstraint",
	UnnamedRegion:      "us-east-1",
}

// New returns the S3 dialect.
func New(cfg Config) *Dialect {
	if cfg.Region == "" && len(cfg.Regions) > 0 {
		cfg.Region = cfg.Regions[0]
	}
	cfg.Settings = cfg.WithDefaults("us-east-1")
	if len(cfg.Regions) == 0 {
		cfg.Regions = []string{cfg.Region}
	}
	d := &Dialect{cfg: cfg}
	d.v4 = &sigv4.Verifier{Lookup: d.cfg.Secret, Service: "s3", MaxSkew: cfg.MaxSkew, Now: cfg.Now, Regions: d.regions}
	d.h = &s3wire.Handlers{Profile: profile, Engine: cfg.Engine, Region: cfg.Region, Errors: errorForm,
		DecodeMetadata: decodeMetadata, Body: bodyInput, CompleteKeepAlive: cfg.CompleteKeepAlive, EncodeError: d.EncodeError}
	d.router = &s3wire.Router{Routes: d.routes(), Unsupported: unsupported, Refuse: s3wire.RefuseUnimplemented(profile.Prefix, nil)}
	return d
}

// Name implements dialects.Dialect.
func (d *Dialect) Name() string { return "s3" }

// Begin sets S3's request-ID headers on every response.
func (d *Dialect) Begin(w http.ResponseWriter, r *dialects.Request) {
	h := w.Header()
	h.Set("x-amz-request-id", r.ID)
	h.Set("x-amz-id-2", r.HostID)
	h.Set("Server", "babelgate")
}

// regions are the credential-scope regions r may name: an AWS-mode
// dialect's Regions (any when empty) for a request addressed under its
// domains, else Regions.
func (d *Dialect) regions(r *http.Request) []string {
	for _, m := range d.cfg.AWSModes {
		if (dialects.Addressing{Domains: m.Domains}).Under(r) {
			return m.Regions
		}
	}
	return d.cfg.Regions
}

// Authenticate verifies SigV4 (header or presigned query, with aws-chunked
// bodies) or SigV2 (header or query) and returns the caller. It sets
// r.Payload to the decoded body.
func (d *Dialect) Authenticate(r *dialects.Request) (translate.Caller, error) {
	hr := r.HTTP
	auth := hr.Header.Get("Authorization")
	r.Payload = dialects.Payload{Reader: hr.Body, Size: hr.ContentLength}
	var accessKey string
	switch {
	case sigv4.IsHeaderAuth(hr) || sigv4.IsQueryAuth(hr):
		r.AuthKind = "sigv4"
		if sigv4.IsQueryAuth(hr) {
			r.AuthKind = "sigv4-query"
		}
		a, err := d.v4.Verify(hr)
		if err != nil {
			return translate.Caller{}, err
		}
		accessKey = a.AccessKey
		r.PayloadMode = a.PayloadHash
		if dialects.IsHexSHA256(a.PayloadHash) {
			r.PayloadMode = "signed"
		}
		if err := d.decodePayload(r, a); err != nil {
			return translate.Caller{}, err
		}
	case strings.HasPrefix(auth, "AWS "):
		r.AuthKind = "sigv2"
		ak, err := hmacsig.S3.VerifyHeader(hr, r.Bucket, r.VirtualHosted, d.cfg.Secret, d.cfg.Now(), d.cfg.MaxSkew)
		if err != nil {
			return translate.Caller{}, err
		}
		accessKey = ak
	case hr.URL.Query().Has("AWSAccessKeyId"):
		r.AuthKind = "sigv2-query"
		ak, err := hmacsig.S3.VerifyQuery(hr, r.Bucket, r.VirtualHosted, d.cfg.Secret, d.cfg.Now())
		if err != nil {
			return translate.Caller{}, err
		}
		accessKey = ak
	case strings.HasPrefix(auth, "AWS4-ECDSA-P256-SHA256"):
		return translate.Caller{}, translate.Errorf(translate.ErrNotImplemented, "Signature Version 4A is not supported.")
	case auth != "":
		return translate.Caller{}, translate.Errorf(translate.ErrAuthorizationHeaderMalformed, "Unsupported Authorization Type")
	default:
		return d.cfg.Anonymous("Anonymous access is not allowed.")
	}
	return d.cfg.Caller(accessKey)
}

// decodePayload sets up the request's payload after SigV4: the aws-chunked
// decoder for STREAMING-* bodies, or the signed SHA-256 to verify.
func (d *Dialect) decodePayload(r *dialects.Request, a *sigv4.Auth) error {
	hr := r.HTTP
	switch {
	case a.Streaming():
		dl := hr.Header.Get("x-amz-decoded-content-length")
		size, err := parseSize(dl)
		if err != nil {
			return &translate.Error{Code: translate.ErrMissingContentLength, Message: "You must provide the x-amz-decoded-content-length header with aws-chunked uploads."}
		}
		cr, err := a.NewChunkedReader(hr.Body)
		if err != nil {
			return err
		}
		r.Payload = dialects.Payload{Reader: cr, Size: size, Trailer: cr.Trailers,
			TrailerNames: splitList(hr.Header.Get("x-amz-trailer"))}
	case dialects.IsHexSHA256(a.PayloadHash):
		r.Payload.SHA256 = a.PayloadHash
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}
