package e2e

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	ossv2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// ossServiceError returns the v2 SDK's service error in err, or nil.
func ossServiceError(err error) *ossv2.ServiceError {
	var se *ossv2.ServiceError
	if errors.As(err, &se) {
		return se
	}
	return nil
}

// TestOSSV2IsBucketExist: alibabacloud-oss-go-sdk-v2's IsBucketExist sends
// GetBucketAcl and reads any error but NoSuchBucket as "exists"
// (client_extension.go), so the gateway must answer GetBucketAcl: a
// missing bucket is missing, a present one present. GetBucketAcl and
// GetObjectAcl answer in OSS's AccessControlPolicy document.
func TestOSSV2IsBucketExist(t *testing.T) {
	g := startGateway(t)
	c := ossV2Client(g)
	ctx := context.Background()
	bucket := "acl-present"

	ok, err := c.IsBucketExist(ctx, bucket)
	if err != nil || ok {
		t.Fatalf("IsBucketExist on a missing bucket: %v, %v", ok, err)
	}
	if _, err := c.PutBucket(ctx, &ossv2.PutBucketRequest{Bucket: ossv2.Ptr(bucket)}); err != nil {
		t.Fatal(err)
	}
	ok, err = c.IsBucketExist(ctx, bucket)
	if err != nil || !ok {
		t.Fatalf("IsBucketExist on a present bucket: %v, %v", ok, err)
	}
	acl, err := c.GetBucketAcl(ctx, &ossv2.GetBucketAclRequest{Bucket: ossv2.Ptr(bucket)})
	if err != nil || ossv2.ToString(acl.ACL) != "private" || acl.Owner == nil || ossv2.ToString(acl.Owner.ID) != adminAK {
		t.Fatalf("GetBucketAcl: %+v, %v", acl, err)
	}
	_, err = c.GetBucketAcl(ctx, &ossv2.GetBucketAclRequest{Bucket: ossv2.Ptr("acl-missing")})
	if se := ossServiceError(err); se == nil || se.Code != "NoSuchBucket" || se.StatusCode != 404 {
		t.Fatalf("GetBucketAcl on a missing bucket: %v", err)
	}

	if _, err := c.PutObject(ctx, &ossv2.PutObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("k"), Body: strings.NewReader("x"),
		Acl: ossv2.ObjectACLPrivate}); err != nil {
		t.Fatalf("PutObject with x-oss-object-acl: private: %v", err)
	}
	oacl, err := c.GetObjectAcl(ctx, &ossv2.GetObjectAclRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("k")})
	if err != nil || ossv2.ToString(oacl.ACL) != "default" || oacl.Owner == nil || ossv2.ToString(oacl.Owner.ID) != adminAK {
		t.Fatalf("GetObjectAcl: %+v, %v", oacl, err)
	}
	_, err = c.GetObjectAcl(ctx, &ossv2.GetObjectAclRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("missing")})
	if se := ossServiceError(err); se == nil || se.Code != "NoSuchKey" {
		t.Fatalf("GetObjectAcl on a missing key: %v", err)
	}
	// A canned bucket ACL is kept and GetBucketAcl answers it
	// (apps_vendor_test.go checks what it allows).
	if _, err = c.PutBucketAcl(ctx, &ossv2.PutBucketAclRequest{Bucket: ossv2.Ptr(bucket), Acl: ossv2.BucketACLPublicRead}); err != nil {
		t.Fatalf("PutBucketAcl: %v", err)
	}
	if acl, err := c.GetBucketAcl(ctx, &ossv2.GetBucketAclRequest{Bucket: ossv2.Ptr(bucket)}); err != nil || ossv2.ToString(acl.ACL) != "public-read" {
		t.Fatalf("GetBucketAcl after PutBucketAcl public-read: %+v, %v", acl, err)
	}
	if ok, err := c.IsBucketExist(ctx, bucket); err != nil || !ok {
		t.Fatalf("bucket after PutBucketAcl: %v, %v", ok, err)
	}
}

// TestOSSUnimplementedHeaders: headers babelgate does not implement are
// refused with OSS's NotImplemented (501), never silently ignored, and the
// refused request leaves nothing behind. Both OSS Go SDKs.
func TestOSSUnimplementedHeaders(t *testing.T) {
	g := startGateway(t)
	c := ossV2Client(g)
	ctx := context.Background()
	bucket := "oss-refuse"
	if _, err := c.PutBucket(ctx, &ossv2.PutBucketRequest{Bucket: ossv2.Ptr(bucket)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  ossv2.PutObjectRequest
	}{
		{"x-oss-object-acl", ossv2.PutObjectRequest{Acl: ossv2.ObjectACLPublicRead}},
		{"x-oss-tagging", ossv2.PutObjectRequest{Tagging: ossv2.Ptr("team=a")}},
		{"x-oss-callback", ossv2.PutObjectRequest{Callback: ossv2.Ptr(`{"callbackUrl":"http://127.0.0.1:9/cb","callbackBody":"bucket=${bucket}"}`)}},
	}
	for _, tt := range tests {
		req := tt.req
		req.Bucket, req.Key, req.Body = ossv2.Ptr(bucket), ossv2.Ptr("refused-"+tt.name), bytes.NewReader([]byte("data"))
		_, err := c.PutObject(ctx, &req)
		if se := ossServiceError(err); se == nil || se.Code != "NotImplemented" || se.StatusCode != 501 || !strings.Contains(se.Message, tt.name) {
			t.Errorf("PutObject with %s: %v", tt.name, err)
		}
		if ok, err := c.IsObjectExist(ctx, bucket, "refused-"+tt.name); err != nil || ok {
			t.Errorf("after a refused PutObject with %s the object exists=%v (%v)", tt.name, ok, err)
		}
	}
	_, err := c.InitiateMultipartUpload(ctx, &ossv2.InitiateMultipartUploadRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("mp"),
		Tagging: ossv2.Ptr("a=b")})
	if se := ossServiceError(err); se == nil || se.Code != "NotImplemented" {
		t.Errorf("InitiateMultipartUpload with x-oss-tagging: %v", err)
	}

	legacy := ossLegacyClient(t, g, alioss.HTTPClient(g.HTTPClient(false)))
	b, err := legacy.Bucket(bucket)
	if err != nil {
		t.Fatal(err)
	}
	err = b.PutObject("legacy", strings.NewReader("x"), alioss.ObjectACL(alioss.ACLPublicReadWrite))
	var se alioss.ServiceError
	if !errors.As(err, &se) || se.Code != "NotImplemented" || se.StatusCode != 501 {
		t.Errorf("legacy SDK PutObject with public-read-write: %v", err)
	}
	if err := b.PutObject("legacy", strings.NewReader("x"), alioss.ObjectACL(alioss.ACLDefault)); err != nil {
		t.Errorf("legacy SDK PutObject with default ACL: %v", err)
	}
}
