// Package cors holds a bucket's CORS rules and the matching S3 documents
// for preflight (OPTIONS) and actual requests: the first rule whose
// AllowedOrigin matches the Origin, whose AllowedMethod lists the method,
// and (preflight) whose AllowedHeader patterns cover every header in
// Access-Control-Request-Headers applies; no rule, no CORS headers.
// The same rules serve OSS and OBS, whose CORS models are the same.
package cors

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// MaxRules is the most rules a configuration may hold (S3 and OSS: 100).
const MaxRules = 100

// Methods are the methods a rule may allow.
var Methods = []string{"GET", "PUT", "HEAD", "POST", "DELETE"}

// Rule is one CORS rule.
type Rule struct {
	ID             string
	AllowedOrigins []string
	AllowedMethods []string
	AllowedHeaders []string
	ExposeHeaders  []string
	// MaxAgeSeconds is -1 when not set.
	MaxAgeSeconds int
}

// Config is a bucket's CORS configuration.
type Config struct {
	Rules []Rule
}

// Error is a configuration refused; Message is what the client is told.
type Error struct {
	// Malformed marks a document that breaks the schema (no rules, no
	// origin or method), answered as MalformedXML; otherwise the values
	// are invalid (InvalidRequest).
	Malformed bool
	Message   string
}

func (e *Error) Error() string { return e.Message }

// Validate checks c as S3 does.
func (c *Config) Validate() error {
	if len(c.Rules) == 0 || len(c.Rules) > MaxRules {
		return &Error{Malformed: true, Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	for _, r := range c.Rules {
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
			return &Error{Malformed: true, Message: "The XML you provided was not well-formed or did not validate against our published schema"}
		}
		if len(r.ID) > 255 {
			return &Error{Message: "The ID of a CORS rule must be at most 255 characters."}
		}
		for _, m := range r.AllowedMethods {
			if !knownMethod(m) {
				return &Error{Message: "Found unsupported HTTP method in CORS config. Unsupported method is " + m}
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return &Error{Message: fmt.Sprintf("AllowedOrigin %q can not have more than one wildcard.", o)}
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return &Error{Message: fmt.Sprintf("AllowedHeader %q can not have more than one wildcard.", h)}
			}
		}
		if r.MaxAgeSeconds < -1 {
			return &Error{Message: "MaxAgeSeconds must not be negative."}
		}
	}
	return nil
}

func knownMethod(m string) bool {
	for _, k := range Methods {
		if m == k {
			return true
		}
	}
	return false
}

// wildcard matches s against a pattern with at most one '*'.
func wildcard(pattern, s string) bool {
	before, after, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// Match returns the first rule allowing origin and method and, for a
// preflight, every one of requestHeaders (header names are compared
// case-insensitively), or nil.
func (c *Config) Match(origin, method string, requestHeaders []string) *Rule {
	if c == nil || origin == "" {
		return nil
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.allows(origin, method, requestHeaders) {
			return r
		}
	}
	return nil
}

func (r *Rule) allows(origin, method string, headers []string) bool {
	ok := false
	for _, o := range r.AllowedOrigins {
		if wildcard(o, origin) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	ok = false
	for _, m := range r.AllowedMethods {
		if m == method {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for _, h := range headers {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		ok = false
		for _, a := range r.AllowedHeaders {
			if wildcard(strings.ToLower(a), h) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// AllowsAnyOrigin reports whether the rule's origin list is "*".
func (r *Rule) allowOrigin(origin string) string {
	for _, o := range r.AllowedOrigins {
		if o == "*" {
			return "*"
		}
	}
	return origin
}

// SplitHeaders splits an Access-Control-Request-Headers value.
func SplitHeaders(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// SetPreflight writes the headers S3 answers a preflight with under r:
// the origin (or "*"), the rule's methods, the requested headers, the
// expose headers and the max age.
func (r *Rule) SetPreflight(h http.Header, origin string, requestHeaders []string) {
	r.setCommon(h, origin)
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(requestHeaders) > 0 {
		lower := make([]string, len(requestHeaders))
		for i, v := range requestHeaders {
			lower[i] = strings.ToLower(v)
		}
		h.Set("Access-Control-Allow-Headers", strings.Join(lower, ", "))
	}
	if r.MaxAgeSeconds >= 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(r.MaxAgeSeconds))
	}
}

// SetActual writes the headers of an actual (non-preflight) response
// matched by r.
func (r *Rule) SetActual(h http.Header, origin string) {
	r.setCommon(h, origin)
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if r.MaxAgeSeconds >= 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(r.MaxAgeSeconds))
	}
}

func (r *Rule) setCommon(h http.Header, origin string) {
	o := r.allowOrigin(origin)
	h.Set("Access-Control-Allow-Origin", o)
	if o != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// VaryOnly writes the Vary header S3 sends when a bucket has CORS rules
// but none matched.
func VaryOnly(h http.Header) {
	h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}
