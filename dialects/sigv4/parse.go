package sigv4

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// authorization is the parsed Authorization header (or the presigned
// query's equivalent parameters).
type authorization struct {
	credential    credential
	signedHeaders []string // lowercase names in the client's order
	signedRaw     string   // the SignedHeaders value as sent
	signature     string   // hex as sent
}

// credential is a parsed "<AKID>/<yyyymmdd>/<region>/<service>/aws4_request".
type credential struct {
	accessKey, date, region, service string
}

// scope returns "<yyyymmdd>/<region>/<service>/aws4_request".
func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + terminator
}

// parseAuthorization parses an Authorization header value of the form
//
//	AWS4-HMAC-SHA256 Credential=<cred>, SignedHeaders=<h1;h2>, Signature=<hex>
//
// accepting the comma with or without following spaces (botocore writes
// ", ", minio-go and the OBS SDK write ","), in any order. Unknown or
// repeated components are errors.
func parseAuthorization(h string) (authorization, error) {
	var a authorization
	rest, ok := strings.CutPrefix(h, Algorithm)
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return a, errors.New("the authorization header does not start with " + Algorithm)
	}
	var cred, signed, sig string
	var seen [3]bool
	for part := range strings.SplitSeq(rest, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return a, fmt.Errorf("the authorization component %q is malformed", truncate(part))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		var i int
		switch k {
		case "Credential":
			i, cred = 0, v
		case "SignedHeaders":
			i, signed = 1, v
		case "Signature":
			i, sig = 2, v
		default:
			return a, fmt.Errorf("the authorization header has an unknown component %q", truncate(k))
		}
		if seen[i] {
			return a, fmt.Errorf("the authorization component %s is repeated", k)
		}
		seen[i] = true
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return a, errors.New("the authorization header requires Credential, SignedHeaders and Signature")
	}
	return buildAuthorization(cred, signed, sig)
}

// buildAuthorization validates the three components shared by the header
// and query forms.
func buildAuthorization(cred, signed, sig string) (authorization, error) {
	var a authorization
	c, err := parseCredential(cred)
	if err != nil {
		return a, err
	}
	names, err := parseSignedHeaders(signed)
	if err != nil {
		return a, err
	}
	if sig == "" {
		return a, errors.New("the signature is empty")
	}
	return authorization{credential: c, signedHeaders: names, signedRaw: signed, signature: sig}, nil
}

// parseCredential splits and checks a credential string.
func parseCredential(s string) (credential, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return credential{}, fmt.Errorf("the credential %q is malformed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"", truncate(s))
	}
	c := credential{accessKey: parts[0], date: parts[1], region: parts[2], service: parts[3]}
	if c.accessKey == "" || c.region == "" || c.service == "" {
		return credential{}, fmt.Errorf("the credential %q has an empty component", truncate(s))
	}
	if _, err := time.Parse(dateFormat, c.date); err != nil || len(c.date) != len(dateFormat) {
		return credential{}, fmt.Errorf("the credential date %q is not YYYYMMDD", truncate(c.date))
	}
	if parts[4] != terminator {
		return credential{}, fmt.Errorf("the credential terminator %q is not %q", truncate(parts[4]), terminator)
	}
	return c, nil
}

// parseSignedHeaders splits a SignedHeaders value. Names must be non-empty,
// lowercase header tokens, unique, and include "host".
func parseSignedHeaders(s string) ([]string, error) {
	if s == "" {
		return nil, errors.New("SignedHeaders is empty")
	}
	names := strings.Split(s, ";")
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if !isLowerToken(n) {
			return nil, fmt.Errorf("SignedHeaders has an invalid name %q", truncate(n))
		}
		if seen[n] {
			return nil, fmt.Errorf("SignedHeaders repeats %q", truncate(n))
		}
		seen[n] = true
	}
	if !seen["host"] {
		return nil, errors.New("SignedHeaders must include host")
	}
	return names, nil
}

// isLowerToken reports whether s is a non-empty HTTP token without
// uppercase letters.
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// requestTime returns the signing time of a header-signed request and its
// yyyymmddTHHMMSSZ form: x-amz-date when present, else the Date header.
func requestTime(r *http.Request) (time.Time, string, error) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(timeFormat, v)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("x-amz-date %q is not in the ISO 8601 basic format", truncate(v))
		}
		return t, v, nil
	}
	if v := r.Header.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("date %q is not an HTTP date", truncate(v))
		}
		t = t.UTC()
		return t, t.Format(timeFormat), nil
	}
	return time.Time{}, "", errors.New("neither x-amz-date nor date is present")
}

// truncate shortens client-supplied text quoted in error messages.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
