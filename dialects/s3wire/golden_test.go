package s3wire

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// update rewrites the golden files: go test ./dialects/s3wire -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// checkGolden compares got with testdata/name.golden (or writes it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

// render is a response as status, sorted headers and body.
func render(w *httptest.ResponseRecorder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", w.Code)
	names := make([]string, 0, len(w.Header()))
	for k := range w.Header() {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(w.Header()[k], ", "))
	}
	b.WriteString("\n" + w.Body.String() + "\n")
	return b.String()
}

// TestGoldenDocuments pins the XML of every S3-family response document
// in both profiles' spellings where they differ.
func TestGoldenDocuments(t *testing.T) {
	s3 := &Profile{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", Prefix: "x-amz-",
		ChecksumAlgorithms: []translate.ChecksumAlgorithm{translate.CRC32}}
	obs := &Profile{Xmlns: "http://obs.myhwclouds.com/doc/2015-06-30/", Prefix: "x-obs-", OwnerFirst: true, OmitEmptyDisplayName: true}
	tm := Time(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	token := "dG9rZW4"
	marker := ""
	one := 1
	prefix := "p/"
	ow := s3.Owner("AKIDEXAMPLE")
	docs := []struct {
		name string
		v    any
	}{
		{"list-buckets", func() any {
			r := ListAllMyBucketsResult{Xmlns: s3.Xmlns, Owner: ow, ContinuationToken: token, Prefix: &prefix}
			r.Buckets.Bucket = []BucketEntry{{Name: "p/a", CreationDate: tm}}
			return r
		}()},
		{"list-objects-v1", ListBucketResult{Xmlns: s3.Xmlns, Name: "b", Prefix: "p%20q/", Marker: &marker, NextMarker: "p%20q/a", MaxKeys: 1,
			Delimiter: "/", EncodingType: "url", IsTruncated: true,
			Contents:       []ObjectEntry{{Key: "p%20q/a", LastModified: tm, ETag: Quote("e"), Size: 3, StorageClass: "STANDARD", Owner: &ow}},
			CommonPrefixes: []CommonPrefix{{Prefix: "p%20q/d/"}}}},
		{"list-objects-v2", ListBucketResult{Xmlns: s3.Xmlns, Name: "b", Prefix: "", ContToken: &token, NextContToken: "bmV4dA", KeyCount: &one,
			MaxKeys: 1, IsTruncated: true,
			Contents: []ObjectEntry{{Key: "k", LastModified: tm, ETag: Quote("e"), Size: 3, StorageClass: "STANDARD",
				ChecksumAlgorithm: []string{"CRC32"}, ChecksumType: "FULL_OBJECT"}}}},
		{"list-objects-obs-owner-first", ListBucketResult{Xmlns: obs.Xmlns, Name: "b", MaxKeys: 1000,
			Contents: []ObjectEntry{{Key: "k", LastModified: tm, ETag: Quote("e"), Size: 3, StorageClass: "STANDARD", Owner: &ow, OwnerFirst: true}}}},
		{"initiate", InitiateResult{Xmlns: s3.Xmlns, Bucket: "b", Key: "k", UploadID: "UPLOAD"}},
		{"complete", CompleteResult{Xmlns: s3.Xmlns, Location: "http://h/b/k", Bucket: "b", Key: "k", ETag: Quote("e-2"),
			ChecksumFields: ChecksumXML(translate.Checksums{translate.CRC32: "AAAAAA==-2"}), ChecksumType: "COMPOSITE"}},
		{"list-parts", ListPartsResult{Xmlns: s3.Xmlns, Bucket: "b", Key: "k", UploadID: "UPLOAD", Initiator: ow, Owner: ow,
			StorageClass: "STANDARD", PartNumberMarker: 0, NextPartNumberMarker: 1, MaxParts: 1, IsTruncated: true,
			Parts:             []PartEntry{{PartNumber: 1, LastModified: tm, ETag: Quote("e"), Size: 5, ChecksumFields: ChecksumXML(translate.Checksums{translate.CRC32: "AAAAAA=="})}},
			ChecksumAlgorithm: "CRC32", ChecksumType: "COMPOSITE"}},
		{"list-uploads", ListUploadsResult{Xmlns: s3.Xmlns, Bucket: "b", NextKeyMarker: "p/", Delimiter: "/", MaxUploads: 2, IsTruncated: true,
			Uploads:        []UploadEntry{{Key: "a", UploadID: "UPLOAD", Initiator: ow, Owner: ow, StorageClass: "STANDARD", Initiated: tm}},
			CommonPrefixes: []CommonPrefix{{Prefix: "p/"}}}},
		{"copy-object", CopyObjectResult{Xmlns: s3.Xmlns, LastModified: tm, ETag: Quote("e")}},
		{"copy-part", CopyPartResult{Xmlns: s3.Xmlns, LastModified: tm, ETag: Quote("e")}},
		{"delete-result", DeleteResult{Xmlns: s3.Xmlns, Deleted: []DeletedEntry{{Key: "a"}},
			Errors: []DeleteErrorEntry{{Key: "b", Code: "AccessDenied", Message: "Access Denied"}}}},
		{"owner-obs-anonymous", obs.Owner("")},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			if err := WriteXML(w, http.StatusOK, d.v); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "doc-"+d.name, render(w))
		})
	}
}

// testWireError is the entry type of testErrors' table.
type testWireError struct {
	Code    string
	Status  int
	Message string
}

// testErrors is an S3-like error form for the encoder's golden files.
var testErrors = &ErrorForm{
	Lookup: TableLookup(map[translate.Code]testWireError{
		translate.ErrNoSuchKey:          {"NoSuchKey", 404, "The specified key does not exist."},
		translate.ErrNotImplemented:     {"NotImplemented", 501, NotImplementedMessage},
		translate.ErrPreconditionFailed: {"PreconditionFailed", 412, "At least one of the preconditions you specified did not hold."},
		translate.ErrNotModified:        {"NotModified", 304, "Not Modified"},
		translate.ErrNoSuchBucket:       {"NoSuchBucket", 404, "The specified bucket does not exist."},
		translate.ErrInternal:           {"InternalError", 500, "We encountered an internal error. Please try again."},
	}),
	KeepMessage: func(c translate.Code) bool { return c == translate.ErrNotImplemented },
	Extra:       true,
}

// TestGoldenErrors pins the <Error> encodings: table messages, kept
// messages with Extra elements, the validators of a 304/412, HEAD's empty
// body, a bucket error naming no key, and the OBS code headers.
func TestGoldenErrors(t *testing.T) {
	obsForm := *testErrors
	obsForm.CodeHeader, obsForm.MessageHeader, obsForm.Extra = "x-obs-error-code", "x-obs-error-message", false
	cases := []struct {
		name, method string
		form         *ErrorForm
		err          error
		preset       map[string]string
	}{
		{"nosuchkey", "GET", testErrors, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k", Message: "backend text"}, nil},
		{"nosuchkey-head", "HEAD", testErrors, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k"}, nil},
		{"nosuchbucket-names-no-key", "GET", testErrors, &translate.Error{Code: translate.ErrNoSuchBucket, Bucket: "b", Key: "k"}, nil},
		{"not-implemented-header", "PUT", testErrors, notImplementedHeader("x-amz-tagging"), nil},
		{"precondition-keeps-validators", "GET", testErrors, &translate.Error{Code: translate.ErrPreconditionFailed},
			map[string]string{"ETag": `"e"`, "Last-Modified": "Sun, 01 Mar 2026 12:00:00 GMT", "Content-Length": "9"}},
		{"not-modified-keeps-validators", "GET", testErrors, &translate.Error{Code: translate.ErrNotModified},
			map[string]string{"ETag": `"e"`, "Last-Modified": "Sun, 01 Mar 2026 12:00:00 GMT"}},
		{"nosuchkey-drops-validators", "GET", testErrors, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k"},
			map[string]string{"ETag": `"e"`, "Last-Modified": "Sun, 01 Mar 2026 12:00:00 GMT"}},
		{"unknown-cause-internal", "GET", testErrors, errors.New("disk on fire"), nil},
		{"obs-code-headers", "GET", &obsForm, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hr := httptest.NewRequest(c.method, "/b/k", nil)
			r := &dialects.Request{HTTP: hr, ID: "REQ", HostID: "HOST"}
			w := httptest.NewRecorder()
			for k, v := range c.preset {
				w.Header().Set(k, v)
			}
			c.form.Encode(w, r, c.err)
			checkGolden(t, "error-"+c.name, render(w))
		})
	}
}

// TestURLEncode pins encoding-type=url: space %20, '+' %2B, controls and
// UTF-8 escaped, '/' and the unreserved characters kept, and every form
// decodable by url.QueryUnescape and url.PathUnescape.
func TestURLEncode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a b", "a%20b"},
		{"a+b", "a%2Bb"},
		{"dir/sub/", "dir/sub/"},
		{"ctl\x01\x7f", "ctl%01%7F"},
		{"test_file(3).png", "test_file%283%29.png"},
		{"日本", "%E6%97%A5%E6%9C%AC"},
		{"-._~", "-._~"},
		{"a&b=c?d#e%f", "a%26b%3Dc%3Fd%23e%25f"},
	} {
		got := URLEncode(tt.in)
		if got != tt.want {
			t.Errorf("URLEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for _, dec := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
			if back, err := dec(got); err != nil || back != tt.in {
				t.Errorf("%q decodes to %q, %v", got, back, err)
			}
		}
	}
}

// TestMetadataValues pins the RFC 2047 handling of user-metadata values.
func TestMetadataValues(t *testing.T) {
	for _, tt := range []struct{ sent, stored, returned string }{
		{"plain ascii", "plain ascii", "plain ascii"},
		{"=?UTF-8?B?SsO8cmdlbg==?=", "Jürgen", "=?UTF-8?B?SsO8cmdlbg==?="},
		{"=?utf-8?q?J=C3=BCrgen?=", "Jürgen", "=?UTF-8?B?SsO8cmdlbg==?="},
		{"日本", "日本", "=?UTF-8?B?5pel5pys?="},
		{"=?bogus", "=?bogus", "=?bogus"},
	} {
		if got := DecodeMetadataValue(tt.sent); got != tt.stored {
			t.Errorf("DecodeMetadataValue(%q) = %q, want %q", tt.sent, got, tt.stored)
		}
		if got := EncodeMetadataValue(tt.stored); got != tt.returned {
			t.Errorf("EncodeMetadataValue(%q) = %q, want %q", tt.stored, got, tt.returned)
		}
	}
}

// TestRefuseUnimplemented pins which headers are refused on which
// operations, and the values that are accepted.
func TestRefuseUnimplemented(t *testing.T) {
	refuse := RefuseUnimplemented("x-amz-", map[translate.Op][]string{translate.OpPutObject: {"x-amz-extra"}})
	for _, tt := range []struct {
		op     translate.Op
		header string
		value  string
		want   string // refused header, "" when accepted
	}{
		{translate.OpPutObject, "X-Amz-Tagging", "a=b", "x-amz-tagging"},
		{translate.OpCreateMultipartUpload, "X-Amz-Object-Lock-Mode", "GOVERNANCE", "x-amz-object-lock-mode"},
		{translate.OpCopyObject, "X-Amz-Object-Lock-Legal-Hold", "ON", "x-amz-object-lock-legal-hold"},
		{translate.OpPutObject, "X-Amz-Object-Lock-Retain-Until-Date", "2030-01-01T00:00:00Z", "x-amz-object-lock-retain-until-date"},
		{translate.OpCreateBucket, "X-Amz-Grant-Full-Control", "id=x", "x-amz-grant-full-control"},
		{translate.OpPutObject, "X-Amz-Grant-Read-Acp", "id=x", "x-amz-grant-read-acp"},
		{translate.OpPutObject, "X-Amz-Acl", "public-read", "x-amz-acl"},
		{translate.OpPutObject, "X-Amz-Acl", "PRIVATE", ""},
		{translate.OpPutObject, "X-Amz-Acl", "bucket-owner-full-control", ""},
		{translate.OpCreateBucket, "X-Amz-Acl", "bucket-owner-full-control", "x-amz-acl"},
		{translate.OpCreateBucket, "X-Amz-Bucket-Object-Lock-Enabled", "true", "x-amz-bucket-object-lock-enabled"},
		{translate.OpCreateBucket, "X-Amz-Bucket-Object-Lock-Enabled", "false", ""},
		{translate.OpGetObject, "X-Amz-Tagging", "a=b", ""},
		{translate.OpUploadPart, "X-Amz-Acl", "public-read", ""},
		{translate.OpPutObject, "X-Amz-Extra", "1", "x-amz-extra"},
		{translate.OpCopyObject, "X-Amz-Extra", "1", ""},
	} {
		hr := httptest.NewRequest("PUT", "/b/k", nil)
		hr.Header.Set(tt.header, tt.value)
		err := refuse(&dialects.Request{HTTP: hr}, tt.op)
		te := translate.AsError(err)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v %s: %s refused: %v", tt.op, tt.header, tt.value, err)
		case tt.want != "" && (te.Code != translate.ErrNotImplemented || te.Extra["Header"] != tt.want || te.Message != NotImplementedMessage):
			t.Errorf("%v %s: %s: got %v (%v), want NotImplemented naming %s", tt.op, tt.header, tt.value, err, te.Extra, tt.want)
		}
	}
}

// TestNextUploadMarkers pins the markers of a truncated uploads page:
// its last entry in key order, a common prefix when the page ends on one
// (bug 9.2: it used to be empty, and clients following markers looped).
func TestNextUploadMarkers(t *testing.T) {
	up := func(key string) translate.UploadInfo { return translate.UploadInfo{Key: key} }
	for _, tt := range []struct {
		name            string
		page            translate.UploadListing
		wantKey, wantID string
	}{
		{"only prefixes", translate.UploadListing{UploadsPage: translate.UploadsPage{CommonPrefixes: []string{"a/", "b/"}}}, "b/", ""},
		{"upload last", translate.UploadListing{UploadsPage: translate.UploadsPage{Uploads: []translate.UploadInfo{up("c")},
			CommonPrefixes: []string{"a/"}}, IDs: []string{"ID-C"}}, "c", "ID-C"},
		{"prefix last", translate.UploadListing{UploadsPage: translate.UploadsPage{Uploads: []translate.UploadInfo{up("a")},
			CommonPrefixes: []string{"b/"}}, IDs: []string{"ID-A"}}, "b/", ""},
	} {
		key, id := nextUploadMarkers(tt.page)
		if key != tt.wantKey || id != tt.wantID {
			t.Errorf("%s: (%q, %q), want (%q, %q)", tt.name, key, id, tt.wantKey, tt.wantID)
		}
	}
}

// TestCompletePartFields pins that a <Part> without PartNumber or ETag
// does not decode (MalformedXML), as S3's schema requires both.
func TestCompletePartFields(t *testing.T) {
	for _, tt := range []struct {
		body string
		ok   bool
	}{
		{`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`, true},
		{`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`, false},
		{`<CompleteMultipartUpload><Part><ETag>"e"</ETag></Part></CompleteMultipartUpload>`, false},
	} {
		var v CompleteRequest
		err := DecodeXML(translate.BodyInput{Reader: strings.NewReader(tt.body), Size: int64(len(tt.body))}, 1<<20, &v, false)
		if ok := err == nil; ok != tt.ok {
			t.Errorf("%s: err %v, want ok=%v", tt.body, err, tt.ok)
		}
		if err != nil && translate.CodeOf(err) != translate.ErrMalformedXML {
			t.Errorf("%s: %v, want MalformedXML", tt.body, err)
		}
	}
}

// TestRedirectLocation pins which website redirect locations are taken.
func TestRedirectLocation(t *testing.T) {
	for _, tt := range []struct {
		v  string
		ok bool
	}{{"", true}, {"/a.html", true}, {"http://x/", true}, {"https://x/", true}, {"a.html", false}, {"ftp://x/", false}} {
		h := http.Header{}
		if tt.v != "" {
			h.Set("x-amz-website-redirect-location", tt.v)
		}
		got, err := RedirectLocation(h, "x-amz-website-redirect-location")
		if (err == nil) != tt.ok || (err == nil && got != tt.v) {
			t.Errorf("%q: %q, %v", tt.v, got, err)
		}
		if err != nil && translate.CodeOf(err) != translate.ErrInvalidRedirectLocation {
			t.Errorf("%q: %v, want InvalidRedirectLocation", tt.v, err)
		}
	}
}
