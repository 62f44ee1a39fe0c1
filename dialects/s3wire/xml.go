package s3wire

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// The documents below are the ones S3 and OBS spell alike. Elements only
// one of them sends are omitempty and left empty by the other; where the
// two differ in order or root name, the difference is a field the
// dialect's [Profile] decides (see [ObjectEntry], [Owner], [Location]).
// Every response document carries its dialect's namespace in Xmlns.

// Time formats t as S3-family XML timestamps (UTC, milliseconds).
func Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Quote returns an ETag in its quoted wire form.
func Quote(etag string) string { return `"` + etag + `"` }

// Owner is an Owner or Initiator element. A nil DisplayName is left out
// (OBS, when there is no name); a non-nil one is sent even when empty.
type Owner struct {
	ID          string
	DisplayName *string `xml:",omitempty"`
}

// ListAllMyBucketsResult is ListBuckets' document.
type ListAllMyBucketsResult struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   Owner
	Buckets struct {
		Bucket []BucketEntry
	}
	// ContinuationToken continues a truncated page; Prefix echoes the
	// request's prefix (S3's paged ListBuckets).
	ContinuationToken string  `xml:",omitempty"`
	Prefix            *string `xml:",omitempty"`
}

// BucketEntry is one bucket of a ListBuckets result; Location is OBS's.
type BucketEntry struct {
	Name         string
	CreationDate string
	Location     string `xml:",omitempty"`
}

// Location is GetBucketLocation's document. Its root element is the
// dialect's (S3: LocationConstraint, OBS: Location), set in XMLName.
type Location struct {
	XMLName xml.Name
	Xmlns   string `xml:"xmlns,attr"`
	Value   string `xml:",chardata"`
}

// ObjectEntry is one object of a listing. Its element order is the
// dialect's: Owner follows StorageClass (S3) unless OwnerFirst puts it
// before (OBS).
type ObjectEntry struct {
	Key               string
	LastModified      string
	ETag              string
	Size              int64
	ChecksumAlgorithm []string
	ChecksumType      string
	StorageClass      string
	Owner             *Owner
	OwnerFirst        bool
}

// objectEntry and objectEntryOwnerFirst are ObjectEntry's two element
// orders.
type objectEntry struct {
	Key               string
	LastModified      string
	ETag              string
	Size              int64
	ChecksumAlgorithm []string `xml:",omitempty"`
	ChecksumType      string   `xml:",omitempty"`
	StorageClass      string
	Owner             *Owner `xml:",omitempty"`
}

type objectEntryOwnerFirst struct {
	Key               string
	LastModified      string
	ETag              string
	Size              int64
	ChecksumAlgorithm []string `xml:",omitempty"`
	ChecksumType      string   `xml:",omitempty"`
	Owner             *Owner   `xml:",omitempty"`
	StorageClass      string
}

// MarshalXML writes e in its dialect's element order.
func (e ObjectEntry) MarshalXML(enc *xml.Encoder, start xml.StartElement) error {
	if e.OwnerFirst {
		return enc.EncodeElement(objectEntryOwnerFirst{Key: e.Key, LastModified: e.LastModified, ETag: e.ETag, Size: e.Size,
			ChecksumAlgorithm: e.ChecksumAlgorithm, ChecksumType: e.ChecksumType, Owner: e.Owner, StorageClass: e.StorageClass}, start)
	}
	return enc.EncodeElement(objectEntry{Key: e.Key, LastModified: e.LastModified, ETag: e.ETag, Size: e.Size,
		ChecksumAlgorithm: e.ChecksumAlgorithm, ChecksumType: e.ChecksumType, StorageClass: e.StorageClass, Owner: e.Owner}, start)
}

// CommonPrefix is one CommonPrefixes element.
type CommonPrefix struct {
	Prefix string
}

// ListBucketResult is the document of ListObjects (Marker, NextMarker)
// and ListObjectsV2 (StartAfter, continuation tokens, KeyCount).
type ListBucketResult struct {
	XMLName        xml.Name `xml:"ListBucketResult"`
	Xmlns          string   `xml:"xmlns,attr"`
	Name           string
	Prefix         string
	Marker         *string `xml:",omitempty"`
	NextMarker     string  `xml:",omitempty"`
	StartAfter     string  `xml:",omitempty"`
	ContToken      *string `xml:"ContinuationToken,omitempty"`
	NextContToken  string  `xml:"NextContinuationToken,omitempty"`
	KeyCount       *int    `xml:",omitempty"`
	MaxKeys        int
	Delimiter      string `xml:",omitempty"`
	EncodingType   string `xml:",omitempty"`
	IsTruncated    bool
	Contents       []ObjectEntry
	CommonPrefixes []CommonPrefix
}

// InitiateResult is CreateMultipartUpload's document (without a namespace
// in OSS's).
type InitiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr,omitempty"`
	Bucket   string
	Key      string
	UploadID string `xml:"UploadId"`
}

// ChecksumFields are the per-algorithm elements S3 puts in part and object
// results; all empty (so absent) for a dialect that reports no checksums.
type ChecksumFields struct {
	ChecksumCRC32     string `xml:",omitempty"`
	ChecksumCRC32C    string `xml:",omitempty"`
	ChecksumCRC64NVME string `xml:",omitempty"`
	ChecksumSHA1      string `xml:",omitempty"`
	ChecksumSHA256    string `xml:",omitempty"`
	// The 2025 algorithms (aws-sdk-go-v2 service/s3 deserializers).
	ChecksumSHA512    string `xml:",omitempty"`
	ChecksumMD5       string `xml:",omitempty"`
	ChecksumXXHASH64  string `xml:",omitempty"`
	ChecksumXXHASH3   string `xml:",omitempty"`
	ChecksumXXHASH128 string `xml:",omitempty"`
}

// ChecksumXML returns the elements of c.
func ChecksumXML(c translate.Checksums) ChecksumFields {
	return ChecksumFields{ChecksumCRC32: c[translate.CRC32], ChecksumCRC32C: c[translate.CRC32C],
		ChecksumCRC64NVME: c[translate.CRC64NVME], ChecksumSHA1: c[translate.SHA1], ChecksumSHA256: c[translate.SHA256],
		ChecksumSHA512: c[translate.SHA512], ChecksumMD5: c[translate.MD5], ChecksumXXHASH64: c[translate.XXHASH64],
		ChecksumXXHASH3: c[translate.XXHASH3], ChecksumXXHASH128: c[translate.XXHASH128]}
}

// Checksums returns the non-empty elements of f.
func (f ChecksumFields) Checksums() translate.Checksums {
	out := translate.Checksums{}
	for a, v := range map[translate.ChecksumAlgorithm]string{translate.CRC32: f.ChecksumCRC32, translate.CRC32C: f.ChecksumCRC32C,
		translate.CRC64NVME: f.ChecksumCRC64NVME, translate.SHA1: f.ChecksumSHA1, translate.SHA256: f.ChecksumSHA256,
		translate.SHA512: f.ChecksumSHA512, translate.MD5: f.ChecksumMD5, translate.XXHASH64: f.ChecksumXXHASH64,
		translate.XXHASH3: f.ChecksumXXHASH3, translate.XXHASH128: f.ChecksumXXHASH128} {
		if v != "" {
			out[a] = v
		}
	}
	return out
}

// CompleteResult is CompleteMultipartUpload's document.
type CompleteResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string
	Bucket   string
	Key      string
	ETag     string
	ChecksumFields
	ChecksumType string `xml:",omitempty"`
}

// CompleteRequest is CompleteMultipartUpload's request body. A <Part>
// without its PartNumber or ETag does not validate against S3's schema:
// decoding it fails, so the request is MalformedXML, as S3 answers.
type CompleteRequest struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []CompletePart `xml:"Part"`
}

// CompletePart is one <Part> of a CompleteRequest.
type CompletePart struct {
	PartNumber int
	ETag       string
	ChecksumFields
}

// UnmarshalXML decodes a <Part>, failing when PartNumber or ETag is
// missing.
func (p *CompletePart) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var raw struct {
		PartNumber *int
		ETag       *string
		ChecksumFields
	}
	if err := d.DecodeElement(&raw, &start); err != nil {
		return err
	}
	if raw.PartNumber == nil || raw.ETag == nil {
		return errMissingPartField
	}
	*p = CompletePart{PartNumber: *raw.PartNumber, ETag: *raw.ETag, ChecksumFields: raw.ChecksumFields}
	return nil
}

var errMissingPartField = errors.New("a Part lacks its PartNumber or ETag")

// PartEntry is one part of a ListParts result.
type PartEntry struct {
	PartNumber   int
	LastModified string
	ETag         string
	Size         int64
	ChecksumFields
}

// ListPartsResult is ListParts' document.
type ListPartsResult struct {
	XMLName              xml.Name `xml:"ListPartsResult"`
	Xmlns                string   `xml:"xmlns,attr"`
	Bucket               string
	Key                  string
	UploadID             string `xml:"UploadId"`
	Initiator            Owner
	Owner                Owner
	StorageClass         string
	PartNumberMarker     int
	NextPartNumberMarker int
	MaxParts             int
	IsTruncated          bool
	Parts                []PartEntry `xml:"Part"`
	ChecksumAlgorithm    string      `xml:",omitempty"`
	ChecksumType         string      `xml:",omitempty"`
}

// UploadEntry is one upload of a ListMultipartUploads result.
type UploadEntry struct {
	Key               string
	UploadID          string `xml:"UploadId"`
	Initiator         Owner
	Owner             Owner
	StorageClass      string
	Initiated         string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

// ListUploadsResult is ListMultipartUploads' document.
type ListUploadsResult struct {
	XMLName            xml.Name `xml:"ListMultipartUploadsResult"`
	Xmlns              string   `xml:"xmlns,attr"`
	Bucket             string
	KeyMarker          string
	UploadIDMarker     string `xml:"UploadIdMarker"`
	NextKeyMarker      string
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
	Delimiter          string `xml:",omitempty"`
	Prefix             string
	EncodingType       string `xml:",omitempty"`
	MaxUploads         int
	IsTruncated        bool
	Uploads            []UploadEntry  `xml:"Upload"`
	CommonPrefixes     []CommonPrefix `xml:",omitempty"`
}

// CopyObjectResult is CopyObject's document.
type CopyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string
	ETag         string
	ChecksumFields
}

// CopyPartResult is UploadPartCopy's document.
type CopyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string
	ETag         string
	ChecksumFields
}

// DeleteRequest is DeleteObjects' request body.
type DeleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool
	Objects []struct {
		Key       string
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

// DeletedEntry is one deleted key of a DeleteObjects result.
type DeletedEntry struct {
	Key string
}

// DeleteErrorEntry is one failed key of a DeleteObjects result.
type DeleteErrorEntry struct {
	Key     string
	Code    string
	Message string
}

// DeleteResult is DeleteObjects' document.
type DeleteResult struct {
	XMLName xml.Name           `xml:"DeleteResult"`
	Xmlns   string             `xml:"xmlns,attr"`
	Deleted []DeletedEntry     `xml:"Deleted"`
	Errors  []DeleteErrorEntry `xml:"Error"`
}

// WriteXML writes v as an XML document (declaration included) with the
// status and Content-Type application/xml. A value that cannot be encoded
// is an InternalError and nothing is written.
func WriteXML(w http.ResponseWriter, status int, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "encoding XML")
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	w.Write([]byte(xml.Header))
	_, err = w.Write(out)
	return err
}

// DecodeXML reads a small XML request body through the engine's body
// checks (translate.NewBody with in's options) and decodes it into v. More
// than limit bytes (declared or read) is MalformedXML "too large"; an empty
// body is allowed only when optional, else MalformedXML, as is a document
// that does not decode.
func DecodeXML(in translate.BodyInput, limit int64, v any, optional bool) error {
	if in.Size > limit {
		return &translate.Error{Code: translate.ErrMalformedXML, Message: "The XML you provided was too large."}
	}
	body, err := translate.NewBody(in.Reader, in.Size, in.Options)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > limit {
		return &translate.Error{Code: translate.ErrMalformedXML, Message: "The XML you provided was too large."}
	}
	if len(data) == 0 {
		if optional {
			return nil
		}
		return &translate.Error{Code: translate.ErrMalformedXML, Message: "The XML you provided was not well-formed or did not validate against our published schema."}
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return &translate.Error{Code: translate.ErrMalformedXML, Err: err,
			Message: "The XML you provided was not well-formed or did not validate against our published schema."}
	}
	return nil
}
