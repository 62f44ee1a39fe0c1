package translate

import (
	"reflect"
	"strings"
	"testing"
)

// page builds a ListPage from names: "a/" style names ending in "/" are
// common prefixes.
func page(truncated bool, names ...string) ListPage {
	var p ListPage
	for _, n := range names {
		if strings.HasSuffix(n, "/") {
			p.CommonPrefixes = append(p.CommonPrefixes, n)
		} else {
			p.Objects = append(p.Objects, ObjectInfo{Key: n, ETag: "src"})
		}
	}
	if truncated && len(names) > 0 {
		p.Truncated, p.Next = true, names[len(names)-1]
	}
	return p
}

func dstPage(truncated bool, names ...string) ListPage {
	p := page(truncated, names...)
	for i := range p.Objects {
		p.Objects[i].ETag = "dst"
	}
	return p
}

func TestMergePages(t *testing.T) {
	tombs := map[string]bool{"dead": true, "gone2": true}
	dead := func(k string) (bool, error) { return tombs[k], nil }
	for _, tc := range []struct {
		name      string
		dst, src  ListPage
		max       int
		want      []string // keys as "key@side", prefixes as they are
		truncated bool
		next      string
	}{
		{name: "disjoint", dst: dstPage(false, "b", "d"), src: page(false, "a", "c"), max: 10,
			want: []string{"a@src", "b@dst", "c@src", "d@dst"}},
		{name: "destination wins", dst: dstPage(false, "a", "b"), src: page(false, "a", "b", "c"), max: 10,
			want: []string{"a@dst", "b@dst", "c@src"}},
		{name: "max cuts the merge", dst: dstPage(false, "b", "d"), src: page(false, "a", "c"), max: 3,
			want: []string{"a@src", "b@dst", "c@src"}, truncated: true, next: "c"},
		{name: "max equals the merge", dst: dstPage(false, "b"), src: page(false, "a"), max: 2,
			want: []string{"a@src", "b@dst"}},
		{name: "truncated side bounds the page", dst: dstPage(true, "b", "c"), src: page(false, "a", "d", "e"), max: 2,
			want: []string{"a@src", "b@dst"}, truncated: true, next: "b"},
		{name: "short truncated side bounds the page", dst: dstPage(true, "b"), src: page(false, "a", "c", "d"), max: 3,
			want: []string{"a@src", "b@dst"}, truncated: true, next: "b"},
		{name: "both truncated: the lower bound", dst: dstPage(true, "a", "e"), src: page(true, "b", "c"), max: 2,
			want: []string{"a@dst", "b@src"}, truncated: true, next: "b"},
		{name: "tombstoned source keys left out", dst: dstPage(false, "b"), src: page(false, "a", "dead", "gone2"), max: 10,
			want: []string{"a@src", "b@dst"}},
		{name: "tombstone does not hide a destination key", dst: dstPage(false, "dead"), src: page(false, "dead"), max: 10,
			want: []string{"dead@dst"}},
		{name: "left-out keys still advance the marker", dst: dstPage(false), src: page(true, "dead", "gone2"), max: 2,
			want: nil, truncated: true, next: "gone2"},
		{name: "namespace hidden", dst: dstPage(false, ".babelgate-migrate.state.copy", ".babelgate-migrate.tomb.x", "a"), src: page(false, "b"), max: 10,
			want: []string{"a@dst", "b@src"}},
		{name: "common prefixes merge once", dst: dstPage(false, "p/", "z"), src: page(false, "a", "p/"), max: 10,
			want: []string{"a@src", "p/", "z@dst"}},
		{name: "empty both", dst: dstPage(false), src: page(false), max: 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mergePages(tc.dst, tc.src, tc.max, dead)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range got.Objects {
				names = append(names, o.Key+"@"+o.ETag)
			}
			names = append(names, got.CommonPrefixes...)
			var want []string
			for _, w := range tc.want {
				if !strings.HasSuffix(w, "/") {
					want = append(want, w)
				}
			}
			for _, w := range tc.want {
				if strings.HasSuffix(w, "/") {
					want = append(want, w)
				}
			}
			if !reflect.DeepEqual(names, want) {
				t.Errorf("entries %q, want %q", names, want)
			}
			if got.Truncated != tc.truncated || got.Next != tc.next {
				t.Errorf("truncated %v next %q, want %v %q", got.Truncated, got.Next, tc.truncated, tc.next)
			}
		})
	}
}

// TestHiddenPrefix: a destination common prefix is hidden when it lies in
// the namespace or groups it (a delimiter inside the namespace's name).
func TestHiddenPrefix(t *testing.T) {
	for cp, want := range map[string]bool{".babelgate-migrate.": true, ".babelgate-": true, ".": true,
		".babelgate-migrate.tomb.": true, ".babelgate/": false, "a.": false, ".babelgate-migrate/": false} {
		if got := hiddenPrefix(cp); got != want {
			t.Errorf("hiddenPrefix(%q) = %v, want %v", cp, got, want)
		}
	}
}
