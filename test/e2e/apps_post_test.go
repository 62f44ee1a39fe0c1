package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const ossFormDomain = "oss.babelgate.test"

// appsGateway serves all three dialects: OSS and OBS browser forms carry
// no signature header, so they are recognised by the vendor domain of the
// Host they are posted to, as on the vendors' own endpoints.
func appsGateway(t *testing.T, opts ...gatewayOption) *gateway {
	return startGateway(t, append([]gatewayOption{withConfig("dialects:\n  oss:\n    domains: [" + ossFormDomain + "]\n  obs:\n    domains: [" + obsDomain + "]\n")}, opts...)...)
}

// formURL is where a scheme's form is posted for bucket (path style).
func formURL(g *gateway, scheme, bucket string) string {
	_, port, _ := splitHostPort(g.Addr)
	switch {
	case strings.HasPrefix(scheme, "oss"):
		return "http://" + ossFormDomain + ":" + port + "/" + bucket
	case scheme == "obs":
		return "http://" + obsDomain + ":" + port + "/" + bucket
	}
	return g.URL + "/" + bucket
}

// postSpec is one browser form.
type postSpec struct {
	expiration string // RFC 3339; "" is an hour ahead
	conds      string // further conditions, JSON, each followed by ','
	fields     [][2]string
	file       []byte
	fileName   string
	// mangle edits the signed fields before they are sent.
	mangle func(f [][2]string) [][2]string
	// raw replaces the policy document.
	raw string
}

// formFields returns the signed fields of a form (without the file).
func formFields(s formScheme, p postSpec, bucket string) [][2]string {
	now := time.Now().UTC()
	exp := p.expiration
	if exp == "" {
		exp = now.Add(time.Hour).Format(time.RFC3339)
	}
	doc := `{"expiration":"` + exp + `","conditions":[` + s.conds(now, adminAK) + p.conds + `{"bucket":"` + bucket + `"}]}`
	if p.raw != "" {
		doc = p.raw
	}
	policy := base64.StdEncoding.EncodeToString([]byte(doc))
	fields := append(append([][2]string{}, p.fields...), s.sign(policy, now, adminAK, adminSK)...)
	if p.mangle != nil {
		fields = p.mangle(fields)
	}
	return fields
}

func buildForm(t *testing.T, s formScheme, p postSpec, bucket string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range formFields(s, p, bucket) {
		w.WriteField(f[0], f[1])
	}
	if p.file != nil {
		name := p.fileName
		if name == "" {
			name = "upload.bin"
		}
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(p.file)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func sendForm(t *testing.T, g *gateway, url string, body []byte, ct string) (int, string, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	c := g.HTTPClient(true)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e struct{ Code string }
	xml.Unmarshal(data, &e)
	return resp.StatusCode, e.Code, string(data), resp.Header
}

func replaceField(name, value string) func([][2]string) [][2]string {
	return func(f [][2]string) [][2]string {
		for i := range f {
			if strings.EqualFold(f[i][0], name) {
				f[i][1] = value
			}
		}
		return f
	}
}

func dropField(name string) func([][2]string) [][2]string {
	return func(f [][2]string) [][2]string {
		var out [][2]string
		for _, x := range f {
			if !strings.EqualFold(x[0], name) {
				out = append(out, x)
			}
		}
		return out
	}
}

// TestAppsPostUploads posts browser forms in every dialect's signature
// scheme (S3 SigV4 and SigV2, OSS V1 and V4, OBS): one good form of each
// stores the file, with ${filename}, metadata and the asked-for answer
// (201 PostResponse, 200, 204, redirect); 24 bad forms of each get the
// code and status the vendor documents, and leave nothing stored.
func TestAppsPostUploads(t *testing.T) {
	g := appsGateway(t)
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	for _, s := range formSchemes {
		t.Run(s.name, func(t *testing.T) {
			bucket := "forms-" + s.name
			if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			url := formURL(g, s.name, bucket)
			good := postSpec{conds: `["starts-with","$key","up/"],["content-length-range",1,64],{"success_action_status":"201"},["starts-with","$Content-Type","text/"],["starts-with","$` + s.meta + `note",""],`,
				fields: [][2]string{{"key", "up/${filename}"}, {"success_action_status", "201"}, {"Content-Type", "text/plain"}, {s.meta + "note", "from a form"}},
				file:   []byte("hello from a form"), fileName: "hello.txt"}
			body, ct := buildForm(t, s, good, bucket)
			status, code, resp, hdr := sendForm(t, g, url, body, ct)
			if status != 201 || code != "" || !strings.Contains(resp, "<Key>up/hello.txt</Key>") || hdr.Get("ETag") == "" {
				t.Fatalf("good form: %d %s %s", status, code, resp)
			}
			obj, err := admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("up/hello.txt")})
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			if string(data) != "hello from a form" || aws.ToString(obj.ContentType) != "text/plain" || obj.Metadata["note"] != "from a form" {
				t.Fatalf("stored %q %q %v", data, aws.ToString(obj.ContentType), obj.Metadata)
			}
			// 204 by default, 200 on request, 303 to success_action_redirect.
			for _, c := range []struct {
				status string
				want   int
			}{{"", 204}, {"200", 200}} {
				spec := postSpec{conds: `["starts-with","$key",""],["starts-with","$success_action_status",""],`,
					fields: [][2]string{{"key", "other/" + c.status}, {"success_action_status", c.status}}, file: []byte("x")}
				body, ct := buildForm(t, s, spec, bucket)
				if st, code, resp, _ := sendForm(t, g, url, body, ct); st != c.want {
					t.Fatalf("success_action_status %q: %d %s %s", c.status, st, code, resp)
				}
			}
			spec := postSpec{conds: `["starts-with","$key",""],["starts-with","$success_action_redirect","http://app.example/"],`,
				fields: [][2]string{{"key", "redirected"}, {"success_action_redirect", "http://app.example/done"}}, file: []byte("x")}
			body, ct = buildForm(t, s, spec, bucket)
			if st, _, _, h := sendForm(t, g, url, body, ct); st != 303 || !strings.HasPrefix(h.Get("Location"), "http://app.example/done?bucket="+bucket+"&key=redirected&etag=") {
				t.Fatalf("redirect: %d %v", st, h)
			}
			before := listKeys(t, admin, bucket)

			conds := `["starts-with","$key","up/"],["content-length-range",1,10],`
			key := [][2]string{{"key", "up/bad"}}
			file := []byte("0123456789")
			bad := []struct {
				name   string
				spec   postSpec
				status int
				code   string
			}{
				{"expired", postSpec{expiration: time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), conds: conds, fields: key, file: file}, 403, "AccessDenied"},
				{"wrong signature", postSpec{conds: conds, fields: key, file: file, mangle: func(f [][2]string) [][2]string {
					last := &f[len(f)-1]
					if strings.Contains(last[0], "ignature") && len(last[1]) == 64 {
						last[1] = strings.Repeat("0", 64)
					} else {
						last[1] = "AAAAAAAAAAAAAAAAAAAAAAAAAAA="
					}
					return f
				}}, 403, "SignatureDoesNotMatch"},
				{"unknown access key", postSpec{conds: conds, fields: key, file: file, mangle: func(f [][2]string) [][2]string {
					for i := range f {
						switch strings.ToLower(f[i][0]) {
						case "awsaccesskeyid", "ossaccesskeyid", "accesskeyid":
							f[i][1] = "NOSUCHKEY0000000000"
						case "x-amz-credential", "x-oss-credential":
							f[i][1] = "NOSUCHKEY0000000000" + f[i][1][len(adminAK):]
						}
					}
					return f
				}}, 403, "InvalidAccessKeyId"},
				{"file over the range", postSpec{conds: conds, fields: key, file: []byte("0123456789A")}, 400, "EntityTooLarge"},
				{"empty file under the range", postSpec{conds: conds, fields: key, file: []byte{}}, 400, "EntityTooSmall"},
				{"key outside starts-with", postSpec{conds: conds, fields: [][2]string{{"key", "down/bad"}}, file: file}, 403, "AccessDenied"},
				{"key missing", postSpec{conds: `["content-length-range",1,10],`, file: file}, 400, "InvalidArgument"},
				{"policy missing", postSpec{conds: conds, fields: key, file: file, mangle: dropField("policy")}, 400, "InvalidArgument"},
				{"signature missing", postSpec{conds: conds, fields: key, file: file, mangle: func(f [][2]string) [][2]string { return f[:len(f)-1] }}, 400, "InvalidArgument"},
				{"malformed policy JSON", postSpec{raw: `{"expiration":`, fields: key, file: file}, 400, "InvalidPolicyDocument"},
				{"policy not base64", postSpec{conds: conds, fields: key, file: file, mangle: replaceField("policy", "%%%")}, 403, "SignatureDoesNotMatch"},
				{"policy without expiration", postSpec{raw: `{"conditions":[]}`, fields: key, file: file}, 400, "InvalidPolicyDocument"},
				{"unknown condition operator", postSpec{conds: `["ends-with","$key","x"],`, fields: key, file: file}, 400, "InvalidPolicyDocument"},
				{"content-length-range reversed", postSpec{conds: `["content-length-range",10,1],`, fields: key, file: file}, 400, "InvalidPolicyDocument"},
				{"eq on key fails", postSpec{conds: `{"key":"up/other"},`, fields: key, file: file}, 403, "AccessDenied"},
				{"wrong bucket", postSpec{conds: `{"bucket":"elsewhere"},["starts-with","$key",""],`, fields: key, file: file}, 403, "AccessDenied"},
				{"field not in the policy", postSpec{conds: conds, fields: append([][2]string{{"Content-Type", "text/html"}}, key...), file: file}, 403, "AccessDenied"},
				{"content type not allowed", postSpec{conds: conds + `["starts-with","$Content-Type","image/"],`,
					fields: append([][2]string{{"Content-Type", "text/html"}}, key...), file: file}, 403, "AccessDenied"},
				{"success_action_status not allowed", postSpec{conds: conds + `{"success_action_status":"201"},`,
					fields: append([][2]string{{"success_action_status", "200"}}, key...), file: file}, 403, "AccessDenied"},
				{"metadata not allowed", postSpec{conds: conds + `{"` + s.meta + `a":"1"},`,
					fields: append([][2]string{{s.meta + "a", "2"}}, key...), file: file}, 403, "AccessDenied"},
				{"no file", postSpec{conds: conds, fields: key}, 400, "InvalidArgument"},
				{"duplicate key field", postSpec{conds: conds, fields: append([][2]string{{"key", "up/a"}}, key...), file: file}, 400, "InvalidArgument"},
				{"expiration not a date", postSpec{raw: `{"expiration":"soon","conditions":[]}`, fields: key, file: file}, 400, "InvalidPolicyDocument"},
				{"unsigned form, no policy allows it", postSpec{conds: conds, fields: key, file: file, mangle: func(f [][2]string) [][2]string {
					return [][2]string{{"key", "up/bad"}}
				}}, 403, "AccessDenied"},
			}
			for _, c := range bad {
				t.Run(c.name, func(t *testing.T) {
					body, ct := buildForm(t, s, c.spec, bucket)
					status, code, resp, _ := sendForm(t, g, url, body, ct)
					want := c.code
					if s.name == "obs" && (want == "SignatureDoesNotMatch" || want == "InvalidAccessKeyId") {
						want = "AccessDenied" // OBS's own codes for both (dialects/obs/errors.go)
					}
					if status != c.status || code != want {
						t.Errorf("%d %s, want %d %s: %s", status, code, c.status, want, resp)
					}
				})
			}
			// The not-multipart case.
			st, code, _, _ := sendForm(t, g, url, []byte("key=a"), "application/x-www-form-urlencoded")
			if st != 400 || code != "MalformedPOSTRequest" {
				t.Errorf("urlencoded form: %d %s", st, code)
			}
			if after := listKeys(t, admin, bucket); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("bad forms stored something: before %v, after %v", before, after)
			}
		})
	}
}

func listKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}
