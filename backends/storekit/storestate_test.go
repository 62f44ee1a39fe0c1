package storekit

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/babelgate/babelgate/translate"
)

// dir1 is UploadDir("upload-1") as stores already hold it: the first 16
// bytes of sha256("upload-1") in hex.
const dir1 = ".babelgate/uploads/9e59128999443fcd202adf9eb634955c/"

// TestNames pins the on-store key names: existing data must stay readable.
func TestNames(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{"UploadDir", UploadDir("upload-1"), dir1},
		{"StateKey", StateKey("upload-1"), dir1 + "state"},
		{"PartRecordPrefix", PartRecordPrefix("upload-1"), dir1 + "p"},
		{"PartRecord", PartRecord("upload-1", 7, "d41d8cd98f00b204e9800998ecf8427e", translate.Checksums{translate.CRC32: "AAAAAA=="}),
			// base64url of {"CRC32":"AAAAAA=="}
			dir1 + "p00007.d41d8cd98f00b204e9800998ecf8427e.eyJDUkMzMiI6IkFBQUFBQT09In0"},
		{"PartRecord without checksums", PartRecord("upload-1", 10000, "e", nil), dir1 + "p10000.e.bnVsbA"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if UploadDir("upload-1") == UploadDir("upload-2") {
		t.Error("two upload IDs share a state directory")
	}
	if d := UploadDir("../../x/y"); !strings.HasPrefix(d, Prefix+"uploads/") || strings.Count(d, "/") != 3 {
		t.Errorf("an ID shapes its directory: %q", d)
	}
}

func TestPartRecords(t *testing.T) {
	sums := translate.Checksums{translate.CRC32: "AAAAAA==", translate.SHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}
	// Round trips.
	for _, tc := range []struct {
		number int
		etag   string
		sums   translate.Checksums
	}{
		{1, "d41d8cd98f00b204e9800998ecf8427e", sums},
		{10000, "0123456789abcdef0123456789abcdef-3", translate.Checksums{}},
		{42, "e", nil},
	} {
		key := PartRecord("upload-1", tc.number, tc.etag, tc.sums)
		n, etag, got, ok := ParsePartRecord("upload-1", key)
		if !ok || n != tc.number || etag != tc.etag || len(got) != len(tc.sums) || (len(got) > 0 && !reflect.DeepEqual(got, tc.sums)) {
			t.Errorf("ParsePartRecord(PartRecord(%d, %q, %v)) = %d, %q, %v, %v", tc.number, tc.etag, tc.sums, n, etag, got, ok)
		}
	}
	// Keys that are not records of the upload.
	for _, key := range []string{
		"",
		dir1 + "state",
		dir1 + "p",
		dir1 + "p00001.etag",
		dir1 + "pone.etag.bnVsbA",
		dir1 + "p00001.etag.!!!",
		dir1 + "p00001.etag.bm90IGpzb24", // "not json"
		PartRecord("upload-2", 1, "etag", sums),
		"other/" + dir1 + "p00001.etag.bnVsbA",
	} {
		if n, etag, s, ok := ParsePartRecord("upload-1", key); ok {
			t.Errorf("ParsePartRecord(%q) = %d, %q, %v, true; want not ok", key, n, etag, s)
		}
	}
	got := PartChecksums("upload-1", []string{
		PartRecord("upload-1", 1, "aa", translate.Checksums{translate.CRC32: "1"}),
		PartRecord("upload-1", 1, "bb", translate.Checksums{translate.CRC32: "2"}),
		dir1 + "state",
		PartRecord("upload-2", 2, "cc", sums),
		PartRecord("upload-1", 3, "dd", nil),
	})
	want := map[int]map[string]translate.Checksums{
		1: {"aa": {translate.CRC32: "1"}, "bb": {translate.CRC32: "2"}},
		3: {"dd": nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PartChecksums = %v, want %v", got, want)
	}
	if got := PartChecksums("upload-1", nil); got == nil || len(got) != 0 {
		t.Errorf("PartChecksums of no keys = %v, want an empty map", got)
	}
}

func TestValidUploadID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"2~abcdefghijklmnop", true},
		{"0004B9894A22E5B1888A1E29F8236E2D", true},
		{"YmNkZWY.Z2hp-amts_bW5v", true},
		{"a/b", true},
		{"a..b", true},
		{strings.Repeat("x", 1024), true},
		{"", false},
		{strings.Repeat("x", 1025), false},
		{"a\x00b", false},
		{"a\rb", false},
		{"a\nb", false},
		{"/abc", false},
		{".", false},
		{"..", false},
		{"a/../b", false},
		{"a/./b", false},
		{"a/..", false},
	} {
		err := ValidUploadID("bkt", tc.id)
		if tc.ok && err != nil {
			t.Errorf("ValidUploadID(%q) = %v, want nil", tc.id, err)
		}
		if !tc.ok && translate.CodeOf(err) != translate.ErrNoSuchUpload {
			t.Errorf("ValidUploadID(%q) = %v, want ErrNoSuchUpload", tc.id, err)
		}
	}
}

func TestCheckKey(t *testing.T) {
	for _, tc := range []struct {
		key      string
		reserved bool // hidden from listings
		refused  bool // refused to clients
	}{
		{".babelgate/", true, true},
		{".babelgate/uploads/x/state", true, true},
		// Not hidden, but refused: on a file-tree store it would hide
		// everything under ".babelgate/".
		{".babelgate", false, true},
		{"x/.babelgate/", false, false},
		{".Babelgate/", false, false},
		{".babelgate0", false, false},
		{"", false, false},
	} {
		if got := Reserved(tc.key); got != tc.reserved {
			t.Errorf("Reserved(%q) = %v", tc.key, got)
		}
		want := translate.Code(0)
		if tc.refused {
			want = translate.ErrAccessDenied
		}
		if got := translate.CodeOf(CheckKey("b", tc.key)); got != want {
			t.Errorf("CheckKey(%q) = %v, want %v", tc.key, got, want)
		}
	}
}

func TestUploadState(t *testing.T) {
	initiated := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	info := translate.UploadInfo{Bucket: "bkt", Key: "a/b", ID: "id-1", Initiator: "AK", Initiated: initiated,
		Metadata:          translate.Metadata{ContentType: "text/plain", User: map[string]string{"m": "v"}},
		ChecksumAlgorithm: translate.CRC32, ChecksumType: translate.ChecksumFullObject}
	// The on-store form, as earlier versions wrote it.
	const stored = `{"key":"a/b","initiator":"AK","initiated":"2024-01-02T03:04:05Z",` +
		`"metadata":{"ContentType":"text/plain","ContentEncoding":"","ContentDisposition":"","ContentLanguage":"",` +
		`"CacheControl":"","Expires":"","User":{"m":"v"},"StorageClass":"","SSE":""},` +
		`"checksum_algorithm":"CRC32","checksum_type":"FULL_OBJECT"}`
	u := NewUpload(info)
	data, err := u.Marshal()
	if err != nil || string(data) != stored {
		t.Errorf("Marshal = %s, %v\nwant %s", data, err, stored)
	}
	back, err := ParseUpload([]byte(stored))
	if err != nil || !reflect.DeepEqual(back, u) {
		t.Errorf("ParseUpload = %+v, %v; want %+v", back, err, u)
	}
	if got := back.Info("bkt", "id-1"); !reflect.DeepEqual(got, info) {
		t.Errorf("Info = %+v, want %+v", got, info)
	}
	if got, err := back.InfoFor("bkt", "a/b", "id-1"); err != nil || !reflect.DeepEqual(got, info) {
		t.Errorf("InfoFor(its key) = %+v, %v", got, err)
	}
	if _, err := back.InfoFor("bkt", "a/c", "id-1"); translate.CodeOf(err) != translate.ErrNoSuchUpload {
		t.Errorf("InfoFor(another key) = %v, want ErrNoSuchUpload", err)
	}
	// An upload without a checksum has no checksum fields.
	const plain = `{"key":"k","initiator":"","initiated":"0001-01-01T00:00:00Z",` +
		`"metadata":{"ContentType":"","ContentEncoding":"","ContentDisposition":"","ContentLanguage":"",` +
		`"CacheControl":"","Expires":"","User":null,"StorageClass":"","SSE":""}}`
	if data, err := (Upload{Key: "k"}).Marshal(); err != nil || string(data) != plain {
		t.Errorf("Marshal(no checksum) = %s, %v\nwant %s", data, err, plain)
	}
	if back, err := ParseUpload([]byte(`{"key":"k","initiator":"","initiated":"0001-01-01T00:00:00Z","metadata":{}}`)); err != nil ||
		back.Key != "k" || back.ChecksumAlgorithm != "" {
		t.Errorf("ParseUpload(no checksum) = %+v, %v", back, err)
	}
	if u := NewUpload(translate.UploadInfo{Key: "k"}); u.Initiated.IsZero() || u.Initiated.Location() != time.UTC {
		t.Errorf("NewUpload without a time: Initiated = %v, want now in UTC", u.Initiated)
	}
}

func TestReadWrite(t *testing.T) {
	objects := map[string][]byte{}
	put := func(key string, data []byte) error { objects[key] = data; return nil }
	get := func(key string) ([]byte, error) {
		if data, ok := objects[key]; ok {
			return data, nil
		}
		return nil, &translate.Error{Code: translate.ErrNoSuchKey}
	}
	u := Upload{Key: "k", Initiator: "AK", Initiated: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := Write("upload-1", u, put); err != nil {
		t.Fatal(err)
	}
	if _, ok := objects[dir1+"state"]; !ok || len(objects) != 1 {
		t.Fatalf("Write stored %q, want only %s", slices.Collect(maps.Keys(objects)), dir1+"state")
	}
	if got, err := Read("b", "upload-1", get); err != nil || !reflect.DeepEqual(got, u) {
		t.Errorf("Read = %+v, %v; want %+v", got, err, u)
	}
	objects[StateKey("garbled")] = []byte("{")
	unavailable := &translate.Error{Code: translate.ErrServiceUnavailable}
	for _, tc := range []struct {
		name, id string
		get      func(string) ([]byte, error)
		want     translate.Code
	}{
		{"no state", "upload-2", get, translate.ErrNoSuchUpload},
		{"no bucket", "upload-1", func(string) ([]byte, error) { return nil, &translate.Error{Code: translate.ErrNoSuchBucket} },
			translate.ErrNoSuchUpload},
		{"invalid ID", "../x", func(string) ([]byte, error) { panic("get called for an invalid ID") }, translate.ErrNoSuchUpload},
		{"store down", "upload-1", func(string) ([]byte, error) { return nil, unavailable }, translate.ErrServiceUnavailable},
		{"garbled", "garbled", get, translate.ErrInternal},
	} {
		if _, err := Read("b", tc.id, tc.get); translate.CodeOf(err) != tc.want {
			t.Errorf("%s: Read = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := Read("b", "upload-1", func(string) ([]byte, error) { return nil, unavailable }); !errors.Is(err, unavailable) {
		t.Errorf("Read does not return the store's error: %v", err)
	}
}

// storePage is one page as a store returns it.
type storePage struct {
	keys, prefixes []string
	truncated      bool
}

func objects(keys ...string) []translate.ObjectInfo {
	out := make([]translate.ObjectInfo, len(keys))
	for i, k := range keys {
		out[i] = translate.ObjectInfo{Key: k, Size: int64(len(k))}
	}
	return out
}

func keysOf(objs []translate.ObjectInfo) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

// TestLister feeds the lister store pages as given and checks where it
// asks each page to start and the page it builds.
func TestLister(t *testing.T) {
	past := func(prefix string) string { return prefix + string(utf8.MaxRune) }
	for _, tc := range []struct {
		name   string
		q      translate.ListQuery
		pages  []storePage
		starts []string // StartAfter before each page
		keys   []string
		cps    []string
		trunc  bool
		next   string
		err    bool
	}{
		{name: "one page, keys and prefixes merged",
			q:      translate.ListQuery{Delimiter: "/", MaxKeys: 10},
			pages:  []storePage{{keys: []string{"a", "c"}, prefixes: []string{"b/", "d/"}}},
			starts: []string{""}, keys: []string{"a", "c"}, cps: []string{"b/", "d/"}, next: "d/"},
		{name: "reserved prefix hidden",
			q:      translate.ListQuery{Delimiter: "/", MaxKeys: 10},
			pages:  []storePage{{keys: []string{".a", "z"}, prefixes: []string{".babelgate/"}}},
			starts: []string{""}, keys: []string{".a", "z"}, next: "z"},
		{name: "reserved keys hidden without delimiter",
			q:      translate.ListQuery{MaxKeys: 10},
			pages:  []storePage{{keys: []string{".babelgate/uploads/x/state", "a"}}},
			starts: []string{""}, keys: []string{"a"}, next: "a"},
		{name: "entries at or before After skipped",
			q:      translate.ListQuery{Delimiter: "/", After: "b", MaxKeys: 10},
			pages:  []storePage{{keys: []string{"a", "b", "c"}, prefixes: []string{"a/"}}},
			starts: []string{"b"}, keys: []string{"c"}, next: "c"},
		{name: "common prefix After lies under skipped",
			// S3's start-after b/x rolls b/y up into b/ again.
			q:     translate.ListQuery{Delimiter: "/", After: "b/x", MaxKeys: 10},
			pages: []storePage{{keys: []string{"c"}, prefixes: []string{"b/"}}},
			// The store starts past every key under b/.
			starts: []string{past("b/")}, keys: []string{"c"}, next: "c"},
		{name: "common prefix equal to After skipped",
			q:      translate.ListQuery{Delimiter: "/", After: "b/", MaxKeys: 10},
			pages:  []storePage{{prefixes: []string{"b/", "c/"}}},
			starts: []string{past("b/")}, cps: []string{"c/"}, next: "c/"},
		{name: "a key After lies under is not a common prefix",
			q:      translate.ListQuery{After: "b/x", MaxKeys: 10},
			pages:  []storePage{{keys: []string{"b/y"}}},
			starts: []string{"b/x"}, keys: []string{"b/y"}, next: "b/y"},
		{name: "full page is truncated",
			q:      translate.ListQuery{MaxKeys: 2},
			pages:  []storePage{{keys: []string{"a", "b", "c"}, truncated: true}},
			starts: []string{""}, keys: []string{"a", "b"}, trunc: true, next: "b"},
		{name: "exactly full at the store's end is not truncated",
			q:      translate.ListQuery{MaxKeys: 2},
			pages:  []storePage{{keys: []string{"a", "b"}}},
			starts: []string{""}, keys: []string{"a", "b"}, next: "b"},
		{name: "pages after the last key",
			q:      translate.ListQuery{MaxKeys: 10},
			pages:  []storePage{{keys: []string{"a", "b"}, truncated: true}, {keys: []string{"c"}}},
			starts: []string{"", "b"}, keys: []string{"a", "b", "c"}, next: "c"},
		{name: "repeated common prefix returned once",
			q: translate.ListQuery{Delimiter: "/", MaxKeys: 10},
			pages: []storePage{
				{keys: []string{"a"}, prefixes: []string{"b/"}, truncated: true},
				{keys: []string{"c"}, prefixes: []string{"b/"}, truncated: true},
				{prefixes: []string{"b/", "d/"}},
			},
			starts: []string{"", past("b/"), "c"}, keys: []string{"a", "c"}, cps: []string{"b/", "d/"}, next: "d/"},
		{name: "repeated common prefix does not fill the page",
			q: translate.ListQuery{Delimiter: "/", MaxKeys: 2},
			pages: []storePage{
				{keys: []string{"a"}, prefixes: []string{"b/"}, truncated: true},
				{keys: []string{"c"}, prefixes: []string{"b/"}, truncated: true},
			},
			starts: []string{"", past("b/")}, keys: []string{"a"}, cps: []string{"b/"}, trunc: true, next: "b/"},
		{name: "skipped entries still move the start",
			q:      translate.ListQuery{Delimiter: "/", MaxKeys: 10},
			pages:  []storePage{{prefixes: []string{".babelgate/"}, truncated: true}, {keys: []string{"z"}}},
			starts: []string{"", past(".babelgate/")}, keys: []string{"z"}, next: "z"},
		{name: "empty truncated page is an error",
			q:      translate.ListQuery{MaxKeys: 10},
			pages:  []storePage{{truncated: true}},
			starts: []string{""}, err: true},
		{name: "page that goes backwards is an error",
			q:      translate.ListQuery{After: "m", MaxKeys: 10},
			pages:  []storePage{{keys: []string{"a"}, truncated: true}},
			starts: []string{"m"}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLister(tc.q)
			if got, want := l.PageSize(), min(tc.q.MaxKeys+1, 1000); got != want {
				t.Errorf("PageSize = %d, want %d", got, want)
			}
			var starts []string
			var err error
			for i, p := range tc.pages {
				starts = append(starts, l.StartAfter())
				var done bool
				done, err = l.Add(objects(p.keys...), p.prefixes, p.truncated)
				if done != (i == len(tc.pages)-1) {
					t.Fatalf("Add of page %d: done = %v, err = %v", i, done, err)
				}
			}
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want an error: %v", err, tc.err)
			}
			if !slices.Equal(starts, tc.starts) {
				t.Errorf("StartAfter = %q, want %q", starts, tc.starts)
			}
			if tc.err {
				return
			}
			page := l.Page()
			if got := keysOf(page.Objects); !slices.Equal(got, tc.keys) || !slices.Equal(page.CommonPrefixes, tc.cps) ||
				page.Truncated != tc.trunc || page.Next != tc.next {
				t.Errorf("page = keys %q, prefixes %q, truncated %v, next %q; want %q, %q, %v, %q",
					got, page.CommonPrefixes, page.Truncated, page.Next, tc.keys, tc.cps, tc.trunc, tc.next)
			}
			for _, o := range page.Objects {
				if o.Size != int64(len(o.Key)) {
					t.Errorf("object %q lost its description: %+v", o.Key, o)
				}
			}
		})
	}
}

// fakeStore lists keys as an S3-like store does with start-after: entries
// after start, rolled up by the delimiter, at most max a page. With
// repeat, it also returns again the common prefix that start lies under,
// as MinIO does with its tokens.
func fakeStore(keys []string, q translate.ListQuery, start string, max int, repeat bool) storePage {
	var entries []string
	seen := map[string]bool{}
	isPrefix := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, q.Prefix) {
			continue
		}
		e := k
		if q.Delimiter != "" {
			if i := strings.Index(k[len(q.Prefix):], q.Delimiter); i >= 0 {
				e = k[:len(q.Prefix)+i+len(q.Delimiter)]
				isPrefix[e] = true
			}
		}
		if (k > start || (repeat && isPrefix[e] && strings.HasPrefix(start, e))) && !seen[e] {
			seen[e] = true
			entries = append(entries, e)
		}
	}
	sort.Strings(entries)
	var p storePage
	if len(entries) > max {
		entries, p.truncated = entries[:max], true
	}
	for _, e := range entries {
		if isPrefix[e] {
			p.prefixes = append(p.prefixes, e)
		} else {
			p.keys = append(p.keys, e)
		}
	}
	return p
}

// TestListerWalk pages whole listings through the lister, page by page
// with Next as After, over a store that pages in twos, and checks each
// entry comes once, in order, and nothing under the reserved prefix.
func TestListerWalk(t *testing.T) {
	keys := []string{".babelgate/uploads/x/state", ".babelgate/uploads/x/p00001.e.bnVsbA", "a", "a/1", "a/2", "a/b/1",
		"a0", "b", "b/1", "b/2/3", "c/1", "c/2", "d", "e/f/g", "-z", ".babel", ".hidden", ".x/1", ".x/2"}
	sort.Strings(keys)
	var clientKeys []string
	for _, k := range keys {
		if !Reserved(k) {
			clientKeys = append(clientKeys, k)
		}
	}
	// Delimiters "a", ".", "e" and "b" would group the reserved keys into
	// ".ba", ".", ".babe" and ".b", which client keys share or not; a
	// refused prefix (MinIO refuses ".") is listed from its place in key
	// order.
	queries := []translate.ListQuery{{}, {Delimiter: "/"}, {Prefix: "a/", Delimiter: "/"}, {Prefix: "b"}, {Delimiter: "b"},
		{Delimiter: "a"}, {Delimiter: "."}, {Delimiter: "e"}, {Prefix: "."}, {Prefix: ".", Delimiter: "/"}, {Prefix: ".b", Delimiter: "e"}}
	for qi, q := range queries {
		for _, refused := range []bool{false, true} {
			if refused && q.Prefix == "" {
				continue
			}
			// want: every entry of the client's keys once.
			want := fakeStore(clientKeys, q, "", len(keys), false)
			wantEntries := append(append([]string{}, want.keys...), want.prefixes...)
			sort.Strings(wantEntries)
			for _, repeat := range []bool{false, true} {
				for maxKeys := 1; maxKeys <= 4; maxKeys++ {
					name := fmt.Sprintf("%d %+v/refused=%v/repeat=%v/max=%d", qi, q, refused, repeat, maxKeys)
					var got []string
					q := q
					q.MaxKeys = maxKeys
					for pages := 0; ; pages++ {
						if pages > 100 {
							t.Fatalf("%s: no end", name)
						}
						l := NewLister(q)
						if refused {
							l.PrefixRefused()
						}
						for calls := 0; ; calls++ {
							if calls > 100 {
								t.Fatalf("%s: the lister does not finish", name)
							}
							sq := translate.ListQuery{Prefix: l.StorePrefix(), Delimiter: l.StoreDelimiter()}
							p := fakeStore(keys, sq, l.StartAfter(), min(l.PageSize(), 2), repeat)
							done, err := l.Add(objects(p.keys...), p.prefixes, p.truncated)
							if err != nil {
								t.Fatalf("%s: %v", name, err)
							}
							if done {
								break
							}
						}
						page := l.Page()
						entries := append(keysOf(page.Objects), page.CommonPrefixes...)
						sort.Strings(entries)
						if len(entries) > maxKeys || (page.Truncated && len(entries) != maxKeys) {
							t.Errorf("%s: page of %d entries, truncated %v", name, len(entries), page.Truncated)
						}
						if len(entries) > 0 && page.Next != entries[len(entries)-1] {
							t.Errorf("%s: Next = %q, want %q", name, page.Next, entries[len(entries)-1])
						}
						got = append(got, entries...)
						if !page.Truncated {
							break
						}
						q.After = page.Next
					}
					if !slices.Equal(got, wantEntries) {
						t.Errorf("%s:\n got %q\nwant %q", name, got, wantEntries)
					}
				}
			}
		}
	}
}

func TestListUploads(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	// In store order, not sorted.
	store := []StoreUpload{
		{"b/2", "id-b2", at(1)},
		{"a", "id-a2", at(5)},
		{"a", "id-a1", at(2)},
		{"a", "id-a3", at(5)},
		{"foreign", "id-foreign", at(0)},
		{".babelgate/x", "id-reserved", at(0)},
		{"b/1", "id-b1", at(3)},
		{"c", "id-c", at(4)},
		{"d", "id-untimed", at(7)},
	}
	state := func(id string) (Upload, error) {
		switch id {
		case "id-foreign":
			return Upload{}, &translate.Error{Code: translate.ErrNoSuchUpload}
		case "id-untimed":
			return Upload{Key: "d", Initiator: "AK"}, nil
		}
		for _, u := range store {
			if u.ID == id {
				return Upload{Key: u.Key, Initiator: "AK", Initiated: u.Initiated.Add(time.Second)}, nil
			}
		}
		t.Fatalf("state(%q)", id)
		return Upload{}, nil
	}
	for _, tc := range []struct {
		name  string
		q     translate.UploadsQuery
		ids   []string
		cps   []string
		trunc bool
	}{
		{name: "all, by key then time, store order on ties",
			q:   translate.UploadsQuery{MaxUploads: 100},
			ids: []string{"id-a1", "id-a2", "id-a3", "id-b1", "id-b2", "id-c", "id-untimed"}},
		{name: "prefix",
			q:   translate.UploadsQuery{Prefix: "b/", MaxUploads: 100},
			ids: []string{"id-b1", "id-b2"}},
		{name: "delimiter",
			q:   translate.UploadsQuery{Delimiter: "/", MaxUploads: 100},
			ids: []string{"id-a1", "id-a2", "id-a3", "id-c", "id-untimed"}, cps: []string{"b/"}},
		{name: "key marker alone skips every upload of the key",
			q:   translate.UploadsQuery{KeyAfter: "a", MaxUploads: 100},
			ids: []string{"id-b1", "id-b2", "id-c", "id-untimed"}},
		{name: "key and upload-ID markers",
			q:   translate.UploadsQuery{KeyAfter: "a", IDAfter: "id-a2", MaxUploads: 100},
			ids: []string{"id-a3", "id-b1", "id-b2", "id-c", "id-untimed"}},
		{name: "key marker under a common prefix",
			q:   translate.UploadsQuery{Delimiter: "/", KeyAfter: "b/1", MaxUploads: 100},
			ids: []string{"id-c", "id-untimed"}},
		{name: "max counts uploads and prefixes",
			q:   translate.UploadsQuery{Delimiter: "/", KeyAfter: "a", IDAfter: "id-a2", MaxUploads: 2},
			ids: []string{"id-a3"}, cps: []string{"b/"}, trunc: true},
		{name: "exactly full is not truncated",
			q:   translate.UploadsQuery{Prefix: "b/", MaxUploads: 2},
			ids: []string{"id-b1", "id-b2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := ListUploads("bkt", tc.q, store, state)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, u := range page.Uploads {
				ids = append(ids, u.ID)
				if u.Bucket != "bkt" || u.Initiator != "AK" {
					t.Errorf("upload %s: %+v", u.ID, u)
				}
				// The state's time, or the store's when the state has none.
				want := at(7)
				if u.ID != "id-untimed" {
					for _, s := range store {
						if s.ID == u.ID {
							want = s.Initiated.Add(time.Second)
						}
					}
				}
				if !u.Initiated.Equal(want) {
					t.Errorf("upload %s initiated %v, want %v", u.ID, u.Initiated, want)
				}
			}
			if !slices.Equal(ids, tc.ids) || !slices.Equal(page.CommonPrefixes, tc.cps) || page.Truncated != tc.trunc {
				t.Errorf("page = %q, %q, truncated %v; want %q, %q, %v", ids, page.CommonPrefixes, page.Truncated, tc.ids, tc.cps, tc.trunc)
			}
		})
	}
	failing := func(id string) (Upload, error) {
		return Upload{}, &translate.Error{Code: translate.ErrServiceUnavailable}
	}
	if _, err := ListUploads("bkt", translate.UploadsQuery{MaxUploads: 10}, store, failing); translate.CodeOf(err) != translate.ErrServiceUnavailable {
		t.Errorf("a failing state read: err = %v, want ErrServiceUnavailable", err)
	}
}
