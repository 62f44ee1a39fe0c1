// Package fs is babelgate's embedded default backend: buckets are
// directories under one root directory, objects are files in them.
//
// Layout under Options.Root:
//
//	<bucket>/                    a bucket (names beginning with '.' are never buckets)
//	<bucket>/.bucket.json        its creation time
//	<bucket>/.tmp/               temporary files, renamed into place to commit
//	<bucket>/.uploads/<id>/      one multipart upload: upload.json and part-NNNNN files;
//	                             while it completes, complete.json and object (complete.go)
//	<bucket>/<pieces>.d/.../<piece>.o  an object (see path.go for the key mapping)
//	.trash-<random>/             a deleted bucket whose removal was interrupted
//
// A crash can leave files in a bucket's .tmp and .trash-* directories; they
// are never read: New removes the trash first, and a sweep running every
// Options.SweepInterval removes the temporary files no write has touched
// for Options.SweepAge (see sweep.go).
//
// An object file holds a small header (the object's ObjectInfo as JSON)
// followed by the data (see format.go), so an object's bytes and its
// description are committed together by one atomic rename, and a reader
// that opened the file sees one version whatever happens to the name.
//
// Every access inside a bucket goes through an os.Root, so no key, upload ID
// or bucket name can reach outside the root, and paths deeper than PATH_MAX
// work. The backend keeps no state in memory: several processes may share
// one root on one machine.
package fs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"

	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/translate"
)

// Options configure an fs backend (`type: fs` in config).
type Options struct {
	// Root is the directory holding the buckets. Required; created if
	// missing.
	Root string `yaml:"root"`
	// Fsync makes every commit durable before it is acknowledged: the file
	// is synced before its rename and the directory after. Default true.
	Fsync bool `yaml:"fsync"`
	// SweepInterval is how often the running backend removes crash
	// litter (see sweep.go). Default 10m; a negative value disables the
	// running sweep (New still sweeps once).
	SweepInterval time.Duration `yaml:"sweep_interval"`
	// SweepAge is how long a temporary file must have gone unmodified,
	// with no write of this process using it, before a sweep removes it.
	// Default 1h.
	SweepAge time.Duration `yaml:"sweep_age"`
	// Now is the clock the sweep judges ages by; nil means time.Now. For
	// tests.
	Now func() time.Time `yaml:"-"`
}

// Backend is a translate.Backend over a directory tree. It is safe for
// concurrent use.
type Backend struct {
	root     *os.Root
	fsync    bool
	now      func() time.Time
	sweepAge time.Duration
	// live holds the temporary and trash names in use (see sweep.go).
	live liveNames
	// stop ends the running sweep; stopped is closed once it has ended.
	stop, stopped chan struct{}
	// hook, if set, is called at each step of a Complete and stops it
	// with its error, as a crash would: for tests (see complete.go).
	hook func(step string) error
}

var _ translate.Backend = (*Backend)(nil)

func init() {
	backends.Register(backends.Info{
		Type:       "fs",
		NewOptions: func() any { return &Options{Fsync: true} },
		New: func(_ context.Context, name string, options any) (translate.Backend, error) {
			opts, ok := options.(*Options)
			if !ok || opts == nil {
				return nil, fmt.Errorf("fs backend %q: options are %T, want *fs.Options", name, options)
			}
			b, err := New(*opts)
			if err != nil {
				return nil, fmt.Errorf("backend %q: %w", name, err)
			}
			return b, nil
		},
	})
}

// New opens (creating if needed) the directory opts.Root as a backend. It
// removes crash trash before anything else, refuses a root on a
// case-insensitive file system, where keys that differ only in case would
// overwrite each other, sweeps old temporary files, and starts the running
// sweep.
func New(opts Options) (*Backend, error) {
	if opts.Root == "" {
		return nil, errors.New("fs: root is required")
	}
	if opts.SweepAge < 0 {
		return nil, fmt.Errorf("fs: sweep_age %v is negative", opts.SweepAge)
	}
	if err := os.MkdirAll(opts.Root, dirPerm); err != nil {
		return nil, fmt.Errorf("fs: creating root: %w", err)
	}
	root, err := os.OpenRoot(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("fs: opening root: %w", err)
	}
	b := &Backend{root: root, fsync: opts.Fsync, now: opts.Now, sweepAge: opts.SweepAge}
	if b.now == nil {
		b.now = time.Now
	}
	if b.sweepAge == 0 {
		b.sweepAge = DefaultSweepAge
	}
	var swept Swept
	b.sweep(&swept, time.Time{}, false) // trash first: it frees space
	if err := checkCaseSensitive(root); err != nil {
		root.Close()
		return nil, err
	}
	b.Sweep()
	interval := opts.SweepInterval
	if interval == 0 {
		interval = DefaultSweepInterval
	}
	if interval > 0 {
		b.startSweeper(interval)
	}
	return b, nil
}

// Close stops the running sweep and releases the root directory. The
// Backend must not be used after.
func (b *Backend) Close() error {
	if b.stop != nil {
		close(b.stop)
		<-b.stopped
		b.stop = nil
	}
	return b.root.Close()
}

// checkCaseSensitive fails if root's file system folds case.
func checkCaseSensitive(root *os.Root) error {
	probe := probePrefix + randomHex(8) // lowercase hex
	f, err := root.OpenFile(probe, os.O_CREATE|os.O_EXCL|os.O_WRONLY, filePerm)
	if err != nil {
		return fmt.Errorf("fs: root %s is not writable: %w", root.Name(), err)
	}
	f.Close()
	defer root.Remove(probe)
	if _, err := root.Lstat(strings.ToUpper(probe)); err == nil {
		return fmt.Errorf("fs: root %s is on a case-insensitive file system, "+
			"where keys differing only in case would collide", root.Name())
	}
	return nil
}

// bucketMetaFile records a bucket's creation time.
const bucketMetaFile = ".bucket.json"

type bucketMeta struct {
	Created time.Time `json:"created"`
}

// maxKeyLen is the longest key accepted; the engine enforces it first.
const maxKeyLen = 1024

// validBucket reports whether name can be a bucket directory. The engine
// validates bucket names per dialect; this only keeps the backend safe.
func validBucket(name string) bool {
	return name != "" && len(name) <= 255 && name[0] != '.' &&
		!strings.ContainsAny(name, "/\\\x00")
}

// checkKey rejects keys that the engine should already have refused.
func checkKey(bucket, key string) error {
	switch {
	case key == "":
		return &translate.Error{Code: translate.ErrInvalidKey, Bucket: bucket, Message: "the key is empty"}
	case len(key) > maxKeyLen:
		return &translate.Error{Code: translate.ErrKeyTooLong, Bucket: bucket, Key: key,
			Message: fmt.Sprintf("the key is %d bytes, over %d", len(key), maxKeyLen)}
	}
	return nil
}

// openBucket opens bucket's directory: ErrInvalidBucketName,
// ErrNoSuchBucket. The caller closes it.
func (b *Backend) openBucket(bucket string) (*os.Root, error) {
	if !validBucket(bucket) {
		return nil, &translate.Error{Code: translate.ErrInvalidBucketName, Bucket: bucket,
			Message: "the bucket name is not valid"}
	}
	r, err := b.root.OpenRoot(bucket)
	switch {
	case isNotExist(err):
		return nil, noSuchBucket(bucket)
	case err != nil:
		return nil, ioError(err, "fs: opening bucket "+bucket)
	}
	return r, nil
}

// ListBuckets returns every bucket directory, sorted by name.
func (b *Backend) ListBuckets(ctx context.Context) ([]translate.BucketInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, cancelled(err)
	}
	d, err := b.root.Open(".")
	if err != nil {
		return nil, ioError(err, "fs: opening the root")
	}
	defer d.Close()
	ents, err := d.ReadDir(-1)
	if err != nil {
		return nil, ioError(err, "fs: reading the root")
	}
	var out []translate.BucketInfo
	for _, e := range ents {
		if !e.IsDir() || !validBucket(e.Name()) {
			continue
		}
		r, err := b.root.OpenRoot(e.Name())
		if err != nil {
			continue // deleted meanwhile
		}
		out = append(out, translate.BucketInfo{Name: e.Name(), Created: bucketCreated(r)})
		r.Close()
	}
	slices.SortFunc(out, func(x, y translate.BucketInfo) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// bucketCreated returns the creation time recorded in the bucket, or the
// directory's modification time if there is no record.
func bucketCreated(r *os.Root) time.Time {
	if data, err := r.ReadFile(bucketMetaFile); err == nil {
		var m bucketMeta
		if json.Unmarshal(data, &m) == nil && !m.Created.IsZero() {
			return m.Created
		}
	}
	if st, err := r.Stat("."); err == nil {
		return st.ModTime().UTC()
	}
	return time.Time{}
}

// CreateBucket makes the bucket directory: ErrBucketAlreadyOwnedByYou if
// it exists, ErrInvalidBucketName for names the backend cannot hold.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	if err := ctx.Err(); err != nil {
		return cancelled(err)
	}
	if !validBucket(bucket) {
		return &translate.Error{Code: translate.ErrInvalidBucketName, Bucket: bucket, Message: "the bucket name is not valid"}
	}
	err := b.root.Mkdir(bucket, dirPerm)
	switch {
	case errors.Is(err, iofs.ErrExist):
		return &translate.Error{Code: translate.ErrBucketAlreadyOwnedByYou, Bucket: bucket,
			Message: "the bucket already exists"}
	case err != nil:
		return ioError(err, "fs: creating bucket "+bucket)
	}
	r, err := b.openBucket(bucket)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, d := range []string{tmpDir, uploadsDir} {
		if err := r.Mkdir(d, dirPerm); err != nil && !errors.Is(err, iofs.ErrExist) {
			return ioError(err, "fs: creating bucket "+bucket)
		}
	}
	// Committing the record syncs the bucket directory, and with it the
	// entries above.
	data, _ := json.Marshal(bucketMeta{Created: time.Now().UTC()})
	s, err := b.newStaged(r)
	if err != nil {
		return err
	}
	defer s.discard()
	if _, err := s.f.Write(data); err != nil {
		return ioError(err, "fs: writing the record of bucket "+bucket)
	}
	if err := s.commit(bucketMetaFile, false); err != nil {
		return err
	}
	if b.fsync {
		return syncDir(b.root, ".")
	}
	return nil
}

// HeadBucket describes the bucket: ErrNoSuchBucket.
func (b *Backend) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	if err := ctx.Err(); err != nil {
		return translate.BucketInfo{}, cancelled(err)
	}
	r, err := b.openBucket(bucket)
	if err != nil {
		return translate.BucketInfo{}, err
	}
	defer r.Close()
	return translate.BucketInfo{Name: bucket, Created: bucketCreated(r)}, nil
}

// DeleteBucket removes a bucket that holds no object, with its uploads and
// temporary files: ErrNoSuchBucket, ErrBucketNotEmpty. The bucket leaves
// the namespace by one rename to a hidden name in the root before its
// contents are removed. An object put concurrently with the deletion may
// be lost with the bucket.
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	r, err := b.openBucket(bucket)
	if err != nil {
		return err
	}
	has, err := hasObject(ctx, r)
	r.Close()
	switch {
	case err != nil:
		return err
	case has:
		return &translate.Error{Code: translate.ErrBucketNotEmpty, Bucket: bucket,
			Message: "the bucket you tried to delete is not empty"}
	}
	trash := trashPrefix + randomHex(12)
	release := b.live.hold(trash)
	defer release()
	err = b.root.Rename(bucket, trash)
	switch {
	case isNotExist(err):
		return noSuchBucket(bucket)
	case err != nil:
		return ioError(err, "fs: deleting bucket "+bucket)
	}
	if err := b.root.RemoveAll(trash); err != nil {
		return ioError(err, "fs: removing the contents of deleted bucket "+bucket)
	}
	return nil
}

// isNotExist reports whether err means a path (or one of its parents) is
// missing.
func isNotExist(err error) bool {
	return err != nil && (errors.Is(err, iofs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR))
}

func noSuchBucket(bucket string) error {
	return &translate.Error{Code: translate.ErrNoSuchBucket, Bucket: bucket,
		Message: "the specified bucket does not exist"}
}

func noSuchKey(bucket, key string) error {
	return &translate.Error{Code: translate.ErrNoSuchKey, Bucket: bucket, Key: key,
		Message: "the specified key does not exist"}
}

func noSuchUpload(bucket, key string) error {
	return &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Key: key,
		Message: "the specified upload does not exist"}
}

// cancelled wraps a context's error; errors.Is still finds it.
func cancelled(err error) error {
	return ioError(err, "fs: request cancelled")
}
