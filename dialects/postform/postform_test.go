package postform

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func lookup(ak string) (string, bool) {
	if ak == "AK" {
		return "SECRET", true
	}
	return "", false
}

func hmac256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// sign adds the signature fields of scheme (s3v4, s3v2, ossv1, ossv4, obs)
// over policy to fields, as the vendors' browser-upload guides describe.
func sign(scheme, policy string, fields [][2]string) [][2]string {
	date := now.Format("20060102")
	v1 := func() string {
		m := hmac.New(sha1.New, []byte("SECRET"))
		m.Write([]byte(policy))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	v4 := func(prefix, region, service, terminator string) string {
		k := hmac256([]byte(prefix+"SECRET"), date)
		k = hmac256(k, region)
		k = hmac256(k, service)
		k = hmac256(k, terminator)
		return hex.EncodeToString(hmac256(k, policy))
	}
	f := append([][2]string{}, fields...)
	f = append(f, [2]string{"policy", policy})
	switch scheme {
	case "s3v4":
		f = append(f, [2]string{"x-amz-algorithm", "AWS4-HMAC-SHA256"}, [2]string{"x-amz-credential", "AK/" + date + "/us-east-1/s3/aws4_request"},
			[2]string{"x-amz-date", date + "T120000Z"}, [2]string{"x-amz-signature", v4("AWS4", "us-east-1", "s3", "aws4_request")})
	case "s3v2":
		f = append(f, [2]string{"AWSAccessKeyId", "AK"}, [2]string{"signature", v1()})
	case "ossv1":
		f = append(f, [2]string{"OSSAccessKeyId", "AK"}, [2]string{"Signature", v1()})
	case "ossv4":
		f = append(f, [2]string{"x-oss-signature-version", "OSS4-HMAC-SHA256"}, [2]string{"x-oss-credential", "AK/" + date + "/cn-hangzhou/oss/aliyun_v4_request"},
			[2]string{"x-oss-date", date + "T120000Z"}, [2]string{"x-oss-signature", v4("aliyun_v4", "cn-hangzhou", "oss", "aliyun_v4_request")})
	case "obs":
		f = append(f, [2]string{"AccessKeyId", "AK"}, [2]string{"signature", v1()})
	}
	return f
}

func policyOf(doc string) string { return base64.StdEncoding.EncodeToString([]byte(doc)) }

// sigConds are the conditions each scheme's own signature fields need.
var sigConds = map[string]string{
	"s3v4":  `{"x-amz-algorithm":"AWS4-HMAC-SHA256"},["starts-with","$x-amz-credential",""],["starts-with","$x-amz-date",""],`,
	"ossv4": `{"x-oss-signature-version":"OSS4-HMAC-SHA256"},["starts-with","$x-oss-credential",""],["starts-with","$x-oss-date",""],`,
}

func form(t *testing.T, fields [][2]string, file string, fileFirst bool) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	addFile := func() {
		fw, _ := w.CreateFormFile("file", "photo.jpg")
		io.WriteString(fw, file)
	}
	if fileFirst {
		addFile()
	}
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if !fileFirst {
		addFile()
	}
	w.Close()
	r, _ := http.NewRequest("POST", "http://gw/b", bytes.NewReader(buf.Bytes()))
	r.Header.Set("Content-Type", w.FormDataContentType())
	return r
}

func TestPrepareSchemes(t *testing.T) {
	for _, tc := range []struct {
		scheme string
		s      Scheme
	}{{"s3v4", S3}, {"s3v2", S3}, {"ossv1", OSS}, {"ossv4", OSS}, {"obs", OBS}} {
		t.Run(tc.scheme, func(t *testing.T) {
			doc := `{"expiration":"2026-12-06T13:00:00Z","conditions":[` + sigConds[tc.scheme] +
				`{"bucket":"b"},["starts-with","$key","up/"],["content-length-range",1,100],["eq","$Content-Type","text/plain"],["starts-with","$x-amz-meta-tag",""],{"success_action_status":"201"}]}`
			fields := sign(tc.scheme, policyOf(doc), [][2]string{{"key", "up/${filename}"}, {"Content-Type", "text/plain"},
				{"x-amz-meta-tag", "v"}, {"success_action_status", "201"}, {"x-ignore-me", "1"}})
			u, err := Prepare(form(t, fields, "hello", false), tc.s, "b", lookup, now)
			if err != nil {
				t.Fatal(err)
			}
			if u.AccessKey != "AK" || u.Key != "up/photo.jpg" || u.Size != 5 {
				t.Fatalf("upload %+v", u)
			}
			data, err := io.ReadAll(u.File)
			if err != nil || string(data) != "hello" {
				t.Fatalf("file %q, %v", data, err)
			}
			if st, _ := u.Status(); st != 201 {
				t.Fatalf("status %d", st)
			}
			if h := u.Header(); h.Get("Content-Type") != "text/plain" || h.Get("X-Amz-Meta-Tag") != "v" {
				t.Fatalf("header %v", h)
			}
		})
	}
}

// TestPrepareRefuses: each bad form gets the code and message S3
// documents for it (S3 User Guide, "POST Object" errors; "Creating a POST
// policy": "Invalid according to Policy: ..."); Prepare fails before the
// file is handed on (the e2e tests check that nothing is stored).
func TestPrepareRefuses(t *testing.T) {
	good := `{"expiration":"2026-12-06T13:00:00Z","conditions":[` + sigConds["s3v4"] + `{"bucket":"b"},["starts-with","$key","up/"],["content-length-range",1,10]]}`
	key := [][2]string{{"key", "up/a"}}
	cases := []struct {
		name   string
		req    func() *http.Request
		code   translate.Code
		substr string
	}{
		{"expired", func() *http.Request {
			d := strings.Replace(good, "2026-12-06T13", "2026-12-06T11", 1)
			return form(t, sign("s3v4", policyOf(d), key), "x", false)
		}, translate.ErrAccessDenied, "Invalid according to Policy: Policy expired."},
		{"wrong signature", func() *http.Request {
			f := sign("s3v4", policyOf(good), key)
			f[len(f)-1][1] = strings.Repeat("0", 64)
			return form(t, f, "x", false)
		}, translate.ErrSignatureDoesNotMatch, "does not match"},
		{"wrong v2 signature", func() *http.Request {
			f := sign("s3v2", policyOf(`{"expiration":"2026-12-06T13:00:00Z","conditions":[]}`), key)
			f[len(f)-1][1] = "AAAA"
			return form(t, f, "x", false)
		}, translate.ErrSignatureDoesNotMatch, "does not match"},
		{"unknown key", func() *http.Request {
			f := sign("s3v2", policyOf(good), key)
			f[len(f)-2][1] = "NOPE"
			return form(t, f, "x", false)
		}, translate.ErrInvalidAccessKeyID, ""},
		{"too large", func() *http.Request {
			return form(t, sign("s3v4", policyOf(good), key), strings.Repeat("x", 11), false)
		},
			translate.ErrEntityTooLarge, "exceeds the maximum allowed size"},
		{"too small", func() *http.Request { return form(t, sign("s3v4", policyOf(good), key), "", false) },
			translate.ErrEntityTooSmall, "smaller than the minimum allowed size"},
		{"key outside starts-with", func() *http.Request {
			return form(t, sign("s3v4", policyOf(good), [][2]string{{"key", "down/a"}}), "x", false)
		}, translate.ErrAccessDenied, `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "up/"]`},
		{"wrong bucket", func() *http.Request {
			d := strings.Replace(good, `{"bucket":"b"}`, `{"bucket":"c"}`, 1)
			return form(t, sign("s3v4", policyOf(d), key), "x", false)
		}, translate.ErrAccessDenied, `Policy Condition failed: ["eq", "$bucket", "c"]`},
		{"extra field", func() *http.Request {
			return form(t, sign("s3v4", policyOf(good), [][2]string{{"key", "up/a"}, {"x-amz-meta-a", "1"}}), "x", false)
		}, translate.ErrAccessDenied, "Invalid according to Policy: Extra input fields: x-amz-meta-a"},
		{"eq fails", func() *http.Request {
			d := strings.Replace(good, `]]}`, `],["eq","$Content-Type","image/png"]]}`, 1)
			return form(t, sign("s3v4", policyOf(d), [][2]string{{"key", "up/a"}, {"Content-Type", "text/html"}}), "x", false)
		}, translate.ErrAccessDenied, `Policy Condition failed: ["eq", "$Content-Type", "image/png"]`},
		{"missing key", func() *http.Request { return form(t, sign("s3v4", policyOf(good), nil), "x", false) },
			translate.ErrAccessDenied, `["starts-with", "$key", "up/"]`},
		{"missing key unsigned", func() *http.Request { return form(t, nil, "x", false) },
			translate.ErrInvalidArgument, "Bucket POST must contain a field named 'key'."},
		{"missing policy", func() *http.Request {
			return form(t, [][2]string{{"key", "a"}, {"AWSAccessKeyId", "AK"}, {"signature", "x"}}, "x", false)
		}, translate.ErrInvalidArgument, "field named 'policy'"},
		{"missing signature", func() *http.Request {
			return form(t, [][2]string{{"key", "a"}, {"AWSAccessKeyId", "AK"}, {"policy", policyOf(good)}}, "x", false)
		}, translate.ErrInvalidArgument, "field named 'signature'"},
		{"missing credential", func() *http.Request {
			return form(t, [][2]string{{"key", "a"}, {"x-amz-algorithm", "AWS4-HMAC-SHA256"}, {"policy", policyOf(good)}}, "x", false)
		}, translate.ErrInvalidArgument, "field named 'X-Amz-Credential'"},
		{"bad algorithm", func() *http.Request {
			f := sign("s3v4", policyOf(good), key)
			f[2][1] = "AWS4-HMAC-SHA1"
			return form(t, f, "x", false)
		}, translate.ErrInvalidArgument, "Unsupported algorithm"},
		{"malformed policy json", func() *http.Request { return form(t, sign("s3v2", policyOf(`{"expiration":`), key), "x", false) },
			translate.ErrInvalidPolicyDocument, "Invalid Policy: Invalid JSON."},
		{"policy not base64", func() *http.Request { return form(t, sign("s3v2", "!!!", key), "x", false) },
			translate.ErrInvalidPolicyDocument, "Invalid Policy: Invalid Base64 Encoding."},
		{"no expiration", func() *http.Request { return form(t, sign("s3v2", policyOf(`{"conditions":[]}`), key), "x", false) },
			translate.ErrInvalidPolicyDocument, "Invalid Policy: Policy missing expiration."},
		{"bad expiration", func() *http.Request {
			return form(t, sign("s3v2", policyOf(`{"expiration":"tomorrow","conditions":[]}`), key), "x", false)
		}, translate.ErrInvalidPolicyDocument, "Invalid 'expiration' value: 'tomorrow'"},
		{"unknown operator", func() *http.Request {
			return form(t, sign("s3v2", policyOf(`{"expiration":"2026-12-06T13:00:00Z","conditions":[["ends-with","$key","x"]]}`), key), "x", false)
		}, translate.ErrInvalidPolicyDocument, `Invalid Condition: ["ends-with","$key","x"]`},
		{"bad range", func() *http.Request {
			return form(t, sign("s3v2", policyOf(`{"expiration":"2026-12-06T13:00:00Z","conditions":[["content-length-range",10,1]]}`), key), "x", false)
		}, translate.ErrInvalidPolicyDocument, "Invalid content-length-range"},
		{"file not last", func() *http.Request {
			return form(t, sign("s3v2", policyOf(`{"expiration":"2026-12-06T13:00:00Z","conditions":[["starts-with","$key",""]]}`), key), "x", true)
		}, translate.ErrInvalidArgument, "Bucket POST must contain a field named 'key'."},
		{"no file", func() *http.Request {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			w.WriteField("key", "a")
			w.Close()
			r, _ := http.NewRequest("POST", "http://gw/b", &buf)
			r.Header.Set("Content-Type", w.FormDataContentType())
			return r
		}, translate.ErrInvalidArgument, "POST requires exactly one file upload per request."},
		{"not multipart", func() *http.Request {
			r, _ := http.NewRequest("POST", "http://gw/b", strings.NewReader("key=a"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, translate.ErrMalformedPOSTRequest, "not well-formed multipart/form-data"},
		{"duplicate field", func() *http.Request {
			return form(t, [][2]string{{"key", "a"}, {"Key", "b"}}, "x", false)
		}, translate.ErrInvalidArgument, "Bucket POST can only contain one field named 'Key'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Prepare(c.req(), S3, "b", lookup, now)
			if translate.CodeOf(err) != c.code || !strings.Contains(fmt.Sprint(err), c.substr) {
				t.Fatalf("error %v, want %v containing %q", err, c.code, c.substr)
			}
		})
	}
}

// A form whose closing delimiter is not right after the file fails the
// file's last Read, so the backend never commits it.
func TestFileTrailerChecked(t *testing.T) {
	r := form(t, [][2]string{{"key", "a"}}, "hello", false)
	data, _ := io.ReadAll(r.Body)
	data = append(data[:len(data)-2], "xx"...)
	r.Body = io.NopCloser(bytes.NewReader(data))
	u, err := Prepare(r, S3, "b", lookup, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(u.File); translate.CodeOf(err) != translate.ErrMalformedPOSTRequest {
		t.Fatalf("read error %v", err)
	}
	if got := RedirectURL("http://app/done?x=1", "b", "a b", "e"); got != "http://app/done?x=1&bucket=b&key=a+b&etag=%22e%22" {
		t.Fatalf("RedirectURL = %s", got)
	}
}
