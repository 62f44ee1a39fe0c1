package s3

import (
	"context"
	"errors"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
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
	"XMinioInvalidResourceName":  translate.ErrInvalidKey,
	// The store's own checks of what the client sent (checksums it was
	// given, arguments): the client's mistake, never an internal error.
	"XAmzContentChecksumMismatch": translate.ErrChecksumMismatch,
	"InvalidArgument":             translate.ErrInvalidArgument,
	"InvalidRequest":              translate.ErrInvalidRequest,
	"MalformedXML":                translate.ErrMalformedXML,
}

// refusedName reports whether err is the store refusing a name (a key or
// prefix) it does not take, such as MinIO's "." path components.
func refusedName(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "XMinioInvalidResourceName", "XMinioInvalidObjectName":
		return true
	}
	return false
}

// mapError turns an SDK error into a neutral one. A failure to reach the
// store (refused, reset, timed out) is ErrServiceUnavailable: retryable by
// the client in its own dialect. A neutral error from the client's body
// (a failed checksum, a short body) passes through unchanged.
func mapError(err error, bucket, key string) error {
	if err == nil {
		return nil
	}
	var te *translate.Error
	if errors.As(err, &te) {
		return te
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code, ok := storeCodes[api.ErrorCode()]
		if !ok {
			var re *smithyhttp.ResponseError
			if errors.As(err, &re) {
				switch re.HTTPStatusCode() {
				case 404:
					code, ok = translate.ErrNoSuchKey, bucket != ""
				case 503, 500:
					code, ok = translate.ErrServiceUnavailable, true
				case 400:
					// A request the store refused that the gateway let
					// through: the client's, not an internal error.
					code, ok = translate.ErrInvalidRequest, true
				case 403:
					code, ok = translate.ErrInternal, false
				}
			}
		}
		if ok {
			e := &translate.Error{Code: code, Bucket: bucket, Key: key, Err: err}
			if code == translate.ErrNoSuchKey && key == "" {
				e.Code = translate.ErrNoSuchBucket
			}
			return e
		}
		return &translate.Error{Code: translate.ErrInternal, Bucket: bucket, Key: key, Err: err}
	}
	var netErr net.Error
	var retryErr *retry.MaxAttemptsError
	if errors.As(err, &netErr) || errors.As(err, &retryErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, net.ErrClosed) || isConnError(err) {
		return &translate.Error{Code: translate.ErrServiceUnavailable, Bucket: bucket, Key: key, Err: err,
			Message: "The storage backend is unavailable; please retry."}
	}
	return &translate.Error{Code: translate.ErrInternal, Bucket: bucket, Key: key, Err: err}
}

// isConnError reports connection failures the SDK wraps without net.Error.
func isConnError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}
