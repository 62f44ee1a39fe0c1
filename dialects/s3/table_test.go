package s3

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/dialecttest"
	"github.com/babelgate/babelgate/translate"
)

// TestErrorTableComplete proves every neutral code has an S3 form.
func TestErrorTableComplete(t *testing.T) { dialecttest.ErrorTableComplete(t, "S3", errorForm.Lookup) }

// TestEveryOpRouted proves the routing table reaches every neutral
// operation.
func TestEveryOpRouted(t *testing.T) { dialecttest.EveryOpRouted(t, RoutedOps()) }

func TestResolve(t *testing.T) {
	dialecttest.Resolve(t, New(Config{}).Resolve, []dialecttest.ResolveCase{
		{"GET", "/", "", translate.OpListBuckets, 0},
		{"PUT", "/b", "", translate.OpCreateBucket, 0},
		{"HEAD", "/b", "", translate.OpHeadBucket, 0},
		{"DELETE", "/b", "", translate.OpDeleteBucket, 0},
		{"GET", "/b?location", "", translate.OpGetBucketLocation, 0},
		{"GET", "/b?uploads", "", translate.OpListMultipartUploads, 0},
		{"GET", "/b?list-type=2", "", translate.OpListObjectsV2, 0},
		{"GET", "/b", "", translate.OpListObjects, 0},
		{"POST", "/b?delete", "", translate.OpDeleteObjects, 0},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "x-amz-copy-source", translate.OpUploadPartCopy, 0},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "", translate.OpUploadPart, 0},
		{"PUT", "/b/k", "x-amz-copy-source", translate.OpCopyObject, 0},
		{"PUT", "/b/k", "", translate.OpPutObject, 0},
		{"GET", "/b/k?uploadId=x", "", translate.OpListParts, 0},
		{"GET", "/b/k?attributes", "", translate.OpHeadObject, 0}, // GetObjectAttributes
		{"GET", "/b/k", "", translate.OpGetObject, 0},
		{"HEAD", "/b/k", "", translate.OpHeadObject, 0},
		{"DELETE", "/b/k?uploadId=x", "", translate.OpAbortMultipartUpload, 0},
		{"DELETE", "/b/k", "", translate.OpDeleteObject, 0},
		{"POST", "/b/k?uploads", "", translate.OpCreateMultipartUpload, 0},
		{"POST", "/b/k?uploadId=x", "", translate.OpCompleteMultipartUpload, 0},
		{"PUT", "/b?versioning", "", 0, translate.ErrNotImplemented},
		{"GET", "/b/k?tagging", "", 0, translate.ErrNotImplemented},
		{"GET", "/b/k?versionId=abc", "", 0, translate.ErrNotImplemented},
		{"POST", "/b/k", "", 0, translate.ErrMethodNotAllowed},
		{"PATCH", "/b/k", "", 0, translate.ErrMethodNotAllowed},
	})
}

func TestEncodeErrorShape(t *testing.T) {
	d := New(Config{})
	for _, method := range []string{"GET", "HEAD"} {
		hr := httptest.NewRequest(method, "/b/k", nil)
		w := httptest.NewRecorder()
		d.EncodeError(w, dialecttest.Request(hr, dialects.Addressing{}), &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k"})
		if w.Code != http.StatusNotFound {
			t.Fatalf("%s: status %d", method, w.Code)
		}
		body := w.Body.String()
		if method == "HEAD" && body != "" {
			t.Fatalf("HEAD error has a body: %q", body)
		}
		if method == "GET" {
			dialecttest.Contains(t, "body", body, "<Code>NoSuchKey</Code>", "<Resource>/b/k</Resource>", "<RequestId>REQ1</RequestId>", "<HostId>HOST1</HostId>", "<Key>k</Key>")
		}
	}
}
