package fs

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"

	"github.com/babelgate/babelgate/translate"
)

// Every commit of an object (PutObject, CopyObject, Complete) and every
// DeleteObject happens under the exclusive lock of the key's stripe, so a
// conditional write (translate.WriteCond) checks the object it replaces and
// renames its own into place with no other write or delete of that key in
// between, also across processes sharing the root. Stripes bound the lock
// files to keyLockStripes per bucket, whatever the number of keys; keys
// that share a stripe only wait for each other's rename.
const (
	keyLocksDir    = ".locks"
	keyLockStripes = 64
)

// lockKey takes the lock of key's stripe in the bucket directory root and
// returns the function that releases it.
func lockKey(root *os.Root, key string) (func(), error) {
	sum := sha256.Sum256([]byte(key))
	dir := fmt.Sprintf("%s/%02d", keyLocksDir, int(sum[0])%keyLockStripes)
	if err := root.MkdirAll(dir, dirPerm); err != nil {
		return nil, translate.Wrap(translate.ErrInternal, err, "fs: creating lock "+dir)
	}
	unlock, err := lockUpload(root, dir)
	if err != nil {
		return nil, translate.Wrap(translate.ErrInternal, err, "fs: locking "+dir)
	}
	return unlock, nil
}

// commitObject renames the staged object s into place as key's object if
// cond holds for the object there now, under the key's lock. The data is
// made durable before the lock is taken, so writers of other keys in the
// stripe wait only for a rename. A failed cond discards s and returns
// cond's error.
func (b *Backend) commitObject(s *staged, root *os.Root, bucket, key string, cond translate.WriteCond) error {
	if b.fsync {
		if err := s.f.Sync(); err != nil {
			return translate.Wrap(translate.ErrInternal, err, "fs: syncing a temporary file")
		}
	}
	return renameUnderLock(root, bucket, key, cond, func(file string) error { return s.commit(file, true) })
}

// renameUnderLock runs rename, which moves a complete file into place as
// key's object file, under the key's lock, if cond holds for the object
// there now.
func renameUnderLock(root *os.Root, bucket, key string, cond translate.WriteCond, rename func(file string) error) error {
	unlock, err := lockKey(root, key)
	if err != nil {
		return err
	}
	defer unlock()
	if err := checkCond(root, bucket, key, cond); err != nil {
		return err
	}
	file, _ := keyPath(key)
	return rename(file)
}

// checkCond returns cond's error if it does not hold for key's object now.
// The caller holds key's lock when the answer must stay true.
func checkCond(root *os.Root, bucket, key string, cond translate.WriteCond) error {
	if cond.IsZero() {
		return nil
	}
	exists, etag := true, ""
	f, info, _, err := openObject(root, bucket, key)
	switch {
	case translate.CodeOf(err) == translate.ErrNoSuchKey:
		exists = false
	case err != nil:
		return err
	default:
		f.Close()
		etag = info.ETag
	}
	if err := cond.Check(exists, etag); err != nil {
		te := translate.AsError(err)
		te.Bucket, te.Key = bucket, key
		return te
	}
	return nil
}

// renameObjectIf renames the assembled object file src in root into place
// as key's object if cond holds for the object there now, under the key's
// lock, as commitObject does for a staged file.
func (b *Backend) renameObjectIf(root *os.Root, src, bucket, key string, cond translate.WriteCond) error {
	return renameUnderLock(root, bucket, key, cond, func(file string) error {
		_, err := renameInto(root, src, file, true, b.fsync)
		return err
	})
}

// PutObjectIf implements translate.ConditionalWriter: PutObject whose
// commit happens only if cond holds then.
func (b *Backend) PutObjectIf(ctx context.Context, bucket, key string, body *translate.Body,
	meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	return b.putObject(ctx, bucket, key, body, meta, cond)
}

// CopyObjectIf implements translate.ConditionalWriter: CopyObject whose
// commit happens only if cond holds then.
func (b *Backend) CopyObjectIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string,
	meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	return b.copyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, cond)
}

var _ translate.ConditionalWriter = (*Backend)(nil)
