package s3

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// TestErrorTableComplete proves every neutral code has an S3 form.
func TestErrorTableComplete(t *testing.T) {
	for _, p := range dialects.TableProblems(func(c translate.Code) (dialects.WireForm, bool) {
		w, ok := errorTable[c]
		return dialects.WireForm{Code: w.Code, Status: w.Status, Message: w.Message}, ok
	}) {
		t.Errorf("S3 error table: %s", p)
	}
}

// TestEveryOpRouted proves the routing table reaches every neutral
// operation.
func TestEveryOpRouted(t *testing.T) {
	for _, op := range dialects.UnroutedOps(RoutedOps()) {
		t.Errorf("%v is not routed", op)
	}
}

func TestResolve(t *testing.T) {
	d := New(Config{})
	tests := []struct {
		method, target string
		header         string
		want           translate.Op
		wantErr        translate.Code
	}{
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
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			hr := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.header != "" {
				hr.Header.Set(tt.header, "src/key")
			}
			r := &dialects.Request{HTTP: hr, Query: hr.URL.Query()}
			r.Bucket, r.Key, _ = dialects.Addressing{}.Resolve(hr)
			rt, err := d.Resolve(r)
			if got := translate.CodeOf(err); got != tt.wantErr {
				t.Fatalf("error %v, want code %v", err, tt.wantErr)
			}
			if err == nil && rt.Op != tt.want {
				t.Fatalf("op %v, want %v", rt.Op, tt.want)
			}
		})
	}
}

func TestEncodeErrorShape(t *testing.T) {
	d := New(Config{})
	for _, method := range []string{"GET", "HEAD"} {
		hr := httptest.NewRequest(method, "/b/k", nil)
		r := &dialects.Request{HTTP: hr, ID: "REQ1", HostID: "HOST1"}
		w := httptest.NewRecorder()
		d.EncodeError(w, r, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k"})
		if w.Code != http.StatusNotFound {
			t.Fatalf("%s: status %d", method, w.Code)
		}
		body := w.Body.String()
		if method == "HEAD" && body != "" {
			t.Fatalf("HEAD error has a body: %q", body)
		}
		if method == "GET" {
			for _, want := range []string{"<Code>NoSuchKey</Code>", "<Resource>/b/k</Resource>", "<RequestId>REQ1</RequestId>", "<HostId>HOST1</HostId>", "<Key>k</Key>"} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s: %s", want, body)
				}
			}
		}
	}
}
