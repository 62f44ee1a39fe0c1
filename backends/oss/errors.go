package oss

import (
	"errors"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// storeCodes are OSS's codes beyond storekit.S3Codes, as neutral codes.
// Anything else becomes ErrInternal (kept as the cause for logs), never
// the store's own code: the client's dialect decides the wire code. Codes that mean the gateway's own
// request or credential is wrong (AccessDenied, SignatureDoesNotMatch,
// MalformedXML, ...) are deliberately absent: they are the operator's
// problem, not the client's.
var storeCodes = map[string]translate.Code{
	// OSS answers a Content-MD5 or CRC-64 that does not match the bytes
	// with InvalidDigest. A malformed Content-MD5 never reaches the store
	// (the front dialect refuses it), so from the store it means the bytes
	// differ: BadDigest.
	"InvalidDigest": translate.ErrBadDigest,
	// x-oss-forbid-overwrite: true found an object.
	"FileAlreadyExists":                translate.ErrObjectExists,
	"InvalidObjectState":               translate.ErrInvalidObjectState,
	"InvalidEncryptionAlgorithmError":  translate.ErrInvalidEncryptionAlgorithm,
	"ServerBusy":                       translate.ErrSlowDown,
	"QpsLimitExceeded":                 translate.ErrSlowDown,
	"UploadTrafficRateLimitExceeded":   translate.ErrSlowDown,
	"DownloadTrafficRateLimitExceeded": translate.ErrSlowDown,
}

// Classify implements storekit.Driver: the store's OSS error code through
// storeCodes and storekit.S3Codes, else its status (storekit.StoreCode: a
// HEAD's 404 has no code). Anything else is 0 for storekit to classify.
func (d *driver) Classify(err error) translate.Code {
	var se oss.ServiceError
	if !errors.As(err, &se) {
		return 0
	}
	return storekit.StoreCode(se.Code, se.StatusCode, storeCodes, storekit.S3Codes)
}
