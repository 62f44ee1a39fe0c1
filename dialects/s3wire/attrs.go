package s3wire

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// GetObjectAttributesResponse is GetObjectAttributes' document, elements in
// the order of the S3 API reference's response syntax
// (docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html),
// each present only when its attribute was asked for. aws-sdk-go-v2 reads
// it in awsRestxml_deserializeOpDocumentGetObjectAttributesOutput
// (service/s3 deserializers.go). ETag is unquoted here, unlike every other
// S3 document and header.
type GetObjectAttributesResponse struct {
	XMLName      xml.Name            `xml:"GetObjectAttributesResponse"`
	Xmlns        string              `xml:"xmlns,attr"`
	ETag         string              `xml:",omitempty"`
	Checksum     *AttributesChecksum `xml:",omitempty"`
	ObjectParts  *AttributesParts    `xml:",omitempty"`
	StorageClass string              `xml:",omitempty"`
	ObjectSize   *int64              `xml:",omitempty"`
}

// AttributesChecksum is the Checksum element: the object's checksums and
// their type.
type AttributesChecksum struct {
	ChecksumFields
	ChecksumType string `xml:",omitempty"`
}

// AttributesParts is the ObjectParts element (GetObjectAttributesParts).
// For an object whose parts carry no checksum S3 sends only PartsCount;
// the paging elements come with a part listing.
type AttributesParts struct {
	IsTruncated          *bool            `xml:",omitempty"`
	MaxParts             *int             `xml:",omitempty"`
	NextPartNumberMarker *int             `xml:",omitempty"`
	PartNumberMarker     *int             `xml:",omitempty"`
	Parts                []AttributesPart `xml:"Part"`
	PartsCount           int
}

// AttributesPart is one Part element (ObjectPart): its checksums, number
// and size.
type AttributesPart struct {
	ChecksumFields
	PartNumber int
	Size       int64
}

// objectAttributes are the names x-amz-object-attributes may list.
var objectAttributes = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

// errAttributeName is S3's answer to an empty or unknown
// x-amz-object-attributes (the text is AWS's, as Scality's conformance
// suite asserts it: tests/functional/aws-node-sdk/test/object/objectGetAttributes.js).
func errAttributeName(name string) error {
	return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "x-amz-object-attributes", ArgValue: name,
		Message: "Invalid attribute name specified."}
}

// AttributesRequest decodes GetObjectAttributes' headers under the
// profile's prefix: the attributes asked for (object-attributes, a comma
// list, repeatable), max-parts and part-number-marker.
func (h *Handlers) AttributesRequest(r *dialects.Request) (translate.AttributesRequest, map[string]bool, error) {
	req := translate.AttributesRequest{Bucket: r.Bucket, Key: r.Key}
	want := map[string]bool{}
	for _, v := range r.HTTP.Header.Values(h.Prefix + "object-attributes") {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if !objectAttributes[a] {
				return req, nil, errAttributeName(a)
			}
			want[a] = true
		}
	}
	if len(want) == 0 {
		return req, nil, errAttributeName("")
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"max-parts", &req.MaxParts}, {"part-number-marker", &req.PartNumberMarker}} {
		v := r.HTTP.Header.Get(h.Prefix + p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return req, nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: h.Prefix + p.name, ArgValue: v,
				Message: "Provided " + p.name + " not an integer or within integer range"}
		}
		*p.dst = n
	}
	return req, want, nil
}

// GetObjectAttributes answers with the attributes asked for, and
// Last-Modified.
func (h *Handlers) GetObjectAttributes(w http.ResponseWriter, r *dialects.Request) error {
	req, want, err := h.AttributesRequest(r)
	if err != nil {
		return err
	}
	at, err := h.Engine.GetObjectAttributes(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	w.Header().Set("Last-Modified", at.Info.LastModified.UTC().Format(http.TimeFormat))
	return WriteXML(w, http.StatusOK, h.AttributesDocument(at, req, want))
}

// AttributesDocument is the document for at, with the attributes in want.
// A composite checksum is given without its "-N" suffix, as S3 does here
// (the S3 User Guide's "Checking object integrity" example lists the
// multipart object's ChecksumSHA256 bare); the part count is in
// ObjectParts.
func (h *Handlers) AttributesDocument(at translate.ObjectAttributes, req translate.AttributesRequest, want map[string]bool) GetObjectAttributesResponse {
	doc := GetObjectAttributesResponse{Xmlns: h.Xmlns}
	info := at.Info
	if want["ETag"] {
		doc.ETag = info.ETag
	}
	if sums := h.Checksums(info.Checksum); want["Checksum"] && len(sums) > 0 {
		for a, v := range sums {
			if i := strings.LastIndexByte(v, '-'); i > 0 {
				sums[a] = v[:i]
			}
		}
		doc.Checksum = &AttributesChecksum{ChecksumFields: ChecksumXML(sums), ChecksumType: string(info.ChecksumType)}
	}
	if want["ObjectParts"] && at.Multipart {
		op := &AttributesParts{PartsCount: at.PartsCount}
		if at.PartsListed {
			marker, next, max, trunc := req.PartNumberMarker, at.NextPartNumberMarker, at.MaxParts, at.Truncated
			op.PartNumberMarker, op.MaxParts, op.IsTruncated = &marker, &max, &trunc
			if len(at.Parts) > 0 {
				op.NextPartNumberMarker = &next
			}
			for _, p := range at.Parts {
				op.Parts = append(op.Parts, AttributesPart{ChecksumFields: ChecksumXML(h.Checksums(p.Checksum)), PartNumber: p.Number, Size: p.Size})
			}
		}
		doc.ObjectParts = op
	}
	if want["StorageClass"] {
		doc.StorageClass = h.ListedStorageClass(info.Metadata)
	}
	if want["ObjectSize"] {
		size := info.Size
		doc.ObjectSize = &size
	}
	return doc
}

// writePartChecksums sets the checksum headers of part n of an object on a
// GET or HEAD by part number with checksum mode, as S3 returns them: the
// part's own checksum for a multipart object that keeps one, the whole
// object's for part 1 of a single-part object, none otherwise.
func (h *Handlers) writePartChecksums(hd http.Header, info translate.ObjectInfo, n int) {
	switch {
	case len(info.PartSizes) == 0 && !strings.Contains(info.ETag, "-") && n == 1:
		h.WriteChecksumHeaders(hd, info.Checksum)
		if len(h.Checksums(info.Checksum)) > 0 && info.ChecksumType != "" {
			hd.Set(h.Prefix+"checksum-type", string(info.ChecksumType))
		}
	case n <= len(info.PartChecksums):
		h.WriteChecksumHeaders(hd, info.PartChecksums[n-1])
	}
}
