package fs

import (
	"context"
	"os"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// Bucket documents (translate.BucketDocs) are the files
// <bucket>/.settings-<name>: hidden names, never listed as keys, removed
// with the bucket, written by one rename of a temporary file.
const settingsPrefix = ".settings-"

var _ translate.BucketDocs = (*Backend)(nil)

func docName(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\\x00") {
		return "", translate.Errorf(translate.ErrInternal, "fs: bad bucket document name %q", name)
	}
	return settingsPrefix + name, nil
}

// GetBucketDoc implements translate.BucketDocs.
func (b *Backend) GetBucketDoc(ctx context.Context, bucket, name string) ([]byte, error) {
	file, err := docName(name)
	if err != nil {
		return nil, err
	}
	r, err := b.openBucket(bucket)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := r.ReadFile(file)
	switch {
	case isNotExist(err):
		return nil, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: bucket}
	case err != nil:
		return nil, ioError(err, "fs: reading bucket document "+name)
	}
	return data, nil
}

// PutBucketDoc implements translate.BucketDocs.
func (b *Backend) PutBucketDoc(ctx context.Context, bucket, name string, data []byte) error {
	file, err := docName(name)
	if err != nil {
		return err
	}
	r, err := b.openBucket(bucket)
	if err != nil {
		return err
	}
	defer r.Close()
	tmp := file + ".tmp-" + randomHex(8)
	f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return ioError(err, "fs: writing bucket document "+name)
	}
	_, err = f.Write(data)
	if err == nil && b.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.Rename(tmp, file)
	}
	if err != nil {
		r.Remove(tmp)
		return ioError(err, "fs: writing bucket document "+name)
	}
	if b.fsync {
		return syncDir(r, ".")
	}
	return nil
}

// DeleteBucketDoc implements translate.BucketDocs.
func (b *Backend) DeleteBucketDoc(ctx context.Context, bucket, name string) error {
	file, err := docName(name)
	if err != nil {
		return err
	}
	r, err := b.openBucket(bucket)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Remove(file); err != nil && !isNotExist(err) {
		return ioError(err, "fs: removing bucket document "+name)
	}
	return nil
}
