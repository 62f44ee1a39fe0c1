package fs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// openData opens the object or part file name in root, decodes its header
// into v and checks that the file holds exactly size(v) data bytes after
// it. It returns the file and the data offset; the caller closes the file.
// A missing file is returned as an error for which isNotExist holds.
func openData(root *os.Root, name string, v any, size func() int64) (*os.File, int64, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, 0, err
	}
	off, err := readHeader(f, v)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, ioError(err, "fs: stat "+f.Name())
	}
	if n := size(); n < 0 || st.Size()-off != n {
		f.Close()
		return nil, 0, corrupt(f, fmt.Errorf("%d data bytes, header says %d", st.Size()-off, n))
	}
	return f, off, nil
}

// openObject opens key's object file in the bucket directory root:
// ErrNoSuchKey. It returns the file, the object's description and the
// offset of its data; the caller closes the file.
func openObject(root *os.Root, bucket, key string) (*os.File, translate.ObjectInfo, int64, error) {
	var info translate.ObjectInfo
	file, _ := keyPath(key)
	f, off, err := openData(root, file, &info, func() int64 { return info.Size })
	switch {
	case isNotExist(err):
		return nil, info, 0, noSuchKey(bucket, key)
	case err != nil:
		return nil, info, 0, ioError(err, fmt.Sprintf("fs: opening %s/%q", bucket, key))
	}
	info.Key = key
	return f, info, off, nil
}

// headerReserve returns how many JSON bytes to reserve for a header whose
// provisional form is v, before a body whose checksums are not yet known.
func headerReserve(v any) int {
	js, _ := json.Marshal(v)
	return len(js) + headerSlack
}

// placeholderETag has the length of a real MD5 ETag, for headerReserve.
var placeholderETag = strings.Repeat("0", 32)

// normalizeETag returns an ETag unquoted and lowercase, as stored.
func normalizeETag(etag string) string {
	return strings.ToLower(strings.Trim(etag, `"`))
}

// openKey begins an operation on one key: it fails if ctx is done, then
// on an invalid key (checkKey), then opens the bucket (ErrNoSuchBucket).
// The caller closes the root.
func (b *Backend) openKey(ctx context.Context, bucket, key string) (*os.Root, error) {
	if err := ctx.Err(); err != nil {
		return nil, cancelled(err)
	}
	if err := checkKey(bucket, key); err != nil {
		return nil, err
	}
	return b.openBucket(bucket)
}

// HeadObject describes an object: ErrNoSuchBucket, ErrNoSuchKey.
func (b *Backend) HeadObject(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	root, err := b.openKey(ctx, bucket, key)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer root.Close()
	f, info, _, err := openObject(root, bucket, key)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	f.Close()
	return info, nil
}

// objectBody reads a section of an open object file and closes the file.
type objectBody struct {
	*io.SectionReader
	f *os.File
}

func (o *objectBody) Close() error { return o.f.Close() }

// WriteTo implements io.WriterTo: it hands w the file itself, positioned at
// the section and limited to it, so that a writer down to net/http's
// connection lets the kernel send the bytes (sendfile) instead of copying
// them through user space. The file is this body's own (opened per read).
func (o *objectBody) WriteTo(w io.Writer) (int64, error) {
	off, _ := o.Seek(0, io.SeekCurrent)
	_, base, length := o.Outer()
	if _, err := o.f.Seek(base+off, io.SeekStart); err != nil {
		return 0, ioError(err, "fs: seeking object file")
	}
	n, err := io.Copy(w, &io.LimitedReader{R: o.f, N: length - off})
	o.Seek(off+n, io.SeekStart)
	return n, err
}

// GetObject opens an object, or the range rng of it: ErrNoSuchBucket,
// ErrNoSuchKey, ErrInvalidRange for a range outside the object. The
// returned body reads from the file opened once, so it yields one version
// even if the object is overwritten or deleted meanwhile.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, rng *translate.Range) (*translate.Object, error) {
	root, err := b.openKey(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, info, off, err := openObject(root, bucket, key)
	if err != nil {
		return nil, err
	}
	start, length := int64(0), info.Size
	if rng != nil {
		if err := checkRange(rng, info.Size); err != nil {
			f.Close()
			return nil, err
		}
		r := *rng
		rng = &r
		start, length = r.Start, r.Length
	}
	return &translate.Object{
		Info:  info,
		Range: rng,
		Body:  &objectBody{SectionReader: io.NewSectionReader(f, off+start, length), f: f},
	}, nil
}

// checkRange returns ErrInvalidRange unless rng lies within size bytes.
func checkRange(rng *translate.Range, size int64) error {
	if rng.Start < 0 || rng.Length < 0 || rng.Start > size || rng.Length > size-rng.Start {
		return translate.Errorf(translate.ErrInvalidRange,
			"range %d+%d is outside the object's %d bytes", rng.Start, rng.Length, size)
	}
	return nil
}

// PutObject stores body under key, replacing any object there, by one
// rename of a complete temporary file: readers see the old object or the
// new one. If body fails (see translate.Body), the temporary file is
// removed, the old object stays, and body's error is returned unchanged.
// ErrNoSuchBucket.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, body *translate.Body,
	meta translate.Metadata) (translate.ObjectInfo, error) {
	return b.putObject(ctx, bucket, key, body, meta, translate.WriteCond{})
}

func (b *Backend) putObject(ctx context.Context, bucket, key string, body *translate.Body,
	meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	root, err := b.openKey(ctx, bucket, key)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer root.Close()

	info := translate.ObjectInfo{Key: key, Size: math.MaxInt64, ETag: placeholderETag,
		LastModified: time.Now().UTC(), Metadata: meta.Clone()}
	reserve := headerReserve(info)
	s, err := b.newStaged(root)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer s.discard()
	what := fmt.Sprintf("object %s/%q", bucket, key)
	sums, err := s.writeBody(ctx, body, reserve, what)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	info.Size, info.ETag, info.LastModified = sums.Size, sums.ETag(), time.Now().UTC()
	if len(sums.Checksum) > 0 {
		info.Checksum, info.ChecksumType = sums.Checksum.Clone(), translate.ChecksumFullObject
	}
	if err := s.setHeader(info, reserve, sums.Size, what); err != nil {
		return translate.ObjectInfo{}, err
	}
	if err := b.commitObject(s, root, bucket, key, cond); err != nil {
		return translate.ObjectInfo{}, err
	}
	return info, nil
}

// CopyObject copies src to dst atomically as PutObject stores, with meta
// replacing the source's metadata and the source's ETag, checksums and
// part sizes kept. It reads the source from one open file, so copying an
// object onto itself (to replace its metadata) is safe. ErrNoSuchBucket
// (either bucket), ErrNoSuchKey (the source).
func (b *Backend) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string,
	meta translate.Metadata) (translate.ObjectInfo, error) {
	return b.copyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, translate.WriteCond{})
}

func (b *Backend) copyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string,
	meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return translate.ObjectInfo{}, cancelled(err)
	}
	if err := checkKey(srcBucket, srcKey); err != nil {
		return translate.ObjectInfo{}, err
	}
	if err := checkKey(dstBucket, dstKey); err != nil {
		return translate.ObjectInfo{}, err
	}
	srcRoot, err := b.openBucket(srcBucket)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer srcRoot.Close()
	src, info, off, err := openObject(srcRoot, srcBucket, srcKey)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer src.Close()
	dstRoot, err := b.openBucket(dstBucket)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer dstRoot.Close()

	info.Key, info.Metadata, info.LastModified = dstKey, meta.Clone(), time.Now().UTC()
	info.CompletedBy = "" // a copy was made by no Complete
	hdr, err := encodeHeader(info, 0)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	s, err := b.newStaged(dstRoot)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer s.discard()
	what := fmt.Sprintf("%s/%q to %s/%q", srcBucket, srcKey, dstBucket, dstKey)
	if _, err := s.f.Write(hdr); err != nil {
		return translate.ObjectInfo{}, ioError(err, "fs: copying "+what)
	}
	if _, err := src.Seek(off, io.SeekStart); err != nil {
		return translate.ObjectInfo{}, ioError(err, "fs: copying "+what)
	}
	if err := s.copyFile(ctx, src, info.Size, what); err != nil {
		return translate.ObjectInfo{}, err
	}
	if err := b.commitObject(s, dstRoot, dstBucket, dstKey, cond); err != nil {
		return translate.ObjectInfo{}, err
	}
	return info, nil
}

// DeleteObject removes key's object file, then, best effort, the parent
// directories it leaves empty. Deleting a missing key succeeds.
// ErrNoSuchBucket.
func (b *Backend) DeleteObject(ctx context.Context, bucket, key string) error {
	root, err := b.openKey(ctx, bucket, key)
	if err != nil {
		return err
	}
	defer root.Close()
	file, dirs := keyPath(key)
	unlock, err := lockKey(root, key)
	if err != nil {
		return err
	}
	err = root.Remove(file)
	unlock()
	if err != nil && !isNotExist(err) {
		return ioError(err, fmt.Sprintf("fs: deleting %s/%q", bucket, key))
	}
	pruneDirs(root, dirs)
	return nil
}

// pruneDirs removes, deepest first, the directories of dirs (an object's
// parent chain from keyPath) that are empty, stopping at the first that is
// not. It opens the chain once, so a deep key costs one open per level.
// A concurrent writer whose parent vanishes retries (see staged.commit).
func pruneDirs(root *os.Root, dirs []string) {
	if len(dirs) == 0 {
		return
	}
	chain := []*os.Root{root} // chain[i] is the parent of dirs[i]
	defer func() {
		for _, r := range chain[1:] {
			r.Close()
		}
	}()
	for _, d := range dirs[:len(dirs)-1] {
		r, err := chain[len(chain)-1].OpenRoot(path.Base(d))
		if err != nil {
			break
		}
		chain = append(chain, r)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if err := chain[i].Remove(path.Base(dirs[i])); err != nil && !isNotExist(err) {
			return // not empty (or not ours to remove): its parents are not empty either
		}
	}
}
