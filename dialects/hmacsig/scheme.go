// Package hmacsig implements the HMAC-SHA1 "v1" signature family shared by
// S3 Signature Version 2, Alibaba OSS V1 and Huawei OBS: one parametrised
// implementation, with the vendor differences held in a [Scheme].
//
// The string to sign is (protocols.md §1.5, §2.2, §3.2):
//
//	VERB "\n" Content-MD5 "\n" Content-Type "\n" DateLine "\n"
//	CanonicalizedHeaders        (one "name:value\n" per <prefix>* header)
//	CanonicalizedResource
//
// and the signature is base64(HMAC-SHA1(secret, StringToSign)).
//
// # The Date line
//
// For presigned requests the Date line is the Expires value. For header
// requests without the scheme's date header (x-amz-date for S3) it is the
// Date header. When the date header is present, clients disagree, so all
// four readings are accepted (they cost one HMAC each, and only when the
// first fails):
//
//  1. the Date line is empty and x-amz-date is an ordinary x-amz-* header
//     line: the rule AWS's RESTAuthentication text states and the OBS SDK
//     implements (also the result of botocore and minio when no Date header
//     is sent). Errors report this reading.
//  2. the Date line is the Date header's value and x-amz-date is an x-amz-*
//     line (botocore and minio sign whatever Date they send);
//  3. the Date line is the x-amz-date value and x-amz-date is not repeated
//     among the headers, as in AWS's published DELETE example;
//  4. the Date line is the date header's value and it is also an ordinary
//     header line: ali-oss, OSS's Node.js SDK, which sends x-oss-date and
//     no Date in its default V1 signing (lib/common/signUtils.js
//     buildCanonicalString: "expires || headers['x-oss-date']").
//
// Every reading signs the date header's value, which is also the time that is
// checked against the clock, so accepting all three lets no unsigned time
// through.
package hmacsig

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// SubResources says which query parameters one client family signs into the
// canonical resource.
type SubResources struct {
	// Names lists the signed parameter names; lowercase when FoldCase.
	Names map[string]bool
	// Prefixes lists lowercase name prefixes whose parameters are always
	// signed (the OBS SDK signs every "x-amz-"/"x-obs-" parameter).
	Prefixes []string
	// FoldCase compares names case-insensitively.
	FoldCase bool
	// BareEmptyValues renders a parameter with an empty value as just its
	// name, even when the client sent "name=" (both OSS SDKs sign "uploads"
	// for "?uploads="). When false, '=' is kept exactly as sent.
	BareEmptyValues bool
}

// Signs reports whether the query parameter name is signed.
func (s *SubResources) Signs(name string) bool {
	lower := strings.ToLower(name)
	if s.FoldCase {
		name = lower
	}
	if s.Names[name] {
		return true
	}
	for _, p := range s.Prefixes {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// Scheme is one vendor's parametrisation of the signature. A Scheme is
// read-only after construction and safe for concurrent use.
type Scheme struct {
	// Name is the Authorization prefix: "AWS" (later "OSS", "OBS").
	Name string
	// HeaderPrefix is the lowercase prefix of canonicalised headers
	// ("x-amz-").
	HeaderPrefix string
	// DateHeader is the lowercase header that overrides Date ("x-amz-date");
	// see the package comment for the Date line it implies.
	DateHeader string
	// QueryAccessKey is the presigned query's access-key parameter
	// ("AWSAccessKeyId").
	QueryAccessKey string
	// SubResources lists, in order, the client families' rules for signed
	// query parameters. Verification accepts a signature under any of them;
	// the first is canonical (CanonicalResource, error details).
	SubResources []SubResources
	// DecodedResource makes the canonical resource "/" + bucket + "/" +
	// the decoded key (OSS V1: the raw key, the bucket even for
	// virtual-hosted requests, "/bucket/" for a bucket, "/" for the
	// service) instead of the path as sent.
	DecodedResource bool
	// AccessKeyElement names the access key in SignatureDoesNotMatch
	// details; "" means "AWSAccessKeyId".
	AccessKeyElement string
}

// resourcePath returns the path and virtual-hosted flag canonicalResource
// should use for a request: unchanged, or for DecodedResource the decoded
// "/bucket/key" form (with virtualHosted cleared because the bucket is
// then already in the path).
func (s *Scheme) resourcePath(bucket, rawPath string, virtualHosted bool) (string, bool) {
	if !s.DecodedResource {
		return rawPath, virtualHosted
	}
	p, err := url.PathUnescape(rawPath)
	if err != nil {
		p = rawPath
	}
	if virtualHosted && bucket != "" {
		p = "/" + bucket + p
	}
	if bucket != "" && p == "/"+bucket {
		p += "/"
	}
	return p, false
}

// s3SubResources is botocore's HmacV1Auth.QSAOfInterest, a superset of the
// list in AWS's SigV2 documentation.
var s3SubResources = SubResources{Names: setOf(
	"accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle",
	"location", "logging", "metrics", "notification", "object-lock", "partNumber", "policy", "replication",
	"requestPayment", "response-cache-control", "response-content-disposition", "response-content-encoding",
	"response-content-language", "response-content-type", "response-expires", "restore", "select",
	"select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
	"versions", "website",
)}

// obsAWSSubResources is the OBS Go SDK's allowedResourceParameterNames,
// compared lowercase, plus every x-amz-* parameter: what the SDK signs in
// its default AWS-v2 mode (protocols.md §3.2, §5 case 2).
var obsAWSSubResources = SubResources{FoldCase: true, Prefixes: []string{"x-amz-"}, Names: setOf(
	"acl", "backtosource", "metadata", "policy", "torrent", "logging", "location", "storageinfo", "quota",
	"storageclass", "storagepolicy", "requestpayment", "versions", "versioning", "versionid", "uploads",
	"uploadid", "partnumber", "website", "notification", "lifecycle", "deletebucket", "delete", "cors",
	"restore", "encryption", "tagging", "append", "modify", "position", "replication",
	"response-content-type", "response-content-language", "response-expires", "response-cache-control",
	"response-content-disposition", "response-content-encoding", "x-image-process", "x-oss-process",
	"x-image-save-bucket", "x-image-save-object", "ignore-sign-in-query", "name", "rename", "customdomain",
	"mirrorbacktosource", "x-obs-accesslabel", "object-lock", "retention", "x-obs-security-token", "truncate",
	"length", "inventory", "directcoldaccess", "attname", "cdnnotifyconfiguration", "publicaccessblock",
	"bucketstatus", "policystatus",
)}

// S3 is Amazon S3 Signature Version 2 (HmacV1). It also accepts the OBS Go
// SDK, which signs this way by default but with its own sub-resource list.
var S3 = &Scheme{
	Name:           "AWS",
	HeaderPrefix:   "x-amz-",
	DateHeader:     "x-amz-date",
	QueryAccessKey: "AWSAccessKeyId",
	SubResources:   []SubResources{s3SubResources, obsAWSSubResources},
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Sign returns base64(HMAC-SHA1(secret, stringToSign)).
func Sign(secret, stringToSign string) string {
	return base64.StdEncoding.EncodeToString(mac(secret, stringToSign))
}

func mac(secret, stringToSign string) []byte {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return m.Sum(nil)
}

// StringToSign returns the string to sign for r with the given canonical
// resource and Date line, canonicalising every header that starts with
// HeaderPrefix: names lowercased and sorted, values trimmed, repeated
// headers joined with ','.
func (s *Scheme) StringToSign(r *http.Request, resource, dateLine string) string {
	return s.stringToSign(r, nil, "", resource, dateLine)
}

// stringToSign is StringToSign with extra header lines (presigned query
// parameters that stand for headers) and one header name to leave out.
func (s *Scheme) stringToSign(r *http.Request, extra [][2]string, omit, resource, dateLine string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(strings.TrimSpace(firstOf(r, "Content-Md5", extra)) + "\n")
	b.WriteString(strings.TrimSpace(firstOf(r, "Content-Type", extra)) + "\n")
	b.WriteString(dateLine + "\n")
	b.WriteString(s.canonicalHeaders(r.Header, extra, omit))
	b.WriteString(resource)
	return b.String()
}

// firstOf returns the named header, or its stand-in from extra when the
// request lacks it.
func firstOf(r *http.Request, name string, extra [][2]string) string {
	if v, ok := r.Header[name]; ok && len(v) > 0 {
		return v[0]
	}
	for _, kv := range extra {
		if strings.EqualFold(kv[0], name) {
			return kv[1]
		}
	}
	return ""
}

// canonicalHeaders renders the HeaderPrefix headers, one "name:value\n"
// each, sorted by name.
func (s *Scheme) canonicalHeaders(h http.Header, extra [][2]string, omit string) string {
	values := make(map[string][]string)
	for k, vs := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, s.HeaderPrefix) && lk != omit {
			for _, v := range vs {
				values[lk] = append(values[lk], strings.TrimSpace(v))
			}
		}
	}
	for _, kv := range extra {
		if strings.HasPrefix(kv[0], s.HeaderPrefix) && kv[0] != omit {
			values[kv[0]] = append(values[kv[0]], strings.TrimSpace(kv[1]))
		}
	}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + ":" + strings.Join(values[n], ",") + "\n")
	}
	return b.String()
}

// CanonicalResource returns the canonical resource under the scheme's first
// sub-resource rule: rawPath exactly as sent (percent-encoding kept), with
// "/"+bucket prepended for virtual-hosted requests, then "?" and the signed
// sub-resources of rawQuery, sorted by name (stably), values URL-decoded,
// written "name" when the client sent no '=' and "name=value" otherwise.
//
// rawQuery is the query as sent rather than parsed values, because whether
// '=' was present is part of what clients sign.
func (s *Scheme) CanonicalResource(bucket, rawPath string, virtualHosted bool, rawQuery string) string {
	rawPath, virtualHosted = s.resourcePath(bucket, rawPath, virtualHosted)
	return canonicalResource(&s.SubResources[0], bucket, rawPath, virtualHosted, rawQuery)
}

func canonicalResource(sub *SubResources, bucket, rawPath string, virtualHosted bool, rawQuery string) string {
	res := rawPath
	if virtualHosted && bucket != "" {
		res = "/" + bucket + rawPath
	}
	type kv struct{ name, text string }
	var signed []kv
	for item := range strings.SplitSeq(rawQuery, "&") {
		name, value, hasValue := strings.Cut(item, "=")
		if name == "" || !sub.Signs(name) {
			continue
		}
		text := name
		if hasValue && !(sub.BareEmptyValues && value == "") {
			if dv, err := url.QueryUnescape(value); err == nil {
				value = dv
			}
			text += "=" + value
		}
		signed = append(signed, kv{name, text})
	}
	if len(signed) == 0 {
		return res
	}
	sort.SliceStable(signed, func(i, j int) bool { return signed[i].name < signed[j].name })
	var b strings.Builder
	b.WriteString(res)
	for i, p := range signed {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.text)
	}
	return b.String()
}
