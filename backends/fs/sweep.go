package fs

import (
	"errors"
	iofs "io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/babelgate/babelgate/metrics"
)

// Crash litter. A process killed in the middle of a write leaves:
//
//   - temporary files in a bucket's .tmp (a staged object or part, a
//     half-built upload directory "upload-*"), and a case probe in the
//     root: kind "tmp";
//   - trash: a bucket renamed to .trash-* in the root, or an upload renamed
//     to .tmp/trash-* to be freed, whose removal the kill interrupted, and
//     an upload whose Complete placed the object but was killed before
//     freeing it: kind "trash".
//
// Trash is never read again, so it is always litter, and New removes it
// before doing anything else. A temporary file is litter once no write
// uses it: the sweep removes it when its modification time is older than
// Options.SweepAge and no write of this process holds it open (the
// backend registers every temporary name it creates until it is renamed
// into place or removed). Writes of other processes sharing the root are
// protected by the age alone: a write in progress keeps touching its file.
// What is removed is counted in metrics.FSLitterRemoved and
// metrics.FSLitterRemovedBytes.

const (
	// DefaultSweepAge is the default Options.SweepAge.
	DefaultSweepAge = time.Hour
	// DefaultSweepInterval is the default Options.SweepInterval.
	DefaultSweepInterval = 10 * time.Minute

	kindTmp   = "tmp"
	kindTrash = "trash"

	// trashPrefix names a deleted bucket in the root; uploadTrashPrefix a
	// freed upload in a bucket's .tmp.
	trashPrefix       = ".trash-"
	uploadTrashPrefix = "trash-"
	// probePrefix names New's case-sensitivity probe in the root.
	probePrefix = ".case-probe-"
)

// Swept counts what one sweep removed.
type Swept struct {
	Tmp, Trash           int   // entries removed, by kind
	TmpBytes, TrashBytes int64 // bytes they held
}

// liveNames is the set of temporary and trash names (base names: random,
// so unique in the whole root) that this process is using; the sweep
// leaves them alone.
type liveNames struct {
	mu    sync.Mutex
	names map[string]int
}

// hold marks name as in use until the returned function is called.
func (l *liveNames) hold(name string) (release func()) {
	base := path.Base(name)
	l.mu.Lock()
	if l.names == nil {
		l.names = map[string]int{}
	}
	l.names[base]++
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			if l.names[base]--; l.names[base] <= 0 {
				delete(l.names, base)
			}
			l.mu.Unlock()
		})
	}
}

func (l *liveNames) has(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.names[path.Base(name)] > 0
}

// startSweeper runs Sweep every interval until Close.
func (b *Backend) startSweeper(interval time.Duration) {
	b.stop = make(chan struct{})
	b.stopped = make(chan struct{})
	go func() {
		defer close(b.stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.Sweep()
			}
		}
	}()
}

// Sweep removes crash litter once, best effort: every trash entry, and the
// temporary files older than the sweep age (by the backend's clock) that
// no write of this process uses. It is safe to call concurrently with
// requests; the backend also calls it every Options.SweepInterval.
func (b *Backend) Sweep() Swept {
	var s Swept
	b.sweep(&s, b.now().Add(-b.sweepAge), true)
	return s
}

// sweep removes trash and, with tmp, temporary files modified before
// before, and counts what it removed.
func (b *Backend) sweep(s *Swept, before time.Time, tmp bool) {
	ents, err := readDir(b.root, ".")
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, trashPrefix):
			b.removeLitter(b.root, name, kindTrash, time.Time{}, s)
		case strings.HasPrefix(name, probePrefix):
			if tmp {
				b.removeLitter(b.root, name, kindTmp, before, s)
			}
		case e.IsDir() && validBucket(name):
			r, err := b.root.OpenRoot(name)
			if err != nil {
				continue
			}
			b.sweepBucket(r, s, before, tmp)
			r.Close()
		}
	}
}

// sweepBucket sweeps one bucket's .tmp, and frees its uploads that a
// Complete finished but a crash kept from freeing.
func (b *Backend) sweepBucket(r *os.Root, s *Swept, before time.Time, tmp bool) {
	ents, _ := readDir(r, tmpDir)
	for _, e := range ents {
		name := path.Join(tmpDir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), uploadTrashPrefix):
			b.removeLitter(r, name, kindTrash, time.Time{}, s)
		case tmp:
			b.removeLitter(r, name, kindTmp, before, s)
		}
	}
	ids, _ := readDir(r, uploadsDir)
	for _, e := range ids {
		if id := e.Name(); validUploadID(id) {
			if n, ok := b.freeCompleted(r, id); ok {
				s.Trash++
				s.TrashBytes += n
				metrics.FSLitterRemoved.WithLabelValues(kindTrash).Inc()
				metrics.FSLitterRemovedBytes.WithLabelValues(kindTrash).Add(float64(n))
			}
		}
	}
}

// removeLitter removes name (a file or a directory tree) from r unless
// this process uses it or, with a non-zero before, it was modified at or
// after before; it counts what it removed.
func (b *Backend) removeLitter(r *os.Root, name, kind string, before time.Time, s *Swept) {
	if b.live.has(name) {
		return
	}
	st, err := r.Lstat(name)
	if err != nil || !before.IsZero() && !st.ModTime().Before(before) {
		return
	}
	n := treeSize(r, name, st)
	if err := r.RemoveAll(name); err != nil {
		return
	}
	switch kind {
	case kindTmp:
		s.Tmp++
		s.TmpBytes += n
	default:
		s.Trash++
		s.TrashBytes += n
	}
	metrics.FSLitterRemoved.WithLabelValues(kind).Inc()
	metrics.FSLitterRemovedBytes.WithLabelValues(kind).Add(float64(n))
}

// treeSize returns the bytes of the files at or under name.
func treeSize(r *os.Root, name string, st iofs.FileInfo) int64 {
	if !st.IsDir() {
		return st.Size()
	}
	var n int64
	iofs.WalkDir(r.FS(), name, func(_ string, d iofs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// readDir lists directory name of r; a missing directory is empty.
func readDir(r *os.Root, name string) ([]os.DirEntry, error) {
	d, err := r.Open(name)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	defer d.Close()
	return d.ReadDir(-1)
}
