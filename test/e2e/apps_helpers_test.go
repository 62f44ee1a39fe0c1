package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func md5B64(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }

// signedDo sends a SigV4-signed request as the admin and returns the S3
// error code ("" on success).
func signedDo(t *testing.T, g *gateway, method, target string, body []byte, header map[string]string) string {
	t.Helper()
	path, query, _ := strings.Cut(target, "?")
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	resp := g.rawDo(t, rawRequest{Method: method, Path: path, Query: query, Body: body, Header: h, AK: adminAK, SK: adminSK})
	var e rawErrorBody
	xml.Unmarshal(resp.Body, &e)
	return e.Code
}

// addHeader is an aws-sdk-go-v2 API option setting a request header.
func addHeader(name, value string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("apps-add-"+name, func(ctx context.Context, in middleware.BuildInput,
			next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if r, ok := in.Request.(*smithyhttp.Request); ok {
				r.Header.Set(name, value)
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	}
}

// captureHeaders is an aws-sdk-go-v2 API option recording the response
// headers (of successes and errors) into *h.
func captureHeaders(h *http.Header) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("apps-capture", func(ctx context.Context, in middleware.DeserializeInput,
			next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if r, ok := out.RawResponse.(*smithyhttp.Response); ok {
				*h = r.Header.Clone()
			}
			return out, md, err
		}), middleware.After)
	}
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func hmacSHA1B64(secret, s string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// formScheme is one dialect's browser-form signature, as the vendor's
// browser-upload guide describes it: the fields that carry it and the
// conditions its own fields need in the policy.
type formScheme struct {
	name string
	// conds are the policy conditions the signature fields need.
	conds func(at time.Time, ak string) string
	// sign returns the signature fields over the base64 policy.
	sign func(policy string, at time.Time, ak, sk string) [][2]string
	// meta is the dialect's metadata field prefix.
	meta string
}

var formSchemes = []formScheme{
	{name: "s3-v4", meta: "x-amz-meta-",
		conds: func(at time.Time, ak string) string {
			return `{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"` + ak + "/" + at.Format("20060102") + `/us-east-1/s3/aws4_request"},{"x-amz-date":"` + at.Format("20060102T150405Z") + `"},`
		},
		sign: func(policy string, at time.Time, ak, sk string) [][2]string {
			d := at.Format("20060102")
			k := hmacSHA256(hmacSHA256(hmacSHA256(hmacSHA256([]byte("AWS4"+sk), d), "us-east-1"), "s3"), "aws4_request")
			return [][2]string{{"x-amz-algorithm", "AWS4-HMAC-SHA256"}, {"x-amz-credential", ak + "/" + d + "/us-east-1/s3/aws4_request"},
				{"x-amz-date", at.Format("20060102T150405Z")}, {"policy", policy}, {"x-amz-signature", hex.EncodeToString(hmacSHA256(k, policy))}}
		}},
	{name: "s3-v2", meta: "x-amz-meta-", conds: func(time.Time, string) string { return "" },
		sign: func(policy string, _ time.Time, ak, sk string) [][2]string {
			return [][2]string{{"AWSAccessKeyId", ak}, {"policy", policy}, {"signature", hmacSHA1B64(sk, policy)}}
		}},
	{name: "oss-v1", meta: "x-oss-meta-", conds: func(time.Time, string) string { return "" },
		sign: func(policy string, _ time.Time, ak, sk string) [][2]string {
			return [][2]string{{"OSSAccessKeyId", ak}, {"policy", policy}, {"Signature", hmacSHA1B64(sk, policy)}}
		}},
	{name: "oss-v4", meta: "x-oss-meta-",
		conds: func(at time.Time, ak string) string {
			return `{"x-oss-signature-version":"OSS4-HMAC-SHA256"},{"x-oss-credential":"` + ak + "/" + at.Format("20060102") + `/cn-hangzhou/oss/aliyun_v4_request"},{"x-oss-date":"` + at.Format("20060102T150405Z") + `"},`
		},
		sign: func(policy string, at time.Time, ak, sk string) [][2]string {
			d := at.Format("20060102")
			k := hmacSHA256(hmacSHA256(hmacSHA256(hmacSHA256([]byte("aliyun_v4"+sk), d), "cn-hangzhou"), "oss"), "aliyun_v4_request")
			return [][2]string{{"x-oss-signature-version", "OSS4-HMAC-SHA256"}, {"x-oss-credential", ak + "/" + d + "/cn-hangzhou/oss/aliyun_v4_request"},
				{"x-oss-date", at.Format("20060102T150405Z")}, {"policy", policy}, {"x-oss-signature", hex.EncodeToString(hmacSHA256(k, policy))}}
		}},
	{name: "obs", meta: "x-obs-meta-", conds: func(time.Time, string) string { return "" },
		sign: func(policy string, _ time.Time, ak, sk string) [][2]string {
			return [][2]string{{"AccessKeyId", ak}, {"policy", policy}, {"signature", hmacSHA1B64(sk, policy)}}
		}},
}
