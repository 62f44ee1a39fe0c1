package s3wire

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
	"github.com/babelgate/babelgate/translate/policy"
)

// Profile is the data that tells one S3-family wire form from another.
// Shared code reads it; it never asks which dialect it serves.
type Profile struct {
	// Xmlns is the namespace of response documents.
	Xmlns string
	// Prefix is the vendor header prefix ("x-amz-", "x-obs-"). It names
	// <Prefix>meta-*, storage-class, server-side-encryption, copy-source,
	// copy-source-range, copy-source-If-*, metadata-directive,
	// mp-parts-count and, when the profile reports checksums,
	// checksum-<alg>, checksum-type and checksum-mode.
	Prefix string
	// RegionHeader is the HeadBucket header that reports the region.
	RegionHeader string
	// ChecksumAlgorithms are the checksums the dialect reports (headers,
	// listing and result elements) and accepts in place of Content-MD5 on
	// DeleteObjects; nil reports none.
	ChecksumAlgorithms []translate.ChecksumAlgorithm
	// Wire selects the dialect's spellings of storage classes and
	// server-side encryption in translate's one table.
	Wire *translate.Wire
	// OwnerFirst puts Owner before StorageClass in listing entries (OBS).
	OwnerFirst bool
	// OmitEmptyDisplayName leaves an empty DisplayName out of Owner and
	// Initiator elements (OBS) instead of sending it empty (S3).
	OmitEmptyDisplayName bool
	// ListBucketLocation puts the region in ListBuckets entries (OBS).
	ListBucketLocation bool
	// EncodeMetadata, when set, spells a user-metadata value on GET and
	// HEAD (S3: [EncodeMetadataValue]); nil sends values as stored.
	EncodeMetadata func(string) string
	// ZeroMaxPartsIsDefault answers ListParts with max-parts=0 as if it
	// asked for 1000 (OBS); otherwise 0 is echoed (S3).
	ZeroMaxPartsIsDefault bool
	// ReportStorageClass answers PutObject with <Prefix>storage-class for a
	// class other than the default (OBS).
	ReportStorageClass bool
	// LocationElement is GetBucketLocation's document element:
	// LocationConstraint (S3) or Location (OBS).
	LocationElement string
	// UnnamedRegion is the region GetBucketLocation reports empty (S3's
	// us-east-1); "" names every region.
	UnnamedRegion string
	// ConditionalWrites takes If-Match and If-None-Match on PutObject,
	// CopyObject and CompleteMultipartUpload as write conditions, and
	// <Prefix>if-match-initiated-time on AbortMultipartUpload (S3); when
	// false they are not read (OBS).
	ConditionalWrites bool
}

// storageClassName is the dialect's name of a neutral storage class.
func (p *Profile) storageClassName(neutral string) string {
	return translate.StorageClassFor(p.Wire, neutral)
}

// ListedStorageClass is the StorageClass element of a listing entry:
// the dialect's name, STANDARD for the default.
func (p *Profile) ListedStorageClass(m translate.Metadata) string {
	if sc := p.storageClassName(m.StorageClass); sc != "" {
		return sc
	}
	return "STANDARD"
}

// SSEValue is the dialect's server-side-encryption header value for a
// neutral one; "" for none or for a value the dialect has no name for.
func (p *Profile) SSEValue(neutral string) string {
	return translate.SSEFor(p.Wire, neutral)
}

// Owner returns the Owner (or Initiator) element for an access key: its
// ID is [OwnerID] of the key, its DisplayName the key (the user's name in
// babelgate's config). Both are the same for one user in every response
// and every gateway instance.
func (p *Profile) Owner(accessKey string) Owner {
	o := Owner{ID: OwnerID(accessKey)}
	if accessKey != "" || !p.OmitEmptyDisplayName {
		o.DisplayName = &accessKey
	}
	return o
}

// OwnerID is the canonical user ID of an access key: 64 lowercase hex
// digits (the form of S3's canonical user IDs), the SHA-256 of the key
// under a fixed label, so it is stable and never shows the key itself. An
// empty key (no caller) has an empty ID.
func OwnerID(accessKey string) string {
	if accessKey == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("babelgate canonical user id\x00" + accessKey))
	return hex.EncodeToString(sum[:])
}

// Checksums returns the entries of c the dialect reports.
func (p *Profile) Checksums(c translate.Checksums) translate.Checksums {
	out := translate.Checksums{}
	for _, a := range p.ChecksumAlgorithms {
		if v, ok := c[a]; ok && v != "" {
			out[a] = v
		}
	}
	return out
}

// ChecksumHeader is the header that carries checksum a.
func (p *Profile) ChecksumHeader(a translate.ChecksumAlgorithm) string {
	return p.Prefix + "checksum-" + strings.ToLower(string(a))
}

// WriteChecksumHeaders sets a header for each checksum of c the dialect
// reports.
func (p *Profile) WriteChecksumHeaders(h http.Header, c translate.Checksums) {
	for a, v := range p.Checksums(c) {
		h.Set(p.ChecksumHeader(a), v)
	}
}

// WriteObjectHeaders sets the headers describing an object on a GET or
// HEAD response: ETag, Last-Modified, Accept-Ranges, Content-Type (default
// binary/octet-stream), the content headers, storage class (left out for
// STANDARD), SSE, user metadata under <Prefix>meta- (names as stored,
// lowercase) and, withChecksums, the checksums and their type.
func (p *Profile) WriteObjectHeaders(h http.Header, info translate.ObjectInfo, withChecksums bool) {
	m := info.Metadata
	h.Set("ETag", Quote(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	ct := m.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	h.Set("Content-Type", ct)
	sc := p.storageClassName(m.StorageClass)
	if sc == "STANDARD" {
		sc = "" // sent only for other classes
	}
	for k, v := range map[string]string{"Content-Encoding": m.ContentEncoding, "Content-Disposition": m.ContentDisposition,
		"Content-Language": m.ContentLanguage, "Cache-Control": m.CacheControl, "Expires": m.Expires,
		p.Prefix + "storage-class": sc, p.Prefix + "server-side-encryption": p.SSEValue(m.SSE),
		p.Prefix + "website-redirect-location": m.WebsiteRedirectLocation} {
		if v != "" {
			h.Set(k, v)
		}
	}
	for k, v := range m.User {
		if p.EncodeMetadata != nil {
			v = p.EncodeMetadata(v)
		}
		h[p.Prefix+"meta-"+k] = []string{v} // sent lowercase; boto3 keeps the case it gets
	}
	if withChecksums {
		p.WriteChecksumHeaders(h, info.Checksum)
		if len(p.Checksums(info.Checksum)) > 0 && info.ChecksumType != "" {
			h.Set(p.Prefix+"checksum-type", string(info.ChecksumType))
		}
	}
}

// Handlers are the S3-family operations whose flow S3 and OBS share, run
// on Engine with the Profile's spellings. Each handler has the signature
// of a route's Handle. The dialect supplies what only it can decode.
type Handlers struct {
	Profile
	Engine *translate.Engine
	// Region is reported by HeadBucket (and ListBuckets with
	// ListBucketLocation).
	Region string
	// Errors is the dialect's error form; DeleteObjects lists per-key
	// failures in it.
	Errors *ErrorForm
	// DecodeMetadata reads an object's metadata from request headers.
	DecodeMetadata func(http.Header) (translate.Metadata, error)
	// Body returns the engine's view of the request body; a MissingContentLength
	// error means the length is unknown.
	Body func(*dialects.Request) (translate.BodyInput, error)
	// PolicyFlavor is the language of the dialect's bucket policies; ""
	// is AWS's.
	PolicyFlavor policy.Flavor
	// CompleteKeepAlive is how Complete keeps a long merge's connection
	// alive; nil means the defaults.
	CompleteKeepAlive *dialects.KeepAlive
	// EncodeError is the dialect's error encoder, for an error Complete
	// meets after its 200 is committed.
	EncodeError func(http.ResponseWriter, *dialects.Request, error)
}

// ReadXML reads a small XML request body (at most limit bytes) through the
// engine's body checks and decodes it into v; see [DecodeXML]. A body of
// unknown length is read up to limit+1 bytes without a declared size.
func (h *Handlers) ReadXML(r *dialects.Request, limit int64, v any, optional bool) error {
	in, err := h.Body(r)
	if err != nil {
		if translate.CodeOf(err) != translate.ErrMissingContentLength {
			return err
		}
		in = translate.BodyInput{Reader: http.NoBody, Size: -1}
		if r.Payload.Reader != nil {
			in.Reader = io.LimitReader(r.Payload.Reader, limit+1)
		}
	}
	return DecodeXML(in, limit, v, optional)
}
