package obs

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// wireError is how OBS spells one neutral error code.
type wireError struct {
	Code    string
	Status  int
	Message string
}

// errorTable maps every neutral code to OBS's wire code, status and default
// message. OBS codes follow S3's naming (protocols.md §3.7); where OBS's
// documentation says otherwise it wins:
//
//   - an unknown access key or a bad signature is 403 AccessDenied
//     ("If an AK or signature is invalid, OBS returns status code 403
//     Forbidden and error code AccessDenied", obs_04_0099, the seed page);
//   - part numbers out of 1–10000 and parts over 5 GB are 400 (ibid.);
//   - S3-only codes (x-amz-content-sha256, aws-chunked trailers) fall back
//     to OBS's generic 400 codes.
//
// TestErrorTableComplete proves it complete.
var errorTable = map[translate.Code]wireError{
	translate.ErrInternal:                     {"InternalError", 500, "We encountered an internal error. Please try again."},
	translate.ErrNotImplemented:               {"NotImplemented", 501, "A header you provided implies functionality that is not implemented."},
	translate.ErrAccessDenied:                 {"AccessDenied", 403, "Access Denied"},
	translate.ErrInvalidAccessKeyID:           {"AccessDenied", 403, "The access key ID you provided does not exist in our records."},
	translate.ErrSignatureDoesNotMatch:        {"AccessDenied", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	translate.ErrRequestTimeTooSkewed:         {"RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large."},
	translate.ErrExpiredPresignedRequest:      {"AccessDenied", 403, "Request has expired"},
	translate.ErrMissingSecurityHeader:        {"MissingSecurityHeader", 400, "Your request is missing a required header."},
	translate.ErrAuthorizationHeaderMalformed: {"InvalidArgument", 400, "The authorization header is malformed."},
	translate.ErrAuthorizationQueryMalformed:  {"InvalidArgument", 400, "The query-string authentication parameters are malformed."},
	translate.ErrInvalidArgument:              {"InvalidArgument", 400, "Invalid Argument"},
	translate.ErrInvalidRequest:               {"InvalidRequest", 400, "Invalid Request"},
	translate.ErrInvalidBucketName:            {"InvalidBucketName", 400, "The specified bucket is not valid."},
	translate.ErrInvalidKey:                   {"InvalidArgument", 400, "The specified key is not valid."},
	translate.ErrNoSuchBucket:                 {"NoSuchBucket", 404, "The specified bucket does not exist"},
	translate.ErrBucketAlreadyExists:          {"BucketAlreadyExists", 409, "The requested bucket name is not available."},
	translate.ErrBucketAlreadyOwnedByYou:      {"BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it."},
	translate.ErrBucketNotEmpty:               {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty"},
	translate.ErrNoSuchKey:                    {"NoSuchKey", 404, "The resource you requested does not exist"},
	translate.ErrNoSuchUpload:                 {"NoSuchUpload", 404, "The specified multipart upload does not exist."},
	translate.ErrInvalidPart:                  {"InvalidPart", 400, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag."},
	translate.ErrInvalidPartOrder:             {"InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
	translate.ErrEntityTooSmall:               {"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."},
	translate.ErrEntityTooLarge:               {"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."},
	translate.ErrInvalidDigest:                {"InvalidDigest", 400, "The Content-MD5 you specified is not valid."},
	translate.ErrBadDigest:                    {"BadDigest", 400, "The Content-MD5 you specified did not match what we received."},
	translate.ErrContentSHA256Mismatch:        {"BadDigest", 400, "The content digest you specified did not match what we received."},
	translate.ErrChecksumMismatch:             {"BadDigest", 400, "The checksum you specified did not match the calculated checksum."},
	translate.ErrIncompleteBody:               {"IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	translate.ErrMissingContentLength:         {"MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
	translate.ErrMalformedXML:                 {"MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."},
	translate.ErrInvalidRange:                 {"InvalidRange", 416, "The requested range cannot be obtained."},
	translate.ErrPreconditionFailed:           {"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"},
	translate.ErrNotModified:                  {"NotModified", 304, "Not Modified"},
	translate.ErrMethodNotAllowed:             {"MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
	translate.ErrServiceUnavailable:           {"ServiceUnavailable", 503, "The server is overloaded or has an internal error."},
	translate.ErrSlowDown:                     {"SlowDown", 503, "Please reduce your request rate."},
	translate.ErrRequestTimeout:               {"RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period."},
	translate.ErrInvalidObjectState:           {"InvalidObjectState", 403, "The operation is not valid for the current state of the object."},
	translate.ErrKeyTooLong:                   {"KeyTooLongError", 400, "Your key is too long."},
	translate.ErrMetadataTooLarge:             {"MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."},
	translate.ErrInvalidStorageClass:          {"InvalidStorageClass", 400, "The storage class you specified is not valid."},
	translate.ErrMalformedTrailer:             {"InvalidRequest", 400, "The request body framing is not valid."},
	translate.ErrInvalidEncryptionAlgorithm:   {"InvalidEncryptionAlgorithmError", 400, "The encryption request you specified is not valid."},
	translate.ErrInvalidCopySource:            {"InvalidArgument", 400, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey."},
	translate.ErrTooManyParts:                 {"InvalidArgument", 400, "Part number must be an integer between 1 and 10000, inclusive."},
	// A full disk: OBS's own answer when a bucket's quota is reached, "403
	// Forbidden ... InsufficientStorageSpace" (obs_04_0052). A 4xx is not
	// retried by the OBS SDK (canNotRetry), which resends a 5xx.
	translate.ErrInsufficientStorage: {"InsufficientStorageSpace", 403, "Insufficient storage space: the gateway's storage is full. Delete objects or add capacity, then retry."},
	// OBS documents no conditional writes; these are S3's answers, for
	// OBS clients that sign the AWS way.
	translate.ErrObjectExists:               {"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"},
	translate.ErrConditionalRequestConflict: {"ConditionalRequestConflict", 409, "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part."},
	// OBS documents no InvalidPartNumber; a part past the last is its InvalidRange.
	translate.ErrInvalidPartNumber:       {"InvalidRange", 416, "The requested range cannot be obtained."},
	translate.ErrInvalidRedirectLocation: {"InvalidRedirectLocation", 400, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'."},
	translate.ErrInvalidChunkSize:        {"InvalidChunkSizeError", 403, "Only the last chunk is allowed to have a size less than 8192 bytes"},
	// Bucket policies, CORS and POST uploads (OBS error codes, obs_04_0115).
	translate.ErrMalformedPolicy:         {"MalformedPolicy", 400, "Policy has invalid resource."},
	translate.ErrNoSuchBucketPolicy:      {"NoSuchBucketPolicy", 404, "The bucket policy does not exist."},
	translate.ErrNoSuchCORSConfiguration: {"NoSuchCORSConfiguration", 404, "The CORS configuration does not exist."},
	translate.ErrCORSForbidden:           {"AccessForbidden", 403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."},
	translate.ErrInvalidPolicyDocument:   {"InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the policy document."},
	translate.ErrMalformedPOSTRequest:    {"MalformedPOSTRequest", 400, "The body of the POST request is not in the multipart/form-data format."},
}

// errorForm is OBS's error encoding (obs_04_0115): its table, a handler's
// own message passed through except for InternalError, and the code and
// message also in x-obs-error-code and x-obs-error-message, which the SDK
// reads for body-less responses after stripping the x-obs- prefix
// (obs/convert.go ParseResponseToObsError, const.go HEADER_ERROR_CODE
// "error-code", HEADER_ERROR_MESSAGE "error-message").
var errorForm = &s3wire.ErrorForm{
	Lookup:        s3wire.TableLookup(errorTable),
	KeepMessage:   func(c translate.Code) bool { return c != translate.ErrInternal },
	CodeHeader:    "x-obs-error-code",
	MessageHeader: "x-obs-error-message",
}

// EncodeError writes err as OBS does: the status, the x-obs-error-*
// headers, and for anything but HEAD (and 304) an <Error> body with Code,
// Message, Resource, RequestId, HostId and the S3-style details the SDK
// ignores. Signature details (the string to sign) are never sent.
func (d *Dialect) EncodeError(w http.ResponseWriter, r *dialects.Request, err error) {
	errorForm.Encode(w, r, err)
}
