package backendtest

import (
	"slices"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// TestRefPage checks the suite's reference listing against pages worked
// out by hand from S3's documented behaviour.
func TestRefPage(t *testing.T) {
	keys := []string{"a", "a/1", "a/2", "a/b/c", "ab", "b/x", "b/y", "c"}
	tests := []struct {
		name      string
		q         translate.ListQuery
		keys      []string
		prefixes  []string
		truncated bool
		next      string
	}{
		{"all", translate.ListQuery{MaxKeys: 100}, keys, nil, false, ""},
		{"max 0", translate.ListQuery{}, nil, nil, false, ""},
		{"first page", translate.ListQuery{MaxKeys: 3}, []string{"a", "a/1", "a/2"}, nil, true, "a/2"},
		{"exact fit", translate.ListQuery{MaxKeys: 8}, keys, nil, false, ""},
		{"delimiter", translate.ListQuery{Delimiter: "/", MaxKeys: 100}, []string{"a", "ab", "c"}, []string{"a/", "b/"}, false, ""},
		{"delimiter paged", translate.ListQuery{Delimiter: "/", MaxKeys: 2}, []string{"a"}, []string{"a/"}, true, "a/"},
		{"after a prefix", translate.ListQuery{Delimiter: "/", After: "a/", MaxKeys: 100}, []string{"ab", "c"}, []string{"b/"}, false, ""},
		{"after inside a prefix", translate.ListQuery{Delimiter: "/", After: "a/1", MaxKeys: 100}, []string{"ab", "c"}, []string{"b/"}, false, ""},
		{"after inside, no delimiter", translate.ListQuery{After: "a/1", MaxKeys: 2}, []string{"a/2", "a/b/c"}, nil, true, "a/b/c"},
		{"prefix and delimiter", translate.ListQuery{Prefix: "a/", Delimiter: "/", MaxKeys: 100}, []string{"a/1", "a/2"}, []string{"a/b/"}, false, ""},
		{"prefix is a key", translate.ListQuery{Prefix: "a", Delimiter: "/", MaxKeys: 100}, []string{"a", "ab"}, []string{"a/"}, false, ""},
		{"multi-byte delimiter", translate.ListQuery{Delimiter: "/b", MaxKeys: 100}, []string{"a", "a/1", "a/2", "ab", "b/x", "b/y", "c"}, []string{"a/b"}, false, ""},
		{"after everything", translate.ListQuery{After: "z", MaxKeys: 100}, nil, nil, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := refPage(keys, tc.q)
			if !slices.Equal(pageKeys(got), tc.keys) || !slices.Equal(got.CommonPrefixes, tc.prefixes) ||
				got.Truncated != tc.truncated || got.Next != tc.next {
				t.Errorf("refPage = keys %q prefixes %q truncated %v next %q, want %q %q %v %q",
					pageKeys(got), got.CommonPrefixes, got.Truncated, got.Next, tc.keys, tc.prefixes, tc.truncated, tc.next)
			}
		})
	}
}
