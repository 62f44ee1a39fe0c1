package dialects

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRegisteredRowsOrder: a registered dialect's rows go where their
// Order puts them among the built-in rows, and the built-in rows keep
// their order (TestDetect's table is unchanged).
func TestRegisteredRowsOrder(t *testing.T) {
	extra := fakeDialect("extra")
	header := func(name string) func(*http.Request) bool {
		return func(r *http.Request) bool { return r.Header.Get(name) != "" }
	}
	d := NewDetector(DetectConfig{
		Dialects: map[string]Dialect{S3: fakeDialect(S3), OSS: fakeDialect(OSS), OBS: fakeDialect(OBS)},
		Rows: []DetectRow{
			{Name: "before AWS", Match: header("x-before"), Dialect: extra, Order: OrderAWSSignature - 1},
			{Name: "after vendor headers", Match: header("x-after"), Dialect: extra, Order: OrderDomain + 100},
		},
	})
	var names []string
	for _, row := range d.Rows {
		names = append(names, row.Name)
	}
	if names[6] != "before AWS" || names[7] != "AWS signature (S3, or OSS/OBS SDKs in S3 mode)" || names[len(names)-1] != "after vendor headers" {
		t.Fatalf("rows in order: %q", names)
	}
	for _, tt := range []struct {
		hdr  map[string]string
		want string
	}{
		{map[string]string{"x-before": "1", "Authorization": "AWS4-HMAC-SHA256 x"}, "extra"},
		{map[string]string{"x-after": "1", "Authorization": "AWS4-HMAC-SHA256 x"}, S3},
		{map[string]string{"x-after": "1", "x-oss-date": "1"}, OSS},
		{map[string]string{"x-after": "1"}, "extra"},
	} {
		r := httptest.NewRequest("GET", "/b/k", nil)
		for k, v := range tt.hdr {
			r.Header.Set(k, v)
		}
		if got := d.Detect(r).Name(); got != tt.want {
			t.Errorf("%v: detected %s, want %s", tt.hdr, got, tt.want)
		}
	}
}

func TestRegisterRefusesMistakes(t *testing.T) {
	for _, p := range []Plugin{{Name: S3, Build: func(Env, any) (Dialect, error) { return nil, nil }}, {Name: "nobuild"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", p.Name)
				}
			}()
			Register(p)
		}()
	}
	if _, ok := Lookup("nobuild"); ok {
		t.Error("a refused plugin was registered")
	}
}
