package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// browserForm is one upload form the page posts with fetch(FormData).
type browserForm struct {
	Name, Action, Readback, Filename, Content string
	Fields                                    [][2]string
}

type browserSpec struct {
	Forms []browserForm
	// Puts are presigned PUT URLs, one per dialect, sent with fetch().
	Puts []browserPut
	// Blocked is a URL the page may not read: its origin has no CORS rule.
	Blocked string
}

type browserPut struct{ Name, URL, Readback, Content string }

// browserPage runs spec in the browser: each form posted with fetch and
// read back, the presigned PUT (a preflighted request) and the read back,
// or, for a page of a foreign origin, the read that must be refused.
var browserPage = template.Must(template.New("page").Parse(`<!doctype html>
<html><body><script>
const spec = {{.}};
async function run() {
  const out = {};
  for (const f of spec.Forms || []) {
    try {
      const fd = new FormData();
      for (const [k, v] of f.Fields) fd.append(k, v);
      fd.append("file", new Blob([f.Content], {type: "text/plain"}), f.Filename);
      const r = await fetch(f.Action, {method: "POST", body: fd});
      const body = await r.text();
      const g = await fetch(f.Readback);
      out[f.Name] = {status: r.status, etag: r.headers.get("ETag"), body: body, back: await g.text(), backStatus: g.status};
    } catch (e) { out[f.Name] = {error: String(e)}; }
  }
  for (const p of spec.Puts || []) {
    try {
      const r = await fetch(p.URL, {method: "PUT", body: new TextEncoder().encode(p.Content)});
      const g = await fetch(p.Readback);
      out[p.Name] = {status: r.status, etag: r.headers.get("ETag"), back: await g.text(), backStatus: g.status};
    } catch (e) { out[p.Name] = {error: String(e)}; }
  }
  if (spec.Blocked) {
    try { const r = await fetch(spec.Blocked); out.blocked = {status: r.status, text: await r.text()}; }
    catch (e) { out.blocked = {error: String(e)}; }
  }
  window.results = out;
  window.done = true;
}
run();
</script></body></html>`))

// servePage serves spec's page on a new loopback origin and returns its URL.
func servePage(t *testing.T, spec browserSpec) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		browserPage.Execute(w, spec)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// TestAppsBrowser: headless Chromium from Debian, driven by playwright-core,
// loads a page from one loopback origin that uploads to the gateway on
// another origin with an S3 POST form (SigV4), an OSS PostObject form (V4),
// an OBS POST form, and presigned PUTs of each dialect via fetch()
// (preflighted), then
// reads each object back with fetch() and compares its bytes; a page from an
// origin the CORS rules do not allow is refused the read by the browser.
func TestAppsBrowser(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatalf("Debian's chromium is not installed (%v); run test/scripts/install-clients.sh", err)
	}
	modules := nodeModules(t)
	if _, err := os.Stat(filepath.Join(modules, "playwright-core", "package.json")); err != nil {
		t.Fatalf("playwright-core is not installed in %s (%v); run test/scripts/install-npm.sh", modules, err)
	}
	g := appsGateway(t)
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	const bucket = "browser"
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, admin, bucket, "public/seen.txt", "seen")

	// The page's origin is known once its listener is open; the rules
	// name it.
	spec := browserSpec{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	if _, err := admin.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET", "PUT", "POST"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(60)}}}}); err != nil {
		t.Fatal(err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::browser/*"}]}`
	if _, err := admin.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"s3-v4", "oss-v4", "obs"} {
		var s formScheme
		for _, fs := range formSchemes {
			if fs.name == name {
				s = fs
			}
		}
		key := "up/" + name + "/${filename}"
		fields := formFields(s, postSpec{conds: `["starts-with","$key","up/` + name + `/"],["content-length-range",1,1048576],`,
			fields: [][2]string{{"key", key}}}, bucket)
		content := fmt.Sprintf("uploaded by the browser with the %s form: %s", name, strings.Repeat("0123456789", 50))
		spec.Forms = append(spec.Forms, browserForm{Name: name, Action: formURL(g, name, bucket), Fields: fields,
			Filename: "hello-" + name + ".txt", Content: content,
			Readback: g.URL + "/" + bucket + "/up/" + name + "/hello-" + name + ".txt"})
	}
	presign := s3.NewPresignClient(admin)
	put, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("presigned/put.txt")},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	spec.Puts = append(spec.Puts, browserPut{Name: "s3-put", URL: put.URL, Readback: g.URL + "/" + bucket + "/presigned/put.txt",
		Content: "put by fetch() with an S3 presigned URL " + strings.Repeat("x", 300)})
	ossBk, err := ossLegacyClient(t, g).Bucket(bucket)
	if err != nil {
		t.Fatal(err)
	}
	ossURL, err := ossBk.SignURL("presigned/oss.txt", oss.HTTPPut, 600)
	if err != nil {
		t.Fatal(err)
	}
	spec.Puts = append(spec.Puts, browserPut{Name: "oss-put", URL: ossURL, Readback: g.URL + "/" + bucket + "/presigned/oss.txt",
		Content: "put by fetch() with an OSS signed URL " + strings.Repeat("y", 300)})
	obsURL, err := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil).CreateSignedUrl(&obs.CreateSignedUrlInput{
		Method: obs.HttpMethodPut, Bucket: bucket, Key: "presigned/obs.txt", Expires: 600})
	if err != nil {
		t.Fatal(err)
	}
	spec.Puts = append(spec.Puts, browserPut{Name: "obs-put", URL: obsURL.SignedUrl, Readback: g.URL + "/" + bucket + "/presigned/obs.txt",
		Content: "put by fetch() with an OBS signed URL " + strings.Repeat("z", 300)})

	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		browserPage.Execute(w, spec)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	foreign := servePage(t, browserSpec{Blocked: g.URL + "/" + bucket + "/public/seen.txt"})

	pages, _ := json.Marshal(map[string]string{"allowed": origin + "/", "foreign": foreign})
	script, _ := filepath.Abs(filepath.Join("testdata", "browser", "drive.js"))
	cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, "node", script)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "PAGES="+string(pages), "PROFILE="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s\ngateway log:\n%s", script, err, stderr.String(), mxTail(g.Log(), 20))
	}
	type result struct {
		Status, BackStatus      int
		ETag                    string `json:"etag"`
		Body, Back, Error, Text string
	}
	var out struct {
		Allowed map[string]json.RawMessage
		Foreign map[string]json.RawMessage
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("driver output %q: %v", stdout.String(), err)
	}
	decode := func(raw json.RawMessage) result {
		var r result
		json.Unmarshal(raw, &r)
		return r
	}
	for _, f := range spec.Forms {
		r := decode(out.Allowed[f.Name])
		if r.Error != "" || r.Status != 204 || r.BackStatus != 200 || r.Back != f.Content || r.ETag == "" {
			t.Errorf("%s form from the browser: %+v", f.Name, r)
		}
	}
	for _, p := range spec.Puts {
		if r := decode(out.Allowed[p.Name]); r.Error != "" || r.Status != 200 || r.Back != p.Content || r.ETag == "" {
			t.Errorf("%s from the browser: %+v", p.Name, r)
		}
	}
	if r := decode(out.Foreign["blocked"]); !strings.Contains(r.Error, "Failed to fetch") {
		t.Errorf("a page of a foreign origin read the object: %+v", r)
	}
	// The gateway saw the preflight of the PUT and answered it.
	if !logHas(g.Log(), `"op":"Preflight"`, `"status":200`) {
		t.Errorf("no preflight answered 200 in the gateway log")
	}
}
