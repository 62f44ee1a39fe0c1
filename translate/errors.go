package translate

import (
	"errors"
	"fmt"
)

// Code names one kind of failure, once, for every dialect. Each dialect maps
// every Code to its own wire code, HTTP status and body shape in one table,
// and a test in each dialect proves that table complete against [AllCodes].
//
// The list is append-only: never renumber or remove a Code.
type Code int

// The error vocabulary. Comments name the S3 wording; other dialects map to
// their own.
const (
	ErrInternal                     Code = iota + 1 // unexpected failure; never a client mistake
	ErrNotImplemented                               // operation or feature not supported
	ErrAccessDenied                                 // authenticated but not allowed
	ErrInvalidAccessKeyID                           // unknown access key
	ErrSignatureDoesNotMatch                        // bad signature
	ErrRequestTimeTooSkewed                         // clock skew over the limit
	ErrExpiredPresignedRequest                      // presigned URL past its expiry
	ErrMissingSecurityHeader                        // a required auth element is absent
	ErrAuthorizationHeaderMalformed                 // Authorization header cannot be parsed
	ErrAuthorizationQueryMalformed                  // presigned query cannot be parsed
	ErrInvalidArgument                              // a parameter is out of range or malformed
	ErrInvalidRequest                               // the request as a whole is invalid
	ErrInvalidBucketName                            // bucket name not allowed
	ErrInvalidKey                                   // object key not allowed (too long, bad UTF-8)
	ErrNoSuchBucket                                 // bucket does not exist
	ErrBucketAlreadyExists                          // bucket exists and belongs to someone else
	ErrBucketAlreadyOwnedByYou                      // bucket exists and the caller may write it
	ErrBucketNotEmpty                               // delete of a bucket that holds objects
	ErrNoSuchKey                                    // object does not exist
	ErrNoSuchUpload                                 // upload does not exist (or forged token)
	ErrInvalidPart                                  // Complete names a part that is missing or has another ETag
	ErrInvalidPartOrder                             // Complete lists parts out of ascending order
	ErrEntityTooSmall                               // a non-last part under the minimum, or too small a body
	ErrEntityTooLarge                               // a part or object over the maximum
	ErrInvalidDigest                                // Content-MD5 (or checksum header) malformed
	ErrBadDigest                                    // Content-MD5 does not match the body
	ErrContentSHA256Mismatch                        // x-amz-content-sha256 does not match the body
	ErrChecksumMismatch                             // an x-amz-checksum-* value does not match the body
	ErrIncompleteBody                               // fewer bytes than declared
	ErrMissingContentLength                         // a body without a length
	ErrMalformedXML                                 // request XML cannot be parsed or is empty
	ErrInvalidRange                                 // Range not satisfiable
	ErrPreconditionFailed                           // If-Match / If-Unmodified-Since failed
	ErrNotModified                                  // If-None-Match / If-Modified-Since: not modified (304)
	ErrMethodNotAllowed                             // method not allowed on this resource
	ErrServiceUnavailable                           // backend unavailable; retryable
	ErrSlowDown                                     // backend throttling; retryable
	ErrRequestTimeout                               // client too slow sending the body
	ErrInvalidObjectState                           // object is in a state that forbids the call
	ErrKeyTooLong                                   // object key over 1024 bytes
	ErrMetadataTooLarge                             // user metadata over the limit
	ErrInvalidStorageClass                          // unknown storage class
	ErrMalformedTrailer                             // aws-chunked framing or trailer malformed
	ErrInvalidEncryptionAlgorithm                   // bad server-side encryption value
	ErrInvalidCopySource                            // copy source header malformed
	ErrTooManyParts                                 // more parts than allowed
	ErrInsufficientStorage                          // the backend's disk or quota is full (ENOSPC, a store's 507)
	ErrObjectExists                                 // a write that must not replace an object found one (If-None-Match: *, x-oss-forbid-overwrite)
	ErrConditionalRequestConflict                   // a conditional write lost to a concurrent conflicting operation; retry
	ErrInvalidPartNumber                            // a read by part number names no part of the object
	ErrInvalidRedirectLocation                      // website redirect location not a path or http(s) URL
	ErrInvalidChunkSize                             // a signed aws-chunked chunk but the last under 8 KiB
	ErrMalformedPolicy                              // a bucket policy that does not parse or is unsupported
	ErrNoSuchBucketPolicy                           // the bucket has no policy
	ErrNoSuchCORSConfiguration                      // the bucket has no CORS rules
	ErrCORSForbidden                                // a preflight no CORS rule allows (S3 AccessForbidden)
	ErrInvalidPolicyDocument                        // a POST form's policy document is invalid
	ErrMalformedPOSTRequest                         // a POST form that is not well-formed multipart/form-data
)

// AllCodes lists every Code, in order. Dialect tests iterate it to prove
// their wire tables complete.
func AllCodes() []Code {
	codes := make([]Code, 0, int(ErrMalformedPOSTRequest))
	for c := ErrInternal; c <= ErrMalformedPOSTRequest; c++ {
		codes = append(codes, c)
	}
	return codes
}

var codeNames = map[Code]string{
	ErrInternal: "Internal", ErrNotImplemented: "NotImplemented", ErrAccessDenied: "AccessDenied",
	ErrInvalidAccessKeyID: "InvalidAccessKeyID", ErrSignatureDoesNotMatch: "SignatureDoesNotMatch",
	ErrRequestTimeTooSkewed: "RequestTimeTooSkewed", ErrExpiredPresignedRequest: "ExpiredPresignedRequest",
	ErrMissingSecurityHeader: "MissingSecurityHeader", ErrAuthorizationHeaderMalformed: "AuthorizationHeaderMalformed",
	ErrAuthorizationQueryMalformed: "AuthorizationQueryMalformed", ErrInvalidArgument: "InvalidArgument",
	ErrInvalidRequest: "InvalidRequest", ErrInvalidBucketName: "InvalidBucketName", ErrInvalidKey: "InvalidKey",
	ErrNoSuchBucket: "NoSuchBucket", ErrBucketAlreadyExists: "BucketAlreadyExists",
	ErrBucketAlreadyOwnedByYou: "BucketAlreadyOwnedByYou", ErrBucketNotEmpty: "BucketNotEmpty",
	ErrNoSuchKey: "NoSuchKey", ErrNoSuchUpload: "NoSuchUpload", ErrInvalidPart: "InvalidPart",
	ErrInvalidPartOrder: "InvalidPartOrder", ErrEntityTooSmall: "EntityTooSmall", ErrEntityTooLarge: "EntityTooLarge",
	ErrInvalidDigest: "InvalidDigest", ErrBadDigest: "BadDigest", ErrContentSHA256Mismatch: "ContentSHA256Mismatch",
	ErrChecksumMismatch: "ChecksumMismatch", ErrIncompleteBody: "IncompleteBody",
	ErrMissingContentLength: "MissingContentLength", ErrMalformedXML: "MalformedXML", ErrInvalidRange: "InvalidRange",
	ErrPreconditionFailed: "PreconditionFailed", ErrNotModified: "NotModified", ErrMethodNotAllowed: "MethodNotAllowed",
	ErrServiceUnavailable: "ServiceUnavailable", ErrSlowDown: "SlowDown", ErrRequestTimeout: "RequestTimeout",
	ErrInvalidObjectState: "InvalidObjectState", ErrKeyTooLong: "KeyTooLong", ErrMetadataTooLarge: "MetadataTooLarge",
	ErrInvalidStorageClass: "InvalidStorageClass", ErrMalformedTrailer: "MalformedTrailer",
	ErrInvalidEncryptionAlgorithm: "InvalidEncryptionAlgorithm", ErrInvalidCopySource: "InvalidCopySource",
	ErrTooManyParts: "TooManyParts", ErrInsufficientStorage: "InsufficientStorage",
	ErrObjectExists: "ObjectExists", ErrConditionalRequestConflict: "ConditionalRequestConflict",
	ErrInvalidPartNumber:       "InvalidPartNumber",
	ErrInvalidRedirectLocation: "InvalidRedirectLocation",
	ErrInvalidChunkSize:        "InvalidChunkSize",
	ErrMalformedPolicy:         "MalformedPolicy", ErrNoSuchBucketPolicy: "NoSuchBucketPolicy",
	ErrNoSuchCORSConfiguration: "NoSuchCORSConfiguration", ErrCORSForbidden: "CORSForbidden",
	ErrInvalidPolicyDocument: "InvalidPolicyDocument", ErrMalformedPOSTRequest: "MalformedPOSTRequest",
}

// String returns the Code's neutral name (not a wire code).
func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Error is a failure in the neutral vocabulary. Fields other than Code are
// optional details that dialects may place in their error bodies.
type Error struct {
	Code     Code
	Message  string // human text; dialects fall back to their own default when empty
	Bucket   string
	Key      string
	UploadID string // the client-visible upload ID, for NoSuchUpload
	// ArgName and ArgValue name the offending parameter for InvalidArgument.
	ArgName, ArgValue string
	// Extra holds dialect-neutral name/value details (e.g. "StringToSign").
	Extra map[string]string
	// Err is the underlying cause, for logs only; it never reaches a client.
	Err error
}

func (e *Error) Error() string {
	msg := e.Code.String()
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &Error{Code: ErrNoSuchKey}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code whose cause is err.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// CodeOf returns the Code of err: the Code of the first *Error in its chain,
// or ErrInternal for any other non-nil error, or 0 for nil.
func CodeOf(err error) Code {
	if err == nil {
		return 0
	}
	var te *Error
	if errors.As(err, &te) {
		return te.Code
	}
	return ErrInternal
}

// AsError returns err as an *Error, converting unknown errors to ErrInternal
// with the original kept as the cause.
func AsError(err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	return &Error{Code: ErrInternal, Err: err}
}
