package oss

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/translate"
)

// TestMapError checks the store's codes become neutral ones and that no
// store code, 5xx or network failure leaks as anything but a neutral code.
func TestMapError(t *testing.T) {
	body := translate.Errorf(translate.ErrBadDigest, "client body")
	for _, tc := range []struct {
		name string
		err  error
		key  string
		want translate.Code
	}{
		{"NoSuchKey", oss.ServiceError{Code: "NoSuchKey", StatusCode: 404}, "k", translate.ErrNoSuchKey},
		{"NoSuchBucket", oss.ServiceError{Code: "NoSuchBucket", StatusCode: 404}, "k", translate.ErrNoSuchBucket},
		{"NoSuchUpload", oss.ServiceError{Code: "NoSuchUpload", StatusCode: 404}, "k", translate.ErrNoSuchUpload},
		{"InvalidPart", oss.ServiceError{Code: "InvalidPart", StatusCode: 400}, "k", translate.ErrInvalidPart},
		{"InvalidPartOrder", oss.ServiceError{Code: "InvalidPartOrder", StatusCode: 400}, "k", translate.ErrInvalidPartOrder},
		{"EntityTooSmall", oss.ServiceError{Code: "EntityTooSmall", StatusCode: 400}, "k", translate.ErrEntityTooSmall},
		{"BucketNotEmpty", oss.ServiceError{Code: "BucketNotEmpty", StatusCode: 409}, "", translate.ErrBucketNotEmpty},
		{"BucketAlreadyExists", oss.ServiceError{Code: "BucketAlreadyExists", StatusCode: 409}, "", translate.ErrBucketAlreadyExists},
		{"InvalidDigest", oss.ServiceError{Code: "InvalidDigest", StatusCode: 400}, "k", translate.ErrBadDigest},
		{"InvalidRange", oss.ServiceError{Code: "InvalidRange", StatusCode: 416}, "k", translate.ErrInvalidRange},
		{"HEAD 404 on a key", oss.ServiceError{StatusCode: 404}, "k", translate.ErrNoSuchKey},
		{"HEAD 404 on a bucket", oss.ServiceError{StatusCode: 404}, "", translate.ErrNoSuchBucket},
		{"5xx", oss.ServiceError{Code: "SomethingNew", StatusCode: 502}, "k", translate.ErrServiceUnavailable},
		{"throttled", oss.ServiceError{Code: "QpsLimitExceeded", StatusCode: 503}, "k", translate.ErrSlowDown},
		{"gateway credential refused", oss.ServiceError{Code: "AccessDenied", StatusCode: 403}, "k", translate.ErrInternal},
		{"unknown 4xx", oss.ServiceError{Code: "SomethingNew", StatusCode: 400}, "k", translate.ErrInternal},
		{"refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, "k", translate.ErrServiceUnavailable},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), "k", translate.ErrServiceUnavailable},
		{"cancelled", fmt.Errorf("call: %w", context.Canceled), "k", translate.ErrInternal},
		{"client body", fmt.Errorf("write: %w", body), "k", translate.ErrBadDigest},
	} {
		got := mapError(tc.err, "b", tc.key)
		if c := translate.CodeOf(got); c != tc.want {
			t.Errorf("%s: mapError(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
	if mapError(nil, "b", "k") != nil {
		t.Error("mapError(nil) is not nil")
	}
}
