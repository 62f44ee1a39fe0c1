package oss

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/translate"
)

// TestClassify checks the store's codes become neutral ones, and that no
// store code leaks as anything but a neutral code or 0 (storekit then
// makes it ErrInternal, or ErrServiceUnavailable for a network failure).
func TestClassify(t *testing.T) {
	d := &driver{}
	for _, tc := range []struct {
		name string
		err  error
		want translate.Code
	}{
		{"NoSuchKey", oss.ServiceError{Code: "NoSuchKey", StatusCode: 404}, translate.ErrNoSuchKey},
		{"NoSuchBucket", oss.ServiceError{Code: "NoSuchBucket", StatusCode: 404}, translate.ErrNoSuchBucket},
		{"NoSuchUpload", oss.ServiceError{Code: "NoSuchUpload", StatusCode: 404}, translate.ErrNoSuchUpload},
		{"InvalidPart", oss.ServiceError{Code: "InvalidPart", StatusCode: 400}, translate.ErrInvalidPart},
		{"InvalidPartOrder", oss.ServiceError{Code: "InvalidPartOrder", StatusCode: 400}, translate.ErrInvalidPartOrder},
		{"EntityTooSmall", oss.ServiceError{Code: "EntityTooSmall", StatusCode: 400}, translate.ErrEntityTooSmall},
		{"BucketNotEmpty", oss.ServiceError{Code: "BucketNotEmpty", StatusCode: 409}, translate.ErrBucketNotEmpty},
		{"BucketAlreadyExists", oss.ServiceError{Code: "BucketAlreadyExists", StatusCode: 409}, translate.ErrBucketAlreadyExists},
		{"InvalidDigest", oss.ServiceError{Code: "InvalidDigest", StatusCode: 400}, translate.ErrBadDigest},
		{"InvalidRange", oss.ServiceError{Code: "InvalidRange", StatusCode: 416}, translate.ErrInvalidRange},
		{"FileAlreadyExists", oss.ServiceError{Code: "FileAlreadyExists", StatusCode: 409}, translate.ErrObjectExists},
		{"HEAD 404", oss.ServiceError{StatusCode: 404}, translate.ErrNoSuchKey},
		{"5xx", oss.ServiceError{Code: "SomethingNew", StatusCode: 502}, translate.ErrServiceUnavailable},
		{"throttled", oss.ServiceError{Code: "QpsLimitExceeded", StatusCode: 503}, translate.ErrSlowDown},
		{"gateway credential refused", oss.ServiceError{Code: "AccessDenied", StatusCode: 403}, 0},
		{"unknown 4xx", oss.ServiceError{Code: "SomethingNew", StatusCode: 400}, 0},
		{"wrapped", fmt.Errorf("call: %w", oss.ServiceError{Code: "NoSuchKey", StatusCode: 404}), translate.ErrNoSuchKey},
		{"not the store's", errors.New("other"), 0},
	} {
		if got := d.Classify(tc.err); got != tc.want {
			t.Errorf("%s: Classify(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestCheckBucket: names S3 takes and OSS does not are refused with
// InvalidBucketName (the kit makes them NoSuchBucket but for
// CreateBucket).
func TestCheckBucket(t *testing.T) {
	d := &driver{}
	for name, ok := range map[string]bool{"good-name": true, "a.b": false, "Upper": false, "ab": false, "-ab": false} {
		err := d.CheckBucket(name)
		if (err == nil) != ok || !ok && translate.CodeOf(err) != translate.ErrInvalidBucketName {
			t.Errorf("CheckBucket(%q) = %v", name, err)
		}
	}
}
