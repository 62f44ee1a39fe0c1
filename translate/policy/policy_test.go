package policy

import (
	"net"
	"strings"
	"testing"
)

// The refusals' texts follow the messages S3 returns in MalformedPolicy
// errors (AWS S3 API reference, PutBucketPolicy; IAM policy grammar).
func TestParseRefuses(t *testing.T) {
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":[` + body + `]}` }
	cases := []struct{ name, policy, want string }{
		{"not json", `Version: 1`, "Policies must be valid JSON and the first byte must be '{'"},
		{"empty", ``, "Policies must be valid JSON and the first byte must be '{'"},
		{"broken json", `{"Version":`, "This policy contains invalid Json"},
		{"trailing", `{"Statement":[]} x`, "This policy contains invalid Json"},
		{"bad version", `{"Version":"2020-01-01","Statement":[]}`, "The policy must contain a valid version string"},
		{"unknown top", `{"Versoin":"2012-10-17"}`, "Unknown field Versoin"},
		{"no statement", `{"Version":"2012-10-17"}`, "Missing required field Statement"},
		{"empty statement", stmt(``), "Could not parse the policy: Statement is empty!"},
		{"no effect", stmt(`{"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Missing required field Effect"},
		{"bad effect", stmt(`{"Effect":"Permit","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Invalid effect: Permit"},
		{"no principal", stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Missing required field Principal"},
		{"notprincipal", stmt(`{"Effect":"Allow","NotPrincipal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Policy has an unsupported element: NotPrincipal"},
		{"notaction", stmt(`{"Effect":"Allow","Principal":"*","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Policy has an unsupported element: NotAction"},
		{"service principal", stmt(`{"Effect":"Allow","Principal":{"Service":"x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Invalid principal in policy"},
		{"bad arn principal", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::12:user/K"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Invalid principal in policy"},
		{"unknown action", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObjectz","Resource":"arn:aws:s3:::b/*"}`), "Policy has invalid action"},
		{"foreign action", stmt(`{"Effect":"Allow","Principal":"*","Action":"ec2:Run*","Resource":"arn:aws:s3:::b/*"}`), "Policy has invalid action"},
		{"no action", stmt(`{"Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::b/*"}`), "Missing required field Action"},
		{"other bucket", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::c/*"}`), "Policy has invalid resource"},
		{"not an arn", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"b/*"}`), "Policy has invalid resource"},
		{"object action on bucket", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}`), "Action does not apply to any resource(s) in statement"},
		{"bucket action on objects", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}`), "Action does not apply to any resource(s) in statement"},
		{"bad operator", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEqualz":{"s3:prefix":"a"}}}`), "Invalid Condition type : StringEqualz"},
		{"ifexists", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEqualsIfExists":{"s3:prefix":"a"}}}`), "Invalid Condition type : StringEqualsIfExists"},
		{"bad key", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"a"}}}`), "Policy has an invalid condition key"},
		{"bad cidr", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/99"}}}`), "Policy has an invalid condition value for key aws:SourceIp: 10.0.0.0/99"},
		{"bad bool", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}`), "Policy has an invalid condition value for key aws:SecureTransport: yes"},
		{"duplicate sid", stmt(`{"Sid":"a","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"a","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "Statement IDs (SID) in a single policy must be unique: a"},
		{"unknown field", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Extra":1}`), "Unknown field Extra"},
		{"too large", `{"Id":"` + strings.Repeat("x", MaxSize) + `"}`, "Policies must be less than 20 KB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse("b", []byte(c.policy))
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if _, ok := err.(*Error); !ok || err.Error() != c.want {
				t.Fatalf("error %q, want %q", err, c.want)
			}
		})
	}
}

const public = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/public/*"},
    {"Sid": "ListPublic", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::b", "Condition": {"StringLike": {"s3:prefix": "public/*"}}},
    {"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:user/ALICE", "BOB"]},
     "Action": "s3:Put*", "Resource": "arn:aws:s3:::b/up/*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1"]}}},
    {"Sid": "NoSecrets", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": "arn:aws:s3:::b/public/secret*"},
    {"Sid": "TLSOnlyDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
     "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": false}}},
    {"Sid": "NotFromTen", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::b/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}, "StringNotEquals": {"aws:UserAgent": "x"}}}
  ]
}`

func TestEvaluate(t *testing.T) {
	p, err := Parse("b", []byte(public))
	if err != nil {
		t.Fatal(err)
	}
	lo, far := net.ParseIP("127.0.0.1"), net.ParseIP("192.0.2.7")
	cases := []struct {
		name string
		r    Request
		want Decision
	}{
		{"anonymous public get", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/public/a.txt", SourceIP: far}, Allowed},
		{"anonymous private get", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/private/a.txt", SourceIP: far}, NoDecision},
		{"explicit deny wins", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/public/secret.txt", SourceIP: far}, Denied},
		{"list with prefix", Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: map[string]string{"s3:prefix": "public/x"}}, Allowed},
		{"list other prefix", Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: map[string]string{"s3:prefix": "private/"}}, NoDecision},
		{"list without prefix", Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"}, NoDecision},
		{"user by arn from loopback", Request{AccessKey: "ALICE", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/up/x", SourceIP: lo}, Allowed},
		{"user by key ipv6 loopback", Request{AccessKey: "BOB", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/up/x", SourceIP: net.ParseIP("::1")}, Allowed},
		{"user from far", Request{AccessKey: "ALICE", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/up/x", SourceIP: far}, NoDecision},
		{"anonymous put", Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/up/x", SourceIP: lo}, NoDecision},
		{"other user", Request{AccessKey: "CAROL", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/up/x", SourceIP: lo}, NoDecision},
		{"delete over http", Request{AccessKey: "ALICE", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/up/x"}, Denied},
		{"delete over https", Request{AccessKey: "ALICE", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/up/x", Secure: true}, NoDecision},
		{"action case", Request{Action: "S3:GETOBJECT", Resource: "arn:aws:s3:::b/public/a", SourceIP: far}, Allowed},
		{"absent keys satisfy negated operators", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/public/a"}, Denied},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := p.Evaluate(c.r); got != c.want {
				t.Fatalf("Evaluate = %v, want %v", got, c.want)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	p, err := Parse("b", []byte(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/hidden/*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	hidden := Request{AccessKey: "K", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/hidden/x"}
	shown := Request{AccessKey: "K", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/shown/x"}
	if Decide(true, p, hidden) {
		t.Error("a Deny must override the config's grant")
	}
	if !Decide(true, p, shown) {
		t.Error("the grant applies where the policy says nothing")
	}
	if Decide(false, p, shown) || Decide(false, nil, shown) {
		t.Error("nothing allowed without a grant or an Allow")
	}
	if !Decide(true, nil, shown) {
		t.Error("no policy: the grant decides")
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*", "abc", true}, {"a*c", "abbbc", true}, {"a*c", "abcd", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*/x/*", "a/b/x/y", true}, {"ab", "abc", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false}, {"**", "x", true},
	}
	for _, c := range cases {
		if got := Match(c.p, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

// OSS's RAM policy and OBS's bucket policy are rewritten into AWS's and
// evaluated alike (OSS "Bucket Policy" syntax; OBS "Bucket Policy
// Parameters").
func TestFlavors(t *testing.T) {
	oss := `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject","oss:ListObjects"],
	  "Resource":["acs:oss:*:*:b","acs:oss:*:*:b/pub/*"],"Condition":{"IpAddress":{"acs:SourceIp":["127.0.0.0/8"]}}},
	  {"Effect":"Deny","Principal":["AK"],"Action":["oss:*"],"Resource":["acs:oss:*:1234:b/pub/secret"]}]}`
	obs := `{"Statement":[{"Sid":"s","Effect":"Allow","Principal":{"ID":["domain/acct:user/AK"]},"Action":["PutObject"],"Resource":["b/up/*"]}]}`
	lo := net.ParseIP("127.0.0.1")
	p, err := ParseFlavor(OSS, "b", []byte(oss))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		r    Request
		want Decision
	}{
		{Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/pub/x", SourceIP: lo}, Allowed},
		{Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", SourceIP: lo}, Allowed},
		{Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/pub/x", SourceIP: net.ParseIP("192.0.2.1")}, NoDecision},
		{Request{AccessKey: "AK", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/pub/secret", SourceIP: lo}, Denied},
	} {
		if got := p.Evaluate(c.r); got != c.want {
			t.Errorf("OSS %+v = %v, want %v", c.r, got, c.want)
		}
	}
	q, err := ParseFlavor(OBS, "b", []byte(obs))
	if err != nil {
		t.Fatal(err)
	}
	if q.Evaluate(Request{AccessKey: "AK", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/up/x"}) != Allowed {
		t.Error("OBS user principal")
	}
	for _, bad := range []struct {
		f         Flavor
		doc, want string
	}{
		{OSS, `{"Version":"2","Statement":[]}`, "The policy must contain a valid version string"},
		{OSS, `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:Fly"],"Resource":["acs:oss:*:*:b/*"]}]}`, "Policy has invalid action"},
		{OSS, `{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:c/*"]}]}`, "Policy has invalid resource"},
		{OBS, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["GetObject"],"Resource":["b/*"]}]}`, "Invalid principal in policy"},
		{OBS, `not json`, "Policies must be valid JSON and the first byte must be '{'"},
	} {
		if _, err := ParseFlavor(bad.f, "b", []byte(bad.doc)); err == nil || err.Error() != bad.want {
			t.Errorf("%s %s: %v, want %q", bad.f, bad.doc, err, bad.want)
		}
	}
}
