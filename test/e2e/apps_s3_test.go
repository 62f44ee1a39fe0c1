package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// anonDo sends an unsigned request and returns status, S3 error code and
// body.
func anonDo(t *testing.T, method, url string, header map[string]string, body []byte) (*http.Response, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e struct{ Code string }
	xml.Unmarshal(data, &e)
	return resp, e.Code, data
}

func mustPut(t *testing.T, c *s3.Client, bucket, key, body string) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
}

// TestAppsS3Policy: aws-sdk-go-v2 sets, reads and deletes a bucket policy;
// plain net/http reads a public object anonymously and is refused
// everything else; a Deny overrides the config's grant; IP conditions see
// the loopback source.
func TestAppsS3Policy(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	alice := g.s3Client(t, aliceAK, aliceSK, false)
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alice-site")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, admin, "alice-site", "public/index.html", "<h1>hi</h1>")
	mustPut(t, admin, "alice-site", "private/secret.txt", "secret")
	mustPut(t, admin, "alice-site", "lan/only.txt", "lan")
	mustPut(t, admin, "alice-site", "far/only.txt", "far")
	mustPut(t, admin, "alice-site", "locked/doc.txt", "locked")

	_, err := alice.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("alice-site")})
	mustCode(t, err, "NoSuchBucketPolicy")

	pol := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
	 {"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::alice-site/public/*"},
	 {"Sid":"Loopback","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::alice-site/lan/*",
	  "Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]}}},
	 {"Sid":"NotLoopback","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::alice-site/far/*",
	  "Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
	 {"Sid":"LockAlice","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/%s"},"Action":"s3:*","Resource":"arn:aws:s3:::alice-site/locked/*"}
	]}`, aliceAK)
	if _, err := alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("alice-site"), Policy: aws.String(pol)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	got, err := alice.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("alice-site")})
	if err != nil || aws.ToString(got.Policy) != pol {
		t.Fatalf("GetBucketPolicy = %q, %v; want the policy as set", aws.ToString(got.Policy), err)
	}

	base := g.URL + "/alice-site/"
	for _, c := range []struct {
		method, key string
		status      int
		code        string
	}{
		{"GET", "public/index.html", 200, ""},
		{"HEAD", "public/index.html", 200, ""},
		{"GET", "lan/only.txt", 200, ""},             // the loopback source matches IpAddress
		{"GET", "far/only.txt", 403, "AccessDenied"}, // and fails NotIpAddress
		{"GET", "private/secret.txt", 403, "AccessDenied"},
		{"PUT", "public/new.html", 403, "AccessDenied"},
		{"DELETE", "public/index.html", 403, "AccessDenied"},
		{"GET", "", 403, "AccessDenied"}, // listing
		{"GET", ".babelgate/bucket/policy.json", 403, "AccessDenied"},
	} {
		resp, code, body := anonDo(t, c.method, base+c.key, nil, []byte("x"))
		if resp.StatusCode != c.status || (c.method != "HEAD" && code != c.code) {
			t.Errorf("anonymous %s %s: %d %s %s, want %d %s", c.method, c.key, resp.StatusCode, code, body, c.status, c.code)
		}
		if c.key == "public/index.html" && c.method == "GET" && string(body) != "<h1>hi</h1>" {
			t.Errorf("public object body %q", body)
		}
	}
	// The Deny overrides alice's own grant (alice-*: readwrite).
	_, err = alice.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alice-site"), Key: aws.String("locked/doc.txt")})
	mustCode(t, err, "AccessDenied")
	_, err = alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-site"), Key: aws.String("locked/doc.txt"), Body: strings.NewReader("x")})
	mustCode(t, err, "AccessDenied")
	if _, err := alice.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alice-site"), Key: aws.String("private/secret.txt")}); err != nil {
		t.Fatalf("alice's grant still applies elsewhere: %v", err)
	}

	// Refused policies name the fault and change nothing.
	for _, bad := range []struct{ policy, msg string }{
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:Fly","Resource":"arn:aws:s3:::alice-site/*"}]}`, "Policy has invalid action"},
		{`{"Statement":[{"Effect":"Allow","NotPrincipal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::alice-site/*"}]}`, "Policy has an unsupported element: NotPrincipal"},
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`, "Policy has invalid resource"},
		{`not json`, "Policies must be valid JSON and the first byte must be '{'"},
	} {
		_, err := alice.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("alice-site"), Policy: aws.String(bad.policy)})
		mustCode(t, err, "MalformedPolicy")
		if !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("MalformedPolicy for %s: %v, want %q", bad.policy, err, bad.msg)
		}
	}
	if got, err := alice.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("alice-site")}); err != nil || aws.ToString(got.Policy) != pol {
		t.Fatalf("a refused policy replaced the policy: %v", err)
	}
	// bob has no grant on alice-site: he may not set its policy.
	bob := g.s3Client(t, bobAK, bobSK, false)
	_, err = bob.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("alice-site"), Policy: aws.String(pol)})
	mustCode(t, err, "AccessDenied")

	if _, err := alice.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("alice-site")}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("alice-site")})
	mustCode(t, err, "NoSuchBucketPolicy")
	if resp, code, _ := anonDo(t, "GET", base+"public/index.html", nil, nil); resp.StatusCode != 403 || code != "AccessDenied" {
		t.Fatalf("after DeleteBucketPolicy anonymous GET: %d %s", resp.StatusCode, code)
	}
	// The policy is hidden from listings.
	out, err := admin.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-site")})
	if err != nil || len(out.Contents) != 5 {
		t.Fatalf("listing: %d keys, %v", len(out.Contents), err)
	}
}

// TestAppsS3CORS: PutBucketCors/GetBucketCors round trip through
// aws-sdk-go-v2; preflights answered per the rules, refused with S3's 403;
// CORS headers on actual responses, errors included, and none where no
// rule matches.
func TestAppsS3CORS(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, admin, "web", "a.txt", "A")
	url := g.URL + "/web/a.txt"
	pre := map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}
	if resp, code, _ := anonDo(t, "OPTIONS", url, pre, nil); resp.StatusCode != 403 || code != "AccessForbidden" {
		t.Fatalf("preflight without rules: %d %s", resp.StatusCode, code)
	}
	_, err := admin.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	mustCode(t, err, "NoSuchCORSConfiguration")
	rules := []types.CORSRule{
		{ID: aws.String("app"), AllowedOrigins: []string{"http://app.example", "http://*.app.example"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"content-type", "x-amz-*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
	}
	if _, err := admin.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("web"),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	got, err := admin.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	if err != nil || len(got.CORSRules) != 2 || aws.ToString(got.CORSRules[0].ID) != "app" ||
		strings.Join(got.CORSRules[0].AllowedOrigins, ",") != "http://app.example,http://*.app.example" ||
		aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 300 || got.CORSRules[1].MaxAgeSeconds != nil {
		t.Fatalf("GetBucketCors = %+v, %v", got, err)
	}

	resp, _, _ := anonDo(t, "OPTIONS", url, pre, nil)
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "http://app.example" || h.Get("Access-Control-Allow-Methods") != "GET, PUT" ||
		h.Get("Access-Control-Allow-Headers") != "content-type" || h.Get("Access-Control-Max-Age") != "300" || h.Get("Access-Control-Expose-Headers") != "ETag" ||
		!strings.Contains(h.Get("Vary"), "Origin") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, h)
	}
	for _, bad := range []map[string]string{
		{"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"},
		{"Origin": "http://app.example", "Access-Control-Request-Method": "DELETE"},
		{"Origin": "http://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-custom"},
	} {
		resp, code, body := anonDo(t, "OPTIONS", url, bad, nil)
		if resp.StatusCode != 403 || code != "AccessForbidden" || resp.Header.Get("Access-Control-Allow-Origin") != "" ||
			!strings.Contains(string(body), "CORSResponse: This CORS request is not allowed.") {
			t.Errorf("preflight %v: %d %s %v", bad, resp.StatusCode, body, resp.Header)
		}
	}
	if resp, code, _ := anonDo(t, "OPTIONS", url, map[string]string{"Access-Control-Request-Method": "GET"}, nil); resp.StatusCode != 400 || code != "InvalidRequest" {
		t.Errorf("preflight without Origin: %d %s", resp.StatusCode, code)
	}

	// Actual requests: signed GET from an allowed origin carries the
	// rule's headers; an error does too; a wildcard-rule origin gets "*".
	sdk := g.s3Client(t, adminAK, adminSK, false)
	var seen http.Header
	_, err = sdk.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("web"), Key: aws.String("a.txt")}, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, addHeader("Origin", "http://x.app.example"), captureHeaders(&seen))
	})
	if err != nil || seen.Get("Access-Control-Allow-Origin") != "http://x.app.example" || seen.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Fatalf("actual GET: %v %v", err, seen)
	}
	_, err = sdk.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("web"), Key: aws.String("nope")}, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, addHeader("Origin", "http://app.example"), captureHeaders(&seen))
	})
	mustCode(t, err, "NoSuchKey")
	if seen.Get("Access-Control-Allow-Origin") != "http://app.example" {
		t.Fatalf("error response without CORS headers: %v", seen)
	}
	resp, _, _ = anonDo(t, "GET", url, map[string]string{"Origin": "http://other.example"}, nil)
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("wildcard rule: %v", resp.Header)
	}
	_, err = sdk.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("b.txt"), Body: strings.NewReader("B")}, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, addHeader("Origin", "http://evil.example"), captureHeaders(&seen))
	})
	if err != nil || seen.Get("Access-Control-Allow-Origin") != "" || seen.Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("a request no rule matches got CORS headers: %v %v", err, seen)
	}

	// Content-MD5 (or a checksum) is required, as S3 requires it.
	doc := []byte(`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`)
	if code := signedDo(t, g, "PUT", "/web?cors", doc, nil); code != "InvalidRequest" {
		t.Fatalf("PutBucketCors without Content-MD5: %s", code)
	}
	if code := signedDo(t, g, "PUT", "/web?cors", []byte(`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>`),
		map[string]string{"Content-MD5": md5B64([]byte(`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>`))}); code != "InvalidRequest" {
		t.Fatalf("PATCH rule: %s", code)
	}
	if _, err := admin.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	mustCode(t, err, "NoSuchCORSConfiguration")
	if resp, _, _ := anonDo(t, "GET", url, map[string]string{"Origin": "http://other.example"}, nil); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS headers after DeleteBucketCors")
	}
}

// TestAppsAnonymousConfig: the config's anonymous grants allow reads under
// their prefix only, never writes or the reserved names, and a reload
// takes them away.
func TestAppsAnonymousConfig(t *testing.T) {
	g := startGateway(t, withConfig("anonymous:\n  - {bucket: assets, prefix: public/, access: read}\n"))
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("assets")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, admin, "assets", "public/logo.svg", "<svg/>")
	mustPut(t, admin, "assets", "internal/plan.txt", "plan")
	base := g.URL + "/assets"
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/public/logo.svg", 200},
		{"HEAD", "/public/logo.svg", 200},
		{"GET", "?prefix=public/", 200},
		{"GET", "?list-type=2&prefix=public/", 200},
		{"GET", "", 403},
		{"GET", "?prefix=internal/", 403},
		{"GET", "/internal/plan.txt", 403},
		{"PUT", "/public/new.svg", 403},
		{"DELETE", "/public/logo.svg", 403},
		{"POST", "/public/x?uploads", 403},
		{"GET", "/.babelgate/bucket/acl.json", 403},
	} {
		resp, code, _ := anonDo(t, c.method, base+c.path, nil, nil)
		if resp.StatusCode != c.status || (c.status == 403 && c.method != "HEAD" && code != "AccessDenied") {
			t.Errorf("anonymous %s %s: %d %s, want %d", c.method, c.path, resp.StatusCode, code, c.status)
		}
	}
	if _, _, body := anonDo(t, "GET", base+"?prefix=public/", nil, nil); !strings.Contains(string(body), "<Key>public/logo.svg</Key>") {
		t.Errorf("anonymous listing: %s", body)
	}
	// A reload without the grant takes it away at once.
	cfgPath := filepath.Join(g.Dir, "config.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	next := strings.Replace(string(cfg), "anonymous:\n  - {bucket: assets, prefix: public/, access: read}\n", "", 1)
	if next == string(cfg) {
		t.Fatalf("the config has no anonymous section:\n%s", cfg)
	}
	if err := os.WriteFile(cfgPath, []byte(next), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := g.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitReloadLine(t, g, 1)
	if resp, code, _ := anonDo(t, "GET", base+"/public/logo.svg", nil, nil); resp.StatusCode != 403 || code != "AccessDenied" {
		t.Fatalf("after the reload: %d %s", resp.StatusCode, code)
	}
}
