package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/test/minio"
)

// TestAppsSettingsShared: a bucket policy and CORS rules set through one
// instance over MinIO are enforced by a second instance over the same
// MinIO, and by the first after a restart; they are stored in the bucket,
// hidden from listings, and removed with it. bucket_settings_ttl 0s makes
// the second instance read them on every request, so no wait decides the
// outcome.
func TestAppsSettingsShared(t *testing.T) {
	m := minio.Start(t)
	opts := []gatewayOption{withBackends(minioBackend(m, "")), withServer("  bucket_settings_ttl: 0s\n")}
	a, b := startGateway(t, opts...), startGateway(t, opts...)
	ctx := context.Background()
	ca := a.s3Client(t, adminAK, adminSK, false)
	if _, err := ca.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-site")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, ca, "shared-site", "public/page.html", "page")
	mustPut(t, ca, "shared-site", "private/data", "data")
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-site/public/*"}]}`
	if _, err := ca.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("shared-site"), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("shared-site"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"http://app.example"}, AllowedMethods: []string{"GET"}}}}}); err != nil {
		t.Fatal(err)
	}
	check := func(g *gateway, when string) {
		t.Helper()
		if resp, _, body := anonDo(t, "GET", g.URL+"/shared-site/public/page.html", nil, nil); resp.StatusCode != 200 || string(body) != "page" {
			t.Fatalf("%s: anonymous public GET: %d %s", when, resp.StatusCode, body)
		}
		if resp, code, _ := anonDo(t, "GET", g.URL+"/shared-site/private/data", nil, nil); resp.StatusCode != 403 || code != "AccessDenied" {
			t.Fatalf("%s: anonymous private GET: %d %s", when, resp.StatusCode, code)
		}
		pre := map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "GET"}
		if resp, _, _ := anonDo(t, "OPTIONS", g.URL+"/shared-site/public/page.html", pre, nil); resp.StatusCode != 200 ||
			resp.Header.Get("Access-Control-Allow-Origin") != "http://app.example" {
			t.Fatalf("%s: preflight: %d %v", when, resp.StatusCode, resp.Header)
		}
		got, err := g.s3Client(t, adminAK, adminSK, false).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("shared-site")})
		if err != nil || aws.ToString(got.Policy) != pol {
			t.Fatalf("%s: GetBucketPolicy: %v", when, err)
		}
	}
	check(b, "second instance")
	a.Stop()
	a.Restart()
	check(a, "after a restart")

	// The settings live in the bucket, hidden from listings.
	keys := listKeys(t, ca, "shared-site")
	if strings.Join(keys, ",") != "private/data,public/page.html" {
		t.Fatalf("listing shows %v", keys)
	}
	// A deletion through one instance applies on the other at once (TTL 0).
	if _, err := ca.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("shared-site")}); err != nil {
		t.Fatal(err)
	}
	if resp, code, _ := anonDo(t, "GET", b.URL+"/shared-site/public/page.html", nil, nil); resp.StatusCode != 403 || code != "AccessDenied" {
		t.Fatalf("second instance after DeleteBucketPolicy: %d %s", resp.StatusCode, code)
	}
	// DeleteBucket removes the settings with the bucket.
	for _, k := range keys {
		if _, err := ca.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared-site"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ca.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("shared-site")}); err != nil {
		t.Fatalf("DeleteBucket with settings stored: %v", err)
	}
}
