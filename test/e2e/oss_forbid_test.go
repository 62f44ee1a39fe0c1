package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	ossv2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv2creds "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// OSS's answer to x-oss-forbid-overwrite: true over an existing object
// (troubleshooting pages 0026-00000201 for PutObject and CopyObject,
// 0042-00000214 for CompleteMultipartUpload): 409 FileAlreadyExists.
const (
	fileExistsMsg      = "The object you specified already exists and can not be overwritten."
	ecPutExists        = "0026-00000201"
	ecCompleteExists   = "0042-00000214"
	ecForbidBadValue   = "0017-00000279"
	forbidBadValueText = "The x-oss-forbid-overwrite header must be true or false."
)

// TestOSSForbidOverwriteV1 drives aliyun-oss-go-sdk's oss.ForbidOverWrite
// option (option.go) on PutObject, CopyObject and CompleteMultipartUpload.
func TestOSSForbidOverwriteV1(t *testing.T) {
	g := startGateway(t)
	client, err := alioss.New(g.URL, adminAK, adminSK, alioss.HTTPClient(g.HTTPClient(false)))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CreateBucket("forbid-v1"); err != nil {
		t.Fatal(err)
	}
	b, err := client.Bucket("forbid-v1")
	if err != nil {
		t.Fatal(err)
	}
	want409 := func(what string, err error, ec string) {
		t.Helper()
		var se alioss.ServiceError
		if !errors.As(err, &se) || se.StatusCode != 409 || se.Code != "FileAlreadyExists" || se.Message != fileExistsMsg || se.Ec != ec {
			t.Fatalf("%s: got %v, want 409 FileAlreadyExists %q EC %s", what, err, fileExistsMsg, ec)
		}
	}
	if err := b.PutObject("k", strings.NewReader("first"), alioss.ForbidOverWrite(true)); err != nil {
		t.Fatalf("PutObject forbid-overwrite on a new key: %v", err)
	}
	want409("PutObject forbid-overwrite over an object", b.PutObject("k", strings.NewReader("second"), alioss.ForbidOverWrite(true)), ecPutExists)
	wantOSSBody(t, b, "k", "first")
	if err := b.PutObject("k", strings.NewReader("third"), alioss.ForbidOverWrite(false)); err != nil {
		t.Fatalf("PutObject forbid-overwrite false: %v", err)
	}
	if _, err := b.CopyObject("k", "copy", alioss.ForbidOverWrite(true)); err != nil {
		t.Fatalf("CopyObject forbid-overwrite to a new key: %v", err)
	}
	_, err = b.CopyObject("k", "copy", alioss.ForbidOverWrite(true))
	want409("CopyObject forbid-overwrite over an object", err, ecPutExists)

	imur, err := b.InitiateMultipartUpload("k")
	if err != nil {
		t.Fatal(err)
	}
	part, err := b.UploadPart(imur, bytes.NewReader([]byte("multipart")), 9, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.CompleteMultipartUpload(imur, []alioss.UploadPart{part}, alioss.ForbidOverWrite(true))
	want409("CompleteMultipartUpload forbid-overwrite over an object", err, ecCompleteExists)
	wantOSSBody(t, b, "k", "third")
	// The refused Complete left the upload: it completes without the header.
	if _, err := b.CompleteMultipartUpload(imur, []alioss.UploadPart{part}); err != nil {
		t.Fatalf("CompleteMultipartUpload after the refused one: %v", err)
	}
	wantOSSBody(t, b, "k", "multipart")
}

// wantOSSBody fails unless key holds data.
func wantOSSBody(t *testing.T, b *alioss.Bucket, key, data string) {
	t.Helper()
	r, err := b.GetObject(key)
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer r.Close()
	got, _ := io.ReadAll(r)
	if string(got) != data {
		t.Fatalf("%s holds %q, want %q", key, got, data)
	}
}

// TestOSSForbidOverwriteV2 drives alibabacloud-oss-go-sdk-v2's
// ForbidOverwrite fields (api_op_object.go, api_op_multipart.go), and a
// value OSS refuses.
func TestOSSForbidOverwriteV2(t *testing.T) {
	g := startGateway(t)
	c := ossv2.NewClient(ossv2.LoadDefaultConfig().
		WithCredentialsProvider(ossv2creds.NewStaticCredentialsProvider(adminAK, adminSK)).
		WithRegion("cn-hangzhou").WithEndpoint(g.URL).WithUsePathStyle(true).
		WithHttpClient(g.HTTPClient(false)))
	ctx := context.Background()
	bucket := ossv2.Ptr("forbid-v2")
	if _, err := c.PutBucket(ctx, &ossv2.PutBucketRequest{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	wantErr := func(what string, err error, status int, code, message, ec string) {
		t.Helper()
		var se *ossv2.ServiceError
		if !errors.As(err, &se) || se.StatusCode != status || se.Code != code || se.Message != message || se.EC != ec {
			t.Fatalf("%s: got %v, want %d %s %q EC %s", what, err, status, code, message, ec)
		}
	}
	putK := func(body, forbid string) error {
		_, err := c.PutObject(ctx, &ossv2.PutObjectRequest{Bucket: bucket, Key: ossv2.Ptr("k"), Body: strings.NewReader(body), ForbidOverwrite: ossv2.Ptr(forbid)})
		return err
	}
	if err := putK("first", "true"); err != nil {
		t.Fatalf("PutObject ForbidOverwrite on a new key: %v", err)
	}
	wantErr("PutObject ForbidOverwrite over an object", putK("second", "true"), 409, "FileAlreadyExists", fileExistsMsg, ecPutExists)
	wantErr("PutObject ForbidOverwrite maybe", putK("second", "maybe"), 400, "InvalidArgument", forbidBadValueText, ecForbidBadValue)
	_, err := c.CopyObject(ctx, &ossv2.CopyObjectRequest{Bucket: bucket, Key: ossv2.Ptr("k"), SourceKey: ossv2.Ptr("k"),
		MetadataDirective: ossv2.Ptr("REPLACE"), ForbidOverwrite: ossv2.Ptr("true")})
	wantErr("CopyObject ForbidOverwrite onto itself", err, 409, "FileAlreadyExists", fileExistsMsg, ecPutExists)

	up, err := c.InitiateMultipartUpload(ctx, &ossv2.InitiateMultipartUploadRequest{Bucket: bucket, Key: ossv2.Ptr("k")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.UploadPart(ctx, &ossv2.UploadPartRequest{Bucket: bucket, Key: ossv2.Ptr("k"), UploadId: up.UploadId,
		PartNumber: 1, Body: strings.NewReader("multipart")})
	if err != nil {
		t.Fatal(err)
	}
	complete := &ossv2.CompleteMultipartUploadRequest{Bucket: bucket, Key: ossv2.Ptr("k"), UploadId: up.UploadId,
		CompleteMultipartUpload: &ossv2.CompleteMultipartUpload{Parts: []ossv2.UploadPart{{PartNumber: 1, ETag: p.ETag}}},
		ForbidOverwrite:         ossv2.Ptr("true")}
	_, err = c.CompleteMultipartUpload(ctx, complete)
	wantErr("CompleteMultipartUpload ForbidOverwrite over an object", err, 409, "FileAlreadyExists", fileExistsMsg, ecCompleteExists)
	got, err := c.GetObject(ctx, &ossv2.GetObjectRequest{Bucket: bucket, Key: ossv2.Ptr("k")})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(data) != "first" {
		t.Fatalf("k holds %q after the refused writes, want %q", data, "first")
	}
}
