package oss

import "encoding/xml"

// OSS XML documents carry no namespace; the legacy SDK unmarshals with
// XMLName root checks, so the root names are mandatory (protocols.md §2.9).
// Timestamps are s3wire.Time's (RFC 3339 with milliseconds).

type owner struct {
	ID          string
	DisplayName string
}

type bucketEntry struct {
	Name             string
	CreationDate     string
	Location         string
	Region           string
	ExtranetEndpoint string
	IntranetEndpoint string
	StorageClass     string
}

type listAllMyBucketsResult struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	Owner   owner
	Buckets []bucketEntry `xml:"Buckets>Bucket"`
}

// bucketInfoResult is GetBucketInfo's document: a ListBuckets entry's
// elements (encoding/xml writes an embedded struct's fields in place),
// then the owner and the ACL.
type bucketInfoResult struct {
	XMLName xml.Name `xml:"BucketInfo"`
	Bucket  struct {
		bucketEntry
		Owner             owner
		AccessControlList struct {
			Grant string
		}
	}
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Value   string   `xml:",chardata"`
}

type objectEntry struct {
	Key          string
	LastModified string
	ETag         string
	Type         string
	Size         int64
	StorageClass string
	Owner        *owner `xml:",omitempty"`
}

type commonPrefix struct {
	Prefix string
}

type listBucketResult struct {
	XMLName        xml.Name `xml:"ListBucketResult"`
	Name           string
	Prefix         string
	Marker         *string `xml:",omitempty"`
	StartAfter     *string `xml:",omitempty"`
	ContToken      *string `xml:"ContinuationToken,omitempty"`
	MaxKeys        int
	Delimiter      string
	IsTruncated    bool
	NextMarker     string `xml:",omitempty"`
	NextContToken  string `xml:"NextContinuationToken,omitempty"`
	KeyCount       *int   `xml:",omitempty"`
	EncodingType   string `xml:",omitempty"`
	Contents       []objectEntry
	CommonPrefixes []commonPrefix
}

type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int
		ETag       string
	} `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Location string
	Bucket   string
	Key      string
	ETag     string
}

type partEntry struct {
	PartNumber    int
	LastModified  string
	ETag          string
	Size          int64
	HashCrc64ecma string `xml:",omitempty"`
}

type listPartsResult struct {
	XMLName              xml.Name `xml:"ListPartsResult"`
	Bucket               string
	Key                  string
	UploadID             string `xml:"UploadId"`
	StorageClass         string
	PartNumberMarker     int
	NextPartNumberMarker int
	MaxParts             int
	IsTruncated          bool
	Parts                []partEntry `xml:"Part"`
}

type uploadEntry struct {
	Key          string
	UploadID     string `xml:"UploadId"`
	StorageClass string
	Initiated    string
}

type listUploadsResult struct {
	XMLName            xml.Name `xml:"ListMultipartUploadsResult"`
	Bucket             string
	KeyMarker          string
	UploadIDMarker     string `xml:"UploadIdMarker"`
	NextKeyMarker      string
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
	Delimiter          string
	Prefix             string
	MaxUploads         int
	IsTruncated        bool
	EncodingType       string         `xml:",omitempty"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:",omitempty"`
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	LastModified string
	ETag         string
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	LastModified string
	ETag         string
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool
	Objects []struct {
		Key string
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName      xml.Name `xml:"DeleteResult"`
	EncodingType string   `xml:",omitempty"`
	Deleted      []struct {
		Key string
	} `xml:"Deleted"`
}
