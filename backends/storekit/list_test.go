package storekit

import (
	"slices"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// TestReservedEnd: ReservedEnd lies after every key the gateway writes
// under Prefix and before every key a client may write after them, the
// first of which is ".babelgate0".
func TestReservedEnd(t *testing.T) {
	for _, k := range []string{Prefix, AnnexKey("x"), AnnexKey(strings.Repeat("\U0010FFFF", 10)),
		StateKey("id"), PartRecord("id", 10000, "0123456789abcdef0123456789abcdef", translate.Checksums{translate.CRC32: "AAAAAA=="}),
		StagedMarker(NewStagedID()), BucketDocKey("policy"), Prefix + "~~~~"} {
		if !Reserved(k) || k >= ReservedEnd {
			t.Errorf("reserved key %q does not sort before ReservedEnd", k)
		}
	}
	for _, k := range []string{".babelgate0", ".babelgate0/x", ".babelgatf", "/", "a"} {
		if Reserved(k) || k <= ReservedEnd {
			t.Errorf("client key %q does not sort after ReservedEnd", k)
		}
	}
	for _, k := range []string{".babelgate", ".babelgate.", ".babelgate.\U0010FFFF", "-"} {
		if k >= Prefix {
			t.Errorf("client key %q does not sort before Prefix", k)
		}
	}
}

// TestListerReservedRange: no store page starts inside the reserved range
// (MinIO answers a start-after inside .babelgate/annex/ with a short page
// marked not truncated), a store page ending inside it is followed by one
// from ReservedEnd, and the store's token is used only where the lister
// resumes at the store page's last entry.
func TestListerReservedRange(t *testing.T) {
	annex := AnnexKey("a")
	for _, tc := range []struct {
		name    string
		q       translate.ListQuery
		pages   []storePage
		starts  []string
		resumed []bool
		keys    []string
		cps     []string
	}{
		{name: "a page ending inside the hidden keys jumps past them",
			q: translate.ListQuery{MaxKeys: 10},
			pages: []storePage{
				{keys: []string{".a", ".babelgate.x", Prefix + "annex/0", annex}, truncated: true},
				{keys: []string{".babelgate0", "z"}},
			},
			starts: []string{"", ReservedEnd}, resumed: []bool{false, false},
			keys: []string{".a", ".babelgate.x", ".babelgate0", "z"}},
		{name: "a page crossing the hidden keys resumes at its last key",
			q: translate.ListQuery{MaxKeys: 10},
			pages: []storePage{
				{keys: []string{".a", annex, ".babelgate0"}, truncated: true},
				{keys: []string{"z"}},
			},
			starts: []string{"", ".babelgate0"}, resumed: []bool{true, false},
			keys: []string{".a", ".babelgate0", "z"}},
		{name: "After inside the hidden keys starts past them",
			q: translate.ListQuery{After: annex, MaxKeys: 10},
			pages: []storePage{
				{keys: []string{".babelgate0", "z"}},
			},
			starts: []string{ReservedEnd}, resumed: []bool{false},
			keys: []string{".babelgate0", "z"}},
		{name: "After at the reserved prefix itself starts past it",
			q:      translate.ListQuery{After: Prefix, MaxKeys: 10},
			pages:  []storePage{{keys: []string{".babelgate0"}}},
			starts: []string{ReservedEnd}, resumed: []bool{false},
			keys: []string{".babelgate0"}},
		{name: "After just before the reserved prefix keeps its place",
			q:      translate.ListQuery{After: ".babelgate.x", MaxKeys: 10},
			pages:  []storePage{{keys: []string{annex, ".babelgate0"}}},
			starts: []string{".babelgate.x"}, resumed: []bool{false},
			keys: []string{".babelgate0"}},
		{name: "with a delimiter, the reserved common prefix is passed in one step",
			q: translate.ListQuery{Prefix: ".babelgate", Delimiter: "/", MaxKeys: 10},
			pages: []storePage{
				{keys: []string{".babelgate.x"}, prefixes: []string{Prefix}, truncated: true},
				{keys: []string{".babelgatf"}, prefixes: []string{".babelgate0/"}},
			},
			starts: []string{"", ReservedEnd}, resumed: []bool{false, false},
			keys: []string{".babelgate.x", ".babelgatf"}, cps: []string{".babelgate0/"}},
		{name: "grouping locally, a page ending in the hidden keys jumps past them only",
			// Delimiter "e" would group the hidden keys with
			// ".babelgate0" into ".babe": the lister groups keys itself,
			// and after a page ending in a hidden key the store still
			// lists ".babelgate0".
			q: translate.ListQuery{Delimiter: "e", MaxKeys: 10},
			pages: []storePage{
				{keys: []string{".a", annex}, truncated: true},
				{keys: []string{".babelgate0", "x"}},
			},
			starts: []string{"", ReservedEnd}, resumed: []bool{false, false},
			keys: []string{".a", "x"}, cps: []string{".babe"}},
		{name: "After under a common prefix starts past the prefix",
			// MinIO refuses start-after "." (a client's continuation
			// after the common prefix "." with delimiter ".").
			q:      translate.ListQuery{Delimiter: ".", After: ".", MaxKeys: 10},
			pages:  []storePage{{keys: []string{"0/x", "a"}}},
			starts: []string{"." + string(rune(0x10FFFF))}, resumed: []bool{false},
			keys: []string{"0/x", "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLister(tc.q)
			var starts []string
			var resumed []bool
			for i, p := range tc.pages {
				starts = append(starts, l.StartAfter())
				done, err := l.Add(objects(p.keys...), p.prefixes, p.truncated)
				if err != nil || done != (i == len(tc.pages)-1) {
					t.Fatalf("Add of page %d: done = %v, err = %v", i, done, err)
				}
				resumed = append(resumed, l.Resumed())
			}
			for _, s := range starts {
				if Reserved(s) && s != ReservedEnd {
					t.Errorf("a store page starts inside the reserved range, at %q", s)
				}
			}
			page := l.Page()
			var keys []string
			for _, o := range page.Objects {
				keys = append(keys, o.Key)
			}
			if !slices.Equal(starts, tc.starts) || !slices.Equal(keys, tc.keys) || !slices.Equal(page.CommonPrefixes, tc.cps) {
				t.Errorf("starts %q keys %q cps %q, want %q %q %q", starts, keys, page.CommonPrefixes, tc.starts, tc.keys, tc.cps)
			}
			// Resumed is read after each page; after the last (done) it is
			// whatever the previous page left and is not used.
			if !slices.Equal(resumed[:len(resumed)-1], tc.resumed[:len(tc.resumed)-1]) {
				t.Errorf("resumed %v, want %v", resumed, tc.resumed)
			}
		})
	}
}

// TestListerGroupLocally: for a store that groups by "/" only, the lister
// asks for a flat listing and groups a multi-character delimiter itself,
// each common prefix once, and resumes past a prefix it ended on.
func TestListerGroupLocally(t *testing.T) {
	l := NewLister(translate.ListQuery{Prefix: "p/", Delimiter: "::", MaxKeys: 2})
	l.GroupLocally()
	if l.StoreDelimiter() != "" || l.StorePrefix() != "p/" || !l.Local() {
		t.Fatalf("store asked with delimiter %q, prefix %q", l.StoreDelimiter(), l.StorePrefix())
	}
	objs := func(keys ...string) []translate.ObjectInfo {
		var out []translate.ObjectInfo
		for _, k := range keys {
			out = append(out, translate.ObjectInfo{Key: k})
		}
		return out
	}
	done, err := l.Add(objs("p/a", "p/b::1", "p/b::2", "p/c::x::y", "p/d"), nil, true)
	if err != nil || !done {
		t.Fatalf("Add = %v, %v; want a full page", done, err)
	}
	page := l.Page()
	var keys []string
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
	}
	if !slices.Equal(keys, []string{"p/a"}) || !slices.Equal(page.CommonPrefixes, []string{"p/b::"}) || !page.Truncated || page.Next != "p/b::" {
		t.Errorf("page = %+v", page)
	}
}
