package s3wire

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/dialecttest"
	"github.com/babelgate/babelgate/translate"
)

// obsLike is a profile with OBS's header prefix and a class and an SSE
// value spelled otherwise than the neutral ones (as OBS's WARM and kms).
var obsLike = &Profile{Prefix: "x-obs-", Xmlns: "urn:test", ReportStorageClass: true, LocationElement: "Location",
	Wire: &translate.Wire{Name: "test",
		StorageClasses: []translate.Spelling{{Neutral: "STANDARD", Wire: "STANDARD"}, {Neutral: "STANDARD_IA", Wire: "WARM"}},
		SSE:            []translate.Spelling{{Neutral: "AES256", Wire: "AES256"}, {Neutral: "aws:kms", Wire: "kms"}}}}

// TestReadMetadata pins what ReadMetadata reads under a profile's prefix
// and each of its refusals.
func TestReadMetadata(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header http.Header
		check  func(translate.Metadata) bool
		code   translate.Code
	}{
		{"content and user metadata", http.Header{"Content-Type": {"text/plain"}, "Cache-Control": {"no-cache"},
			"X-Obs-Meta-Color": {"blue", "red"}, "X-Amz-Meta-Other": {"x"}},
			func(m translate.Metadata) bool {
				return m.ContentType == "text/plain" && m.CacheControl == "no-cache" && len(m.User) == 1 && m.User["color"] == "blue,red"
			}, 0},
		{"spelled class and SSE", http.Header{"X-Obs-Storage-Class": {"WARM"}, "X-Obs-Server-Side-Encryption": {"kms"}},
			func(m translate.Metadata) bool { return m.StorageClass == "STANDARD_IA" && m.SSE == "aws:kms" }, 0},
		{"redirect", http.Header{"X-Obs-Website-Redirect-Location": {"/other"}},
			func(m translate.Metadata) bool { return m.WebsiteRedirectLocation == "/other" }, 0},
		{"bad redirect", http.Header{"X-Obs-Website-Redirect-Location": {"ftp://x"}}, nil, translate.ErrInvalidRedirectLocation},
		{"metadata at the limit", http.Header{"X-Obs-Meta-K": {strings.Repeat("v", MaxUserMetadata-1)}}, nil, 0},
		{"metadata over the limit", http.Header{"X-Obs-Meta-K": {strings.Repeat("v", MaxUserMetadata)}}, nil, translate.ErrMetadataTooLarge},
		{"unknown class", http.Header{"X-Obs-Storage-Class": {"FROZEN"}}, nil, translate.ErrInvalidStorageClass},
		{"unknown SSE", http.Header{"X-Obs-Server-Side-Encryption": {"rot13"}}, nil, translate.ErrInvalidArgument},
		{"SSE-C", http.Header{"X-Obs-Server-Side-Encryption-Customer-Algorithm": {"AES256"}}, nil, translate.ErrNotImplemented},
	} {
		m, err := obsLike.ReadMetadata(tt.header)
		if got := translate.CodeOf(err); got != tt.code {
			t.Errorf("%s: error %v, want code %v", tt.name, err, tt.code)
		}
		if err == nil && tt.check != nil && !tt.check(m) {
			t.Errorf("%s: metadata %+v", tt.name, m)
		}
	}
}

// TestPayloadInput pins the body a request hands the engine: its size
// (unknown: MissingContentLength), the signed SHA-256, Content-MD5
// (malformed: InvalidDigest), and an empty body for none.
func TestPayloadInput(t *testing.T) {
	req := func(p dialects.Payload, md5 string) *dialects.Request {
		hr := httptest.NewRequest("PUT", "/b/k", nil)
		if md5 != "" {
			hr.Header.Set("Content-MD5", md5)
		}
		return &dialects.Request{HTTP: hr, Payload: p}
	}
	in, err := PayloadInput(req(dialects.Payload{Reader: strings.NewReader("hello"), Size: 5, SHA256: "abc"}, "XUFAKrxLKna5cZ2REBfFkg=="))
	if err != nil || in.Size != 5 || in.Options.SHA256 != "abc" || len(in.Options.ContentMD5) != 16 {
		t.Errorf("signed body: %+v %v", in, err)
	}
	if in, err = PayloadInput(req(dialects.Payload{Size: 0}, "")); err != nil || in.Reader != http.NoBody {
		t.Errorf("no body: %+v %v", in, err)
	}
	if _, err = PayloadInput(req(dialects.Payload{Size: -1}, "")); translate.CodeOf(err) != translate.ErrMissingContentLength {
		t.Errorf("unknown size: %v", err)
	}
	if _, err = PayloadInput(req(dialects.Payload{Size: 0}, "not-md5")); translate.CodeOf(err) != translate.ErrInvalidDigest {
		t.Errorf("bad Content-MD5: %v", err)
	}
}

// TestProfileAnswers pins the answers the profile's data decide:
// PutObject's storage class (reported only by a profile that says so,
// only for a class other than the default) and GetBucketLocation's
// element and region (empty for the unnamed region).
func TestProfileAnswers(t *testing.T) {
	be, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := be.CreateBucket(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	engine := dialecttest.Engine(t, be, "s3wire-test-upload-id-secret-0123")
	p := dialecttest.Writer("AK", "SK")
	_, principal, _ := p.Lookup("AK")
	serve := func(prof *Profile, region string, handle func(*Handlers) Handler, method, target string, hdr http.Header) *httptest.ResponseRecorder {
		h := &Handlers{Profile: *prof, Engine: engine, Region: region, DecodeMetadata: prof.ReadMetadata, Body: PayloadInput}
		hr := httptest.NewRequest(method, target, strings.NewReader("data"))
		for k, v := range hdr {
			hr.Header[k] = v
		}
		r := dialecttest.Request(hr, dialects.Addressing{})
		r.Payload = dialects.Payload{Reader: hr.Body, Size: hr.ContentLength}
		r.Caller = translate.Caller{Principal: principal, Rules: &translate.S3Rules}
		w := httptest.NewRecorder()
		if err := handle(h)(w, r); err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		return w
	}
	put := func(h *Handlers) Handler { return h.PutObject }
	s3Like := &Profile{Prefix: "x-amz-", Xmlns: "urn:s3", Wire: obsLike.Wire, LocationElement: "LocationConstraint", UnnamedRegion: "us-east-1"}
	for _, tt := range []struct {
		name string
		prof *Profile
		hdr  http.Header
		want string
	}{
		{"reported", obsLike, http.Header{"X-Obs-Storage-Class": {"WARM"}}, "WARM"},
		{"default class not reported", obsLike, nil, ""},
		{"not reported by the profile", s3Like, http.Header{"X-Amz-Storage-Class": {"WARM"}}, ""},
	} {
		w := serve(tt.prof, "r", put, "PUT", "/b/k", tt.hdr)
		if got := w.Header().Get(tt.prof.Prefix + "storage-class"); got != tt.want || w.Header().Get("ETag") == "" {
			t.Errorf("PutObject %s: storage class %q, want %q (headers %v)", tt.name, got, tt.want, w.Header())
		}
	}
	loc := func(h *Handlers) Handler { return h.GetBucketLocation }
	for _, tt := range []struct {
		prof   *Profile
		region string
		want   string
	}{
		{obsLike, "cn-north-4", `<Location xmlns="urn:test">cn-north-4</Location>`},
		{s3Like, "eu-west-1", `<LocationConstraint xmlns="urn:s3">eu-west-1</LocationConstraint>`},
		{s3Like, "us-east-1", `<LocationConstraint xmlns="urn:s3"></LocationConstraint>`},
	} {
		w := serve(tt.prof, tt.region, loc, "GET", "/b?location", nil)
		if !strings.HasSuffix(w.Body.String(), tt.want) {
			t.Errorf("GetBucketLocation in %s: %s, want …%s", tt.region, w.Body.String(), tt.want)
		}
	}
}
