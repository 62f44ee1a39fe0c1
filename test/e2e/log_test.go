package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestRequestLog checks one structured log line per request with the
// documented fields, and that no secret or signature reaches the log.
func TestRequestLog(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")})
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Key: aws.String("k"), Body: strings.NewReader("hello")})
	c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String("missing")})
	ps := s3.NewPresignClient(c)
	pr, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String("k")}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := g.HTTPClient(false).Get(pr.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned GET: %s", resp.Status)
	}
	sig := pr.URL[strings.Index(pr.URL, "X-Amz-Signature=")+len("X-Amz-Signature="):]
	g.Stop()

	var requests []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(g.Log()), "\n") {
		for _, secret := range []string{adminSK, aliceSK, bobSK, sig, "Signature=", "Credential="} {
			if strings.Contains(line, secret) {
				t.Fatalf("log line leaks %q: %s", secret, line)
			}
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if m["msg"] == "request" {
			requests = append(requests, m)
		}
	}
	if len(requests) != 4 {
		t.Fatalf("%d request lines, want 4 (one per request)", len(requests))
	}
	for _, m := range requests {
		for _, f := range []string{"dialect", "op", "bucket", "key", "status", "bytes_in", "bytes_out", "duration", "request_id"} {
			if _, ok := m[f]; !ok {
				t.Fatalf("request line lacks %q: %v", f, m)
			}
		}
	}
	last := requests[len(requests)-1]
	if last["op"] != "GetObject" || last["auth"] != "sigv4-query" || last["bytes_out"] != float64(5) || last["status"] != float64(200) {
		t.Fatalf("presigned GET logged as %v", last)
	}
	if requests[2]["error"] != "NoSuchKey" || requests[2]["status"] != float64(404) {
		t.Fatalf("failed GET logged as %v", requests[2])
	}
}
