package postform

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Policy is a POST policy document: its expiration and conditions
// (S3 User Guide, "Creating a POST policy"; OSS PostObject "Policy";
// OBS "Uploading Objects - POST").
type Policy struct {
	Expiration time.Time
	Conditions []Condition
}

// Condition is one policy condition: Op "eq", "starts-with" or
// "content-length-range"; Field is the form field it tests, lower-case
// without '$'; Raw is the condition as written, for error messages.
type Condition struct {
	Op       string
	Field    string
	Value    string
	Min, Max int64
	Raw      string
}

func invalidPolicy(format string, args ...any) error {
	return &translate.Error{Code: translate.ErrInvalidPolicyDocument, Message: "Invalid Policy: " + fmt.Sprintf(format, args...)}
}

// ParsePolicy decodes the policy form field (base64 JSON).
func ParsePolicy(b64 string) (*Policy, error) {
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, invalidPolicy("Invalid Base64 Encoding.")
	}
	var doc struct {
		Expiration *string            `json:"expiration"`
		Conditions *[]json.RawMessage `json:"conditions"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	p := &Policy{}
	if doc.Expiration == nil {
		return nil, invalidPolicy("Policy missing expiration.")
	}
	if p.Expiration, err = time.Parse(time.RFC3339Nano, *doc.Expiration); err != nil {
		return nil, invalidPolicy("Invalid 'expiration' value: '%s'", *doc.Expiration)
	}
	if doc.Conditions == nil {
		return nil, invalidPolicy("Policy missing conditions.")
	}
	for _, raw := range *doc.Conditions {
		c, err := parseCondition(raw)
		if err != nil {
			return nil, err
		}
		p.Conditions = append(p.Conditions, c...)
	}
	return p, nil
}

// parseCondition reads {"field": "value"} (exact match, possibly several
// pairs) or ["eq"|"starts-with", "$field", "value"] or
// ["content-length-range", min, max].
func parseCondition(raw json.RawMessage) ([]Condition, error) {
	compact := string(bytes.TrimSpace(raw))
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil {
		var out []Condition
		for k, v := range obj {
			s, ok := v.(string)
			if !ok {
				return nil, invalidPolicy("Invalid Simple-Condition: value must be a string.")
			}
			out = append(out, Condition{Op: "eq", Field: strings.ToLower(strings.TrimPrefix(k, "$")), Value: s,
				Raw: fmt.Sprintf(`["eq", "$%s", "%s"]`, k, s)})
		}
		return out, nil
	}
	var list []any
	if json.Unmarshal(raw, &list) != nil || len(list) != 3 {
		return nil, invalidPolicy("Invalid Condition: %s", compact)
	}
	op, _ := list[0].(string)
	switch strings.ToLower(op) {
	case "eq", "starts-with":
		field, ok1 := list[1].(string)
		value, ok2 := list[2].(string)
		if !ok1 || !ok2 || !strings.HasPrefix(field, "$") || len(field) < 2 {
			return nil, invalidPolicy("Invalid Condition: %s", compact)
		}
		return []Condition{{Op: strings.ToLower(op), Field: strings.ToLower(field[1:]), Value: value,
			Raw: fmt.Sprintf(`["%s", "%s", "%s"]`, op, field, value)}}, nil
	case "content-length-range":
		min, ok1 := integer(list[1])
		max, ok2 := integer(list[2])
		if !ok1 || !ok2 || min < 0 || max < min {
			return nil, invalidPolicy("Invalid content-length-range: %s", compact)
		}
		return []Condition{{Op: "content-length-range", Min: min, Max: max, Raw: compact}}, nil
	}
	return nil, invalidPolicy("Invalid Condition: %s", compact)
}

func integer(v any) (int64, bool) {
	switch v := v.(type) {
	case float64:
		return int64(v), v == float64(int64(v))
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// exempt are fields no condition needs to cover: the signature's own and
// the file; "x-ignore-*" fields are exempt too.
var exempt = map[string]bool{
	"policy": true, "signature": true, "file": true,
	"x-amz-signature": true, "awsaccesskeyid": true,
	"ossaccesskeyid": true, "x-oss-signature": true,
	"accesskeyid": true, "x-obs-security-token": true,
}

func denied(msg string) error {
	return &translate.Error{Code: translate.ErrAccessDenied, Message: "Invalid according to Policy: " + msg}
}

// Check tests the policy against the form: expiration (before now), every
// condition (bucket is the addressed bucket, size the file's), and that
// every field but the exempt ones is covered by a condition, as S3
// requires ("Extra input fields"). A failed condition is AccessDenied
// naming it; a file outside content-length-range is EntityTooLarge or
// EntityTooSmall.
func (p *Policy) Check(fields map[string]string, bucket string, size int64, now time.Time) error {
	if !now.Before(p.Expiration) {
		return denied("Policy expired.")
	}
	covered := map[string]bool{"bucket": true}
	for _, c := range p.Conditions {
		covered[c.Field] = true
		if c.Op == "content-length-range" {
			switch {
			case size > c.Max:
				return &translate.Error{Code: translate.ErrEntityTooLarge, Message: "Your proposed upload exceeds the maximum allowed size",
					Extra: map[string]string{"ProposedSize": strconv.FormatInt(size, 10), "MaxSizeAllowed": strconv.FormatInt(c.Max, 10)}}
			case size < c.Min:
				return &translate.Error{Code: translate.ErrEntityTooSmall, Message: "Your proposed upload is smaller than the minimum allowed size",
					Extra: map[string]string{"ProposedSize": strconv.FormatInt(size, 10), "MinSizeAllowed": strconv.FormatInt(c.Min, 10)}}
			}
			continue
		}
		v, ok := fields[c.Field]
		if c.Field == "bucket" {
			v, ok = bucket, true
		}
		if !ok {
			if c.Op == "starts-with" && c.Value == "" {
				continue // ["starts-with", "$f", ""] allows any value, or none
			}
			return denied("Policy Condition failed: " + c.Raw)
		}
		if c.Op == "eq" && v != c.Value || c.Op == "starts-with" && !startsWith(c.Field, v, c.Value) {
			return denied("Policy Condition failed: " + c.Raw)
		}
	}
	for name := range fields {
		if !covered[name] && !exempt[name] && !strings.HasPrefix(name, "x-ignore-") {
			return denied("Extra input fields: " + name)
		}
	}
	return nil
}

// startsWith applies starts-with; for Content-Type, each of a
// comma-separated list of types must match, as S3 documents.
func startsWith(field, v, prefix string) bool {
	if field != "content-type" {
		return strings.HasPrefix(v, prefix)
	}
	for _, t := range strings.Split(v, ",") {
		if !strings.HasPrefix(strings.TrimSpace(t), prefix) {
			return false
		}
	}
	return true
}
