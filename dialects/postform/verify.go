package postform

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects/sigv4"
	"github.com/babelgate/babelgate/translate"
)

// Scheme is a dialect's family of form signatures.
type Scheme int

// The schemes.
const (
	// S3: SigV4 (x-amz-algorithm AWS4-HMAC-SHA256, x-amz-credential,
	// x-amz-date, x-amz-signature: hex HMAC-SHA256 of the policy under the
	// scope's signing key) or SigV2 (AWSAccessKeyId, signature: base64
	// HMAC-SHA1 of the policy).
	S3 Scheme = iota + 1
	// OSS: V1 (OSSAccessKeyId, Signature: base64 HMAC-SHA1 of the policy)
	// or V4 (x-oss-signature-version OSS4-HMAC-SHA256, x-oss-credential,
	// x-oss-date, x-oss-signature: hex HMAC-SHA256 under the aliyun_v4
	// signing key).
	OSS
	// OBS: AccessKeyId, signature (base64 HMAC-SHA1 of the policy), policy.
	OBS
)

// Lookup returns an access key's secret.
type Lookup func(accessKey string) (secret string, ok bool)

// displayNames spell fields in missing-field messages as the vendors do.
var displayNames = map[string]string{"awsaccesskeyid": "AWSAccessKeyId", "ossaccesskeyid": "OSSAccessKeyId",
	"accesskeyid": "AccessKeyId", "x-amz-credential": "X-Amz-Credential", "x-amz-algorithm": "X-Amz-Algorithm",
	"x-amz-date": "X-Amz-Date", "x-amz-signature": "X-Amz-Signature"}

func missing(name string) error {
	if d, ok := displayNames[name]; ok {
		name = d
	}
	return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: name,
		Message: "Bucket POST must contain a field named '" + name + "'.  If it is specified, please check the order of the fields."}
}

func mismatch() error {
	return &translate.Error{Code: translate.ErrSignatureDoesNotMatch,
		Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
}

// Verify checks the form's signature in scheme s and returns the signer's
// access key, or "" for an unsigned form (no access key field: anonymous,
// allowed only where a policy allows anonymous writes). A signed form
// needs a policy; the signature covers the policy's base64 text.
func Verify(s Scheme, f map[string]string, lookup Lookup) (string, error) {
	switch s {
	case S3:
		if _, ok := f["x-amz-algorithm"]; ok {
			return verifyV4(f, lookup, "x-amz-", "AWS4-HMAC-SHA256", "aws4_request", "s3", "")
		}
		return verifyV1(f, lookup, "awsaccesskeyid", "signature")
	case OSS:
		if _, ok := f["x-oss-signature-version"]; ok {
			return verifyV4(f, lookup, "x-oss-", "OSS4-HMAC-SHA256", "aliyun_v4_request", "oss", "aliyun_v4")
		}
		return verifyV1(f, lookup, "ossaccesskeyid", "signature")
	case OBS:
		return verifyV1(f, lookup, "accesskeyid", "signature")
	}
	return "", translate.Errorf(translate.ErrInternal, "postform: unknown scheme %d", s)
}

// verifyV1 checks a base64 HMAC-SHA1 over the policy.
func verifyV1(f map[string]string, lookup Lookup, keyField, sigField string) (string, error) {
	ak, ok := f[keyField]
	if !ok {
		if _, signed := f[sigField]; signed {
			return "", missing(keyField)
		}
		return "", nil
	}
	pol, ok := f["policy"]
	if !ok {
		return "", missing("policy")
	}
	sig, ok := f[sigField]
	if !ok {
		return "", missing(sigField)
	}
	secret, ok := lookup(ak)
	if !ok {
		return "", &translate.Error{Code: translate.ErrInvalidAccessKeyID}
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(pol))
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(m.Sum(nil), got) {
		return "", mismatch()
	}
	return ak, nil
}

// verifyV4 checks a SigV4-shaped signature: the credential
// "<ak>/<yyyymmdd>/<region>/<service>/<terminator>", the date field, and
// the hex HMAC-SHA256 of the policy under the derived key. keyPrefix ""
// is AWS's "AWS4".
func verifyV4(f map[string]string, lookup Lookup, prefix, algorithm, terminator, service, keyPrefix string) (string, error) {
	algField, credField, dateField, sigField := prefix+"algorithm", prefix+"credential", prefix+"date", prefix+"signature"
	if prefix == "x-oss-" {
		algField = "x-oss-signature-version"
	}
	for _, name := range []string{algField, credField, dateField, sigField, "policy"} {
		if _, ok := f[name]; !ok {
			return "", missing(name)
		}
	}
	if f[algField] != algorithm {
		return "", &translate.Error{Code: translate.ErrInvalidArgument, ArgName: algField, ArgValue: f[algField],
			Message: "Unsupported algorithm: only " + algorithm + " is supported."}
	}
	parts := strings.Split(f[credField], "/")
	if len(parts) != 5 || parts[0] == "" || parts[3] != service || parts[4] != terminator {
		return "", &translate.Error{Code: translate.ErrInvalidArgument, ArgName: credField, ArgValue: f[credField],
			Message: "Invalid credential: expected <access key>/<date>/<region>/" + service + "/" + terminator + "."}
	}
	when, err := time.Parse("20060102T150405Z", f[dateField])
	if err != nil || when.Format("20060102") != parts[1] {
		return "", &translate.Error{Code: translate.ErrInvalidArgument, ArgName: dateField, ArgValue: f[dateField],
			Message: "Invalid date: " + dateField + " must be yyyyMMddTHHmmssZ on the credential's day."}
	}
	secret, ok := lookup(parts[0])
	if !ok {
		return "", &translate.Error{Code: translate.ErrInvalidAccessKeyID}
	}
	var match bool
	if keyPrefix == "" {
		match = sigv4.PolicySignatureMatches(secret, parts[1], parts[2], service, f["policy"], f[sigField])
	} else {
		k := mac([]byte(keyPrefix+secret), parts[1])
		k = mac(k, parts[2])
		k = mac(k, service)
		k = mac(k, terminator)
		got, err := hex.DecodeString(f[sigField])
		match = err == nil && hmac.Equal(mac(k, f["policy"]), got)
	}
	if !match {
		return "", mismatch()
	}
	return parts[0], nil
}

func mac(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
