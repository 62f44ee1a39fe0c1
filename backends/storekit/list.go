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
//   - MaxKeys, Truncated and Next as translate.ListPage defines them;
//   - no store page starts inside the reserved range: a store page that
//     ends inside it is followed by one starting at ReservedEnd, so the
//     hidden keys cost at most one store page per listing (MinIO answers
//     a start-after inside .babelgate/annex/ with a short page marked not
//     truncated, which ended client listings early), and a query's After
//     inside it starts there too;
//   - a store page never starts at a common prefix: after After or a page
//     ending in a common prefix, the store starts past every key under it
//     (MinIO refuses start-after "." as a name).
//
// Use: ask the store for a page of at most PageSize entries with
// StorePrefix and StoreDelimiter, starting after StartAfter (none when ""),
// hand it to Add, and repeat until Add says done; then Page is the result.
// The query's MaxKeys must be positive: a listing with MaxKeys 0 asks the
// store nothing.
//
// The lister groups keys into common prefixes itself (the store is asked
// for no delimiter) when the store's grouping could not be used:
//
//   - the reserved keys would be grouped into a common prefix that client
//     keys may share (".ba" with delimiter "a", "." with ".", ".babe" with
//     "e"), which only key by key can be told apart;
//   - the store refused the prefix (MinIO refuses "." and ".." as
//     XMinioInvalidResourceName): the caller says so with PrefixRefused
//     and the store is then listed from the prefix's place in key order,
//     without a prefix.
type Lister struct {
	q          translate.ListQuery
	page       translate.ListPage
	count      int
	startAfter string
	// resumed: startAfter is the last entry of the store's last page,
	// where the page's token (if any) continues.
	resumed bool
	// local: keys are grouped here; unprefixed: the store is listed
	// without a prefix.
	local, unprefixed bool
}

// ReservedEnd is a start-after past every reserved key the gateway writes
// and before every key a client may write after them: the first of those
// is Prefix with its '/' incremented (".babelgate0"), which a start-after
// of that key would leave out. The gateway's own names continue Prefix
// with ASCII, so Prefix followed by utf8.MaxRune sorts after all of them.
const ReservedEnd = Prefix + string(utf8.MaxRune)

// NewLister starts a page for q.
func NewLister(q translate.ListQuery) *Lister {
	return &Lister{q: q, startAfter: resume(q, q.After), local: groupsReserved(q)}
}

// resume is the start-after for the store that continues a listing of q
// after key: at ReservedEnd when key is inside the reserved range (a
// reserved key is in no common prefix: the keys after it that share one
// are still to be grouped), else past every key under key's common prefix
// when key lies under one (its keys were listed as the prefix).
func resume(q translate.ListQuery, key string) string {
	if Reserved(key) {
		return max(key, ReservedEnd)
	}
	if q.Delimiter != "" && strings.HasPrefix(key, q.Prefix) {
		if i := strings.Index(key[len(q.Prefix):], q.Delimiter); i >= 0 {
			key = max(key, key[:len(q.Prefix)+i+len(q.Delimiter)]+string(utf8.MaxRune))
		}
	}
	return key
}

// groupsReserved reports whether a store listing q with its delimiter would
// group the reserved keys into a common prefix shorter than Prefix, which
// client keys may share.
func groupsReserved(q translate.ListQuery) bool {
	if q.Delimiter == "" || !strings.HasPrefix(Prefix, q.Prefix) {
		return false
	}
	i := strings.Index(Prefix[len(q.Prefix):], q.Delimiter)
	return i >= 0 && len(q.Prefix)+i+len(q.Delimiter) < len(Prefix)
}

// PrefixRefused switches the lister to list the store without a prefix,
// from just before the query's prefix in key order, for a store that
// refused the prefix; keys are then filtered and grouped here.
func (l *Lister) PrefixRefused() {
	l.local, l.unprefixed = true, true
	if b := below(l.q.Prefix); b > l.startAfter {
		l.startAfter = b
	}
}

// GroupLocally makes the lister group keys itself, for a store that
// cannot group by the query's delimiter (Abilities.SlashDelimiterOnly).
func (l *Lister) GroupLocally() { l.local = true }

// Local reports whether the lister groups keys itself (StoreDelimiter is
// then empty).
func (l *Lister) Local() bool { return l.local }

// StorePrefix is the prefix to ask the store for.
func (l *Lister) StorePrefix() string {
	if l.unprefixed {
		return ""
	}
	return l.q.Prefix
}

// StoreDelimiter is the delimiter to ask the store for: the query's, or
// none when the lister groups keys itself.
func (l *Lister) StoreDelimiter() string {
	if l.local {
		return ""
	}
	return l.q.Delimiter
}

// below returns a start-after that skips every key sorting before p but
// none beginning with p: p with its last byte decremented and followed by
// utf8.MaxRune (keys are UTF-8), or "" when p's last byte is not a
// printable ASCII character above the space.
func below(p string) string {
	if p == "" || p[len(p)-1] <= ' ' || p[len(p)-1] >= utf8.RuneSelf {
		return ""
	}
	return p[:len(p)-1] + string(p[len(p)-1]-1) + string(utf8.MaxRune)
}

// group turns a store page listed without a delimiter into the query's
// keys and common prefixes: reserved keys and keys outside the prefix are
// dropped, keys holding the delimiter after the prefix become their common
// prefix (each once). past reports a key sorting after every key with the
// prefix: the listing is complete.
func (l *Lister) group(objects []translate.ObjectInfo) (objs []translate.ObjectInfo, cps []string, past bool) {
	for _, o := range objects {
		switch {
		case Reserved(o.Key):
			continue
		case !strings.HasPrefix(o.Key, l.q.Prefix):
			if o.Key > l.q.Prefix {
				return objs, cps, true
			}
			continue
		}
		if l.q.Delimiter != "" {
			if i := strings.Index(o.Key[len(l.q.Prefix):], l.q.Delimiter); i >= 0 {
				cp := o.Key[:len(l.q.Prefix)+i+len(l.q.Delimiter)]
				if len(cps) == 0 || cps[len(cps)-1] != cp {
					cps = append(cps, cp)
				}
				continue
			}
		}
		objs = append(objs, o)
	}
	return objs, cps, false
}

// PageSize is how many entries to ask the store for in each page: one more
// than MaxKeys, so that a full page learns whether more follow, and at
// most 1000.
func (l *Lister) PageSize() int { return min(l.q.MaxKeys+1, 1000) }

// StartAfter is the start-after of the next store page: After first, then
// the last entry of the previous store page, or, when that was a common
// prefix, the prefix followed by utf8.MaxRune so that the store starts past
// every key under it; ReservedEnd instead of any start-after inside the
// reserved range.
func (l *Lister) StartAfter() string { return l.startAfter }

// Resumed reports whether StartAfter is the last entry of the store page
// just added, so that the store's continuation token of that page resumes
// at it; otherwise the next page must be asked by StartAfter alone.
func (l *Lister) Resumed() bool { return l.resumed }

// Add takes one store page: its keys (as objects) and its common prefixes,
// each in ascending order as the store returns them, and truncated as the
// store reports it. done reports that the neutral page is complete: it is
// full, or the store has nothing more. A truncated store page that would
// not move StartAfter forward (empty, or ending at or before where it
// started) is an error, since asking again would loop.
//
// When the lister groups keys itself (Local), the store page is its keys
// only, listed without a delimiter.
func (l *Lister) Add(objects []translate.ObjectInfo, prefixes []string, truncated bool) (done bool, err error) {
	storeLast := ""
	if len(objects) > 0 {
		storeLast = objects[len(objects)-1].Key
	}
	if len(prefixes) > 0 {
		storeLast = max(storeLast, prefixes[len(prefixes)-1])
	}
	if l.local {
		var past bool
		objects, prefixes, past = l.group(objects)
		truncated = truncated && !past
	}
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
	// Resume after the store's last entry (when the lister groups keys,
	// a key it grouped into a prefix, or a reserved one it dropped), or
	// past the common prefix or the reserved range it lies in.
	next = resume(l.q, max(next, storeLast))
	if next == "" || next <= l.startAfter {
		return true, fmt.Errorf("the store's listing made no progress after %q", next)
	}
	l.startAfter, l.resumed = next, next == storeLast
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
