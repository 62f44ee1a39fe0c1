package fs

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// readDirBatch is how many names a directory read takes at a time.
const readDirBatch = 1024

// readEntries reads directory dir and returns its key-tree entries for
// which keep (if not nil) returns true, sorted in key order
// (compareEntries). Hidden and foreign names are left out. A directory
// removed meanwhile has no entries.
func readEntries(dir *os.Root, keep func(entry) bool) ([]entry, error) {
	d, err := dir.Open(".")
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, translate.Wrap(translate.ErrInternal, err, "fs: opening directory "+dir.Name())
	}
	defer d.Close()
	var out []entry
	for {
		names, err := d.Readdirnames(readDirBatch)
		for _, n := range names {
			if e, ok := decodeName(n); ok && (keep == nil || keep(e)) {
				out = append(out, e)
			}
		}
		if err == io.EOF || (err == nil && len(names) == 0) {
			break
		}
		if isNotExist(err) {
			return nil, nil // removed while being read
		}
		if err != nil {
			return nil, translate.Wrap(translate.ErrInternal, err, "fs: reading directory "+dir.Name())
		}
	}
	slices.SortFunc(out, compareEntries)
	return out, nil
}

// openSubdir opens the directory entry name of dir. It returns nil and no
// error if the entry vanished or is not a directory (a foreign file with a
// directory's name), which walks skip.
func openSubdir(dir *os.Root, name string) (*os.Root, error) {
	sub, err := dir.OpenRoot(name)
	if err == nil {
		return sub, nil
	}
	if isNotExist(err) {
		return nil, nil
	}
	if st, serr := dir.Lstat(name); serr == nil && !st.IsDir() {
		return nil, nil
	}
	return nil, translate.Wrap(translate.ErrInternal, err, "fs: opening directory "+name)
}

// hasObject reports whether the key tree under dir holds at least one
// object. It stops at the first it finds.
func hasObject(ctx context.Context, dir *os.Root) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, cancelled(err)
	}
	ents, err := readEntries(dir, nil)
	if err != nil {
		return false, err
	}
	for _, e := range ents {
		if !e.dir {
			return true, nil
		}
	}
	for _, e := range ents {
		sub, err := openSubdir(dir, e.name)
		if sub == nil {
			if err != nil {
				return false, err
			}
			continue
		}
		has, err := hasObject(ctx, sub)
		sub.Close()
		if has || err != nil {
			return has, err
		}
	}
	return false, nil
}

// ListObjects returns one page of the bucket's keys as q describes:
// ErrNoSuchBucket.
//
// It walks the key tree in key order one directory at a time, holding only
// the current directory chain's entries in memory. It starts at the
// deepest directory every key with q.Prefix lies under, skips entries
// whose keys cannot begin with q.Prefix or all lie at or before q.After,
// and, with a delimiter, reports a directory whose keys all share one
// common prefix as that prefix (if it holds an object) without walking it.
// A common prefix at or before q.After is skipped with all its keys.
func (b *Backend) ListObjects(ctx context.Context, bucket string, q translate.ListQuery) (translate.ListPage, error) {
	if err := ctx.Err(); err != nil {
		return translate.ListPage{}, cancelled(err)
	}
	root, err := b.openBucket(bucket)
	if err != nil {
		return translate.ListPage{}, err
	}
	defer root.Close()
	if q.MaxKeys <= 0 {
		return translate.ListPage{}, nil
	}

	// Every key beginning with q.Prefix lies under the directories of all
	// of the prefix's pieces but its last (see path.go).
	dir, prefix := root, ""
	pieces := splitKey(q.Prefix)
	if len(pieces) > 1 {
		for _, p := range pieces[:len(pieces)-1] {
			sub, err := dir.OpenRoot(dirEntryName(p))
			if dir != root {
				dir.Close()
			}
			if isNotExist(err) {
				return translate.ListPage{}, nil
			}
			if err != nil {
				return translate.ListPage{}, translate.Wrap(translate.ErrInternal, err, "fs: listing "+bucket)
			}
			dir, prefix = sub, prefix+p
		}
		defer dir.Close()
	}
	l := &lister{ctx: ctx, q: q}
	if err := l.walk(dir, prefix); err != nil {
		return translate.ListPage{}, err
	}
	if !l.page.Truncated {
		l.page.Next = ""
	}
	return l.page, nil
}

// lister is the state of one ListObjects walk.
type lister struct {
	ctx    context.Context
	q      translate.ListQuery
	page   translate.ListPage
	n      int    // keys plus common prefixes in page
	lastCP string // the last common prefix met, returned or skipped
	done   bool   // the page is full and one more entry was seen
}

// commonPrefix returns the common prefix s rolls up into: s up to and
// including the first delimiter after q.Prefix, or "" if there is none.
// For a directory's accumulated prefix it is the common prefix of every
// key under it.
func (l *lister) commonPrefix(s string) string {
	d, p := l.q.Delimiter, l.q.Prefix
	if d == "" || !strings.HasPrefix(s, p) {
		return ""
	}
	i := strings.Index(s[len(p):], d)
	if i < 0 {
		return ""
	}
	return s[:len(p)+i+len(d)]
}

// wanted reports whether entry e of a directory whose keys begin with
// prefix can hold a key to list: one beginning with q.Prefix and after
// q.After.
func (l *lister) wanted(prefix string, e entry) bool {
	s := prefix + e.piece
	if !e.dir {
		return strings.HasPrefix(s, l.q.Prefix) && s > l.q.After
	}
	if !strings.HasPrefix(s, l.q.Prefix) && !strings.HasPrefix(l.q.Prefix, s) {
		return false
	}
	// Keys under s are longer than s; unless After begins with s they all
	// compare with After as s does.
	return s >= l.q.After || strings.HasPrefix(l.q.After, s)
}

// walk lists, in key order, the keys of directory dir, whose keys all
// begin with prefix.
func (l *lister) walk(dir *os.Root, prefix string) error {
	if err := l.ctx.Err(); err != nil {
		return cancelled(err)
	}
	ents, err := readEntries(dir, func(e entry) bool { return l.wanted(prefix, e) })
	if err != nil {
		return err
	}
	for _, e := range ents {
		if l.done {
			return nil
		}
		s := prefix + e.piece
		if cp := l.commonPrefix(s); cp != "" {
			if err := l.rollUp(dir, e, cp); err != nil {
				return err
			}
			continue
		}
		if !e.dir {
			if err := l.addKey(dir, e, s); err != nil {
				return err
			}
			continue
		}
		sub, err := openSubdir(dir, e.name)
		if sub == nil {
			if err != nil {
				return err
			}
			continue
		}
		err = l.walk(sub, s)
		sub.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// rollUp reports entry e of dir, whose keys all have common prefix cp, as
// cp: once, only if cp is after q.After, and for a directory only if it
// holds an object.
func (l *lister) rollUp(dir *os.Root, e entry, cp string) error {
	if cp == l.lastCP || cp <= l.q.After {
		return nil
	}
	if e.dir {
		sub, err := openSubdir(dir, e.name)
		if sub == nil {
			return err
		}
		has, err := hasObject(l.ctx, sub)
		sub.Close()
		if !has || err != nil {
			return err
		}
	}
	l.lastCP = cp
	if l.full() {
		return nil
	}
	l.page.CommonPrefixes = append(l.page.CommonPrefixes, cp)
	l.page.Next = cp
	l.n++
	return nil
}

// addKey adds the object in file entry e of dir, whose key is key.
func (l *lister) addKey(dir *os.Root, e entry, key string) error {
	if l.full() {
		return nil
	}
	var info translate.ObjectInfo
	f, _, err := openData(dir, e.name, &info, func() int64 { return info.Size })
	if isNotExist(err) {
		return nil // deleted since the directory was read
	}
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, fmt.Sprintf("fs: listing %q", key))
	}
	f.Close()
	info.Key = key
	l.page.Objects = append(l.page.Objects, info)
	l.page.Next = key
	l.n++
	return nil
}

// full reports whether the page is full, and if so records that one more
// entry exists, which ends the walk.
func (l *lister) full() bool {
	if l.n < l.q.MaxKeys {
		return false
	}
	l.page.Truncated, l.done = true, true
	return true
}

// ListMultipartUploads returns the bucket's uploads whose keys begin with
// q.Prefix, sorted by key, then initiation time, then ID, grouped at
// q.Delimiter, after the marker (q.KeyAfter, q.IDAfter): with an ID, the
// page starts after that upload if it still exists, otherwise after the
// key's uploads with IDs up to q.IDAfter; without one, after every upload
// of keys up to q.KeyAfter. ErrNoSuchBucket.
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string,
	q translate.UploadsQuery) (translate.UploadsPage, error) {
	if err := ctx.Err(); err != nil {
		return translate.UploadsPage{}, cancelled(err)
	}
	root, err := b.openBucket(bucket)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	defer root.Close()
	if q.MaxUploads <= 0 {
		return translate.UploadsPage{}, nil
	}
	ups, err := readUploads(root, bucket, q.Prefix)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	slices.SortFunc(ups, func(x, y translate.UploadInfo) int {
		if c := strings.Compare(x.Key, y.Key); c != 0 {
			return c
		}
		if c := x.Initiated.Compare(y.Initiated); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	start := 0
	if i := slices.IndexFunc(ups, func(u translate.UploadInfo) bool {
		return q.IDAfter != "" && u.Key == q.KeyAfter && u.ID == q.IDAfter
	}); i >= 0 {
		start = i + 1
	} else {
		for start < len(ups) && (ups[start].Key < q.KeyAfter ||
			ups[start].Key == q.KeyAfter && (q.IDAfter == "" || ups[start].ID <= q.IDAfter)) {
			start++
		}
	}

	var page translate.UploadsPage
	n, lastCP := 0, ""
	for _, u := range ups[start:] {
		cp := ""
		if q.Delimiter != "" {
			if i := strings.Index(u.Key[len(q.Prefix):], q.Delimiter); i >= 0 {
				cp = u.Key[:len(q.Prefix)+i+len(q.Delimiter)]
			}
		}
		if cp != "" && (cp == lastCP || cp <= q.KeyAfter) {
			continue
		}
		if n == q.MaxUploads {
			page.Truncated = true
			break
		}
		n++
		if cp != "" {
			lastCP = cp
			page.CommonPrefixes = append(page.CommonPrefixes, cp)
			continue
		}
		page.Uploads = append(page.Uploads, u)
	}
	return page, nil
}

// readUploads reads the state of every upload in bucket (whose directory is
// root) with a key beginning with prefix. Uploads being created or freed
// are skipped.
func readUploads(root *os.Root, bucket, prefix string) ([]translate.UploadInfo, error) {
	d, err := root.Open(uploadsDir)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, translate.Wrap(translate.ErrInternal, err, "fs: listing uploads")
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, translate.Wrap(translate.ErrInternal, err, "fs: listing uploads")
	}
	var ups []translate.UploadInfo
	for _, id := range names {
		if !validUploadID(id) {
			continue
		}
		info, err := readUpload(root, id)
		if err != nil || info.ID != id || info.Bucket != bucket || !strings.HasPrefix(info.Key, prefix) {
			continue // freed meanwhile, or not ours
		}
		if committed(root, id) {
			if c, ok, err := readCompletion(root, id); err == nil && ok && completedOn(root, id, c) {
				continue // its object is in place; only the freeing is left
			}
		}
		ups = append(ups, info)
	}
	return ups, nil
}
