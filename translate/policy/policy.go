// Package policy parses and evaluates S3 bucket policies: the subset of IAM
// policy JSON that applications use on buckets. A policy either parses
// whole or is refused with an *Error naming what is wrong (the dialects
// answer it as their MalformedPolicy error); nothing is half-applied.
//
// Supported: Version "2012-10-17" or "2008-10-17" (optional), Id, and
// Statement (one object or a list) with Sid, Effect Allow|Deny, Principal,
// Action, Resource and Condition. Refused as unsupported: NotPrincipal,
// NotAction, NotResource, condition operators other than those in
// [Operators], the IfExists and ForAnyValue/ForAllValues forms, and
// condition keys other than those in [ConditionKeys].
//
// Principals: "*" or {"AWS": "*"} is everyone, anonymous callers included.
// A gateway user is named by its access key, bare ("AKIAEXAMPLE") or as an
// IAM user ARN of any account ("arn:aws:iam::123456789012:user/AKIAEXAMPLE"):
// babelgate has no accounts, its users are its access keys.
//
// Evaluation follows AWS's for an identity policy and a resource policy in
// one account: a request is allowed when the caller's own grant or a
// statement of the policy allows it and no statement explicitly denies it.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
)

// MaxSize is the largest bucket policy S3 accepts (20 KB).
const MaxSize = 20 * 1024

// Error is a policy refused; Message is what the client is told, in AWS's
// words where AWS has them.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) error { return &Error{Message: fmt.Sprintf(format, args...)} }

// Effect is a statement's effect.
type Effect int

// Effects.
const (
	Allow Effect = iota + 1
	Deny
)

// Decision is what a policy says about a request.
type Decision int

// Decisions: no statement applies, some Allow applies (and no Deny), or a
// Deny applies.
const (
	NoDecision Decision = iota
	Allowed
	Denied
)

// Policy is a parsed bucket policy.
type Policy struct {
	Version    string
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	Sid    string
	Effect Effect
	// Everyone is Principal "*"; Users are the access keys named.
	Everyone   bool
	Users      []string
	Actions    []string // lower-case patterns ("s3:get*")
	Resources  []string // ARN patterns
	Conditions []Condition
}

// Condition is one operator applied to one key: true when any of Values
// matches (for the negated operators: when none does).
type Condition struct {
	Operator string
	Key      string // lower-case
	Values   []string
	nets     []netip.Prefix
}

// Actions are the S3 actions babelgate serves, with whether each applies to
// a bucket ARN (false: to an object ARN).
var Actions = map[string]bool{
	"s3:ListBucket": true, "s3:ListBucketMultipartUploads": true, "s3:GetBucketLocation": true,
	"s3:CreateBucket": true, "s3:DeleteBucket": true, "s3:ListAllMyBuckets": true,
	"s3:GetBucketPolicy": true, "s3:PutBucketPolicy": true, "s3:DeleteBucketPolicy": true,
	"s3:GetBucketCORS": true, "s3:PutBucketCORS": true, "s3:GetBucketAcl": true, "s3:PutBucketAcl": true,
	"s3:GetObject": false, "s3:PutObject": false, "s3:DeleteObject": false, "s3:GetObjectAttributes": false,
	"s3:AbortMultipartUpload": false, "s3:ListMultipartUploadParts": false,
}

// Operators are the condition operators supported.
var Operators = []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "IpAddress", "NotIpAddress", "Bool"}

// ConditionKeys are the condition keys supported (compared case-insensitively).
var ConditionKeys = []string{"aws:SecureTransport", "aws:SourceIp", "aws:Referer", "aws:UserAgent",
	"s3:prefix", "s3:delimiter", "s3:max-keys"}

var statementFields = map[string]bool{"Sid": true, "Effect": true, "Principal": true, "Action": true,
	"Resource": true, "Condition": true}

var unsupportedFields = map[string]bool{"NotPrincipal": true, "NotAction": true, "NotResource": true}

// Parse parses a policy for bucket. Every Resource must lie in bucket.
func Parse(bucket string, data []byte) (*Policy, error) {
	if len(data) > MaxSize {
		return nil, errorf("Policies must be less than 20 KB")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errorf("Policies must be valid JSON and the first byte must be '{'")
	}
	var top map[string]json.RawMessage
	if err := strictJSON(data, &top); err != nil {
		return nil, errorf("This policy contains invalid Json")
	}
	p := &Policy{}
	for k := range top {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return nil, errorf("Unknown field %s", k)
		}
	}
	if v, ok := top["Version"]; ok {
		if err := json.Unmarshal(v, &p.Version); err != nil || (p.Version != "2012-10-17" && p.Version != "2008-10-17") {
			return nil, errorf("The policy must contain a valid version string")
		}
	}
	if v, ok := top["Id"]; ok {
		var id string
		if json.Unmarshal(v, &id) != nil {
			return nil, errorf("Policy has an invalid Id")
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, errorf("Missing required field Statement")
	}
	var list []map[string]json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		if json.Unmarshal(raw, &list) != nil {
			return nil, errorf("This policy contains invalid Json")
		}
	} else {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return nil, errorf("This policy contains invalid Json")
		}
		list = append(list, one)
	}
	if len(list) == 0 {
		return nil, errorf("Could not parse the policy: Statement is empty!")
	}
	sids := map[string]bool{}
	for _, m := range list {
		s, err := parseStatement(bucket, m)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, errorf("Statement IDs (SID) in a single policy must be unique: %s", s.Sid)
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// strictJSON decodes data into v refusing trailing data.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

func parseStatement(bucket string, m map[string]json.RawMessage) (Statement, error) {
	var s Statement
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if unsupportedFields[k] {
			return s, errorf("Policy has an unsupported element: %s", k)
		}
		if !statementFields[k] {
			return s, errorf("Unknown field %s", k)
		}
	}
	if v, ok := m["Sid"]; ok && json.Unmarshal(v, &s.Sid) != nil {
		return s, errorf("Statement IDs (SID) must be strings")
	}
	var effect string
	if v, ok := m["Effect"]; !ok {
		return s, errorf("Missing required field Effect")
	} else if json.Unmarshal(v, &effect) != nil {
		return s, errorf("Invalid effect")
	}
	switch effect {
	case "Allow":
		s.Effect = Allow
	case "Deny":
		s.Effect = Deny
	default:
		return s, errorf("Invalid effect: %s", effect)
	}
	v, ok := m["Principal"]
	if !ok {
		return s, errorf("Missing required field Principal")
	}
	if err := s.parsePrincipal(v); err != nil {
		return s, err
	}
	actions, ok := m["Action"]
	if !ok {
		return s, errorf("Missing required field Action")
	}
	list, err := stringOrList(actions)
	if err != nil || len(list) == 0 {
		return s, errorf("Policy has invalid action")
	}
	for _, a := range list {
		if !knownAction(a) {
			return s, errorf("Policy has invalid action")
		}
		s.Actions = append(s.Actions, strings.ToLower(a))
	}
	res, ok := m["Resource"]
	if !ok {
		return s, errorf("Missing required field Resource")
	}
	list, err = stringOrList(res)
	if err != nil || len(list) == 0 {
		return s, errorf("Policy has invalid resource")
	}
	for _, r := range list {
		if !resourceInBucket(r, bucket) {
			return s, errorf("Policy has invalid resource")
		}
		s.Resources = append(s.Resources, r)
	}
	if !s.actionsApply() {
		return s, errorf("Action does not apply to any resource(s) in statement")
	}
	if c, ok := m["Condition"]; ok {
		if s.Conditions, err = parseConditions(c); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (s *Statement) parsePrincipal(v json.RawMessage) error {
	var star string
	if json.Unmarshal(v, &star) == nil {
		if star != "*" {
			return errorf("Invalid principal in policy")
		}
		s.Everyone = true
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(v, &m) != nil || len(m) == 0 {
		return errorf("Invalid principal in policy")
	}
	for k, raw := range m {
		if k != "AWS" {
			return errorf("Invalid principal in policy")
		}
		list, err := stringOrList(raw)
		if err != nil || len(list) == 0 {
			return errorf("Invalid principal in policy")
		}
		for _, p := range list {
			user, ok := principalUser(p)
			if !ok {
				return errorf("Invalid principal in policy")
			}
			if user == "*" {
				s.Everyone = true
			} else {
				s.Users = append(s.Users, user)
			}
		}
	}
	return nil
}

// principalUser returns the access key an AWS principal names: "*", a bare
// key, or an IAM user ARN of any 12-digit account.
func principalUser(p string) (string, bool) {
	if p == "*" {
		return p, true
	}
	if rest, ok := strings.CutPrefix(p, "arn:aws:iam::"); ok {
		account, user, ok := strings.Cut(rest, ":user/")
		if !ok || len(account) != 12 || strings.Trim(account, "0123456789") != "" || !validKey(user) {
			return "", false
		}
		return user, true
	}
	return p, validKey(p)
}

func validKey(k string) bool {
	if k == "" || len(k) > 128 {
		return false
	}
	for _, c := range k {
		if c <= ' ' || c > '~' || c == '*' || c == ':' || c == '/' {
			return false
		}
	}
	return true
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// knownAction reports whether pattern (case-insensitive, with * and ?)
// matches one of Actions.
func knownAction(pattern string) bool {
	if pattern == "*" {
		return true
	}
	p := strings.ToLower(pattern)
	if !strings.HasPrefix(p, "s3:") {
		return false
	}
	for a := range Actions {
		if Match(p, strings.ToLower(a)) {
			return true
		}
	}
	return false
}

// resourceInBucket reports whether r is an S3 ARN of bucket or of an
// object in it.
func resourceInBucket(r, bucket string) bool {
	rest, ok := strings.CutPrefix(r, "arn:aws:s3:::")
	if !ok || rest == "" {
		return false
	}
	b, _, _ := strings.Cut(rest, "/")
	return Match(b, bucket)
}

// actionsApply reports whether some action of s applies to some resource:
// bucket actions to a bucket ARN, object actions to an object ARN.
func (s *Statement) actionsApply() bool {
	for _, r := range s.Resources {
		rest := strings.TrimPrefix(r, "arn:aws:s3:::")
		// "b" names the bucket, "b/k" objects; a '*' in the bucket part
		// with no '/' ("b*") covers both, as '*' matches a '/'.
		_, key, slash := strings.Cut(rest, "/")
		bucketARN := !slash
		objectARN := slash && key != "" || !slash && strings.Contains(rest, "*")
		for _, a := range s.Actions {
			for name, bucketLevel := range Actions {
				if Match(a, strings.ToLower(name)) && ((bucketLevel && bucketARN) || (!bucketLevel && objectARN)) {
					return true
				}
			}
		}
	}
	return false
}

func parseConditions(raw json.RawMessage) ([]Condition, error) {
	var ops map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &ops) != nil {
		return nil, errorf("Policy has an invalid condition")
	}
	var out []Condition
	for op, keys := range ops {
		if !knownOperator(op) {
			return nil, errorf("Invalid Condition type : %s", op)
		}
		for key, v := range keys {
			if !knownKey(key) {
				return nil, errorf("Policy has an invalid condition key")
			}
			values, err := conditionValues(v)
			if err != nil || len(values) == 0 {
				return nil, errorf("Policy has an invalid condition value for key %s", key)
			}
			c := Condition{Operator: op, Key: strings.ToLower(key), Values: values}
			switch op {
			case "IpAddress", "NotIpAddress":
				if c.Key != "aws:sourceip" {
					return nil, errorf("Policy has an invalid condition key")
				}
				for _, s := range values {
					n, err := parseNet(s)
					if err != nil {
						return nil, errorf("Policy has an invalid condition value for key %s: %s", key, s)
					}
					c.nets = append(c.nets, n)
				}
			case "Bool":
				for _, s := range values {
					if s != "true" && s != "false" {
						return nil, errorf("Policy has an invalid condition value for key %s: %s", key, s)
					}
				}
			default:
				if c.Key == "aws:sourceip" {
					return nil, errorf("Policy has an invalid condition key")
				}
			}
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Operator+out[i].Key < out[j].Operator+out[j].Key
	})
	return out, nil
}

func knownOperator(op string) bool {
	for _, o := range Operators {
		if o == op {
			return true
		}
	}
	return false
}

func knownKey(k string) bool {
	for _, c := range ConditionKeys {
		if strings.EqualFold(c, k) {
			return true
		}
	}
	return false
}

// conditionValues accepts a string, bool or number, or a list of them.
func conditionValues(raw json.RawMessage) ([]string, error) {
	var list []any
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
	} else {
		var one any
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		list = []any{one}
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case bool:
			out = append(out, fmt.Sprint(v))
		case float64:
			out = append(out, fmt.Sprint(v))
		default:
			return nil, fmt.Errorf("bad value %v", v)
		}
	}
	return out, nil
}

func parseNet(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Request is what a policy is evaluated against.
type Request struct {
	// AccessKey is the caller; "" is anonymous.
	AccessKey string
	// Action is the S3 action ("s3:GetObject").
	Action string
	// Resource is the ARN acted on ("arn:aws:s3:::b" or "arn:aws:s3:::b/k").
	Resource string
	// SourceIP is the client's address; Secure whether it used TLS.
	SourceIP net.IP
	Secure   bool
	// Context holds the other condition keys (lower-case): s3:prefix,
	// s3:delimiter, s3:max-keys, aws:referer, aws:useragent. A key absent
	// is not in the request.
	Context map[string]string
}

// Evaluate returns what p says about r: Denied if any statement that
// applies denies, else Allowed if one allows, else NoDecision. A nil
// policy says nothing.
func (p *Policy) Evaluate(r Request) Decision {
	if p == nil {
		return NoDecision
	}
	d := NoDecision
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.applies(r) {
			continue
		}
		if s.Effect == Deny {
			return Denied
		}
		d = Allowed
	}
	return d
}

// Decide combines a caller's own grant with the policy as AWS combines an
// identity policy and a resource policy: allowed when either allows and
// nothing denies.
func Decide(granted bool, p *Policy, r Request) bool {
	switch p.Evaluate(r) {
	case Denied:
		return false
	case Allowed:
		return true
	}
	return granted
}

func (s *Statement) applies(r Request) bool {
	if !s.Everyone {
		found := false
		for _, u := range s.Users {
			if r.AccessKey != "" && u == r.AccessKey {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	action := strings.ToLower(r.Action)
	ok := false
	for _, a := range s.Actions {
		if a == "*" || Match(a, action) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	ok = false
	for _, res := range s.Resources {
		if Match(res, r.Resource) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for _, c := range s.Conditions {
		if !c.holds(r) {
			return false
		}
	}
	return true
}

// holds evaluates one condition. A key absent from the request matches
// nothing: the positive operators are false, the negated ones true, as AWS
// evaluates them.
func (c *Condition) holds(r Request) bool {
	var value string
	present := true
	switch c.Key {
	case "aws:sourceip":
		present = r.SourceIP != nil
	case "aws:securetransport":
		value = fmt.Sprint(r.Secure)
	default:
		value, present = r.Context[c.Key]
	}
	negated := strings.HasPrefix(c.Operator, "StringNot") || c.Operator == "NotIpAddress"
	if !present {
		return negated
	}
	any := false
	for i, v := range c.Values {
		var m bool
		switch c.Operator {
		case "StringEquals", "StringNotEquals":
			m = value == v
		case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
			m = strings.EqualFold(value, v)
		case "StringLike", "StringNotLike":
			m = Match(v, value)
		case "Bool":
			m = strings.EqualFold(value, v)
		case "IpAddress", "NotIpAddress":
			a, ok := netip.AddrFromSlice(r.SourceIP)
			m = ok && c.nets[i].Contains(a.Unmap())
		}
		if m {
			any = true
			break
		}
	}
	return any != negated
}

// Match reports whether s matches pattern, where '*' matches any run of
// characters (none included) and '?' any one character.
func Match(pattern, s string) bool {
	// Iterative matcher with backtracking to the last '*'.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
