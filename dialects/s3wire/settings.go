package s3wire

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
	"github.com/babelgate/babelgate/translate/cors"
	"github.com/babelgate/babelgate/translate/policy"
)

// CORSConfiguration is the CORS document of S3 PutBucketCors /
// GetBucketCors (and OBS's SetBucketCors, and OSS's PutBucketCors, whose
// rules have the same elements).
type CORSConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Rules   []CORSRule `xml:"CORSRule"`
	// ResponseVary is OSS's; nil elsewhere.
	ResponseVary *bool `xml:"ResponseVary,omitempty"`
}

// CORSRule is one <CORSRule>.
type CORSRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedHeaders []string `xml:"AllowedHeader,omitempty"`
	ExposeHeaders  []string `xml:"ExposeHeader,omitempty"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds,omitempty"`
}

// CORSConfig converts the document to the neutral rules.
func (c *CORSConfiguration) CORSConfig() *cors.Config {
	out := &cors.Config{}
	for _, r := range c.Rules {
		n := cors.Rule{ID: r.ID, AllowedOrigins: trimAll(r.AllowedOrigins), AllowedMethods: trimAll(r.AllowedMethods),
			AllowedHeaders: trimAll(r.AllowedHeaders), ExposeHeaders: trimAll(r.ExposeHeaders), MaxAgeSeconds: -1}
		if r.MaxAgeSeconds != nil {
			n.MaxAgeSeconds = *r.MaxAgeSeconds
			if n.MaxAgeSeconds < 0 {
				n.MaxAgeSeconds = -2 // refused by Validate
			}
		}
		out.Rules = append(out.Rules, n)
	}
	return out
}

func trimAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// CORSDocument renders neutral rules as the document, in namespace xmlns.
func CORSDocument(c *cors.Config, xmlns string) CORSConfiguration {
	doc := CORSConfiguration{Xmlns: xmlns}
	for _, r := range c.Rules {
		w := CORSRule{ID: r.ID, AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposeHeaders}
		if r.MaxAgeSeconds >= 0 {
			n := r.MaxAgeSeconds
			w.MaxAgeSeconds = &n
		}
		doc.Rules = append(doc.Rules, w)
	}
	return doc
}

// ReadSmall reads a small request body (at most limit bytes) through the
// engine's body checks (Content-MD5, checksums).
func (h *Handlers) ReadSmall(r *dialects.Request, limit int64) ([]byte, error) {
	in, err := h.Body(r)
	if err != nil {
		return nil, err
	}
	body, err := translate.NewBody(in.Reader, in.Size, in.Options)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(body, limit))
}

// requireDigest refuses a body without Content-MD5 (or, in a profile that
// reports checksums, a checksum header or trailer), as S3 does for
// PutBucketCors.
func (h *Handlers) requireDigest(r *dialects.Request) error {
	if r.HTTP.Header.Get("Content-Md5") != "" || (len(h.ChecksumAlgorithms) > 0 && h.hasChecksumHeader(r)) {
		return nil
	}
	if len(h.ChecksumAlgorithms) == 0 {
		return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Missing required header for this request: Content-MD5"}
	}
	return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Missing required header for this request: Content-MD5 or " + h.Prefix + "checksum-*"}
}

// PutBucketPolicy is PUT ?policy: the JSON policy, refused whole as
// MalformedPolicy when it does not parse.
func (h *Handlers) PutBucketPolicy(w http.ResponseWriter, r *dialects.Request) error {
	doc, err := h.ReadSmall(r, policy.MaxSize+1)
	if err != nil {
		return err
	}
	if err := h.Engine.PutBucketPolicy(r.HTTP.Context(), r.Caller, r.Bucket, h.PolicyFlavor, doc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GetBucketPolicy is GET ?policy: the policy as it was set.
func (h *Handlers) GetBucketPolicy(w http.ResponseWriter, r *dialects.Request) error {
	doc, err := h.Engine.GetBucketPolicy(r.HTTP.Context(), r.Caller, r.Bucket)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
	return nil
}

// DeleteBucketPolicy is DELETE ?policy (204, also when there was none).
func (h *Handlers) DeleteBucketPolicy(w http.ResponseWriter, r *dialects.Request) error {
	if err := h.Engine.DeleteBucketPolicy(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PutBucketCors is PUT ?cors: Content-MD5 (or a checksum) required, at
// most 64 KB of CORSConfiguration.
func (h *Handlers) PutBucketCors(w http.ResponseWriter, r *dialects.Request) error {
	if err := h.requireDigest(r); err != nil {
		return err
	}
	return h.StoreBucketCors(w, r)
}

// StoreBucketCors is PUT ?cors without the digest requirement (OSS's
// PutBucketCors has none).
func (h *Handlers) StoreBucketCors(w http.ResponseWriter, r *dialects.Request) error {
	var doc CORSConfiguration
	if err := h.ReadXML(r, 64<<10, &doc, false); err != nil {
		return err
	}
	if err := h.Engine.PutBucketCORS(r.HTTP.Context(), r.Caller, r.Bucket, doc.CORSConfig()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// GetBucketCors is GET ?cors.
func (h *Handlers) GetBucketCors(w http.ResponseWriter, r *dialects.Request) error {
	c, err := h.Engine.GetBucketCORS(r.HTTP.Context(), r.Caller, r.Bucket)
	if err != nil {
		return err
	}
	return WriteXML(w, http.StatusOK, CORSDocument(c, h.Xmlns))
}

// DeleteBucketCors is DELETE ?cors (204).
func (h *Handlers) DeleteBucketCors(w http.ResponseWriter, r *dialects.Request) error {
	if err := h.Engine.DeleteBucketCORS(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PutBucketAcl is PUT ?acl with a canned ACL header (<Prefix>acl:
// private, public-read, public-read-write); an ACL document in the body
// is NotImplemented.
func (h *Handlers) PutBucketAcl(w http.ResponseWriter, r *dialects.Request) error {
	acl := r.HTTP.Header.Get(h.Prefix + "acl")
	if acl == "" {
		return &translate.Error{Code: translate.ErrNotImplemented, Message: "Only canned ACLs (the " + h.Prefix + "acl header) are supported by babelgate."}
	}
	if err := h.Engine.PutBucketACL(r.HTTP.Context(), r.Caller, r.Bucket, acl); err != nil {
		if te := translate.AsError(err); te.Code == translate.ErrInvalidArgument {
			te.ArgName = h.Prefix + "acl"
		}
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
