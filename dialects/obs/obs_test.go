package obs

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	obssdk "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/dialecttest"
	"github.com/babelgate/babelgate/translate"
)

const (
	testAK, testSK = "OBSTESTKEY0000000001", "obsTestSecret000000000000000000000000001"
	testDomain     = "obs.example.test"
)

func testDialect(now time.Time) *Dialect {
	return New(Config{Credentials: dialecttest.Writer(testAK, testSK), Rules: translate.OBSRules, Now: func() time.Time { return now }})
}

// newRequest builds the pipeline's view of hr under the test domain.
func newRequest(hr *http.Request) *dialects.Request {
	return dialecttest.Request(hr, dialects.Addressing{Domains: []string{testDomain}})
}

// TestErrorTableComplete proves every neutral code has an OBS form.
func TestErrorTableComplete(t *testing.T) { dialecttest.ErrorTableComplete(t, "OBS", errorForm.Lookup) }

// TestEveryOpRouted proves the routing table reaches every neutral
// operation.
func TestEveryOpRouted(t *testing.T) { dialecttest.EveryOpRouted(t, RoutedOps()) }

func TestResolve(t *testing.T) {
	dialecttest.Resolve(t, testDialect(time.Now()).Resolve, []dialecttest.ResolveCase{
		{"GET", "/", "", translate.OpListBuckets, 0},
		{"PUT", "/b", "", translate.OpCreateBucket, 0},
		{"HEAD", "/b", "", translate.OpHeadBucket, 0},
		{"DELETE", "/b", "", translate.OpDeleteBucket, 0},
		{"GET", "/b?location", "", translate.OpGetBucketLocation, 0},
		{"GET", "/b?uploads", "", translate.OpListMultipartUploads, 0},
		{"GET", "/b?list-type=2", "", translate.OpListObjectsV2, 0},
		{"GET", "/b", "", translate.OpListObjects, 0},
		{"POST", "/b?delete", "", translate.OpDeleteObjects, 0},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "x-obs-copy-source", translate.OpUploadPartCopy, 0},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "x-amz-copy-source", translate.OpUploadPart, 0},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "", translate.OpUploadPart, 0},
		{"PUT", "/b/k", "x-obs-copy-source", translate.OpCopyObject, 0},
		{"PUT", "/b/k", "", translate.OpPutObject, 0},
		{"GET", "/b/k?uploadId=x", "", translate.OpListParts, 0},
		{"GET", "/b/k", "", translate.OpGetObject, 0},
		{"HEAD", "/b/k", "", translate.OpHeadObject, 0},
		{"DELETE", "/b/k?uploadId=x", "", translate.OpAbortMultipartUpload, 0},
		{"DELETE", "/b/k", "", translate.OpDeleteObject, 0},
		{"POST", "/b/k?uploads", "", translate.OpCreateMultipartUpload, 0},
		{"POST", "/b/k?uploadId=x", "", translate.OpCompleteMultipartUpload, 0},
		{"PUT", "/b?versioning", "", 0, translate.ErrNotImplemented},
		{"GET", "/b?storageinfo", "", 0, translate.ErrNotImplemented},
		{"POST", "/b/k?append&position=0", "", 0, translate.ErrNotImplemented},
		{"GET", "/b/k?versionId=abc", "", 0, translate.ErrNotImplemented},
		{"POST", "/b/k", "", 0, translate.ErrMethodNotAllowed},
		{"PATCH", "/b/k", "", 0, translate.ErrMethodNotAllowed},
	})
}

// TestEncodeError checks OBS's error form: the XML body for GET, and the
// x-obs-error-code / x-obs-error-message headers the SDK reads when there
// is no body (HEAD).
func TestEncodeError(t *testing.T) {
	d := testDialect(time.Now())
	tests := []struct {
		method string
		err    *translate.Error
		status int
		code   string
	}{
		{"GET", &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k"}, 404, "NoSuchKey"},
		{"HEAD", &translate.Error{Code: translate.ErrNoSuchKey, Bucket: "b", Key: "k"}, 404, "NoSuchKey"},
		{"PUT", &translate.Error{Code: translate.ErrSignatureDoesNotMatch}, 403, "AccessDenied"},
		{"HEAD", &translate.Error{Code: translate.ErrInvalidAccessKeyID}, 403, "AccessDenied"},
		{"GET", &translate.Error{Code: translate.ErrNoSuchUpload}, 404, "NoSuchUpload"},
		{"PUT", &translate.Error{Code: translate.ErrInvalidArgument}, 400, "InvalidArgument"},
		{"PUT", &translate.Error{Code: translate.ErrEntityTooLarge}, 400, "EntityTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.code, func(t *testing.T) {
			hr := httptest.NewRequest(tt.method, "/b/k", nil)
			w := httptest.NewRecorder()
			d.EncodeError(w, newRequest(hr), tt.err)
			if w.Code != tt.status || w.Header().Get("x-obs-error-code") != tt.code || w.Header().Get("x-obs-error-message") == "" {
				t.Fatalf("status %d headers %v, want %d %s", w.Code, w.Header(), tt.status, tt.code)
			}
			body := w.Body.String()
			if tt.method == "HEAD" {
				if body != "" {
					t.Fatalf("HEAD error has a body: %q", body)
				}
				return
			}
			dialecttest.Contains(t, "body", body, "<Code>"+tt.code+"</Code>", "<Resource>/b/k</Resource>", "<RequestId>REQ1</RequestId>", "<HostId>HOST1</HostId>")
		})
	}
}

// authTransport authenticates every request the SDK sends with the
// dialect, records the outcome and answers 200 with an empty body.
type authTransport struct {
	d    *Dialect
	errs []error
	seen []*http.Request
}

func (a *authTransport) RoundTrip(hr *http.Request) (*http.Response, error) {
	// The request as a server sees it: RequestURI as sent, Host header.
	sr := httptest.NewRequest(hr.Method, hr.URL.RequestURI(), hr.Body)
	for k, vs := range hr.Header { // as a server parses them: canonical names
		for _, v := range vs {
			sr.Header.Add(k, v)
		}
	}
	sr.Host = hr.URL.Host
	sr.ContentLength = hr.ContentLength
	_, err := a.d.Authenticate(newRequest(sr))
	a.errs = append(a.errs, err)
	a.seen = append(a.seen, sr)
	if hr.Body != nil {
		io.Copy(io.Discard, hr.Body)
		hr.Body.Close()
	}
	h := http.Header{"Etag": {`"d41d8cd98f00b204e9800998ecf8427e"`}}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Body: io.NopCloser(strings.NewReader("")), Request: hr}, nil
}

// TestSDKSignatures checks that requests signed by the OBS Go SDK's own
// signer in OBS mode (virtual-hosted: the SDK downgrades path style to
// AWS, protocols.md §3.8) verify: tricky keys, x-obs-meta-* headers,
// Content-MD5 and the signed uploadId/partNumber sub-resources.
func TestSDKSignatures(t *testing.T) {
	d := testDialect(time.Now())
	at := &authTransport{d: d}
	c, err := obssdk.New(testAK, testSK, "http://"+testDomain+":9000", obssdk.WithSignature(obssdk.SignatureObs),
		obssdk.WithHttpClient(&http.Client{Transport: at}), obssdk.WithMaxRetryCount(0))
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"plain.txt", "dir/sub/a b+c~!*'();,$&=@.txt", "目录/文件 名.bin", "100%/x?y#z"}
	for _, key := range keys {
		in := &obssdk.PutObjectInput{}
		in.Bucket, in.Key, in.Body = "bucket-a", key, bytes.NewReader([]byte("hello"))
		in.ContentMD5 = "XUFAKrxLKna5cZ2REBfFkg=="
		in.ContentType = "text/plain"
		in.Metadata = map[string]string{"Color": "blue", "tag": "a,b"}
		c.PutObject(in)
		c.GetObjectMetadata(&obssdk.GetObjectMetadataInput{Bucket: "bucket-a", Key: key})
		c.DeleteObject(&obssdk.DeleteObjectInput{Bucket: "bucket-a", Key: key})
		part := &obssdk.UploadPartInput{Bucket: "bucket-a", Key: key, UploadId: "up/id+=x", PartNumber: 7,
			Body: bytes.NewReader([]byte("part"))}
		c.UploadPart(part)
		c.AbortMultipartUpload(&obssdk.AbortMultipartUploadInput{Bucket: "bucket-a", Key: key, UploadId: "up id"})
	}
	if len(at.errs) != 5*len(keys) {
		t.Fatalf("the SDK sent %d requests, want %d", len(at.errs), 5*len(keys))
	}
	for i, err := range at.errs {
		r := at.seen[i]
		if !strings.HasPrefix(r.Header.Get("Authorization"), "OBS ") {
			t.Errorf("%s %s: Authorization %q is not OBS", r.Method, r.RequestURI, r.Header.Get("Authorization"))
		}
		if err != nil {
			t.Errorf("%s %s: %v", r.Method, r.RequestURI, err)
		}
	}

	// Presigned URLs (AccessKeyId/Expires/Signature) for GET and PUT.
	for _, method := range []obssdk.HttpMethodType{obssdk.HttpMethodGet, obssdk.HttpMethodPut} {
		out, err := c.CreateSignedUrl(&obssdk.CreateSignedUrlInput{Method: method, Bucket: "bucket-a", Key: "dir/a b.txt",
			Expires: 300, QueryParams: map[string]string{"uploadId": "u1", "partNumber": "2"}})
		if err != nil {
			t.Fatal(err)
		}
		hr, err := http.NewRequest(string(method), out.SignedUrl, nil)
		if err != nil {
			t.Fatal(err)
		}
		sr := httptest.NewRequest(hr.Method, hr.URL.RequestURI(), nil)
		sr.Host = hr.URL.Host
		for k, v := range out.ActualSignedRequestHeaders {
			if !strings.EqualFold(k, "Host") {
				sr.Header[k] = v
			}
		}
		if !sr.URL.Query().Has("AccessKeyId") {
			t.Fatalf("presigned URL %s lacks AccessKeyId", out.SignedUrl)
		}
		if _, err := d.Authenticate(newRequest(sr)); err != nil {
			t.Errorf("presigned %s %s: %v", method, out.SignedUrl, err)
		}
	}
}

// TestBadSignatures checks the OBS error codes of failed authentication.
func TestBadSignatures(t *testing.T) {
	now := time.Now()
	d := testDialect(now)
	at := &authTransport{d: d}
	good, _ := obssdk.New(testAK, testSK, "http://"+testDomain+":9000", obssdk.WithSignature(obssdk.SignatureObs),
		obssdk.WithHttpClient(&http.Client{Transport: at}), obssdk.WithMaxRetryCount(0))
	good.GetObjectMetadata(&obssdk.GetObjectMetadataInput{Bucket: "bucket-a", Key: "k"})
	signed := at.seen[0]
	if at.errs[0] != nil {
		t.Fatalf("the good request failed: %v", at.errs[0])
	}
	tests := []struct {
		name   string
		mutate func(r *http.Request)
		code   translate.Code
	}{
		{"tampered signature", func(r *http.Request) {
			r.Header.Set("Authorization", "OBS "+testAK+":AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		}, translate.ErrSignatureDoesNotMatch},
		{"unknown key", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAK, "NOSUCHKEY", 1))
		}, translate.ErrInvalidAccessKeyID},
		{"other method", func(r *http.Request) { r.Method = "DELETE" }, translate.ErrSignatureDoesNotMatch},
		{"added x-obs header", func(r *http.Request) { r.Header.Set("x-obs-meta-x", "1") }, translate.ErrSignatureDoesNotMatch},
		{"skewed date", func(r *http.Request) {
			r.Header.Set("Date", now.Add(-time.Hour).UTC().Format(http.TimeFormat))
		}, translate.ErrRequestTimeTooSkewed},
		{"no date", func(r *http.Request) { r.Header.Del("Date") }, translate.ErrAccessDenied},
		{"malformed", func(r *http.Request) { r.Header.Set("Authorization", "OBS nocolon") }, translate.ErrAuthorizationHeaderMalformed},
		{"anonymous", func(r *http.Request) { r.Header.Del("Authorization") }, translate.ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signed.Clone(signed.Context())
			r.Header = signed.Header.Clone()
			tt.mutate(r)
			_, err := d.Authenticate(newRequest(r))
			if got := translate.CodeOf(err); got != tt.code {
				t.Fatalf("error %v, want %v", err, tt.code)
			}
			if we, _ := errorForm.Wire(err); we.Status != 403 && we.Status != 400 {
				t.Fatalf("status %d", we.Status)
			}
		})
	}
}
