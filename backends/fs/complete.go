package fs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Completing an upload is a journal that a crash at any point leaves in a
// state the next Complete (or the sweep) finishes, and that never needs
// free space for a second copy of the object:
//
//  1. Under the upload's lock, the parts are checked and the completion
//     (the object's description and its parts, in order) is committed by
//     one rename to complete.json in the upload directory. From then on
//     the upload is committed: no part can be added or replaced, ListParts
//     answers the committed parts, and a Complete with another part list
//     is refused.
//  2. Each part in turn is appended to the file "object" in the upload
//     directory (by copy_file_range: io.CopyN between two *os.File, which
//     shares extents where the file system can), synced, and only then
//     removed. So at most one part exists twice, and the file's length
//     says how far the assembly got: a resumed Complete truncates a
//     half-appended part away and goes on.
//  3. The assembled file is renamed to the key: the object appears whole.
//     Its header names the upload it came from.
//  4. The upload directory is freed.
//
// A committed upload with neither the file "object" nor any part left
// passed step 3: its object is (or was) in place. A re-Complete then
// answers the same result only while the key still holds the object made
// by this upload; once the key was overwritten or deleted it answers
// NoSuchUpload, so a late re-Complete never brings old content back. Such
// an upload is not listed, and the sweep frees it.
const (
	completionFile = "complete.json"
	assemblyFile   = "object"
)

// Complete steps at which a test hook may stop a Complete as a crash
// would (see Backend.hook).
const (
	stepCommitted = "committed" // complete.json is in place
	stepAppended  = "appended"  // a part is appended (and synced), not yet removed
	stepConsumed  = "consumed"  // a part is removed
	stepAssembled = "assembled" // every part is in the assembly, not yet renamed
	stepRenamed   = "renamed"   // the object is in place, the upload not yet freed
)

// completion is an upload's committed Complete.
type completion struct {
	Info  translate.ObjectInfo `json:"info"`
	Parts []translate.PartInfo `json:"parts"`
}

// objectHeader is an object file's header: its ObjectInfo and, for an
// object a Complete assembled, the ID of the upload. Readers that decode
// into ObjectInfo ignore Upload.
type objectHeader struct {
	translate.ObjectInfo
	Upload string `json:"upload,omitempty"`
}

func (b *Backend) step(name string) error {
	if b.hook != nil {
		return b.hook(name)
	}
	return nil
}

// committed reports whether upload id has a committed completion.
func committed(root *os.Root, id string) bool {
	_, err := root.Lstat(uploadPath(id) + "/" + completionFile)
	return err == nil
}

// readCompletion reads upload id's completion: ok is false if there is
// none.
func readCompletion(root *os.Root, id string) (c completion, ok bool, err error) {
	data, err := root.ReadFile(uploadPath(id) + "/" + completionFile)
	if isNotExist(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, ioError(err, "fs: reading the completion of upload "+id)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, false, translate.Wrap(translate.ErrInternal, err, "fs: corrupt completion of upload "+id)
	}
	return c, true, nil
}

// writeCompletion commits c as upload id's completion by one rename.
func (b *Backend) writeCompletion(root *os.Root, id string, c completion) error {
	data, err := json.Marshal(c)
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "fs: encoding a completion")
	}
	return b.replaceFile(root, uploadPath(id), completionFile, completionFile+".tmp", data,
		"fs: committing the completion of upload "+id)
}

// completedOn reports whether committed upload id passed step 3: no
// assembly and no part of c is left.
func completedOn(root *os.Root, id string, c completion) bool {
	if _, err := root.Lstat(uploadPath(id) + "/" + assemblyFile); !isNotExist(err) {
		return false
	}
	return !partsRemain(root, id, c)
}

func partsRemain(root *os.Root, id string, c completion) bool {
	for _, p := range c.Parts {
		if _, err := root.Lstat(partPath(id, p.Number)); !isNotExist(err) {
			return true
		}
	}
	return false
}

// CompleteMultipartUpload assembles the listed parts, in order, into the
// object req.Key with req.Info as its description (Size the parts' total),
// committed by one rename, then frees the upload, as the journal above
// describes. ErrNoSuchUpload; ErrInvalidPart if a listed part is missing
// or no longer has the listed size or ETag (re-uploaded since the engine
// checked it), the upload then stays; ErrInsufficientStorage if the disk
// fills, the upload then stays committed and a later Complete resumes.
// Repeating a Complete that succeeded answers the same result while the
// object is still the one it made, NoSuchUpload once it is not.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, req translate.CompleteRequest) (translate.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return translate.ObjectInfo{}, cancelled(err)
	}
	root, _, err := b.openUploadState(req.Bucket, req.Key, req.UploadID)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer root.Close()
	unlock, err := lockUpload(root, uploadPath(req.UploadID))
	if isNotExist(err) {
		return translate.ObjectInfo{}, noSuchUpload(req.Bucket, req.Key)
	}
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer unlock()
	c, ok, err := readCompletion(root, req.UploadID)
	switch {
	case err != nil:
		return translate.ObjectInfo{}, err
	case !ok:
		if _, err := root.Lstat(uploadPath(req.UploadID)); isNotExist(err) {
			return translate.ObjectInfo{}, noSuchUpload(req.Bucket, req.Key) // freed while we waited
		}
		// A condition that already fails refuses the Complete before it
		// consumes any part; the rename below checks it again under the
		// key's lock, which is what makes it atomic.
		if err := checkCond(root, req.Bucket, req.Key, req.Cond); err != nil {
			return translate.ObjectInfo{}, err
		}
		if c, err = b.planCompletion(root, req); err != nil {
			return translate.ObjectInfo{}, err
		}
		if err := b.writeCompletion(root, req.UploadID, c); err != nil {
			return translate.ObjectInfo{}, err
		}
		if err := b.step(stepCommitted); err != nil {
			return translate.ObjectInfo{}, err
		}
	case !samePartList(c.Parts, req.Parts):
		if completedOn(root, req.UploadID, c) {
			return translate.ObjectInfo{}, noSuchUpload(req.Bucket, req.Key)
		}
		return translate.ObjectInfo{}, &translate.Error{Code: translate.ErrInvalidPart, Bucket: req.Bucket, Key: req.Key,
			Message: "the upload is being completed with another list of parts"}
	}
	return b.finishCompletion(ctx, root, req.Bucket, req.Key, req.UploadID, c, req.Cond)
}

// samePartList reports whether a Complete's part list is the committed one.
func samePartList(stored []translate.PartInfo, req []translate.CompletePart) bool {
	return slices.EqualFunc(stored, req, func(s translate.PartInfo, r translate.CompletePart) bool {
		return s.Number == r.Number && s.Size == r.Size && (r.ETag == "" || normalizeETag(r.ETag) == s.ETag)
	})
}

// planCompletion checks req's parts against the stored ones and returns
// the completion to commit.
func (b *Backend) planCompletion(root *os.Root, req translate.CompleteRequest) (completion, error) {
	invalid := func(format string, args ...any) error {
		return &translate.Error{Code: translate.ErrInvalidPart, Bucket: req.Bucket, Key: req.Key,
			Message: fmt.Sprintf(format, args...)}
	}
	if len(req.Parts) == 0 {
		return completion{}, invalid("no parts to complete the upload with")
	}
	var total int64
	for _, p := range req.Parts {
		if p.Size < 0 || checkPartNumber(p.Number) != nil || total > math.MaxInt64-p.Size {
			return completion{}, invalid("part %d is not valid", p.Number)
		}
		total += p.Size
	}
	c := completion{Parts: make([]translate.PartInfo, 0, len(req.Parts))}
	for _, p := range req.Parts {
		var stored translate.PartInfo
		f, _, err := openData(root, partPath(req.UploadID, p.Number), &stored, func() int64 { return stored.Size })
		if isNotExist(err) {
			return completion{}, invalid("part %d was not found", p.Number)
		}
		if err != nil {
			return completion{}, ioError(err, fmt.Sprintf("fs: reading part %d of upload %s", p.Number, req.UploadID))
		}
		f.Close()
		if stored.Size != p.Size || (p.ETag != "" && normalizeETag(p.ETag) != stored.ETag) {
			return completion{}, invalid("part %d changed since it was checked", p.Number)
		}
		stored.Number = p.Number
		c.Parts = append(c.Parts, stored)
	}
	info := req.Info
	info.Key, info.Size, info.ETag = req.Key, total, normalizeETag(info.ETag)
	info.Metadata, info.Checksum = info.Metadata.Clone(), info.Checksum.Clone()
	info.PartSizes = slices.Clone(info.PartSizes)
	info.LastModified = time.Now().UTC()
	if _, err := encodeHeader(objectHeader{info, req.UploadID}, 0); err != nil {
		return completion{}, err
	}
	c.Info = info
	return c, nil
}

// finishCompletion carries committed upload id from wherever its Complete
// stopped to the end: steps 2 to 4 of the journal.
func (b *Backend) finishCompletion(ctx context.Context, root *os.Root, bucket, key, id string,
	c completion, cond translate.WriteCond) (translate.ObjectInfo, error) {
	what := fmt.Sprintf("upload %s into %s/%q", id, bucket, key)
	name := uploadPath(id) + "/" + assemblyFile
	f, err := root.OpenFile(name, os.O_RDWR, 0)
	if isNotExist(err) {
		if !partsRemain(root, id, c) {
			return b.settleCompleted(root, bucket, key, id, c)
		}
		f, err = root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, filePerm)
	}
	if err != nil {
		return translate.ObjectInfo{}, ioError(err, "fs: opening the assembly of "+what)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	hdr, err := encodeHeader(objectHeader{c.Info, id}, 0)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	st, err := f.Stat()
	if err != nil {
		return translate.ObjectInfo{}, ioError(err, "fs: assembling "+what)
	}
	size := st.Size()
	if size < int64(len(hdr)) {
		if err := f.Truncate(0); err != nil {
			return translate.ObjectInfo{}, ioError(err, "fs: assembling "+what)
		}
		if _, err := f.WriteAt(hdr, 0); err != nil {
			return translate.ObjectInfo{}, ioError(err, "fs: assembling "+what)
		}
		size = int64(len(hdr))
	}
	off := int64(len(hdr))
	for _, p := range c.Parts {
		end := off + p.Size
		part := partPath(id, p.Number)
		if end > size { // not yet appended (or only partly: cut that away)
			if err := ctx.Err(); err != nil {
				return translate.ObjectInfo{}, cancelled(err)
			}
			if size > off {
				if err := f.Truncate(off); err != nil {
					return translate.ObjectInfo{}, ioError(err, "fs: assembling "+what)
				}
			}
			if err := appendPart(ctx, f, off, root, part, p, what); err != nil {
				return translate.ObjectInfo{}, err
			}
			if b.fsync {
				if err := f.Sync(); err != nil {
					return translate.ObjectInfo{}, ioError(err, "fs: syncing the assembly of "+what)
				}
			}
			size = end
			if err := b.step(stepAppended); err != nil {
				return translate.ObjectInfo{}, err
			}
		}
		if err := root.Remove(part); err != nil && !isNotExist(err) {
			return translate.ObjectInfo{}, ioError(err, "fs: removing an assembled part of "+what)
		}
		if err := b.step(stepConsumed); err != nil {
			return translate.ObjectInfo{}, err
		}
		off = end
	}
	if size > off {
		if err := f.Truncate(off); err != nil {
			return translate.ObjectInfo{}, ioError(err, "fs: assembling "+what)
		}
	}
	err = f.Close()
	f = nil
	if err != nil {
		return translate.ObjectInfo{}, ioError(err, "fs: assembling "+what)
	}
	if err := b.step(stepAssembled); err != nil {
		return translate.ObjectInfo{}, err
	}
	if err := b.renameObjectIf(root, name, bucket, key, cond); err != nil {
		return translate.ObjectInfo{}, err
	}
	if err := b.step(stepRenamed); err != nil {
		return translate.ObjectInfo{}, err
	}
	// The object is in place; a failure to free the upload leaves a
	// completed upload that is not listed and that the sweep frees.
	b.freeUpload(root, bucket, key, id)
	return c.Info, nil
}

// appendPart writes the data of committed part p, from the part file
// part, into f at off.
func appendPart(ctx context.Context, f *os.File, off int64, root *os.Root, part string, p translate.PartInfo, what string) error {
	var stored translate.PartInfo
	pf, dataOff, err := openData(root, part, &stored, func() int64 { return stored.Size })
	if err != nil {
		return ioError(err, fmt.Sprintf("fs: reading part %d of %s", p.Number, what))
	}
	defer pf.Close()
	if stored.Size != p.Size || stored.ETag != p.ETag {
		return translate.Errorf(translate.ErrInternal, "fs: part %d of committed %s changed", p.Number, what)
	}
	if _, err := pf.Seek(dataOff, io.SeekStart); err != nil {
		return ioError(err, "fs: assembling "+what)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return ioError(err, "fs: assembling "+what)
	}
	return copyFileData(ctx, f, pf, p.Size, what)
}

// settleCompleted answers a Complete of upload id, which passed step 3:
// the committed result if the key still holds the object this upload
// made, NoSuchUpload otherwise. Either way it frees the upload.
func (b *Backend) settleCompleted(root *os.Root, bucket, key, id string, c completion) (translate.ObjectInfo, error) {
	defer b.freeUpload(root, bucket, key, id)
	var h objectHeader
	file, _ := keyPath(key)
	f, _, err := openData(root, file, &h, func() int64 { return h.Size })
	if err == nil {
		f.Close()
		if h.Upload == id && h.ETag == c.Info.ETag && h.Size == c.Info.Size && h.LastModified.Equal(c.Info.LastModified) {
			return c.Info, nil
		}
	}
	return translate.ObjectInfo{}, noSuchUpload(bucket, key)
}

// freeCompleted frees upload id of r if it is committed, passed step 3 and
// no Complete holds it (for the sweep); it returns the bytes freed.
func (b *Backend) freeCompleted(r *os.Root, id string) (int64, bool) {
	if !committed(r, id) {
		return 0, false
	}
	unlock, ok := tryLockUpload(r, uploadPath(id))
	if !ok {
		return 0, false
	}
	defer unlock()
	c, ok, err := readCompletion(r, id)
	if err != nil || !ok || !completedOn(r, id, c) {
		return 0, false
	}
	st, err := r.Lstat(uploadPath(id))
	if err != nil {
		return 0, false
	}
	n := treeSize(r, uploadPath(id), st)
	if b.freeUpload(r, c.Info.Key, c.Info.Key, id) != nil {
		return 0, false
	}
	return n, true
}
