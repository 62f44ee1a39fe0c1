package policy

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Flavor is the policy language of a dialect. Every flavor is evaluated
// as AWS's: OSS's and OBS's policies are first rewritten into it
// (ParseFlavor).
type Flavor string

// The flavors.
const (
	// AWS is S3's IAM policy language.
	AWS Flavor = "aws"
	// OSS is Alibaba Cloud's RAM policy language for buckets: Version "1",
	// Principal a list of user IDs (here access keys) or "*", actions
	// "oss:<Name>", resources "acs:oss:*:<account>:<bucket>[/<key>]",
	// condition keys acs:SourceIp, acs:SecureTransport, oss:Prefix, ...
	OSS Flavor = "oss"
	// OBS is Huawei Cloud's bucket policy language: Principal
	// {"ID": ["*" | "domain/<account>:user/<user>"]}, actions without a
	// prefix ("GetObject"), resources "<bucket>[/<key>]".
	OBS Flavor = "obs"
)

// ossActions are OSS action names whose S3 name differs.
var ossActions = map[string]string{
	"listobjects": "ListBucket", "listparts": "ListMultipartUploadParts",
	"listmultipartuploads": "ListBucketMultipartUploads", "putbucketcors": "PutBucketCORS",
	"getbucketcors": "GetBucketCORS", "deletebucketcors": "PutBucketCORS", "getbucketinfo": "ListBucket",
	"putbucket": "CreateBucket", "listbuckets": "ListAllMyBuckets",
}

// conditionKeys maps OSS's and OBS's condition keys to AWS's.
var conditionKeys = map[string]string{
	"acs:sourceip": "aws:SourceIp", "acs:securetransport": "aws:SecureTransport", "acs:useragent": "aws:UserAgent",
	"acs:referer": "aws:Referer", "oss:prefix": "s3:prefix", "oss:delimiter": "s3:delimiter", "oss:max-keys": "s3:max-keys",
	"sourceip": "aws:SourceIp", "securetransport": "aws:SecureTransport", "useragent": "aws:UserAgent", "referer": "aws:Referer",
	"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys",
}

// ParseFlavor parses a policy written in flavor f for bucket.
func ParseFlavor(f Flavor, bucket string, data []byte) (*Policy, error) {
	if f == AWS || f == "" {
		return Parse(bucket, data)
	}
	if len(data) > MaxSize {
		return nil, errorf("Policies must be less than 20 KB")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errorf("Policies must be valid JSON and the first byte must be '{'")
	}
	var doc map[string]any
	if err := strictJSON(trimmed, &doc); err != nil {
		return nil, errorf("This policy contains invalid Json")
	}
	if f == OSS {
		if v, ok := doc["Version"]; ok {
			if v != "1" {
				return nil, errorf("The policy must contain a valid version string")
			}
			delete(doc, "Version")
		}
	}
	stmts, ok := doc["Statement"].([]any)
	if !ok {
		if one, isMap := doc["Statement"].(map[string]any); isMap {
			stmts = []any{one}
		}
	}
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok {
			continue // Parse refuses it
		}
		rewriteStatement(f, m)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, errorf("This policy contains invalid Json")
	}
	return Parse(bucket, out)
}

func rewriteStatement(f Flavor, m map[string]any) {
	if p, ok := m["Principal"]; ok {
		m["Principal"] = rewritePrincipal(f, p)
	}
	if a, ok := m["Action"]; ok {
		m["Action"] = mapStrings(a, func(a string) string { return rewriteAction(f, a) })
	}
	if r, ok := m["Resource"]; ok {
		m["Resource"] = mapStrings(r, func(r string) string { return rewriteResource(f, r) })
	}
	if c, ok := m["Condition"].(map[string]any); ok {
		for _, keys := range c {
			km, ok := keys.(map[string]any)
			if !ok {
				continue
			}
			for k, v := range km {
				if n, ok := conditionKeys[strings.ToLower(k)]; ok {
					delete(km, k)
					km[n] = v
				}
			}
		}
	}
}

// rewritePrincipal returns the AWS form: {"AWS": [...]}.
func rewritePrincipal(f Flavor, p any) any {
	var ids any = p
	if f == OBS {
		m, ok := p.(map[string]any)
		if !ok {
			return p
		}
		if len(m) != 1 || m["ID"] == nil {
			return map[string]any{"Unsupported": p} // refused by Parse
		}
		ids = m["ID"]
	}
	return map[string]any{"AWS": mapStrings(ids, func(s string) string {
		if s == "*" {
			return s
		}
		if f == OBS {
			if _, user, ok := strings.Cut(s, ":user/"); ok {
				return user
			}
		}
		return s
	})}
}

func rewriteAction(f Flavor, a string) string {
	name := a
	switch f {
	case OSS:
		rest, ok := strings.CutPrefix(a, "oss:")
		if !ok {
			return a // refused by Parse
		}
		name = rest
		if n, ok := ossActions[strings.ToLower(rest)]; ok {
			name = n
		}
	case OBS:
		name = strings.TrimPrefix(a, "s3:")
	}
	if a == "*" {
		return a
	}
	return "s3:" + name
}

func rewriteResource(f Flavor, r string) string {
	switch f {
	case OSS:
		rest, ok := strings.CutPrefix(r, "acs:oss:")
		if !ok {
			return r
		}
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) != 3 {
			return r
		}
		return "arn:aws:s3:::" + parts[2]
	case OBS:
		if strings.HasPrefix(r, "arn:") {
			return r
		}
		return "arn:aws:s3:::" + r
	}
	return r
}

// mapStrings applies fn to a string or each string of a list, leaving any
// other value for Parse to refuse.
func mapStrings(v any, fn func(string) string) any {
	switch v := v.(type) {
	case string:
		return fn(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			if s, ok := e.(string); ok {
				out[i] = fn(s)
			} else {
				out[i] = e
			}
		}
		return out
	}
	return v
}
