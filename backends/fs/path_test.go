package fs

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// decodePath decodes a path made by keyPath back into the key, checking
// that every component but the last is a directory.
func decodePath(t *testing.T, p string) string {
	t.Helper()
	parts := strings.Split(p, "/")
	var key strings.Builder
	for i, name := range parts {
		e, ok := decodeName(name)
		if !ok {
			t.Fatalf("component %q of %q does not decode", name, p)
		}
		if e.dir != (i < len(parts)-1) {
			t.Fatalf("component %q of %q: dir=%v", name, p, e.dir)
		}
		key.WriteString(e.piece)
	}
	return key.String()
}

func TestKeyPath(t *testing.T) {
	tests := []struct {
		key  string
		file string // "" to check only the round trip
		dirs int
	}{
		{key: "a", file: "a.o"},
		{key: "a/b", file: "a%2F.d/b.o", dirs: 1},
		{key: "dir/", file: "dir%2F.o"},
		{key: "dir/x", file: "dir%2F.d/x.o", dirs: 1},
		{key: "/lead", file: "%2F.d/lead.o", dirs: 1},
		{key: "a/../b", file: "a%2F.d/%2E.%2F.d/b.o", dirs: 2},
		{key: "..", file: "%2E..o"},
		{key: ".", file: "%2E.o"},
		{key: ".hidden", file: "%2Ehidden.o"},
		{key: "//x", file: "%2F.d/%2F.d/x.o", dirs: 2},
		{key: "x//", file: "x%2F.d/%2F.o", dirs: 1},
		{key: "/", file: "%2F.o"},
		{key: "photos/2024/a.jpg", file: "photos%2F.d/2024%2F.d/a.jpg.o", dirs: 2},
		{key: "日本/語 x.txt", file: "%E6%97%A5%E6%9C%AC%2F.d/%E8%AA%9E%20x.txt.o", dirs: 1},
		{key: "%41", file: "%2541.o"},
		{key: "A-_.~+=,@z", file: "A-_.~+=,@z.o"},
		{key: "x.d", file: "x.d.o"},
		{key: "nul\x00byte", file: "nul%00byte.o"},
		{key: strings.Repeat("a", 80), file: strings.Repeat("a", 80) + ".o"},
		{key: strings.Repeat("a", 81), file: strings.Repeat("a", 80) + ".d/a.o", dirs: 1},
		{key: strings.Repeat("a", 80) + "/", file: strings.Repeat("a", 80) + ".d/%2F.o", dirs: 1},
		{key: strings.Repeat("a", 79) + "/", file: strings.Repeat("a", 79) + "%2F.o"},
		{key: strings.Repeat("a", 1024), dirs: 12},
		{key: strings.Repeat("/", 1024), dirs: 1023},
		{key: strings.Repeat("ab/", 341) + "c", dirs: 341},
		{key: strings.Repeat("é", 512), dirs: 12},
	}
	for _, tc := range tests {
		name := tc.key
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		t.Run(name, func(t *testing.T) {
			file, dirs := keyPath(tc.key)
			if tc.file != "" && file != tc.file {
				t.Errorf("keyPath = %q, want %q", file, tc.file)
			}
			if len(dirs) != tc.dirs {
				t.Errorf("%d parent dirs, want %d", len(dirs), tc.dirs)
			}
			for i, d := range dirs {
				if !strings.HasPrefix(file, d+"/") || (i > 0 && !strings.HasPrefix(d, dirs[i-1]+"/")) {
					t.Fatalf("dir %q is not a parent of %q", d, file)
				}
			}
			for _, c := range strings.Split(file, "/") {
				if len(c) > 3*maxPiece+2 || c[0] == '.' {
					t.Errorf("component %q: bad length or leading dot", c)
				}
			}
			if got := decodePath(t, file); got != tc.key {
				t.Errorf("round trip gave %q", got)
			}
		})
	}
}

func TestDecodeNameRejects(t *testing.T) {
	for _, name := range []string{
		"", ".o", ".d", ".tmp", ".bucket.json", ".hidden.o", "a", "a.txt",
		"%61.o",       // non-canonical escape of 'a'
		"%2e.o",       // lowercase hex
		"%2.o", "%.o", // truncated escapes
		"%2Ea%2Fb.o", // '/' inside a piece
		"a.d",        // a directory piece must end in '/' or be maxPiece long
		"a b.o",      // unescaped space
		".x%2F.d",    // leading dot
		"%ZZ.o",      // not hex
		strings.Repeat("a", maxPiece+1) + ".o",
	} {
		if e, ok := decodeName(name); ok {
			t.Errorf("decodeName(%q) = %+v, want rejection", name, e)
		}
	}
}

// TestKeyOrder builds the tree of many keys in memory and checks that a
// walk sorting each directory with compareEntries yields the keys in byte
// order, which is what ListObjects relies on.
func TestKeyOrder(t *testing.T) {
	keys := []string{"a", "a/", "a/b", "a//", "a0", "a-", "a.", "/", "//", "/a", "dir/", "dir/x",
		strings.Repeat("a", 80), strings.Repeat("a", 81), strings.Repeat("a", 80) + "/",
		strings.Repeat("a", 79) + "/", strings.Repeat("a", 160), strings.Repeat("/", 1024), "日本/語", "%41", "A"}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "ab/.%"
	for range 2000 {
		n := 1 + rng.IntN(200)
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		keys = append(keys, b.String())
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)

	// tree maps a directory path ("" is the bucket) to its entry names.
	tree := map[string]map[string]bool{}
	for _, k := range keys {
		file, dirs := keyPath(k)
		parent := ""
		for _, d := range append(dirs, file) {
			if tree[parent] == nil {
				tree[parent] = map[string]bool{}
			}
			tree[parent][d[strings.LastIndexByte(d, '/')+1:]] = true
			parent = d
		}
	}
	var walked []string
	var walk func(dir, prefix string)
	walk = func(dir, prefix string) {
		var ents []entry
		for name := range tree[dir] {
			e, ok := decodeName(name)
			if !ok {
				t.Fatalf("name %q does not decode", name)
			}
			ents = append(ents, e)
		}
		slices.SortFunc(ents, compareEntries)
		for _, e := range ents {
			if !e.dir {
				walked = append(walked, prefix+e.piece)
				continue
			}
			sub := e.name
			if dir != "" {
				sub = dir + "/" + e.name
			}
			walk(sub, prefix+e.piece)
		}
	}
	walk("", "")
	if !slices.Equal(walked, keys) {
		for i := range min(len(walked), len(keys)) {
			if walked[i] != keys[i] {
				t.Fatalf("walk order differs at %d: got %q, want %q", i, walked[i], keys[i])
			}
		}
		t.Fatalf("walk yielded %d keys, want %d", len(walked), len(keys))
	}
}
