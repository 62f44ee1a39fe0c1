package oss

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/signer"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/dialecttest"
	"github.com/babelgate/babelgate/translate"
)

const testAK, testSK = "AKTESTOSS0001", "secretOSS0000000000000000000001"

func testDialect() *Dialect {
	creds := dialects.StaticCredentials{testAK: {Secret: testSK, Principal: &translate.Principal{AccessKey: testAK}}}
	return New(Config{Credentials: creds, Rules: translate.OSSRules})
}

// TestOSSErrorTableComplete proves every neutral code has an OSS form.
func TestOSSErrorTableComplete(t *testing.T) {
	dialecttest.ErrorTableComplete(t, "OSS", func(c translate.Code) (dialects.WireForm, bool) {
		w, ok := errorTable[c]
		return dialects.WireForm{Code: w.Code, Status: w.Status, Message: w.Message}, ok
	})
}

// TestOSSEveryOpRouted proves the routing table reaches every neutral op.
func TestOSSEveryOpRouted(t *testing.T) { dialecttest.EveryOpRouted(t, RoutedOps()) }

func TestOSSResolve(t *testing.T) {
	dialecttest.Resolve(t, testDialect().Resolve, []dialecttest.ResolveCase{
		{"GET", "/", "", translate.OpListBuckets, 0},
		{"PUT", "/b", "", translate.OpCreateBucket, 0},
		{"DELETE", "/b", "", translate.OpDeleteBucket, 0},
		{"GET", "/b?bucketInfo", "", translate.OpHeadBucket, 0},
		{"GET", "/b?location", "", translate.OpGetBucketLocation, 0},
		{"GET", "/b?uploads", "", translate.OpListMultipartUploads, 0},
		{"GET", "/b?list-type=2", "", translate.OpListObjectsV2, 0},
		{"GET", "/b/", "", translate.OpListObjects, 0},
		{"POST", "/b?delete", "", translate.OpDeleteObjects, 0},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "x-oss-copy-source", translate.OpUploadPartCopy, 0},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "", translate.OpUploadPart, 0},
		{"PUT", "/b/k", "x-oss-copy-source", translate.OpCopyObject, 0},
		{"PUT", "/b/k", "", translate.OpPutObject, 0},
		{"GET", "/b/k?uploadId=x", "", translate.OpListParts, 0},
		{"GET", "/b/k", "", translate.OpGetObject, 0},
		{"HEAD", "/b/k?objectMeta", "", translate.OpHeadObject, 0},
		{"HEAD", "/b/k", "", translate.OpHeadObject, 0},
		{"DELETE", "/b/k?uploadId=x", "", translate.OpAbortMultipartUpload, 0},
		{"DELETE", "/b/k", "", translate.OpDeleteObject, 0},
		{"POST", "/b/k?uploads", "", translate.OpCreateMultipartUpload, 0},
		{"POST", "/b/k?uploadId=x", "", translate.OpCompleteMultipartUpload, 0},
		{"POST", "/b/k?append&position=0", "", 0, translate.ErrNotImplemented},
		{"GET", "/b?acl", "", translate.OpHeadBucket, 0},   // GetBucketAcl
		{"GET", "/b/k?acl", "", translate.OpHeadObject, 0}, // GetObjectAcl
		{"PUT", "/b?acl", "", translate.OpPutBucketAcl, 0},
		{"PUT", "/b?policy", "", translate.OpPutBucketPolicy, 0},
		{"GET", "/b?policy", "", translate.OpGetBucketPolicy, 0},
		{"DELETE", "/b?policy", "", translate.OpDeleteBucketPolicy, 0},
		{"PUT", "/b?cors", "", translate.OpPutBucketCors, 0},
		{"GET", "/b?cors", "", translate.OpGetBucketCors, 0},
		{"DELETE", "/b?cors", "", translate.OpDeleteBucketCors, 0},
		{"POST", "/b", "", translate.OpPostObject, 0},
		{"PUT", "/b/k?acl", "", 0, translate.ErrNotImplemented},
		{"PUT", "/b/k?symlink", "", 0, translate.ErrNotImplemented},
		{"GET", "/b/k?versionId=abc", "", 0, translate.ErrNotImplemented},
		{"POST", "/b/k", "", 0, translate.ErrMethodNotAllowed},
		{"PATCH", "/b/k", "", 0, translate.ErrMethodNotAllowed},
	})
}

func TestOSSEncodeErrorShape(t *testing.T) {
	d := testDialect()
	for _, method := range []string{"GET", "HEAD"} {
		hr := httptest.NewRequest(method, "/b/k?partNumber=0", nil)
		w := httptest.NewRecorder()
		d.EncodeError(w, dialecttest.Request(hr, dialects.Addressing{}), &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "partNumber", ArgValue: "0"})
		if w.Code != 400 || w.Header().Get("x-oss-ec") != "0017-00000220" {
			t.Fatalf("%s: %d %v", method, w.Code, w.Header())
		}
		doc := w.Body.String()
		if method == "HEAD" {
			raw, _ := base64.StdEncoding.DecodeString(w.Header().Get("x-oss-err"))
			if doc != "" {
				t.Fatalf("HEAD error has a body")
			}
			doc = string(raw)
		}
		dialecttest.Contains(t, method+" error", doc, "<Code>InvalidArgument</Code>", "<RequestId>REQ1</RequestId>", "<EC>0017-00000220</EC>",
			"<ArgumentName>partNumber</ArgumentName>", "<ArgumentValue>0</ArgumentValue>", "<HostId>")
	}
}

// sdkSign signs hr with the v2 SDK's own signer (V1 or V4).
func sdkSign(t *testing.T, s signer.Signer, hr *http.Request, bucket, key string, query bool, now time.Time) {
	t.Helper()
	ctx := &signer.SigningContext{Product: ptr("oss"), Region: ptr("cn-hangzhou"), Request: hr,
		Credentials: &credentials.Credentials{AccessKeyID: testAK, AccessKeySecret: testSK}, AuthMethodQuery: query}
	if bucket != "" {
		ctx.Bucket = ptr(bucket)
	}
	if key != "" {
		ctx.Key = ptr(key)
	}
	if query {
		ctx.Time = now.Add(10 * time.Minute)
	}
	if err := s.Sign(context.Background(), ctx); err != nil {
		t.Fatal(err)
	}
}

func ptr(s string) *string { return &s }

// TestVerifyAgainstSDKSigner signs requests with alibabacloud-oss-go-sdk-v2's
// SignerV1 and SignerV4 (header and query), path-style and virtual-hosted,
// and checks the dialect accepts them and rejects a tampered copy.
func TestOSSVerifyAgainstSDKSigner(t *testing.T) {
	d := testDialect()
	cases := []struct {
		name, method, host, target, bucket, key string
	}{
		{"object path-style", "PUT", "127.0.0.1", "/bkt/dir/a%20b%2Bc.txt?partNumber=3&uploadId=UP%2Fx", "bkt", "dir/a b+c.txt"},
		{"object virtual-hosted", "GET", "bkt.oss.test", "/dir/a%20b.txt?response-content-type=text%2Fplain", "bkt", "dir/a b.txt"},
		{"bucket listing", "GET", "127.0.0.1", "/bkt/?list-type=2&prefix=a%2Fb&max-keys=10", "bkt", ""},
		{"service", "GET", "127.0.0.1", "/", "", ""},
		{"initiate", "POST", "127.0.0.1", "/bkt/k?uploads=", "bkt", "k"},
	}
	for _, sc := range []struct {
		name   string
		signer signer.Signer
		query  bool
	}{{"V1", &signer.SignerV1{}, false}, {"V1-query", &signer.SignerV1{}, true}, {"V4", &signer.SignerV4{}, false}, {"V4-query", &signer.SignerV4{}, true}} {
		for _, c := range cases {
			t.Run(sc.name+"/"+c.name, func(t *testing.T) {
				hr := httptest.NewRequest(c.method, "http://"+c.host+c.target, nil)
				hr.Header.Set("x-oss-meta-color", "blue")
				hr.Header.Set("Content-Type", "text/plain")
				if !sc.query {
					hr.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
				}
				sdkSign(t, sc.signer, hr, c.bucket, c.key, sc.query, time.Now())
				// The request as the server parses it.
				sr := httptest.NewRequest(c.method, "http://"+c.host+hr.URL.RequestURI(), nil)
				sr.Header = hr.Header.Clone()
				r := &dialects.Request{HTTP: sr, Query: sr.URL.Query()}
				r.Bucket, r.Key, r.VirtualHosted = dialects.Addressing{Domains: []string{"oss.test"}}.Resolve(sr)
				if r.Bucket != c.bucket || r.Key != c.key {
					t.Fatalf("addressing %q %q", r.Bucket, r.Key)
				}
				if _, err := d.Authenticate(r); err != nil {
					t.Fatalf("SDK-signed request rejected: %v", err)
				}
				sr.Header.Set("x-oss-meta-color", "red")
				if _, err := d.Authenticate(r); translate.CodeOf(err) != translate.ErrSignatureDoesNotMatch {
					t.Fatalf("tampered request: %v", err)
				}
			})
		}
	}
}

func TestOSSV4Failures(t *testing.T) {
	d := testDialect()
	now := time.Now().UTC()
	tests := []struct {
		name string
		auth string
		date string
		want translate.Code
	}{
		{"malformed credential", "OSS4-HMAC-SHA256 Credential=x,Signature=ab", now.Format(isoBasic), translate.ErrAuthorizationHeaderMalformed},
		{"no signature", "OSS4-HMAC-SHA256 Credential=" + testAK + "/" + now.Format("20060102") + "/cn-hangzhou/oss/aliyun_v4_request", now.Format(isoBasic), translate.ErrAuthorizationHeaderMalformed},
		{"unknown key", "OSS4-HMAC-SHA256 Credential=NOPE/" + now.Format("20060102") + "/cn-hangzhou/oss/aliyun_v4_request,Signature=ab", now.Format(isoBasic), translate.ErrInvalidAccessKeyID},
		{"skewed", "OSS4-HMAC-SHA256 Credential=" + testAK + "/" + now.Format("20060102") + "/cn-hangzhou/oss/aliyun_v4_request,Signature=ab", now.Add(-time.Hour).Format(isoBasic), translate.ErrRequestTimeTooSkewed},
		{"bad signature", "OSS4-HMAC-SHA256 Credential=" + testAK + "/" + now.Format("20060102") + "/cn-hangzhou/oss/aliyun_v4_request,Signature=zz", now.Format(isoBasic), translate.ErrSignatureDoesNotMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hr := httptest.NewRequest("GET", "/b/k", nil)
			hr.Header.Set("Authorization", tt.auth)
			hr.Header.Set("x-oss-date", tt.date)
			r := &dialects.Request{HTTP: hr, Query: hr.URL.Query(), Bucket: "b", Key: "k"}
			if _, err := d.Authenticate(r); translate.CodeOf(err) != tt.want {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestOSSRefuseHeaders checks that headers naming features babelgate does
// not implement are refused NotImplemented, never ignored, and that the
// ACLs it does keep (default, private) pass.
func TestOSSRefuseHeaders(t *testing.T) {
	d := testDialect()
	tests := []struct {
		method, target, name, value string
		wantErr                     translate.Code
	}{
		{"PUT", "/b/k", "x-oss-object-acl", "private", 0},
		{"PUT", "/b/k", "x-oss-object-acl", "default", 0},
		{"PUT", "/b/k", "x-oss-object-acl", "public-read", translate.ErrNotImplemented},
		{"POST", "/b/k?uploads", "x-oss-object-acl", "public-read-write", translate.ErrNotImplemented},
		{"PUT", "/b/k", "x-oss-tagging", "a=1", translate.ErrNotImplemented},
		{"POST", "/b/k?uploads", "x-oss-tagging", "a=1", translate.ErrNotImplemented},
		{"PUT", "/b/k", "x-oss-callback", "eyJjYWxsYmFja1VybCI6Imh0dHA6Ly94In0=", translate.ErrNotImplemented},
		{"POST", "/b/k?uploadId=x", "x-oss-callback", "eyJ9", translate.ErrNotImplemented},
		{"PUT", "/b/k", "x-oss-meta-tagging", "a=1", 0},
	}
	for _, tt := range tests {
		hr := httptest.NewRequest(tt.method, tt.target, nil)
		hr.Header.Set(tt.name, tt.value)
		r := &dialects.Request{HTTP: hr, Query: hr.URL.Query()}
		r.Bucket, r.Key, _ = dialects.Addressing{}.Resolve(hr)
		_, err := d.Resolve(r)
		if got := translate.CodeOf(err); got != tt.wantErr {
			t.Errorf("%s %s with %s: %v, want %v", tt.method, tt.target, tt.name, err, tt.wantErr)
		}
		if err != nil {
			if we, te := wire(err); we.Code != "NotImplemented" || we.Status != 501 || te.ArgName != tt.name {
				t.Errorf("%s: wire form %+v %+v", tt.name, we, te)
			}
		}
	}
}

// TestAccessControlPolicyDocument pins GetBucketAcl's and GetObjectAcl's
// document as OSS's API reference shows it (AccessControlPolicy, Owner,
// AccessControlList/Grant), which alibabacloud-oss-go-sdk-v2 reads with
// `xml:"AccessControlList>Grant"` (api_op_bucket.go GetBucketAclResult).
func TestAccessControlPolicyDocument(t *testing.T) {
	doc := accessControlPolicy{Owner: owner{ID: "ak", DisplayName: "ak"}}
	doc.AccessControlList.Grant = "private"
	out, err := xml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	const want = `<AccessControlPolicy><Owner><ID>ak</ID><DisplayName>ak</DisplayName></Owner>` +
		`<AccessControlList><Grant>private</Grant></AccessControlList></AccessControlPolicy>`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}
