package dialecttest

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// recorder is a testing.TB that records the failures reported to it.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// TestChecksReport proves the contract checks fail on what they guard:
// a table lacking a code, an operation left unrouted, a document lacking
// an expected part; and pass a complete table.
func TestChecksReport(t *testing.T) {
	full := func(translate.Code) (dialects.WireForm, bool) {
		return dialects.WireForm{Code: "X", Status: 400, Message: "m"}, true
	}
	gap := func(c translate.Code) (dialects.WireForm, bool) {
		w, _ := full(c)
		return w, c != translate.ErrNoSuchKey
	}
	tests := []struct {
		name  string
		check func(testing.TB)
		fails int
	}{
		{"complete table", func(tb testing.TB) { ErrorTableComplete(tb, "T", full) }, 0},
		{"table gap", func(tb testing.TB) { ErrorTableComplete(tb, "T", gap) }, 1},
		{"every op routed", func(tb testing.TB) { EveryOpRouted(tb, translate.AllOps()) }, 0},
		{"one op unrouted", func(tb testing.TB) { EveryOpRouted(tb, translate.AllOps()[1:]) }, 1},
		{"document has all", func(tb testing.TB) { Contains(tb, "doc", "<a><b>", "<a>", "<b>") }, 0},
		{"document lacks one", func(tb testing.TB) { Contains(tb, "doc", "<a><b>", "<a>", "<c>", "<b>") }, 1},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		tt.check(r)
		if len(r.failures) != tt.fails {
			t.Errorf("%s: failures %q, want %d", tt.name, r.failures, tt.fails)
		}
	}
}

// TestRequest checks the pipeline's view of a test request: its
// addressing (path style and virtual-hosted), query and request IDs.
func TestRequest(t *testing.T) {
	r := Request(httptest.NewRequest("GET", "http://bkt.obs.test/dir/k?uploadId=u", nil), dialects.Addressing{Domains: []string{"obs.test"}})
	if r.Bucket != "bkt" || r.Key != "dir/k" || !r.VirtualHosted || r.Query.Get("uploadId") != "u" || r.ID != "REQ1" || r.HostID != "HOST1" {
		t.Errorf("virtual-hosted request %+v", r)
	}
	r = Request(httptest.NewRequest("PUT", "/bkt/k", nil), dialects.Addressing{})
	if r.Bucket != "bkt" || r.Key != "k" || r.VirtualHosted {
		t.Errorf("path-style request %+v", r)
	}
}

// TestWriter checks the user Writer returns: its secret, and a grant to
// write every bucket.
func TestWriter(t *testing.T) {
	secret, p, ok := Writer("AK", "SK").Lookup("AK")
	if !ok || secret != "SK" || p == nil || p.AccessKey != "AK" || len(p.Grants) != 1 ||
		p.Grants[0].Pattern != "*" || p.Grants[0].Access != translate.AccessWrite {
		t.Errorf("Writer: %q %+v %v", secret, p, ok)
	}
}
