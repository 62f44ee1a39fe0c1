package translate_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/translate"
)

// TestRoutes runs requests through routes to two fs backends: a renamed
// bucket under a key prefix on one, and default buckets on the other,
// with copies between them.
func TestRoutes(t *testing.T) {
	ctx := context.Background()
	local, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.CreateBucket(ctx, "shared-store"); err != nil {
		t.Fatal(err)
	}
	e, err := translate.NewEngine(translate.EngineConfig{
		Backends: map[string]translate.Backend{"local": local, "remote": remote}, Default: "local",
		Routes: []translate.Route{
			{Bucket: "photos", Backend: "remote", BackendBucket: "shared-store", KeyPrefix: "photos/"},
			{Bucket: "docs", Backend: "remote", BackendBucket: "shared-store", KeyPrefix: "docs/"},
		},
		UploadIDSecret: []byte("0123456789abcdef-route-test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rules := translate.S3Rules
	rules.MinPartSize = 1
	c := translate.Caller{Principal: &translate.Principal{AccessKey: "ak", Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}, Rules: &rules}
	put := func(bucket, key, data string) {
		t.Helper()
		if _, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: bucket, Key: key,
			Body: translate.BodyInput{Reader: strings.NewReader(data), Size: int64(len(data))}}); err != nil {
			t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
		}
	}
	get := func(bucket, key string) string {
		t.Helper()
		o, err := e.GetObject(ctx, c, translate.GetRequest{Bucket: bucket, Key: key})
		if err != nil {
			t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
		}
		defer o.Body.Close()
		b, _ := io.ReadAll(o.Body)
		return string(b)
	}
	if err := e.CreateBucket(ctx, c, "local-bucket"); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateBucket(ctx, c, "photos"); translate.CodeOf(err) != translate.ErrBucketAlreadyOwnedByYou {
		t.Fatalf("CreateBucket of a prefixed route: %v", err)
	}
	put("photos", "a.jpg", "photo")
	put("docs", "a.jpg", "doc")
	put("local-bucket", "x", "local")
	if get("photos", "a.jpg") != "photo" || get("docs", "a.jpg") != "doc" {
		t.Fatal("prefixed routes mixed their objects")
	}
	// On the store, both live in the shared bucket under their prefixes.
	if o, err := remote.GetObject(ctx, "shared-store", "photos/a.jpg", nil); err != nil {
		t.Fatalf("the store lacks photos/a.jpg: %v", err)
	} else {
		o.Body.Close()
	}
	page, err := e.ListObjects(ctx, c, "photos", translate.ListQuery{MaxKeys: 10})
	if err != nil || len(page.Objects) != 1 || page.Objects[0].Key != "a.jpg" {
		t.Fatalf("listing photos: %+v, %v", page, err)
	}
	bs, err := e.ListBuckets(ctx, c)
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	if err != nil || strings.Join(names, ",") != "docs,local-bucket,photos" {
		t.Fatalf("ListBuckets: %v, %v", names, err)
	}
	// Copies between backends stream; within one they stay on the store.
	if _, err := e.CopyObject(ctx, c, translate.CopyRequest{SrcBucket: "local-bucket", SrcKey: "x", Bucket: "photos", Key: "from-local"}); err != nil {
		t.Fatalf("copy across backends: %v", err)
	}
	if _, err := e.CopyObject(ctx, c, translate.CopyRequest{SrcBucket: "docs", SrcKey: "a.jpg", Bucket: "photos", Key: "from-docs"}); err != nil {
		t.Fatalf("copy within a backend: %v", err)
	}
	if get("photos", "from-local") != "local" || get("photos", "from-docs") != "doc" {
		t.Fatal("copies have other bytes")
	}
	// Multipart through a prefixed route, and its ID is bound to the route.
	id, _, err := e.CreateMultipartUpload(ctx, c, translate.CreateUploadRequest{Bucket: "photos", Key: "mp"})
	if err != nil {
		t.Fatal(err)
	}
	part, _, err := e.UploadPart(ctx, c, translate.UploadPartRequest{Bucket: "photos", Key: "mp", UploadID: id, PartNumber: 1,
		Body: translate.BodyInput{Reader: bytes.NewReader([]byte("part")), Size: 4}})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := e.ListMultipartUploads(ctx, c, "photos", translate.UploadsQuery{})
	if err != nil || len(ups.Uploads) != 1 || ups.Uploads[0].Key != "mp" || ups.IDs[0] != id {
		t.Fatalf("ListMultipartUploads: %+v, %v", ups, err)
	}
	if _, _, err := e.ListParts(ctx, c, "docs", "mp", id, 0, 10); translate.CodeOf(err) != translate.ErrNoSuchUpload {
		t.Fatalf("upload ID used on another route: %v", err)
	}
	if _, err := e.CompleteMultipartUpload(ctx, c, translate.CompleteUploadRequest{Bucket: "photos", Key: "mp", UploadID: id,
		Parts: []translate.ClientPart{{Number: 1, ETag: part.ETag}}, ObjectSize: -1}); err != nil {
		t.Fatal(err)
	}
	if get("photos", "mp") != "part" {
		t.Fatal("completed object has other bytes")
	}
	if err := e.DeleteBucket(ctx, c, "photos"); translate.CodeOf(err) != translate.ErrNotImplemented {
		t.Fatalf("DeleteBucket of a prefixed route: %v", err)
	}
}
