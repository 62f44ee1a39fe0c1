package storekit

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/babelgate/babelgate/translate"
)

// Lister builds one neutral ListObjects page from the pages of a store's
// ListObjectsV2 (or its equivalent) with the query's prefix and delimiter,
// paged by start-after. It applies what such stores do not, or do
// differently:
//
//   - the reserved prefix is hidden;
//   - the neutral After rule: entries <= After are skipped and, with a
//     delimiter, so is a common prefix that After lies under (its keys were
//     already listed under it), which start-after alone does not do;
//   - a common prefix the store repeats across its pages (MinIO does) is
//     returned once;
//   - MaxKeys, Truncated and Next as translate.ListPage defines them.
//
// Use: ask the store for a page of at most PageSize entries starting after
// StartAfter (none when ""), hand it to Add, and repeat until Add says done;
// then Page is the result. The query's MaxKeys must be positive: a listing
// with MaxKeys 0 asks the store nothing.
type Lister struct {
	q          translate.ListQuery
	page       translate.ListPage
	count      int
	startAfter string
}

// NewLister starts a page for q.
func NewLister(q translate.ListQuery) *Lister { return &Lister{q: q, startAfter: q.After} }

// PageSize is how many entries to ask the store for in each page: one more
// than MaxKeys, so that a full page learns whether more follow, and at
// most 1000.
func (l *Lister) PageSize() int { return min(l.q.MaxKeys+1, 1000) }

// StartAfter is the start-after of the next store page: After first, then
// the last entry of the previous store page, or, when that was a common
// prefix, the prefix followed by utf8.MaxRune so that the store starts past
// every key under it.
func (l *Lister) StartAfter() string { return l.startAfter }

// Add takes one store page: its keys (as objects) and its common prefixes,
// each in ascending order as the store returns them, and truncated as the
// store reports it. done reports that the neutral page is complete: it is
// full, or the store has nothing more. A truncated store page that would
// not move StartAfter forward (empty, or ending at or before where it
// started) is an error, since asking again would loop.
func (l *Lister) Add(objects []translate.ObjectInfo, prefixes []string, truncated bool) (done bool, err error) {
	last, lastIsPrefix := "", false
	for len(objects) > 0 || len(prefixes) > 0 {
		var ok bool
		if len(prefixes) == 0 || (len(objects) > 0 && objects[0].Key < prefixes[0]) {
			last, lastIsPrefix = objects[0].Key, false
			ok = l.add(last, false, objects[0])
			objects = objects[1:]
		} else {
			last, lastIsPrefix = prefixes[0], true
			ok = l.add(last, true, translate.ObjectInfo{})
			prefixes = prefixes[1:]
		}
		if !ok {
			return true, nil
		}
	}
	if !truncated {
		return true, nil
	}
	next := last
	if lastIsPrefix {
		next += string(utf8.MaxRune)
	}
	if next == "" || next <= l.startAfter {
		return true, fmt.Errorf("the store's listing made no progress after %q", next)
	}
	l.startAfter = next
	return false, nil
}

// add places one entry; false when the page is already full (it is then
// truncated).
func (l *Lister) add(key string, isPrefix bool, info translate.ObjectInfo) bool {
	// A common prefix After lies under sorts before After, so key <= After
	// covers it. Entries come in ascending order, so one <= the last placed
	// is a common prefix the store repeated across its pages.
	if key <= l.q.After || (l.page.Next != "" && key <= l.page.Next) || Reserved(key) {
		return true
	}
	if l.count == l.q.MaxKeys {
		l.page.Truncated = true
		return false
	}
	l.count++
	l.page.Next = key
	if isPrefix {
		l.page.CommonPrefixes = append(l.page.CommonPrefixes, key)
	} else {
		l.page.Objects = append(l.page.Objects, info)
	}
	return true
}

// Page is the page built so far: when Add has said done, the answer to the
// query.
func (l *Lister) Page() translate.ListPage { return l.page }

// StoreUpload is an upload in progress as the store lists it.
type StoreUpload struct {
	Key, ID   string
	Initiated time.Time
}

// ListUploads answers a ListMultipartUploads query from every upload the
// store has in progress in bucket, listed whole (stores differ in how much
// of the query they apply: MinIO ignores prefix, delimiter and markers).
// Uploads outside q.Prefix or under the reserved prefix are left out; the
// rest are ordered by key, then by initiation time (ties in store order),
// and q's markers (IDAfter is the store's own upload ID), delimiter and
// MaxUploads are applied.
//
// state reads an upload's state by its store ID; it is called, in order,
// for each upload the markers and delimiter leave, until the page is full
// (the one that finds it full included). An upload whose state is ErrNoSuchUpload
// (not started through the gateway, or just completed) is left out; any
// other error from state is returned. A listed upload is described by its
// state, with the store's initiation time when the state has none.
func ListUploads(bucket string, q translate.UploadsQuery, uploads []StoreUpload, state func(id string) (Upload, error)) (translate.UploadsPage, error) {
	var all []StoreUpload
	for _, u := range uploads {
		if strings.HasPrefix(u.Key, q.Prefix) && !Reserved(u.Key) {
			all = append(all, u)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Key != all[j].Key {
			return all[i].Key < all[j].Key
		}
		return all[i].Initiated.Before(all[j].Initiated)
	})
	var page translate.UploadsPage
	seenAfterID := q.IDAfter == ""
	lastPrefix := ""
	for _, u := range all {
		if q.KeyAfter != "" {
			if u.Key < q.KeyAfter || (u.Key == q.KeyAfter && q.IDAfter == "") {
				continue
			}
			if u.Key == q.KeyAfter && !seenAfterID {
				seenAfterID = u.ID == q.IDAfter
				continue
			}
		}
		if q.Delimiter != "" {
			if i := strings.Index(u.Key[len(q.Prefix):], q.Delimiter); i >= 0 {
				cp := u.Key[:len(q.Prefix)+i+len(q.Delimiter)]
				if cp == lastPrefix || (q.KeyAfter != "" && cp <= q.KeyAfter) {
					continue
				}
				if len(page.Uploads)+len(page.CommonPrefixes) == q.MaxUploads {
					page.Truncated = true
					break
				}
				page.CommonPrefixes = append(page.CommonPrefixes, cp)
				lastPrefix = cp
				continue
			}
		}
		st, err := state(u.ID)
		if err != nil {
			if translate.CodeOf(err) == translate.ErrNoSuchUpload {
				continue
			}
			return translate.UploadsPage{}, err
		}
		if len(page.Uploads)+len(page.CommonPrefixes) == q.MaxUploads {
			page.Truncated = true
			break
		}
		info := st.Info(bucket, u.ID)
		if info.Initiated.IsZero() {
			info.Initiated = u.Initiated
		}
		page.Uploads = append(page.Uploads, info)
	}
	return page, nil
}
