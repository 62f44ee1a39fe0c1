package fs

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// An upload lives in <bucket>/.uploads/<id>/: upload.json holds its
// UploadInfo and part-NNNNN its parts, each in the object file format with
// a PartInfo header. The directory appears whole by one rename from .tmp,
// parts are committed by renaming a temporary file over part-NNNNN, and
// Complete and Abort free it by renaming it back into .tmp before removing
// it, so every step is atomic and the state survives restarts.
const (
	uploadsDir = ".uploads"
	uploadFile = "upload.json"
	// idBytes is the length of an upload ID before hex encoding.
	idBytes = 16
	// maxPartNumber bounds part numbers; the engine applies each
	// dialect's own range first.
	maxPartNumber = 10000
	partPrefix    = "part-"
)

// uploadPath returns the upload directory of id.
func uploadPath(id string) string { return uploadsDir + "/" + id }

// partPath returns the file of part number n of upload id.
func partPath(id string, n int) string {
	return fmt.Sprintf("%s/%s%05d", uploadPath(id), partPrefix, n)
}

// validUploadID reports whether id has the form this backend hands out, so
// that nothing else ever reaches the file system.
func validUploadID(id string) bool {
	if len(id) != 2*idBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// parsePartName returns the number of a part file name, or false.
func parsePartName(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, partPrefix)
	if !ok || len(digits) != 5 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, false
	}
	return n, true
}

// openUpload opens the bucket of upload id and reads the upload's state:
// ErrNoSuchUpload if the ID is malformed, the bucket or upload is missing,
// the upload belongs to another bucket or key, or its Complete already
// placed the object (see complete.go). The caller closes the returned
// root.
func (b *Backend) openUpload(bucket, key, id string) (*os.Root, translate.UploadInfo, error) {
	root, info, err := b.openUploadState(bucket, key, id)
	if err != nil || !committed(root, id) {
		return root, info, err
	}
	if c, ok, err := readCompletion(root, id); err != nil || ok && completedOn(root, id, c) {
		root.Close()
		if err == nil {
			err = noSuchUpload(bucket, key)
		}
		return nil, translate.UploadInfo{}, err
	}
	return root, info, nil
}

// openUploadState is openUpload for an upload in any state.
func (b *Backend) openUploadState(bucket, key, id string) (*os.Root, translate.UploadInfo, error) {
	if !validUploadID(id) || checkKey(bucket, key) != nil || !validBucket(bucket) {
		return nil, translate.UploadInfo{}, noSuchUpload(bucket, key)
	}
	root, err := b.openBucket(bucket)
	if err != nil {
		if translate.CodeOf(err) == translate.ErrNoSuchBucket {
			return nil, translate.UploadInfo{}, noSuchUpload(bucket, key)
		}
		return nil, translate.UploadInfo{}, err
	}
	info, err := readUpload(root, id)
	if err == nil && (info.Bucket != bucket || info.Key != key || info.ID != id) {
		err = noSuchUpload(bucket, key)
	}
	if err != nil {
		root.Close()
		if isNotExist(err) {
			err = noSuchUpload(bucket, key)
		}
		return nil, translate.UploadInfo{}, err
	}
	return root, info, nil
}

// readUpload reads upload.json of upload id. A missing upload is an error
// for which isNotExist holds.
func readUpload(root *os.Root, id string) (translate.UploadInfo, error) {
	var info translate.UploadInfo
	data, err := root.ReadFile(uploadPath(id) + "/" + uploadFile)
	if err != nil {
		return info, ioError(err, "fs: reading upload "+id)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, ioError(err, "fs: corrupt upload "+id)
	}
	return info, nil
}

// freeUpload removes upload id: it renames the directory into .tmp, so the
// upload is gone at once, then removes it. ErrNoSuchUpload if it is
// already gone.
func (b *Backend) freeUpload(root *os.Root, bucket, key, id string) error {
	trash := path.Join(tmpDir, uploadTrashPrefix+randomHex(12))
	release := b.live.hold(trash)
	defer release()
	err := root.Rename(uploadPath(id), trash)
	if isNotExist(err) {
		if err = root.MkdirAll(tmpDir, dirPerm); err == nil {
			err = root.Rename(uploadPath(id), trash)
		}
	}
	switch {
	case isNotExist(err):
		return noSuchUpload(bucket, key)
	case err != nil:
		return ioError(err, "fs: freeing upload "+id)
	}
	if err := root.RemoveAll(trash); err != nil {
		return ioError(err, "fs: removing freed upload "+id)
	}
	return nil
}

// CreateMultipartUpload records a new upload of info.Key in info.Bucket
// and returns its ID: 16 random bytes in hex. ErrNoSuchBucket.
func (b *Backend) CreateMultipartUpload(ctx context.Context, info translate.UploadInfo) (string, error) {
	root, err := b.openKey(ctx, info.Bucket, info.Key)
	if err != nil {
		return "", err
	}
	defer root.Close()
	info.ID = randomHex(idBytes)
	info.Metadata = info.Metadata.Clone()
	if info.Initiated.IsZero() {
		info.Initiated = time.Now()
	}
	info.Initiated = info.Initiated.UTC()
	data, err := json.Marshal(info)
	if err != nil {
		return "", ioError(err, "fs: encoding an upload")
	}

	// Build the directory in .tmp, then rename it into .uploads whole.
	tmp := path.Join(tmpDir, "upload-"+randomHex(12))
	release := b.live.hold(tmp)
	defer release()
	fail := func(err error) (string, error) {
		root.RemoveAll(tmp)
		return "", ioError(err, "fs: creating an upload in "+info.Bucket)
	}
	if err := root.MkdirAll(tmp, dirPerm); err != nil {
		return fail(err)
	}
	f, err := root.OpenFile(tmp+"/"+uploadFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return fail(err)
	}
	_, err = f.Write(data)
	if err == nil && b.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && b.fsync {
		err = syncDir(root, tmp)
	}
	if err != nil {
		return fail(err)
	}
	if err := root.MkdirAll(uploadsDir, dirPerm); err != nil {
		return fail(err)
	}
	if err := root.Rename(tmp, uploadPath(info.ID)); err != nil {
		return fail(err)
	}
	if b.fsync {
		if err := syncDir(root, uploadsDir); err != nil {
			return "", err
		}
	}
	return info.ID, nil
}

// GetMultipartUpload returns an upload's state: ErrNoSuchUpload. An
// upload whose Complete placed the object but was stopped before freeing
// it is still found, so that a retried Complete reaches
// CompleteMultipartUpload and gets its answer (see complete.go).
func (b *Backend) GetMultipartUpload(ctx context.Context, bucket, key, uploadID string) (translate.UploadInfo, error) {
	if err := ctx.Err(); err != nil {
		return translate.UploadInfo{}, cancelled(err)
	}
	root, info, err := b.openUploadState(bucket, key, uploadID)
	if err != nil {
		return translate.UploadInfo{}, err
	}
	root.Close()
	return info, nil
}

// checkPartNumber rejects part numbers the engine should have refused.
func checkPartNumber(n int) error {
	if n < 1 || n > maxPartNumber {
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "partNumber", ArgValue: strconv.Itoa(n),
			Message: fmt.Sprintf("part number must be an integer between 1 and %d", maxPartNumber)}
	}
	return nil
}

// openPartWrite begins a write of part number of an upload (UploadPart,
// UploadPartCopy): it fails if ctx is done, on a bad part number, then
// with ErrNoSuchUpload if the upload is gone or being completed. The
// caller closes the root.
func (b *Backend) openPartWrite(ctx context.Context, bucket, key, uploadID string, number int) (*os.Root, error) {
	if err := ctx.Err(); err != nil {
		return nil, cancelled(err)
	}
	if err := checkPartNumber(number); err != nil {
		return nil, err
	}
	root, _, err := b.openUpload(bucket, key, uploadID)
	if err != nil {
		return nil, err
	}
	if committed(root, uploadID) {
		root.Close()
		return nil, noSuchUpload(bucket, key) // being completed
	}
	return root, nil
}

// UploadPart stores body as part number of the upload, replacing any part
// with that number by one rename. Concurrent uploads of one number follow
// last-write-wins by start time (see lastwrite.go): the part whose upload
// began last is kept, whole, whatever order the uploads finish in; an
// upload that finds a later-begun part already committed discards its data
// and returns success with its own PartInfo. A failed body (see
// translate.Body) leaves the old part and is returned unchanged.
// ErrNoSuchUpload, also when the upload is completed or aborted while the
// part is written.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, uploadID string, number int,
	body *translate.Body) (translate.PartInfo, error) {
	root, err := b.openPartWrite(ctx, bucket, key, uploadID, number)
	if err != nil {
		return translate.PartInfo{}, err
	}
	defer root.Close()
	part := newPartHeader(translate.PartInfo{Number: number, Size: math.MaxInt64, ETag: placeholderETag, LastModified: time.Now().UTC()})
	reserve := headerReserve(part)
	s, err := b.newStaged(root)
	if err != nil {
		return translate.PartInfo{}, err
	}
	defer s.discard()
	what := fmt.Sprintf("part %d of upload %s", number, uploadID)
	sums, err := s.writeBody(ctx, body, reserve, what)
	if err != nil {
		return translate.PartInfo{}, err
	}
	part.Size, part.ETag, part.LastModified = sums.Size, sums.ETag(), time.Now().UTC()
	if len(sums.Checksum) > 0 {
		part.Checksum = sums.Checksum.Clone()
	}
	if err := b.commitPart(s, part, reserve, bucket, key, uploadID, what); err != nil {
		return translate.PartInfo{}, err
	}
	return part.PartInfo, nil
}

// commitPart writes part's header into s and, under the upload's lock,
// renames s over the part file unless the part already there began later
// (then s is discarded and the upload still succeeds): ErrNoSuchUpload if
// the upload vanished.
func (b *Backend) commitPart(s *staged, part partHeader, reserve int, bucket, key, id, what string) error {
	if err := s.setHeader(part, reserve, part.Size, what); err != nil {
		return err
	}
	if s.fsync {
		// Make the data durable before taking the lock, so that commits of
		// other parts of the upload wait only for a rename.
		if err := s.f.Sync(); err != nil {
			return ioError(err, "fs: syncing "+what)
		}
	}
	unlock, err := lockUpload(s.root, uploadPath(id))
	if isNotExist(err) {
		return noSuchUpload(bucket, key)
	}
	if err != nil {
		return ioError(err, "fs: locking upload "+id)
	}
	defer unlock()
	if committed(s.root, id) {
		return noSuchUpload(bucket, key) // a Complete committed meanwhile
	}
	dst := partPath(id, part.Number)
	if cur, ok := storedPartHeader(s.root, dst); ok && cur.after(part) {
		s.discard() // a later-begun upload of this part already won
		return nil
	}
	if err := s.commit(dst, false); err != nil {
		if isNotExist(err) {
			return noSuchUpload(bucket, key)
		}
		return err
	}
	return nil
}

// UploadPartCopy stores bytes rng of object srcKey in srcBucket (nil: all
// of it) as part number of the upload, last-write-wins by start time as
// UploadPart, computing its MD5 and the checksums
// algs name. ErrNoSuchUpload, ErrNoSuchBucket and ErrNoSuchKey for the
// source, ErrInvalidRange for a range outside it, ErrInvalidArgument for an
// unknown algorithm.
func (b *Backend) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, number int,
	srcBucket, srcKey string, rng *translate.Range, algs []translate.ChecksumAlgorithm) (translate.PartInfo, error) {
	root, err := b.openPartWrite(ctx, bucket, key, uploadID, number)
	if err != nil {
		return translate.PartInfo{}, err
	}
	defer root.Close()
	if err := checkKey(srcBucket, srcKey); err != nil {
		return translate.PartInfo{}, err
	}
	srcRoot, err := b.openBucket(srcBucket)
	if err != nil {
		return translate.PartInfo{}, err
	}
	defer srcRoot.Close()
	src, info, off, err := openObject(srcRoot, srcBucket, srcKey)
	if err != nil {
		return translate.PartInfo{}, err
	}
	defer src.Close()
	start, length := int64(0), info.Size
	if rng != nil {
		if err := checkRange(rng, info.Size); err != nil {
			return translate.PartInfo{}, err
		}
		start, length = rng.Start, rng.Length
	}

	md := md5.New()
	writers := []io.Writer{md}
	hashes := map[translate.ChecksumAlgorithm]hash.Hash{}
	for _, a := range algs {
		if _, dup := hashes[a]; dup {
			continue
		}
		h, err := translate.NewChecksumHash(a)
		if err != nil {
			return translate.PartInfo{}, translate.Wrap(translate.ErrInvalidArgument, err, "fs: part copy checksum")
		}
		hashes[a] = h
		writers = append(writers, h)
	}

	part := newPartHeader(translate.PartInfo{Number: number, Size: length, ETag: placeholderETag, LastModified: time.Now().UTC()})
	reserve := headerReserve(part)
	s, err := b.newStaged(root)
	if err != nil {
		return translate.PartInfo{}, err
	}
	defer s.discard()
	what := fmt.Sprintf("part %d of upload %s from %s/%q", number, uploadID, srcBucket, srcKey)
	if _, err := s.f.Seek(int64(prefixLen+reserve), io.SeekStart); err != nil {
		return translate.PartInfo{}, ioError(err, "fs: writing "+what)
	}
	data := io.TeeReader(io.NewSectionReader(src, off+start, length), io.MultiWriter(writers...))
	if _, err := s.copyFrom(ctx, data, what); err != nil {
		return translate.PartInfo{}, err
	}
	part.ETag, part.LastModified = hex.EncodeToString(md.Sum(nil)), time.Now().UTC()
	if len(hashes) > 0 {
		part.Checksum = translate.Checksums{}
		for a, h := range hashes {
			part.Checksum[a] = translate.EncodeChecksum(h.Sum(nil))
		}
	}
	if err := b.commitPart(s, part, reserve, bucket, key, uploadID, what); err != nil {
		return translate.PartInfo{}, err
	}
	return part.PartInfo, nil
}

// ListParts returns the upload's parts numbered above after, ascending, at
// most limit (none when limit <= 0); for an upload being completed, the
// committed parts (see complete.go). ErrNoSuchUpload.
func (b *Backend) ListParts(ctx context.Context, bucket, key, uploadID string,
	after, limit int) (translate.PartsPage, error) {
	if err := ctx.Err(); err != nil {
		return translate.PartsPage{}, cancelled(err)
	}
	root, _, err := b.openUploadState(bucket, key, uploadID)
	if err != nil {
		return translate.PartsPage{}, err
	}
	defer root.Close()
	if limit <= 0 {
		return translate.PartsPage{}, nil
	}
	if c, ok, err := readCompletion(root, uploadID); err != nil || ok {
		return committedParts(c.Parts, after, limit), err
	}
	d, err := root.Open(uploadPath(uploadID))
	if isNotExist(err) {
		return translate.PartsPage{}, noSuchUpload(bucket, key)
	}
	if err != nil {
		return translate.PartsPage{}, ioError(err, "fs: listing parts of "+uploadID)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return translate.PartsPage{}, ioError(err, "fs: listing parts of "+uploadID)
	}
	var nums []int
	for _, name := range names {
		if n, ok := parsePartName(name); ok && n > after {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	var page translate.PartsPage
	for _, n := range nums {
		if len(page.Parts) >= limit {
			page.Truncated = true
			break
		}
		var p translate.PartInfo
		f, _, err := openData(root, partPath(uploadID, n), &p, func() int64 { return p.Size })
		if isNotExist(err) {
			continue // the upload was freed meanwhile; the next call says so
		}
		if err != nil {
			return translate.PartsPage{}, translate.Wrap(translate.ErrInternal, err,
				fmt.Sprintf("fs: reading part %d of upload %s", n, uploadID))
		}
		f.Close()
		p.Number = n
		page.Parts = append(page.Parts, p)
		page.NextMarker = n
	}
	return page, nil
}

// AbortMultipartUpload frees the upload and all its parts:
// ErrNoSuchUpload.
func (b *Backend) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if err := ctx.Err(); err != nil {
		return cancelled(err)
	}
	root, _, err := b.openUpload(bucket, key, uploadID)
	if err != nil {
		return err
	}
	defer root.Close()
	// Wait for a Complete in progress: it frees the upload itself.
	unlock, err := lockUpload(root, uploadPath(uploadID))
	if isNotExist(err) {
		return noSuchUpload(bucket, key)
	}
	if err != nil {
		return err
	}
	defer unlock()
	return b.freeUpload(root, bucket, key, uploadID)
}

// committedParts pages the parts of a committed upload as ListParts does.
func committedParts(parts []translate.PartInfo, after, limit int) translate.PartsPage {
	var page translate.PartsPage
	for _, p := range parts {
		if p.Number <= after {
			continue
		}
		if len(page.Parts) >= limit {
			page.Truncated = true
			break
		}
		page.Parts = append(page.Parts, p)
		page.NextMarker = p.Number
	}
	return page
}
