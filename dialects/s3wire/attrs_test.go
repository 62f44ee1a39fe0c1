package s3wire

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n got %s\nwant %s", name, got, want)
	}
}

var s3Profile = Profile{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", Prefix: "x-amz-",
	ChecksumAlgorithms: []translate.ChecksumAlgorithm{translate.CRC32, translate.CRC32C, translate.CRC64NVME, translate.SHA1, translate.SHA256},
	Wire:               s3Spellings}

// s3Spellings are the storage classes these tests use, as S3 spells them
// (the S3 dialect's whole table is s3.Spellings, which imports this
// package).
var s3Spellings = &translate.Wire{Name: "s3", StorageClasses: []translate.Spelling{
	{Neutral: "STANDARD", Wire: "STANDARD"}, {Neutral: "STANDARD_IA", Wire: "STANDARD_IA"}}}

// TestAttributesDocument pins GetObjectAttributes' document (the element
// names and order the S3 API reference gives and aws-sdk-go-v2's
// deserializer reads) for single and multipart objects.
func TestAttributesDocument(t *testing.T) {
	all := map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}
	single := translate.ObjectInfo{Key: "k", Size: 11, ETag: "5eb63bbbe01eeed093cb22bb8f5acdc3",
		Checksum:     translate.Checksums{translate.CRC32: "DUoRhQ==", translate.CRC64ECMA: "hidden-from-s3"},
		ChecksumType: translate.ChecksumFullObject}
	multi := translate.ObjectInfo{Key: "m", Size: 12, ETag: "0123456789abcdef0123456789abcdef-3",
		Checksum:      translate.Checksums{translate.SHA256: "aI8EoktCdotjU8Bq46DrPCxQCGuGcPIhJ51noWs6hvk=-3"},
		ChecksumType:  translate.ChecksumComposite,
		PartSizes:     []int64{5, 5, 2},
		PartChecksums: []translate.Checksums{{translate.SHA256: "p1"}, {translate.SHA256: "p2"}, {translate.SHA256: "p3"}},
		Metadata:      translate.Metadata{StorageClass: "STANDARD_IA"}}
	tests := []struct {
		name string
		at   translate.ObjectAttributes
		req  translate.AttributesRequest
		want map[string]bool
	}{
		{"single-all.xml", translate.ObjectAttributes{Info: single}, translate.AttributesRequest{}, all},
		{"single-etag.xml", translate.ObjectAttributes{Info: single}, translate.AttributesRequest{}, map[string]bool{"ETag": true}},
		{"multipart-page.xml", translate.ObjectAttributes{Info: multi, Multipart: true, PartsCount: 3, PartsListed: true, MaxParts: 1,
			Parts: []translate.PartInfo{{Number: 2, Size: 5, Checksum: multi.PartChecksums[1]}}, Truncated: true, NextPartNumberMarker: 2},
			translate.AttributesRequest{MaxParts: 1, PartNumberMarker: 1}, all},
		{"multipart-last-page.xml", translate.ObjectAttributes{Info: multi, Multipart: true, PartsCount: 3, PartsListed: true, MaxParts: 1000},
			translate.AttributesRequest{PartNumberMarker: 3}, map[string]bool{"ObjectParts": true}},
		{"multipart-unlisted.xml", translate.ObjectAttributes{Info: translate.ObjectInfo{ETag: "0123456789abcdef0123456789abcdef-2", Size: 9},
			Multipart: true, PartsCount: 2, MaxParts: 1000}, translate.AttributesRequest{}, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Handlers{Profile: s3Profile}
			out, err := xml.Marshal(h.AttributesDocument(tt.at, tt.req, tt.want))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "attributes/"+tt.name, append(out, '\n'))
		})
	}
}

// TestAttributesRequest checks the request headers: the attribute list
// (comma-separated, repeatable) and the paging integers, and the errors S3
// answers for each.
func TestAttributesRequest(t *testing.T) {
	tests := []struct {
		headers  map[string][]string
		want     []string
		max, mrk int
		errArg   string
	}{
		{map[string][]string{"X-Amz-Object-Attributes": {"ETag,ObjectSize"}}, []string{"ETag", "ObjectSize"}, 0, 0, ""},
		{map[string][]string{"X-Amz-Object-Attributes": {"ETag", "Checksum, ObjectParts"}, "X-Amz-Max-Parts": {"2"},
			"X-Amz-Part-Number-Marker": {"7"}}, []string{"ETag", "Checksum", "ObjectParts"}, 2, 7, ""},
		{map[string][]string{}, nil, 0, 0, "x-amz-object-attributes"},
		{map[string][]string{"X-Amz-Object-Attributes": {"etag"}}, nil, 0, 0, "x-amz-object-attributes"},
		{map[string][]string{"X-Amz-Object-Attributes": {"ETag,,Size"}}, nil, 0, 0, "x-amz-object-attributes"},
		{map[string][]string{"X-Amz-Object-Attributes": {"ETag"}, "X-Amz-Max-Parts": {"x"}}, nil, 0, 0, "x-amz-max-parts"},
		{map[string][]string{"X-Amz-Object-Attributes": {"ETag"}, "X-Amz-Part-Number-Marker": {"-1"}}, nil, 0, 0, "x-amz-part-number-marker"},
	}
	h := &Handlers{Profile: s3Profile}
	for i, tt := range tests {
		hr := httptest.NewRequest("GET", "/b/k?attributes", nil)
		hr.Header = http.Header(tt.headers)
		req, want, err := h.AttributesRequest(&dialects.Request{HTTP: hr, Bucket: "b", Key: "k", Query: url.Values{"attributes": {""}}})
		if tt.errArg != "" {
			te := translate.AsError(err)
			if err == nil || te.Code != translate.ErrInvalidArgument || te.ArgName != tt.errArg {
				t.Errorf("%d: err %v, want InvalidArgument on %s", i, err, tt.errArg)
			}
			continue
		}
		if err != nil || len(want) != len(tt.want) || req.MaxParts != tt.max || req.PartNumberMarker != tt.mrk {
			t.Errorf("%d: %+v %v %v", i, req, want, err)
		}
		for _, a := range tt.want {
			if !want[a] {
				t.Errorf("%d: %s not asked for", i, a)
			}
		}
	}
	// An empty list is S3's "Invalid attribute name specified." (Scality's
	// conformance suite asserts the text against AWS).
	hr := httptest.NewRequest("GET", "/b/k?attributes", nil)
	_, _, err := h.AttributesRequest(&dialects.Request{HTTP: hr})
	if te := translate.AsError(err); te.Message != "Invalid attribute name specified." {
		t.Errorf("message %q", te.Message)
	}
}

// TestPartChecksumHeaders checks GET/HEAD by part number with checksum
// mode: the part's checksum, or the whole object's for part 1 of a
// single-part object.
func TestPartChecksumHeaders(t *testing.T) {
	h := &Handlers{Profile: s3Profile}
	multi := translate.ObjectInfo{ETag: "e-2", PartSizes: []int64{5, 1}, Checksum: translate.Checksums{translate.CRC32: "whole-2"},
		ChecksumType: translate.ChecksumComposite, PartChecksums: []translate.Checksums{{translate.CRC32: "AAAAAA=="}, {translate.CRC32: "BBBBBB=="}}}
	single := translate.ObjectInfo{ETag: "e", Checksum: translate.Checksums{translate.CRC32: "CCCCCC=="}, ChecksumType: translate.ChecksumFullObject,
		LastModified: time.Unix(0, 0)}
	tests := []struct {
		info     translate.ObjectInfo
		n        int
		crc, typ string
	}{
		{multi, 2, "BBBBBB==", ""},
		{multi, 3, "", ""},
		{single, 1, "CCCCCC==", "FULL_OBJECT"},
		{translate.ObjectInfo{ETag: "e-2", PartSizes: []int64{5, 1}}, 1, "", ""},
	}
	for i, tt := range tests {
		hd := http.Header{}
		h.writePartChecksums(hd, tt.info, tt.n)
		if hd.Get("x-amz-checksum-crc32") != tt.crc || hd.Get("x-amz-checksum-type") != tt.typ {
			t.Errorf("%d: headers %v", i, hd)
		}
	}
}
