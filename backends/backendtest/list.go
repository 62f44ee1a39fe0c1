package backendtest

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/babelgate/babelgate/translate"
)

// refPage computes, from all keys (sorted, unique), the page ListObjects
// must return for q: keys and common prefixes after q.After, merged in
// ascending order, q.MaxKeys of them at most.
func refPage(keys []string, q translate.ListQuery) translate.ListPage {
	var page translate.ListPage
	if q.MaxKeys <= 0 {
		return page
	}
	n, lastCP := 0, ""
	for _, k := range keys {
		if !strings.HasPrefix(k, q.Prefix) {
			continue
		}
		cp := ""
		if q.Delimiter != "" {
			if i := strings.Index(k[len(q.Prefix):], q.Delimiter); i >= 0 {
				cp = k[:len(q.Prefix)+i+len(q.Delimiter)]
			}
		}
		if cp != "" && (cp == lastCP || cp <= q.After) || cp == "" && k <= q.After {
			continue
		}
		if n == q.MaxKeys {
			page.Truncated = true
			return page
		}
		n++
		if cp != "" {
			lastCP = cp
			page.CommonPrefixes = append(page.CommonPrefixes, cp)
			page.Next = cp
			continue
		}
		page.Objects = append(page.Objects, translate.ObjectInfo{Key: k})
		page.Next = k
	}
	page.Next = ""
	return page
}

// pageKeys returns the keys of a page's objects.
func pageKeys(p translate.ListPage) []string {
	out := make([]string, len(p.Objects))
	for i, o := range p.Objects {
		out[i] = o.Key
	}
	return out
}

// checkPages pages through the listing q describes in pages of size
// (q.MaxKeys when 0), each page starting after the previous page's Next,
// and checks every page against refPage.
func (h *harness) checkPages(bucket string, keys []string, q translate.ListQuery, size int) {
	h.Helper()
	if size > 0 {
		q.MaxKeys = size
	}
	for pages := 0; ; pages++ {
		if pages > len(keys)+1 {
			h.Fatalf("query %+v: listing does not end", q)
		}
		got, err := h.b.ListObjects(h.ctx, bucket, q)
		if err != nil {
			h.Fatalf("ListObjects(%+v): %v", q, err)
		}
		want := refPage(keys, q)
		if !slices.Equal(pageKeys(got), pageKeys(want)) || !slices.Equal(got.CommonPrefixes, want.CommonPrefixes) ||
			got.Truncated != want.Truncated || (got.Truncated && got.Next != want.Next) {
			h.Fatalf("ListObjects(%q) page %d:\n got keys %q prefixes %q truncated %v next %q\nwant keys %q prefixes %q truncated %v next %q",
				fmt.Sprintf("%+v", q), pages, pageKeys(got), got.CommonPrefixes, got.Truncated, got.Next,
				pageKeys(want), want.CommonPrefixes, want.Truncated, want.Next)
		}
		if !got.Truncated {
			return
		}
		q.After = got.Next
	}
}

// listingKeys returns a few hundred keys with shared prefixes, nested
// "directories", keys that are prefixes of others, long pieces and
// multi-byte characters.
func listingKeys() []string {
	var keys []string
	long := strings.Repeat("L", 90)
	for _, top := range []string{"a", "b", "photos", "日本", long} {
		for i := range 30 {
			keys = append(keys, fmt.Sprintf("%s/%02d", top, i))
		}
		for i := range 8 {
			keys = append(keys, fmt.Sprintf("%s/sub%d/x", top, i), fmt.Sprintf("%s/sub%d/y/z", top, i))
		}
		keys = append(keys, top, top+"/", top+"-", top+"0", top+"//", top+"/sub-b/q", top+"--x--y")
	}
	for i := range 20 {
		keys = append(keys, fmt.Sprintf("m%03d", i*7), fmt.Sprintf("x--%d--y", i%5), fmt.Sprintf("x-%d", i))
	}
	keys = append(keys, "/", "//", "/root", strings.Repeat("m", 85)+"/k", strings.Repeat("m", 160))
	slices.Sort(keys)
	return slices.Compact(keys)
}

// putAll stores every key (content: the key) with a few writers at once.
func (h *harness) putAll(bucket string, keys []string) {
	h.Helper()
	var wg sync.WaitGroup
	work := make(chan string)
	errs := make(chan error, len(keys))
	for range 8 {
		wg.Go(func() {
			for k := range work {
				if _, err := h.b.PutObject(h.ctx, bucket, k, translate.BytesBody([]byte(k)), translate.Metadata{}); err != nil {
					errs <- fmt.Errorf("PutObject(%q): %w", k, err)
				}
			}
		})
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		h.Fatal(err)
	}
}

// testListBasics: listed objects carry their size and ETag; MaxKeys 0 is
// an empty, untruncated page; common prefixes hold only existing keys.
func testListBasics(h *harness) {
	bucket := h.bucket("listbasic")
	keys := []string{"a/1", "a/2", "b", "c/d/e"}
	h.putAll(bucket, keys)
	page, err := h.b.ListObjects(h.ctx, bucket, translate.ListQuery{MaxKeys: 1000})
	if err != nil {
		h.Fatal(err)
	}
	if !slices.Equal(pageKeys(page), keys) || page.Truncated || len(page.CommonPrefixes) != 0 {
		h.Fatalf("ListObjects = %+v", page)
	}
	for _, o := range page.Objects {
		if o.Size != int64(len(o.Key)) || trimETag(o.ETag) != md5Hex([]byte(o.Key)) || o.LastModified.IsZero() {
			h.Errorf("listed %q as %+v", o.Key, o)
		}
	}
	page, err = h.b.ListObjects(h.ctx, bucket, translate.ListQuery{})
	if err != nil || len(page.Objects)+len(page.CommonPrefixes) != 0 || page.Truncated {
		h.Fatalf("ListObjects with MaxKeys 0 = %+v, %v", page, err)
	}
	page, err = h.b.ListObjects(h.ctx, bucket, translate.ListQuery{Delimiter: "/", MaxKeys: 1000})
	if err != nil {
		h.Fatal(err)
	}
	if !slices.Equal(pageKeys(page), []string{"b"}) || !slices.Equal(page.CommonPrefixes, []string{"a/", "c/"}) {
		h.Fatalf("ListObjects with delimiter = %+v", page)
	}
	// Deleting the only key under a prefix removes the common prefix.
	if err := h.b.DeleteObject(h.ctx, bucket, "c/d/e"); err != nil {
		h.Fatal(err)
	}
	page, err = h.b.ListObjects(h.ctx, bucket, translate.ListQuery{Delimiter: "/", MaxKeys: 1000})
	if err != nil {
		h.Fatal(err)
	}
	if !slices.Equal(page.CommonPrefixes, []string{"a/"}) {
		h.Fatalf("common prefixes after deleting c/d/e = %q", page.CommonPrefixes)
	}
	page, err = h.b.ListObjects(h.ctx, bucket, translate.ListQuery{Prefix: "zzz", MaxKeys: 1000})
	if err != nil || len(page.Objects)+len(page.CommonPrefixes) != 0 || page.Truncated {
		h.Fatalf("ListObjects of an unused prefix = %+v, %v", page, err)
	}
}

// testListPaging: pages of 7 through a few hundred keys, for many
// prefixes, delimiters and start points, each page equal to the reference.
func testListPaging(h *harness) {
	bucket := h.bucket("listpage")
	keys := h.supported(listingKeys())
	if h.q.NonBytewiseListing {
		keys = slices.DeleteFunc(keys, func(k string) bool { return strings.Contains(k, "/") })
	}
	h.putAll(bucket, keys)
	if got := h.listAll(bucket); !slices.Equal(got, keys) {
		h.Fatalf("full listing:\n got %q\nwant %q", got, keys)
	}
	long := strings.Repeat("L", 90)
	prefixes := []string{"", "a", "a/", "a/sub1", "photos/", "日", "日本/", long[:85], long + "/", "x-", "m", "zzz", "/"}
	delimiters := []string{"", "/", "-", "--", "/s", "0", "本"}
	for _, p := range prefixes {
		for _, d := range delimiters {
			h.checkPages(bucket, keys, translate.ListQuery{Prefix: p, Delimiter: d}, 7)
		}
	}
	for _, after := range []string{"a/05x", "b", "a/sub", "a/sub3/", "photos/zz", "日本/", long, "m", "~"} {
		for _, d := range []string{"", "/"} {
			h.checkPages(bucket, keys, translate.ListQuery{Delimiter: d, After: after}, 7)
			h.checkPages(bucket, keys, translate.ListQuery{Delimiter: d, After: after, MaxKeys: 1000}, 0)
		}
	}
}
