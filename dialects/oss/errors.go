package oss

import (
	"encoding/base64"
	"encoding/xml"
	"maps"
	"net/http"
	"sort"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// ecKey is the translate.Error Extra key through which a handler gives the
// precise OSS EC for one failure; it overrides the table's EC and is not
// rendered as its own element. codeKey likewise overrides the wire code
// for OSS-only codes with no neutral equivalent (MissingArgument).
const (
	ecKey   = "EC"
	codeKey = "OSSCode"
)

// wireError is how OSS spells one neutral error code: the Code element,
// HTTP status, default message and, where OSS documents one for the usual
// cause, the EC (empty: no EC is sent).
type wireError struct {
	Code    string
	Status  int
	Message string
	EC      string
}

// errorTable maps every neutral code to OSS's wire form. TestOSSErrorTableComplete
// proves it complete. Codes and statuses follow protocols.md §2.10; ECs are
// the ones OSS's troubleshooting pages give (0003-00000001 AccessDenied for
// a permission failure on a bucket, set in wire,
// 0002-00000504 header-signature skew, 0031-00000001 MalformedXML,
// 0042-00000209 part order, 0042-00000213 part too small, 0017-00001001
// failed precondition). OSS answers a Content-MD5 or CRC-64 mismatch with
// InvalidDigest (UploadPart reference: "InvalidDigest 400 ... inconsistent
// with the MD5 hash calculated by OSS"), so BadDigest and ChecksumMismatch
// map there.
var errorTable = map[translate.Code]wireError{
	translate.ErrInternal:                     {"InternalError", 500, "We encountered an internal error. Please try again.", ""},
	translate.ErrNotImplemented:               {"NotImplemented", 501, "A header or query you provided requested a function that is not implemented.", ""},
	translate.ErrAccessDenied:                 {"AccessDenied", 403, "You have no right to access this object.", ""},
	translate.ErrInvalidAccessKeyID:           {"InvalidAccessKeyId", 403, "The OSS Access Key Id you provided does not exist in our records.", ""},
	translate.ErrSignatureDoesNotMatch:        {"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.", ""},
	translate.ErrRequestTimeTooSkewed:         {"RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.", "0002-00000504"},
	translate.ErrExpiredPresignedRequest:      {"AccessDenied", 403, "Request has expired.", ""},
	translate.ErrMissingSecurityHeader:        {"AccessDenied", 403, "AccessDenied: the request is not signed.", ""},
	translate.ErrAuthorizationHeaderMalformed: {"InvalidArgument", 400, "Authorization header is invalid.", ""},
	translate.ErrAuthorizationQueryMalformed:  {"InvalidArgument", 400, "The signature query parameters are invalid.", ""},
	translate.ErrInvalidArgument:              {"InvalidArgument", 400, "Invalid Argument.", ""},
	translate.ErrInvalidRequest:               {"InvalidRequest", 400, "Invalid Request.", ""},
	translate.ErrInvalidBucketName:            {"InvalidBucketName", 400, "The specified bucket is not valid.", ""},
	translate.ErrInvalidKey:                   {"InvalidObjectName", 400, "The specified object is not valid.", ""},
	translate.ErrNoSuchBucket:                 {"NoSuchBucket", 404, "The specified bucket does not exist.", ""},
	translate.ErrBucketAlreadyExists:          {"BucketAlreadyExists", 409, "The requested bucket name is not available.", ""},
	translate.ErrBucketAlreadyOwnedByYou:      {"BucketAlreadyExists", 409, "The requested bucket name is not available.", ""},
	translate.ErrBucketNotEmpty:               {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty.", ""},
	translate.ErrNoSuchKey:                    {"NoSuchKey", 404, "The specified key does not exist.", ""},
	translate.ErrNoSuchUpload:                 {"NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", ""},
	translate.ErrInvalidPart:                  {"InvalidPart", 400, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.", ""},
	translate.ErrInvalidPartOrder:             {"InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts list must specified in order by part number.", "0042-00000209"},
	translate.ErrEntityTooSmall:               {"EntityTooSmall", 400, "Your proposed upload smaller than the minimum allowed size.", "0042-00000213"},
	translate.ErrEntityTooLarge:               {"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size.", ""},
	translate.ErrInvalidDigest:                {"InvalidDigest", 400, "The Content-MD5 you specified is not valid.", ""},
	translate.ErrBadDigest:                    {"InvalidDigest", 400, "The Content-MD5 you specified is not valid.", ""},
	translate.ErrContentSHA256Mismatch:        {"InvalidDigest", 400, "The x-oss-content-sha256 you specified did not match what we received.", ""},
	translate.ErrChecksumMismatch:             {"InvalidDigest", 400, "The CRC64 you specified did not match what we received.", ""},
	translate.ErrIncompleteBody:               {"IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.", ""},
	translate.ErrMissingContentLength:         {"MissingContentLength", 411, "You must provide the Content-Length HTTP header.", ""},
	translate.ErrMalformedXML:                 {"MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema.", "0031-00000001"},
	translate.ErrInvalidRange:                 {"InvalidRange", 416, "The requested range cannot be satisfied.", ""},
	translate.ErrPreconditionFailed:           {"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold.", "0017-00001001"},
	translate.ErrNotModified:                  {"NotModified", 304, "Not Modified.", ""},
	translate.ErrMethodNotAllowed:             {"MethodNotAllowed", 405, "The specified method is not allowed against this resource.", ""},
	translate.ErrServiceUnavailable:           {"ServiceUnavailable", 503, "Service is unable to handle request.", ""},
	translate.ErrSlowDown:                     {"ServiceUnavailable", 503, "Please reduce your request rate.", ""},
	translate.ErrRequestTimeout:               {"RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period.", ""},
	translate.ErrInvalidObjectState:           {"InvalidObjectState", 403, "The operation is not valid for the object's state.", ""},
	translate.ErrKeyTooLong:                   {"InvalidObjectName", 400, "The specified object is not valid.", ""},
	translate.ErrMetadataTooLarge:             {"InvalidArgument", 400, "Your metadata headers exceed the maximum allowed metadata size.", ""},
	translate.ErrInvalidStorageClass:          {"InvalidArgument", 400, "The storage class you specified is not valid.", ""},
	translate.ErrMalformedTrailer:             {"InvalidArgument", 400, "The request trailer is not valid.", ""},
	translate.ErrInvalidEncryptionAlgorithm:   {"InvalidEncryptionAlgorithmError", 400, "The encryption request you specified is not valid.", ""},
	translate.ErrInvalidCopySource:            {"InvalidArgument", 400, "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.", ""},
	translate.ErrTooManyParts:                 {"InvalidArgument", 400, "Part number must be an integer between 1 and 10000, inclusive.", ""},
	// A full disk. OSS documents no such error (its buckets have no
	// capacity limit), so the code and the EC, in OSS's NNNN-NNNNNNNN
	// form, are babelgate's own; the status is a 4xx because
	// alibabacloud-oss-go-sdk-v2 retries every 5xx (HTTPStatusCodeRetryable).
	translate.ErrInsufficientStorage: {"InsufficientStorage", 403, "The gateway's storage is full: there is not enough free space to store the data. Delete objects or add capacity, then retry.", "0000-00000507"},
	// x-oss-forbid-overwrite: true found an object (EC 0026-00000201 for
	// PutObject and CopyObject; Complete sets 0042-00000214 itself).
	translate.ErrObjectExists: {"FileAlreadyExists", 409, "The object you specified already exists and can not be overwritten.", "0026-00000201"},
	// OSS documents no such error; babelgate's own, for a conditional
	// write that lost to a concurrent operation on an S3 store.
	translate.ErrConditionalRequestConflict: {"ConditionalRequestConflict", 409, "A conflicting operation occurred. Retry the request.", ""},
	// OSS reads no object by part number; the form is its InvalidRange.
	translate.ErrInvalidPartNumber:       {"InvalidRange", 416, "The requested range cannot be satisfied.", ""},
	translate.ErrInvalidRedirectLocation: {"InvalidArgument", 400, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.", ""},
	translate.ErrInvalidChunkSize:        {"InvalidArgument", 400, "Only the last chunk is allowed to have a size less than 8192 bytes", ""},
	// Bucket policies (PutBucketPolicy: InvalidPolicyDocument), CORS
	// (GetBucketCors: NoSuchCORSConfiguration; a refused preflight:
	// AccessForbidden) and PostObject.
	translate.ErrMalformedPolicy:         {"InvalidPolicyDocument", 400, "Invalid policy document.", ""},
	translate.ErrNoSuchBucketPolicy:      {"NoSuchBucketPolicy", 404, "The bucket policy does not exist.", ""},
	translate.ErrNoSuchCORSConfiguration: {"NoSuchCORSConfiguration", 404, "The CORS Configuration does not exist.", ""},
	translate.ErrCORSForbidden:           {"AccessForbidden", 403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", ""},
	translate.ErrInvalidPolicyDocument:   {"InvalidPolicyDocument", 400, "Invalid Policy: Invalid JSON.", ""},
	translate.ErrMalformedPOSTRequest:    {"MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data.", ""},
}

// errorBody is OSS's <Error> document (no namespace; the legacy SDK
// checks only the root name).
type errorBody struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string
	Message      string
	RequestID    string `xml:"RequestId"`
	HostID       string `xml:"HostId"`
	Bucket       string `xml:"BucketName,omitempty"`
	Key          string `xml:"Key,omitempty"`
	UploadID     string `xml:"UploadId,omitempty"`
	ArgName      string `xml:"ArgumentName,omitempty"`
	ArgValue     string `xml:"ArgumentValue,omitempty"`
	Extra        []extraElem
	EC           string `xml:"EC,omitempty"`
	RecommendDoc string `xml:"RecommendDoc,omitempty"`
}

type extraElem struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// wire returns OSS's form of a neutral error, with per-error overrides
// (EC, code) applied.
func wire(err error) (wireError, *translate.Error) {
	te := translate.AsError(err)
	w, ok := errorTable[te.Code]
	if !ok {
		w = errorTable[translate.ErrInternal]
	}
	if te.Message != "" && te.Code != translate.ErrInternal {
		w.Message = te.Message
	}
	if te.Code == translate.ErrInvalidArgument && te.ArgName == "partNumber" {
		w.EC = "0017-00000220" // "Part number must be an integer between 1 and 10000"
	}
	if te.Code == translate.ErrAccessDenied && te.Bucket != "" {
		w.EC = "0003-00000001" // the caller lacks permission on the bucket
	}
	if v := te.Extra[ecKey]; v != "" {
		w.EC = v
	}
	if te.Code == translate.ErrObjectExists && te.Extra["Condition"] != "" {
		// OSS's FileAlreadyExists names no condition, unlike S3's 412.
		c := *te
		c.Extra = maps.Clone(te.Extra)
		delete(c.Extra, "Condition")
		te = &c
	}
	if v := te.Extra[codeKey]; v != "" {
		w.Code = v
	}
	return w, te
}

// errorXML renders the <Error> document of err for request r.
func errorXML(r *dialects.Request, we wireError, te *translate.Error) ([]byte, error) {
	body := errorBody{Code: we.Code, Message: we.Message, RequestID: r.ID, HostID: r.HTTP.Host,
		Bucket: te.Bucket, Key: te.Key, UploadID: te.UploadID, ArgName: te.ArgName, ArgValue: te.ArgValue, EC: we.EC}
	if we.EC != "" {
		body.RecommendDoc = "https://api.aliyun.com/troubleshoot?q=" + we.EC
	}
	switch te.Code {
	case translate.ErrNoSuchBucket, translate.ErrBucketNotEmpty, translate.ErrBucketAlreadyOwnedByYou, translate.ErrBucketAlreadyExists:
		body.Key = ""
	default:
		body.Bucket = ""
	}
	names := make([]string, 0, len(te.Extra))
	for k := range te.Extra {
		if k != ecKey && k != codeKey {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		body.Extra = append(body.Extra, extraElem{XMLName: xml.Name{Local: k}, Value: te.Extra[k]})
	}
	out, err := xml.Marshal(body)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// EncodeError writes err as OSS does: the status, x-oss-ec, and an <Error>
// body; for HEAD (and 304) there is no body and the document travels
// base64-encoded in x-oss-err, which both SDKs decode.
func (d *Dialect) EncodeError(w http.ResponseWriter, r *dialects.Request, err error) {
	we, te := wire(err)
	h := w.Header()
	for _, k := range []string{"ETag", "Last-Modified", "Content-Length", "Content-Range", "Accept-Ranges", "x-oss-hash-crc64ecma"} {
		h.Del(k)
	}
	if we.EC != "" {
		h.Set("x-oss-ec", we.EC)
	}
	doc, xerr := errorXML(r, we, te)
	if xerr != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if we.Status == http.StatusNotModified || r.HTTP.Method == http.MethodHead {
		if we.Status != http.StatusNotModified {
			h.Set("x-oss-err", base64.StdEncoding.EncodeToString(doc))
		}
		w.WriteHeader(we.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(we.Status)
	w.Write(doc)
}
