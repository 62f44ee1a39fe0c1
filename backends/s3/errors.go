package s3

import (
	"errors"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// storeCodes are the S3 stores' codes beyond storekit.S3Codes (MinIO's,
// versitygw's, AWS's checks of what the client sent), as neutral codes.
// Anything else becomes ErrInternal (kept as the cause for logs), never
// the store's own code: the client's dialect decides the wire code.
var storeCodes = map[string]translate.Code{
	"NotFound":                    translate.ErrNoSuchKey,
	"InvalidDigest":               translate.ErrInvalidDigest,
	"XAmzContentSHA256Mismatch":   translate.ErrContentSHA256Mismatch,
	"ConditionalRequestConflict":  translate.ErrConditionalRequestConflict,
	"KeyTooLongError":             translate.ErrKeyTooLong,
	"MetadataTooLarge":            translate.ErrMetadataTooLarge,
	"XMinioServerNotInitialized":  translate.ErrServiceUnavailable,
	"XMinioInvalidObjectName":     translate.ErrInvalidKey,
	"XMinioInvalidResourceName":   translate.ErrInvalidKey,
	"XMinioStorageFull":           translate.ErrInsufficientStorage,
	"XAmzContentChecksumMismatch": translate.ErrChecksumMismatch,
	"InvalidArgument":             translate.ErrInvalidArgument,
	"InvalidRequest":              translate.ErrInvalidRequest,
	"MalformedXML":                translate.ErrMalformedXML,
}

// Classify implements storekit.Driver: the store's S3 error code through
// storeCodes and storekit.S3Codes, else its status (storekit.StoreCode),
// and a 400 the client's bad request. Anything else is 0 for storekit to
// classify (network failures, deadlines) or make ErrInternal.
func (d *driver) Classify(err error) translate.Code {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return 0
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if c := storekit.StoreCode(api.ErrorCode(), status, storeCodes, storekit.S3Codes); c != 0 || status != 400 {
		return c
	}
	// A request the store refused that the gateway let through: the
	// client's, not an internal error.
	return translate.ErrInvalidRequest
}
