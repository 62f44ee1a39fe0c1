package cors

import (
	"net/http"
	"strings"
	"testing"
)

func rules() *Config {
	return &Config{Rules: []Rule{
		{ID: "app", AllowedOrigins: []string{"http://app.example", "http://*.app.example"}, AllowedMethods: []string{"PUT", "POST"},
			AllowedHeaders: []string{"content-type", "x-amz-*"}, ExposeHeaders: []string{"ETag", "x-amz-request-id"}, MaxAgeSeconds: 3000},
		{ID: "read", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}, MaxAgeSeconds: -1},
	}}
}

// The matching rule is the first whose origin, method and every requested
// header fit (S3 User Guide, "How Amazon S3 evaluates the CORS
// configuration on a bucket").
func TestMatch(t *testing.T) {
	c := rules()
	cases := []struct {
		name, origin, method string
		headers              []string
		want                 string // rule ID, "" for none
	}{
		{"exact origin", "http://app.example", "PUT", nil, "app"},
		{"wildcard origin", "http://a.b.app.example", "POST", []string{"Content-Type"}, "app"},
		{"header wildcard", "http://app.example", "PUT", []string{"x-amz-date", "X-Amz-Content-Sha256"}, "app"},
		{"header not allowed", "http://app.example", "PUT", []string{"x-custom"}, ""},
		{"method not allowed", "http://app.example", "DELETE", nil, ""},
		{"falls to second rule", "http://app.example", "GET", nil, "read"},
		{"any origin GET", "http://evil.example", "GET", nil, "read"},
		{"evil PUT", "http://evil.example", "PUT", nil, ""},
		{"no origin", "", "GET", nil, ""},
		{"second rule has no headers", "http://evil.example", "GET", []string{"x-amz-date"}, ""},
		{"suffix attack", "http://app.example.evil", "PUT", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Match(tc.origin, tc.method, tc.headers)
			got := ""
			if r != nil {
				got = r.ID
			}
			if got != tc.want {
				t.Fatalf("matched %q, want %q", got, tc.want)
			}
		})
	}
	if (*Config)(nil).Match("http://a", "GET", nil) != nil {
		t.Error("no configuration matches nothing")
	}
}

func TestValidate(t *testing.T) {
	many := &Config{}
	for i := 0; i <= MaxRules; i++ {
		many.Rules = append(many.Rules, Rule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}})
	}
	cases := []struct {
		name      string
		c         *Config
		malformed bool
		msg       string
	}{
		{"no rules", &Config{}, true, "The XML you provided was not well-formed"},
		{"too many", many, true, "The XML you provided was not well-formed"},
		{"no origin", &Config{Rules: []Rule{{AllowedMethods: []string{"GET"}}}}, true, "not well-formed"},
		{"bad method", &Config{Rules: []Rule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}}}, false,
			"Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
		{"two wildcards", &Config{Rules: []Rule{{AllowedOrigins: []string{"http://*.*.x"}, AllowedMethods: []string{"GET"}}}}, false,
			`AllowedOrigin "http://*.*.x" can not have more than one wildcard.`},
		{"header wildcards", &Config{Rules: []Rule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"*a*"}}}}, false,
			`AllowedHeader "*a*" can not have more than one wildcard.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			e, ok := err.(*Error)
			if !ok || e.Malformed != tc.malformed || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("got %v (%+v), want malformed=%v %q", err, e, tc.malformed, tc.msg)
			}
		})
	}
	if err := rules().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestHeaders(t *testing.T) {
	c := rules()
	h := http.Header{}
	c.Rules[0].SetPreflight(h, "http://app.example", []string{"Content-Type", "X-Amz-Date"})
	want := map[string]string{
		"Access-Control-Allow-Origin":      "http://app.example",
		"Access-Control-Allow-Methods":     "PUT, POST",
		"Access-Control-Allow-Headers":     "content-type, x-amz-date",
		"Access-Control-Expose-Headers":    "ETag, x-amz-request-id",
		"Access-Control-Max-Age":           "3000",
		"Access-Control-Allow-Credentials": "true",
		"Vary":                             "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	h = http.Header{}
	c.Rules[1].SetActual(h, "http://evil.example")
	if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" || h.Get("Access-Control-Max-Age") != "" {
		t.Errorf("wildcard rule headers: %v", h)
	}
	if got := SplitHeaders(" a, ,B "); len(got) != 2 || got[0] != "a" || got[1] != "B" {
		t.Errorf("SplitHeaders = %q", got)
	}
}
