package s3

import (
	"errors"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/babelgate/babelgate/translate"
)

// storeCodes maps the store's S3 error codes to neutral codes. Anything
// else becomes ErrInternal (kept as the cause for logs), never the store's
// own code: the client's dialect decides the wire code.
var storeCodes = map[string]translate.Code{
	"NoSuchBucket":               translate.ErrNoSuchBucket,
	"NoSuchKey":                  translate.ErrNoSuchKey,
	"NotFound":                   translate.ErrNoSuchKey,
	"NoSuchUpload":               translate.ErrNoSuchUpload,
	"InvalidPart":                translate.ErrInvalidPart,
	"InvalidPartOrder":           translate.ErrInvalidPartOrder,
	"EntityTooSmall":             translate.ErrEntityTooSmall,
	"EntityTooLarge":             translate.ErrEntityTooLarge,
	"BucketNotEmpty":             translate.ErrBucketNotEmpty,
	"BucketAlreadyOwnedByYou":    translate.ErrBucketAlreadyOwnedByYou,
	"BucketAlreadyExists":        translate.ErrBucketAlreadyExists,
	"InvalidBucketName":          translate.ErrInvalidBucketName,
	"InvalidDigest":              translate.ErrInvalidDigest,
	"BadDigest":                  translate.ErrBadDigest,
	"XAmzContentSHA256Mismatch":  translate.ErrContentSHA256Mismatch,
	"InvalidRange":               translate.ErrInvalidRange,
	"PreconditionFailed":         translate.ErrPreconditionFailed,
	"ConditionalRequestConflict": translate.ErrConditionalRequestConflict,
	"NotModified":                translate.ErrNotModified,
	"IncompleteBody":             translate.ErrIncompleteBody,
	"KeyTooLongError":            translate.ErrKeyTooLong,
	"SlowDown":                   translate.ErrSlowDown,
	"ServiceUnavailable":         translate.ErrServiceUnavailable,
	"RequestTimeout":             translate.ErrServiceUnavailable,
	"InternalError":              translate.ErrServiceUnavailable,
	"XMinioServerNotInitialized": translate.ErrServiceUnavailable,
	"XMinioInvalidObjectName":    translate.ErrInvalidKey,
	"InvalidObjectName":          translate.ErrInvalidKey,
	"XMinioStorageFull":          translate.ErrInsufficientStorage,
	"MetadataTooLarge":           translate.ErrMetadataTooLarge,
	"XMinioInvalidResourceName":  translate.ErrInvalidKey,
	// The store's own checks of what the client sent (checksums it was
	// given, arguments): the client's mistake, never an internal error.
	"XAmzContentChecksumMismatch": translate.ErrChecksumMismatch,
	"InvalidArgument":             translate.ErrInvalidArgument,
	"InvalidRequest":              translate.ErrInvalidRequest,
	"MalformedXML":                translate.ErrMalformedXML,
}

// Classify implements storekit.Driver: the store's S3 error code through
// storeCodes; without a known code, a 404 is a missing key (or bucket:
// storekit tells), a 500 or 503 a store failure, a 400 the client's bad
// request. Anything else is 0 for
// storekit to classify (network failures, deadlines) or make ErrInternal.
func (d *driver) Classify(err error) translate.Code {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return 0
	}
	if code, ok := storeCodes[api.ErrorCode()]; ok {
		return code
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case 404:
			return translate.ErrNoSuchKey
		case 500, 503:
			return translate.ErrServiceUnavailable
		case 400:
			// A request the store refused that the gateway let through:
			// the client's, not an internal error.
			return translate.ErrInvalidRequest
		}
	}
	return 0
}
