package s3

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// wireError is how S3 spells one neutral error code.
type wireError struct {
	Code    string
	Status  int
	Message string
}

// errorTable maps every neutral code to S3's wire code, status and default
// message. The messages are the descriptions of the S3 API reference's
// error code list (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList),
// which end with a period ("The specified bucket does not exist."); where
// S3's own answers are known to spell a code's message otherwise
// (SignatureDoesNotMatch, RequestTimeTooSkewed, InvalidAccessKeyId, the
// expired presigned URL's "Request has expired"), the wire text is kept.
// TestErrorTable proves the table complete; testdata/errors.golden pins it.
var errorTable = map[translate.Code]wireError{
	translate.ErrInternal:                     {"InternalError", 500, "We encountered an internal error. Please try again."},
	translate.ErrNotImplemented:               {"NotImplemented", 501, "A header you provided implies functionality that is not implemented."},
	translate.ErrAccessDenied:                 {"AccessDenied", 403, "Access Denied"},
	translate.ErrInvalidAccessKeyID:           {"InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."},
	translate.ErrSignatureDoesNotMatch:        {"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	translate.ErrRequestTimeTooSkewed:         {"RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large."},
	translate.ErrExpiredPresignedRequest:      {"AccessDenied", 403, "Request has expired"},
	translate.ErrMissingSecurityHeader:        {"MissingSecurityHeader", 400, "Your request is missing a required header."},
	translate.ErrAuthorizationHeaderMalformed: {"AuthorizationHeaderMalformed", 400, "The authorization header is malformed."},
	translate.ErrAuthorizationQueryMalformed:  {"AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter."},
	translate.ErrInvalidArgument:              {"InvalidArgument", 400, "Invalid Argument"},
	translate.ErrInvalidRequest:               {"InvalidRequest", 400, "Invalid Request"},
	translate.ErrInvalidBucketName:            {"InvalidBucketName", 400, "The specified bucket is not valid."},
	translate.ErrInvalidKey:                   {"InvalidArgument", 400, "The specified key is not valid."},
	translate.ErrNoSuchBucket:                 {"NoSuchBucket", 404, "The specified bucket does not exist."},
	translate.ErrBucketAlreadyExists:          {"BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."},
	translate.ErrBucketAlreadyOwnedByYou:      {"BucketAlreadyOwnedByYou", 409, "The bucket you tried to create already exists, and you own it."},
	translate.ErrBucketNotEmpty:               {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty."},
	translate.ErrNoSuchKey:                    {"NoSuchKey", 404, "The specified key does not exist."},
	translate.ErrNoSuchUpload:                 {"NoSuchUpload", 404, "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed."},
	translate.ErrInvalidPart:                  {"InvalidPart", 400, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag."},
	translate.ErrInvalidPartOrder:             {"InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
	translate.ErrEntityTooSmall:               {"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."},
	translate.ErrEntityTooLarge:               {"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."},
	translate.ErrInvalidDigest:                {"InvalidDigest", 400, "The Content-MD5 you specified is not valid."},
	translate.ErrBadDigest:                    {"BadDigest", 400, "The Content-MD5 you specified did not match what we received."},
	translate.ErrContentSHA256Mismatch:        {"XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed."},
	translate.ErrChecksumMismatch:             {"BadDigest", 400, "The checksum you specified did not match the calculated checksum."},
	translate.ErrIncompleteBody:               {"IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	translate.ErrMissingContentLength:         {"MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
	translate.ErrMalformedXML:                 {"MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."},
	translate.ErrInvalidRange:                 {"InvalidRange", 416, "The requested range cannot be satisfied."},
	translate.ErrPreconditionFailed:           {"PreconditionFailed", 412, "At least one of the preconditions you specified did not hold."},
	translate.ErrNotModified:                  {"NotModified", 304, "Not Modified"},
	translate.ErrMethodNotAllowed:             {"MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
	translate.ErrServiceUnavailable:           {"ServiceUnavailable", 503, "Service is unable to handle request."},
	translate.ErrSlowDown:                     {"SlowDown", 503, "Please reduce your request rate."},
	translate.ErrRequestTimeout:               {"RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."},
	translate.ErrInvalidObjectState:           {"InvalidObjectState", 403, "The operation is not valid for the current state of the object."},
	translate.ErrKeyTooLong:                   {"KeyTooLongError", 400, "Your key is too long."},
	translate.ErrMetadataTooLarge:             {"MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."},
	translate.ErrInvalidStorageClass:          {"InvalidStorageClass", 400, "The storage class you specified is not valid."},
	translate.ErrMalformedTrailer:             {"MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema."},
	translate.ErrInvalidEncryptionAlgorithm:   {"InvalidEncryptionAlgorithmError", 400, "The encryption request you specified is not valid."},
	translate.ErrInvalidCopySource:            {"InvalidArgument", 400, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey."},
	translate.ErrTooManyParts:                 {"InvalidArgument", 400, "Part number must be an integer between 1 and 10000, inclusive."},
	// A full disk: WebDAV's 507, as MinIO answers (XMinioStorageFull), which
	// neither aws-sdk-go-v2 (retryable statuses 500, 502, 503, 504) nor
	// botocore retries, so no SDK resends the body in a loop.
	translate.ErrInsufficientStorage: {"InsufficientStorage", 507, "The gateway's storage is full: there is not enough free space to store the data. Delete objects or add capacity, then retry."},
	// If-None-Match: * found an object: S3 answers the failed precondition.
	translate.ErrObjectExists:               {"PreconditionFailed", 412, "At least one of the preconditions you specified did not hold."},
	translate.ErrConditionalRequestConflict: {"ConditionalRequestConflict", 409, "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part."},
	translate.ErrInvalidPartNumber:          {"InvalidPartNumber", 416, "The requested partnumber is not satisfiable"},
	translate.ErrInvalidRedirectLocation:    {"InvalidRedirectLocation", 400, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'."},
	translate.ErrInvalidChunkSize:           {"InvalidChunkSizeError", 403, "Only the last chunk is allowed to have a size less than 8192 bytes"},
	// Bucket policies, CORS and POST uploads (the texts S3 answers with;
	// a handler's message naming the fault is passed through).
	translate.ErrMalformedPolicy:         {"MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"},
	translate.ErrNoSuchBucketPolicy:      {"NoSuchBucketPolicy", 404, "The bucket policy does not exist"},
	translate.ErrNoSuchCORSConfiguration: {"NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"},
	translate.ErrCORSForbidden:           {"AccessForbidden", 403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."},
	translate.ErrInvalidPolicyDocument:   {"InvalidPolicyDocument", 400, "Invalid Policy: Invalid JSON."},
	translate.ErrMalformedPOSTRequest:    {"MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data."},
}

// specificMessage are the codes whose message says something the code
// alone does not (which argument, which header, which feature); for every
// other code the client sees S3's own wording, whatever a backend said.
var specificMessage = map[translate.Code]bool{
	translate.ErrInvalidArgument: true, translate.ErrInvalidRequest: true, translate.ErrNotImplemented: true,
	translate.ErrChecksumMismatch: true, translate.ErrExpiredPresignedRequest: true, translate.ErrAuthorizationHeaderMalformed: true,
	translate.ErrAuthorizationQueryMalformed: true, translate.ErrMalformedTrailer: true, translate.ErrServiceUnavailable: true,
	translate.ErrAccessDenied: true, translate.ErrInvalidKey: true, translate.ErrIncompleteBody: true,
	translate.ErrMalformedPolicy: true, translate.ErrCORSForbidden: true, translate.ErrInvalidPolicyDocument: true,
	translate.ErrMalformedPOSTRequest: true, translate.ErrMalformedXML: true, translate.ErrEntityTooLarge: true,
	translate.ErrEntityTooSmall: true,
}

// errorForm is S3's error encoding: its table, only specific messages
// passed through, and extra details rendered as <Error> elements.
var errorForm = &s3wire.ErrorForm{
	Lookup:      s3wire.TableLookup(errorTable),
	KeepMessage: func(c translate.Code) bool { return specificMessage[c] },
	Extra:       true,
}

// EncodeError writes err as S3 does: the status, and for anything but HEAD
// (and 304) an <Error> body naming the resource and request ID.
//
// A credential scoped to another region also gets the expected region in
// x-amz-bucket-region, as S3 sends it: a HEAD has no body to carry
// <Region>, and botocore's S3RegionRedirector re-signs from that header
// (botocore/utils.py redirect_from_error, get_bucket_region).
func (d *Dialect) EncodeError(w http.ResponseWriter, r *dialects.Request, err error) {
	if region := translate.AsError(err).Extra["Region"]; region != "" {
		w.Header().Set("x-amz-bucket-region", region)
	}
	errorForm.Encode(w, r, err)
}
