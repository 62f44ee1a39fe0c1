package e2e

import (
	"errors"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

func ossErr(err error) (string, int) {
	var se oss.ServiceError
	if errors.As(err, &se) {
		return se.Code, se.StatusCode
	}
	return "", 0
}

// anonStatus is an unsigned GET's status.
func anonStatus(t *testing.T, url string) int {
	t.Helper()
	resp, _, _ := anonDo(t, "GET", url, nil, nil)
	return resp.StatusCode
}

// TestAppsOSSSettings: aliyun-oss-go-sdk at its defaults sets a RAM bucket
// policy, a canned ACL and CORS rules, reads each back, and the gateway
// enforces them for unsigned requests.
func TestAppsOSSSettings(t *testing.T) {
	g := appsGateway(t)
	c := ossLegacyClient(t, g)
	b := ossBucket(t, c, "oss-site")
	for k, v := range map[string]string{"public/a.txt": "A", "private/b.txt": "B"} {
		if err := b.PutObject(k, strings.NewReader(v)); err != nil {
			t.Fatal(err)
		}
	}
	pub, priv := g.URL+"/oss-site/public/a.txt", g.URL+"/oss-site/private/b.txt"
	if _, err := c.GetBucketPolicy("oss-site"); err == nil {
		t.Fatal("GetBucketPolicy with none set succeeded")
	} else if code, st := ossErr(err); code != "NoSuchBucketPolicy" || st != 404 {
		t.Fatalf("GetBucketPolicy with none: %s %d (%v)", code, st, err)
	}
	pol := `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:oss-site/public/*"]}]}`
	if err := c.SetBucketPolicy("oss-site", pol); err != nil {
		t.Fatalf("SetBucketPolicy: %v", err)
	}
	if got, err := c.GetBucketPolicy("oss-site"); err != nil || got != pol {
		t.Fatalf("GetBucketPolicy = %q, %v", got, err)
	}
	if anonStatus(t, pub) != 200 || anonStatus(t, priv) != 403 {
		t.Fatal("the OSS policy is not enforced")
	}
	err := c.SetBucketPolicy("oss-site", `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:Fly"],"Resource":["acs:oss:*:*:oss-site/*"]}]}`)
	if code, st := ossErr(err); code != "InvalidPolicyDocument" || st != 400 || !strings.Contains(err.Error(), "Policy has invalid action") {
		t.Fatalf("bad policy: %v", err)
	}
	if err := c.DeleteBucketPolicy("oss-site"); err != nil {
		t.Fatal(err)
	}
	if anonStatus(t, pub) != 403 {
		t.Fatal("policy still enforced after DeleteBucketPolicy")
	}

	if r, err := c.GetBucketACL("oss-site"); err != nil || r.ACL != "private" {
		t.Fatalf("GetBucketACL = %+v, %v", r, err)
	}
	if err := c.SetBucketACL("oss-site", oss.ACLPublicRead); err != nil {
		t.Fatalf("SetBucketACL: %v", err)
	}
	if r, err := c.GetBucketACL("oss-site"); err != nil || r.ACL != "public-read" {
		t.Fatalf("GetBucketACL after public-read = %+v, %v", r, err)
	}
	if anonStatus(t, priv) != 200 {
		t.Fatal("public-read bucket not readable anonymously")
	}
	if resp, _, _ := anonDo(t, "PUT", g.URL+"/oss-site/new.txt", nil, []byte("x")); resp.StatusCode != 403 {
		t.Fatalf("anonymous PUT on a public-read bucket: %d", resp.StatusCode)
	}
	if err := c.SetBucketACL("oss-site", oss.ACLPrivate); err != nil {
		t.Fatal(err)
	}
	if anonStatus(t, priv) != 403 {
		t.Fatal("private again, still readable")
	}

	rules := []oss.CORSRule{{AllowedOrigin: []string{"http://app.example"}, AllowedMethod: []string{"GET", "PUT"},
		AllowedHeader: []string{"*"}, ExposeHeader: []string{"ETag"}, MaxAgeSeconds: 100}}
	if err := c.SetBucketCORS("oss-site", rules); err != nil {
		t.Fatalf("SetBucketCORS: %v", err)
	}
	got, err := c.GetBucketCORS("oss-site")
	if err != nil || len(got.CORSRules) != 1 || got.CORSRules[0].MaxAgeSeconds != 100 ||
		strings.Join(got.CORSRules[0].AllowedMethod, ",") != "GET,PUT" || got.ResponseVary == nil {
		t.Fatalf("GetBucketCORS = %+v, %v", got, err)
	}
	pre := map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-oss-date"}
	if resp, _, _ := anonDo(t, "OPTIONS", pub, pre, nil); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://app.example" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if err := c.DeleteBucketCORS("oss-site"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBucketCORS("oss-site"); err == nil {
		t.Fatal("GetBucketCORS after delete succeeded")
	} else if code, st := ossErr(err); code != "NoSuchCORSConfiguration" || st != 404 {
		t.Fatalf("GetBucketCORS after delete: %v", err)
	}
}

// TestAppsOBSSettings: the OBS Go SDK with OBS's own signature sets an OBS
// bucket policy, the public-read ACL and CORS rules, reads them back, and
// the gateway enforces them.
func TestAppsOBSSettings(t *testing.T) {
	g := appsGateway(t)
	c := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	if _, err := c.CreateBucket(&obs.CreateBucketInput{Bucket: "obs-site"}); err != nil {
		t.Fatal(err)
	}
	admin := g.s3Client(t, adminAK, adminSK, false)
	mustPut(t, admin, "obs-site", "public/a.txt", "A")
	mustPut(t, admin, "obs-site", "private/b.txt", "B")
	pub, priv := g.URL+"/obs-site/public/a.txt", g.URL+"/obs-site/private/b.txt"

	pol := `{"Statement":[{"Sid":"pub","Effect":"Allow","Principal":{"ID":["*"]},"Action":["GetObject"],"Resource":["obs-site/public/*"]}]}`
	if _, err := c.SetBucketPolicy(&obs.SetBucketPolicyInput{Bucket: "obs-site", Policy: pol}); err != nil {
		t.Fatalf("SetBucketPolicy: %v", err)
	}
	out, err := c.GetBucketPolicy("obs-site")
	if err != nil || out.Policy != pol {
		t.Fatalf("GetBucketPolicy = %+v, %v", out, err)
	}
	if anonStatus(t, pub) != 200 || anonStatus(t, priv) != 403 {
		t.Fatal("the OBS policy is not enforced")
	}
	_, err = c.SetBucketPolicy(&obs.SetBucketPolicyInput{Bucket: "obs-site", Policy: `{"Statement":[{"Effect":"Allow","Principal":{"ID":["*"]},"Action":["Fly"],"Resource":["obs-site/*"]}]}`})
	if obsCode(err) != "MalformedPolicy" || obsStatus(err) != 400 {
		t.Fatalf("bad policy: %v", err)
	}
	if _, err := c.DeleteBucketPolicy("obs-site"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBucketPolicy("obs-site"); obsCode(err) != "NoSuchBucketPolicy" || obsStatus(err) != 404 {
		t.Fatalf("GetBucketPolicy after delete: %v", err)
	}

	if _, err := c.SetBucketAcl(&obs.SetBucketAclInput{Bucket: "obs-site", ACL: obs.AclPublicRead}); err != nil {
		t.Fatalf("SetBucketAcl: %v", err)
	}
	if anonStatus(t, priv) != 200 {
		t.Fatal("public-read bucket not readable anonymously")
	}

	cors := obs.BucketCors{CorsRules: []obs.CorsRule{{ID: "app", AllowedOrigin: []string{"http://app.example"}, AllowedMethod: []string{"GET"},
		AllowedHeader: []string{"*"}, ExposeHeader: []string{"ETag"}, MaxAgeSeconds: 60}}}
	if _, err := c.SetBucketCors(&obs.SetBucketCorsInput{Bucket: "obs-site", BucketCors: cors}); err != nil {
		t.Fatalf("SetBucketCors: %v", err)
	}
	got, err := c.GetBucketCors("obs-site")
	if err != nil || len(got.CorsRules) != 1 || got.CorsRules[0].ID != "app" || got.CorsRules[0].MaxAgeSeconds != 60 {
		t.Fatalf("GetBucketCors = %+v, %v", got, err)
	}
	pre := map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "GET"}
	if resp, _, _ := anonDo(t, "OPTIONS", pub, pre, nil); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Max-Age") != "60" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if _, err := c.DeleteBucketCors("obs-site"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBucketCors("obs-site"); obsCode(err) != "NoSuchCORSConfiguration" {
		t.Fatalf("GetBucketCors after delete: %v", err)
	}
}
