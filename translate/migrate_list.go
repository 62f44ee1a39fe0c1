package translate

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"
)

// ListObjects lists both sides of the migrating bucket as one: see
// mergePages. Keys that live only on the source are checked against the
// tombstones (a read-only source keeps what was deleted).
func (m *migrating) ListObjects(ctx context.Context, bucket string, q ListQuery) (ListPage, error) {
	if q.MaxKeys == 0 {
		return ListPage{}, nil
	}
	dp, err := m.listDestination(ctx, bucket, q)
	if err != nil {
		return ListPage{}, err
	}
	sp, err := m.src.ListObjects(ctx, bucket, q)
	if err != nil {
		return ListPage{}, err
	}
	dead := func(key string) (bool, error) { return m.tombstoned(ctx, key) }
	return mergePages(dp, sp, q.MaxKeys, dead)
}

// listDestination lists the destination without the migration's
// namespace: a page that ends inside it is followed by one from past it,
// so no listing ever resumes from a key inside the namespace (which
// clients cannot name, and after which MinIO's start-after was seen to
// skip keys).
func (m *migrating) listDestination(ctx context.Context, bucket string, q ListQuery) (ListPage, error) {
	dp, err := m.dst.ListObjects(ctx, bucket, q)
	if CodeOf(err) == ErrNoSuchBucket {
		return ListPage{}, nil // the destination bucket is not made yet
	}
	if err != nil || !dp.Truncated || !(reserved(dp.Next) || hiddenPrefix(dp.Next)) {
		return dp, err
	}
	q.After = MigrateNamespace + string(utf8.MaxRune)
	more, err := m.dst.ListObjects(ctx, bucket, q)
	if err != nil {
		return ListPage{}, err
	}
	for _, o := range dp.Objects {
		if !reserved(o.Key) {
			more.Objects = append(more.Objects, o)
		}
	}
	for _, c := range dp.CommonPrefixes {
		if !hiddenPrefix(c) {
			more.CommonPrefixes = append(more.CommonPrefixes, c)
		}
	}
	sort.Slice(more.Objects, func(i, j int) bool { return more.Objects[i].Key < more.Objects[j].Key })
	sort.Strings(more.CommonPrefixes)
	return more, nil
}

// entry is one listing entry: a key or a common prefix.
type entry struct {
	name   string
	prefix bool
	obj    ObjectInfo
	dst    bool
}

func entries(p ListPage, dst bool) []entry {
	out := make([]entry, 0, len(p.Objects)+len(p.CommonPrefixes))
	for _, o := range p.Objects {
		out = append(out, entry{name: o.Key, obj: o, dst: dst})
	}
	for _, c := range p.CommonPrefixes {
		out = append(out, entry{name: c, prefix: true, dst: dst})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// hiddenPrefix reports whether a destination common prefix only groups
// the migration's own namespace.
func hiddenPrefix(cp string) bool {
	return strings.HasPrefix(cp, MigrateNamespace) || strings.HasPrefix(MigrateNamespace, cp)
}

// mergePages merges one page of the destination (dp) and one of the
// source (sp), both answering the same ListQuery, into one page of at most
// max entries in byte order:
//
//   - a key on both sides appears once, with the destination's entry (the
//     newer write); a common prefix on both sides appears once;
//   - the migration's namespace (MigrateNamespace) is left out of the
//     destination's entries;
//   - a key only on the source is left out when dead says it was deleted
//     during the migration;
//   - a side that is truncated bounds the page at its Next: entries after
//     it on the other side may be preceded by ones this side has not
//     listed yet, so they wait for the next page.
//
// The page is truncated when either side has more than was returned; Next
// is then the last entry the page covered (listed or left out), which,
// passed as After, continues both sides where this page stopped.
func mergePages(dp, sp ListPage, max int, dead func(key string) (bool, error)) (ListPage, error) {
	bound, bounded := "", false
	for _, p := range []ListPage{dp, sp} {
		if p.Truncated && (!bounded || p.Next < bound) {
			bound, bounded = p.Next, true
		}
	}
	d, s := entries(dp, true), entries(sp, false)
	var out ListPage
	n, last := 0, ""
	i, j := 0, 0
	for i < len(d) || j < len(s) {
		var e entry
		switch {
		case j == len(s) || (i < len(d) && d[i].name <= s[j].name):
			e = d[i]
			if j < len(s) && s[j].name == e.name {
				j++ // the destination's entry wins
			}
			i++
		default:
			e = s[j]
			j++
		}
		if bounded && e.name > bound {
			break
		}
		if n == max {
			out.Truncated = true
			break
		}
		last = e.name
		switch {
		case e.dst && e.prefix && hiddenPrefix(e.name), e.dst && !e.prefix && reserved(e.name):
			continue
		case !e.dst && !e.prefix:
			gone, err := dead(e.name)
			if err != nil {
				return ListPage{}, err
			}
			if gone {
				continue
			}
		}
		n++
		if e.prefix {
			out.CommonPrefixes = append(out.CommonPrefixes, e.name)
		} else {
			out.Objects = append(out.Objects, e.obj)
		}
	}
	if bounded {
		out.Truncated = true
	}
	if out.Truncated {
		out.Next = last
		if last == "" {
			out.Next = bound
		}
	}
	return out, nil
}

// listUploads lists the uploads of both sides, merged by key and then
// initiation time, with the backend name each one's ID must be sealed
// with. Paging goes by key (KeyAfter); an IDAfter from one side is passed
// only to that side.
func (m *migrating) listUploads(ctx context.Context, bucket string, q UploadsQuery, idSide string) (UploadsPage, []string, error) {
	qd, qs := q, q
	if idSide == m.srcName && idSide != m.dstName {
		qd.IDAfter = ""
	}
	if idSide == m.dstName && idSide != m.srcName {
		qs.IDAfter = ""
	}
	dp, err := m.dst.ListMultipartUploads(ctx, bucket, qd)
	if err != nil && CodeOf(err) != ErrNoSuchBucket {
		return UploadsPage{}, nil, err
	}
	sp, err := m.src.ListMultipartUploads(ctx, bucket, qs)
	if err != nil {
		return UploadsPage{}, nil, err
	}
	type side struct {
		u    UploadInfo
		name string
	}
	var all []side
	for _, u := range dp.Uploads {
		all = append(all, side{u, m.dstName})
	}
	for _, u := range sp.Uploads {
		all = append(all, side{u, m.srcName})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].u.Key != all[j].u.Key {
			return all[i].u.Key < all[j].u.Key
		}
		return all[i].u.Initiated.Before(all[j].u.Initiated)
	})
	out := UploadsPage{Truncated: dp.Truncated || sp.Truncated}
	var names []string
	for _, a := range all {
		if q.MaxUploads > 0 && len(out.Uploads) == q.MaxUploads {
			out.Truncated = true
			break
		}
		out.Uploads = append(out.Uploads, a.u)
		names = append(names, a.name)
	}
	seen := map[string]bool{}
	for _, c := range append(dp.CommonPrefixes, sp.CommonPrefixes...) {
		if !seen[c] && !hiddenPrefix(c) {
			seen[c] = true
			out.CommonPrefixes = append(out.CommonPrefixes, c)
		}
	}
	sort.Strings(out.CommonPrefixes)
	return out, names, nil
}
