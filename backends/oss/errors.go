package oss

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"syscall"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/translate"
)

// storeCodes maps OSS's error codes to neutral codes. Anything else becomes
// ErrInternal (kept as the cause for logs), never the store's own code: the
// client's dialect decides the wire code. Codes that mean the gateway's own
// request or credential is wrong (AccessDenied, SignatureDoesNotMatch,
// MalformedXML, ...) are deliberately absent: they are the operator's
// problem, not the client's.
var storeCodes = map[string]translate.Code{
	"NoSuchBucket":     translate.ErrNoSuchBucket,
	"NoSuchKey":        translate.ErrNoSuchKey,
	"NoSuchUpload":     translate.ErrNoSuchUpload,
	"InvalidPart":      translate.ErrInvalidPart,
	"InvalidPartOrder": translate.ErrInvalidPartOrder,
	"EntityTooSmall":   translate.ErrEntityTooSmall,
	"EntityTooLarge":   translate.ErrEntityTooLarge,
	"BucketNotEmpty":   translate.ErrBucketNotEmpty,
	// OSS says BucketAlreadyExists whoever owns the bucket; CreateBucket
	// refines it to ErrBucketAlreadyOwnedByYou.
	"BucketAlreadyExists":     translate.ErrBucketAlreadyExists,
	"BucketAlreadyOwnedByYou": translate.ErrBucketAlreadyOwnedByYou,
	"InvalidBucketName":       translate.ErrInvalidBucketName,
	"InvalidObjectName":       translate.ErrInvalidKey,
	// OSS answers a Content-MD5 or CRC-64 that does not match the bytes
	// with InvalidDigest. A malformed Content-MD5 never reaches the store
	// (the front dialect refuses it), so from the store it means the bytes
	// differ: BadDigest.
	"InvalidDigest":      translate.ErrBadDigest,
	"BadDigest":          translate.ErrBadDigest,
	"InvalidRange":       translate.ErrInvalidRange,
	"PreconditionFailed": translate.ErrPreconditionFailed,
	// x-oss-forbid-overwrite: true found an object.
	"FileAlreadyExists":                translate.ErrObjectExists,
	"NotModified":                      translate.ErrNotModified,
	"IncompleteBody":                   translate.ErrIncompleteBody,
	"InvalidObjectState":               translate.ErrInvalidObjectState,
	"InvalidEncryptionAlgorithmError":  translate.ErrInvalidEncryptionAlgorithm,
	"NotImplemented":                   translate.ErrNotImplemented,
	"InternalError":                    translate.ErrServiceUnavailable,
	"ServiceUnavailable":               translate.ErrServiceUnavailable,
	"RequestTimeout":                   translate.ErrServiceUnavailable,
	"ServerBusy":                       translate.ErrSlowDown,
	"QpsLimitExceeded":                 translate.ErrSlowDown,
	"UploadTrafficRateLimitExceeded":   translate.ErrSlowDown,
	"DownloadTrafficRateLimitExceeded": translate.ErrSlowDown,
}

// mapError turns an SDK error into a neutral one. A failure to reach the
// store (refused, reset, timed out) or a 5xx is ErrServiceUnavailable:
// retryable by the client in its own dialect. A neutral error (from the
// client's body, or already mapped) passes through unchanged. key is ""
// for bucket-level calls, so that a bare 404 there means NoSuchBucket.
func mapError(err error, bucket, key string) error {
	if err == nil {
		return nil
	}
	var te *translate.Error
	if errors.As(err, &te) {
		return te
	}
	var se oss.ServiceError
	if errors.As(err, &se) {
		code, ok := storeCodes[se.Code]
		switch {
		case ok:
		case se.StatusCode >= 500:
			code, ok = translate.ErrServiceUnavailable, true
		case se.StatusCode == 404 && se.Code == "":
			// A HEAD's 404 whose x-oss-err header was missing.
			code, ok = translate.ErrNoSuchKey, true
		}
		if !ok {
			return &translate.Error{Code: translate.ErrInternal, Bucket: bucket, Key: key, Err: err}
		}
		if code == translate.ErrNoSuchKey && key == "" {
			code = translate.ErrNoSuchBucket
		}
		e := &translate.Error{Code: code, Bucket: bucket, Key: key, Err: err}
		if code == translate.ErrServiceUnavailable || code == translate.ErrSlowDown {
			e.Message = "The storage backend is unavailable; please retry."
		}
		return e
	}
	if isNetworkError(err) {
		return &translate.Error{Code: translate.ErrServiceUnavailable, Bucket: bucket, Key: key, Err: err,
			Message: "The storage backend is unavailable; please retry."}
	}
	return &translate.Error{Code: translate.ErrInternal, Bucket: bucket, Key: key, Err: err}
}

// isNetworkError reports failures to reach the store or read its answer.
// A cancelled context is not one: the client went away.
func isNetworkError(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	var opErr *net.OpError
	var urlErr *url.Error
	return errors.As(err, &netErr) || errors.As(err, &opErr) || errors.As(err, &urlErr) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE)
}
