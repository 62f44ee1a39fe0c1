package dialects_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/dialecttest"
	"github.com/babelgate/babelgate/dialects/s3"
	"github.com/babelgate/babelgate/translate"
)

// TestRequestLogNamesAndReasons sends signed S3 requests through the
// pipeline and checks their log lines: an unimplemented operation is named
// by what was asked (not "Unknown"), and a failure carries its reason (the
// message the client got), not only its code.
func TestRequestLogNamesAndReasons(t *testing.T) {
	b, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	engine := dialecttest.Engine(t, b, "0123456789abcdef-log-test")
	front := s3.New(s3.Config{Settings: dialects.Settings{Engine: engine, Credentials: dialecttest.Writer("AK", "SK"), Rules: translate.S3Rules}})
	var logged strings.Builder
	p := &dialects.Pipeline{
		Detector: dialects.NewDetector(dialects.DetectConfig{Dialects: map[string]dialects.Dialect{s3.Name: front}}),
		Logger:   slog.New(slog.NewJSONHandler(&logged, nil)),
	}
	tests := []struct {
		method, target string
		wantStatus     int
		want           map[string]any
	}{
		{"PUT", "/bkt?tagging", 501, map[string]any{"op": "unsupported ?tagging", "error": "NotImplemented",
			"message": "The tagging sub-resource is not implemented by babelgate."}},
		{"GET", "/bkt/k?versionId=v1", 501, map[string]any{"op": "unsupported ?versionId", "error": "NotImplemented"}},
		{"PATCH", "/bkt/k", 405, map[string]any{"op": "unsupported PATCH object", "error": "MethodNotAllowed",
			"message": "The specified method is not allowed against this resource."}},
		{"GET", "/bkt/missing", 404, map[string]any{"op": "GetObject", "error": "NoSuchKey"}},
		{"GET", "/bkt", 200, map[string]any{"op": "ListObjects"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			logged.Reset()
			req := httptest.NewRequest(tt.method, "http://127.0.0.1:9000"+tt.target, nil)
			req.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}, req,
				"UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			p.ServeHTTP(w, req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(logged.String()), &line); err != nil {
				t.Fatalf("log %q: %v", logged.String(), err)
			}
			for k, v := range tt.want {
				if line[k] != v {
					t.Fatalf("log %s = %v, want %v (line %v)", k, line[k], v, line)
				}
			}
			if _, ok := line["error"]; !ok && w.Code >= 400 {
				t.Fatalf("failure logged without its error: %v", line)
			}
			if _, ok := line["message"]; ok && w.Code < 400 {
				t.Fatalf("success logged with a message: %v", line)
			}
		})
	}
}
