package fs

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/babelgate/babelgate/translate"
)

// Object files and part files share one format, so that an object's bytes
// and its description are committed together by one rename:
//
//	magic   the line "babelgate-fs 1\n"
//	length  uint32, big-endian: n
//	header  n bytes of JSON (ObjectInfo or PartInfo), possibly padded with
//	        trailing spaces
//	data    the object's or part's bytes, exactly its Size
const magic = "babelgate-fs 1\n"

const (
	// prefixLen is the length of the magic line and the length field.
	prefixLen = len(magic) + 4
	// maxHeaderJSON bounds the header a reader accepts, so a corrupt
	// length cannot make it allocate without limit.
	maxHeaderJSON = 16 << 20
	// headerSlack is the room reserved, on top of the header's JSON before
	// the body is read, for what is known only afterwards (checksums).
	headerSlack = 1024

	filePerm = 0o600
	dirPerm  = 0o700

	// tmpDir holds a bucket's temporary files and trash.
	tmpDir = ".tmp"
	// renameAttempts bounds the retries of a rename whose parent directory
	// a concurrent delete removed.
	renameAttempts = 5
	// copyChunk is how much data a server-side copy moves between checks of
	// the context.
	copyChunk = 64 << 20
)

// encodeHeader returns the magic line, length and JSON of v, the JSON
// padded with spaces to at least minJSON bytes.
func encodeHeader(v any, minJSON int) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, ioError(err, "fs: encoding a header")
	}
	n := max(len(js), minJSON)
	if n > maxHeaderJSON {
		return nil, translate.Errorf(translate.ErrInternal, "fs: header of %d bytes is too large", n)
	}
	buf := make([]byte, prefixLen+n)
	copy(buf, magic)
	binary.BigEndian.PutUint32(buf[len(magic):], uint32(n))
	copy(buf[prefixLen:], js)
	for i := prefixLen + len(js); i < len(buf); i++ {
		buf[i] = ' '
	}
	return buf, nil
}

// readHeader decodes the header at the start of f into v and returns the
// offset of the data. It reads with ReadAt and leaves f's offset alone.
func readHeader(f *os.File, v any) (int64, error) {
	var pre [prefixLen]byte
	if _, err := f.ReadAt(pre[:], 0); err != nil {
		return 0, corrupt(f, err)
	}
	if string(pre[:len(magic)]) != magic {
		return 0, corrupt(f, errors.New("bad magic"))
	}
	n := binary.BigEndian.Uint32(pre[len(magic):])
	if n > maxHeaderJSON {
		return 0, corrupt(f, fmt.Errorf("header length %d", n))
	}
	js := make([]byte, n)
	if _, err := f.ReadAt(js, int64(prefixLen)); err != nil {
		return 0, corrupt(f, err)
	}
	if err := json.Unmarshal(js, v); err != nil {
		return 0, corrupt(f, err)
	}
	return int64(prefixLen) + int64(n), nil
}

func corrupt(f *os.File, err error) error {
	return ioError(err, "fs: corrupt file "+f.Name())
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b)
}

// replaceFile makes data the file dir/name in root by one rename of the
// temporary file dir/tmp (written whole, synced first when the backend
// syncs, and removed on failure), then syncs dir. It is for small files
// written at once (bucket documents, an upload's completion); what begins
// the error message.
func (b *Backend) replaceFile(root *os.Root, dir, name, tmp string, data []byte, what string) error {
	tmp, name = path.Join(dir, tmp), path.Join(dir, name)
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, filePerm)
	if err != nil {
		return ioError(err, what)
	}
	_, err = f.Write(data)
	if err == nil && b.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		root.Remove(tmp)
		return ioError(err, what)
	}
	if b.fsync {
		return syncDir(root, dir)
	}
	return nil
}

// staged is a temporary file in a bucket's .tmp directory that becomes an
// object or a part by one rename. Until commit, nothing in the bucket's
// key tree or upload state has changed; discard removes it.
type staged struct {
	b    *Backend
	root *os.Root // the bucket directory
	name string   // path relative to root
	f    *os.File // nil once committed or discarded
	// release ends the sweep's protection of name (see sweep.go).
	release func()
	fsync   bool
}

// newStaged creates an empty temporary file in root's .tmp directory,
// creating the directory if needed, which the sweep leaves alone until it
// is committed or discarded.
func (b *Backend) newStaged(root *os.Root) (*staged, error) {
	name := path.Join(tmpDir, randomHex(12)+".tmp")
	release := b.live.hold(name)
	f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, filePerm)
	if isNotExist(err) {
		if err = root.MkdirAll(tmpDir, dirPerm); err == nil {
			f, err = root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, filePerm)
		}
	}
	if err != nil {
		release()
		return nil, ioError(err, "fs: creating a temporary file")
	}
	return &staged{b: b, root: root, name: name, f: f, release: release, fsync: b.fsync}, nil
}

// discard closes and removes the temporary file. It is a no-op after
// commit, so callers may defer it.
func (s *staged) discard() {
	if s.f == nil {
		return
	}
	s.f.Close()
	s.f = nil
	s.root.Remove(s.name)
	s.release()
}

// ioError wraps an error of the file system: ErrInsufficientStorage when
// the disk or the quota is full (ENOSPC, EDQUOT), so that the client gets
// an answer it does not retry at once, otherwise ErrInternal.
func ioError(err error, message string) *translate.Error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		// The dialect's own message names the cause; the path stays in the log.
		return &translate.Error{Code: translate.ErrInsufficientStorage, Err: fmt.Errorf("%s: %w", message, err)}
	}
	return translate.Wrap(translate.ErrInternal, err, message)
}

// trackingReader remembers the first error of r other than io.EOF, so that
// a failed copy can tell the body's errors (returned unchanged) from write
// errors, and stops with the context's error once ctx is done.
type trackingReader struct {
	ctx context.Context
	r   io.Reader
	err error
}

func (t *trackingReader) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	if err := t.ctx.Err(); err != nil {
		t.err = cancelled(err)
		return 0, t.err
	}
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// copyFrom copies all of r into the file at its current offset. An error
// of r is returned unchanged; a write error is wrapped with what.
func (s *staged) copyFrom(ctx context.Context, r io.Reader, what string) (int64, error) {
	tr := &trackingReader{ctx: ctx, r: r}
	// One pooled buffer of translate.CopyBufferSize (io.Copy would take
	// 32 KiB: *os.File's ReadFrom has no kernel path from a request body).
	n, err := translate.CopyPooled(s.f, tr)
	if tr.err != nil {
		return n, tr.err
	}
	if err != nil {
		return n, ioError(err, "fs: writing "+what)
	}
	return n, nil
}

// copyFile copies size bytes of src from its current offset into the file
// at its current offset, in chunks between which it checks ctx. Between
// two *os.File values io.CopyN lets the kernel copy (copy_file_range).
func (s *staged) copyFile(ctx context.Context, src *os.File, size int64, what string) error {
	return copyFileData(ctx, s.f, src, size, what)
}

// copyFileData copies size bytes from src's offset to dst's, in chunks
// between which it checks ctx. io.CopyN between two *os.File reaches
// (*os.File).ReadFrom with an *io.LimitedReader around src, which Linux
// serves with copy_file_range: the kernel copies, sharing extents on file
// systems that can (btrfs, XFS), and no byte passes through user space.
func copyFileData(ctx context.Context, dst, src *os.File, size int64, what string) error {
	for size > 0 {
		if err := ctx.Err(); err != nil {
			return cancelled(err)
		}
		n := min(size, copyChunk)
		if _, err := io.CopyN(dst, src, n); err != nil {
			return ioError(err, "fs: copying "+what)
		}
		size -= n
	}
	return nil
}

// writeBody reserves room for a header of reserve JSON bytes, then streams
// body after it. It obeys Body's contract: it returns the body's error
// unchanged, and the sums only once the body has ended verified.
func (s *staged) writeBody(ctx context.Context, body *translate.Body, reserve int, what string) (translate.Sums, error) {
	if body == nil {
		return translate.Sums{}, translate.Errorf(translate.ErrInternal, "fs: %s: no body", what)
	}
	if _, err := s.f.Seek(int64(prefixLen+reserve), io.SeekStart); err != nil {
		return translate.Sums{}, ioError(err, "fs: writing "+what)
	}
	if _, err := s.copyFrom(ctx, body, what); err != nil {
		return translate.Sums{}, err
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.Sums{}, translate.Errorf(translate.ErrInternal, "fs: %s: body ended unverified", what)
	}
	return sums, nil
}

// setHeader writes v as the header into the room that writeBody reserved,
// whose data is size bytes long. If the header does not fit it rewrites
// the file under a bigger header.
func (s *staged) setHeader(v any, reserve int, size int64, what string) error {
	hdr, err := encodeHeader(v, reserve)
	if err != nil {
		return err
	}
	if len(hdr) == prefixLen+reserve {
		if _, err := s.f.WriteAt(hdr, 0); err != nil {
			return ioError(err, "fs: writing the header of "+what)
		}
		return nil
	}
	bigger, err := s.b.newStaged(s.root)
	if err != nil {
		return err
	}
	if _, err := bigger.f.Write(hdr); err != nil {
		bigger.discard()
		return ioError(err, "fs: writing the header of "+what)
	}
	data := io.NewSectionReader(s.f, int64(prefixLen+reserve), size)
	if _, err := bigger.copyFrom(context.Background(), data, what); err != nil {
		bigger.discard()
		return err
	}
	s.discard()
	*s = *bigger
	return nil
}

// commit makes the file durable (when fsync is on) and renames it to dst.
// With mkdirs it first creates dst's parent directories, and retries when a
// concurrent delete removed one of them before the rename; without, a
// missing parent fails at once (isNotExist reports it, for callers to map,
// e.g. to NoSuchUpload). On failure the temporary file is removed.
//
// With fsync, the file is synced before the rename and dst's directory
// after it; when parent directories had to be created, every directory up
// to the bucket is synced, so that the new entries survive a crash too.
func (s *staged) commit(dst string, mkdirs bool) error {
	defer s.discard()
	if s.fsync {
		if err := s.f.Sync(); err != nil {
			return ioError(err, "fs: syncing a temporary file")
		}
	}
	if err := s.f.Close(); err != nil {
		s.f = nil
		s.root.Remove(s.name)
		s.release()
		return ioError(err, "fs: closing a temporary file")
	}
	s.f = nil
	defer s.release()
	renamed, err := renameInto(s.root, s.name, dst, mkdirs, s.fsync)
	if !renamed {
		s.root.Remove(s.name)
	}
	return err
}

// renameInto renames the file src of root to dst, as staged.commit
// describes, and then syncs the directories it changed when fsync is set.
// renamed reports whether the rename happened (err may still report a
// failed sync).
func renameInto(root *os.Root, src, dst string, mkdirs, fsync bool) (renamed bool, err error) {
	parent := path.Dir(dst)
	created := false
	for range renameAttempts {
		if mkdirs && parent != "." {
			if _, serr := root.Stat(parent); isNotExist(serr) {
				created = true
				if err = root.MkdirAll(parent, dirPerm); err != nil {
					continue
				}
			}
		}
		if err = root.Rename(src, dst); err == nil || !mkdirs || !isNotExist(err) {
			break
		}
	}
	if err != nil {
		return false, ioError(err, "fs: renaming a temporary file into place")
	}
	switch {
	case !fsync:
		return true, nil
	case created:
		return true, syncChain(root, parent)
	}
	return true, syncDir(root, parent)
}

// syncChain fsyncs every directory from root down to dir (a slash-separated
// path relative to root), opening each once: one open per level however
// deep dir is.
func syncChain(root *os.Root, dir string) error {
	var names []string
	if dir != "." {
		names = strings.Split(dir, "/")
	}
	cur := root
	release := func() {
		if cur != root {
			cur.Close()
		}
	}
	defer release()
	for i := 0; ; i++ {
		if err := syncDir(cur, "."); err != nil || i == len(names) {
			return err
		}
		next, err := cur.OpenRoot(names[i])
		if isNotExist(err) {
			return nil // removed by a concurrent delete: nothing left to sync
		}
		if err != nil {
			return ioError(err, "fs: opening a directory to sync")
		}
		release()
		cur = next
	}
}

// syncDir fsyncs directory name of root, making a rename into it durable.
// A directory that no longer exists (a concurrent delete emptied and
// removed it) has nothing left to make durable.
func syncDir(root *os.Root, name string) error {
	d, err := root.Open(name)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return ioError(err, "fs: opening a directory to sync")
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return ioError(err, "fs: syncing a directory")
	}
	return nil
}
