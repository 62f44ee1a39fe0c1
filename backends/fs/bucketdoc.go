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

// openDoc opens the bucket of document name and returns its file name
// there. The caller closes the root.
func (b *Backend) openDoc(bucket, name string) (*os.Root, string, error) {
	file, err := docName(name)
	if err != nil {
		return nil, "", err
	}
	r, err := b.openBucket(bucket)
	return r, file, err
}

// GetBucketDoc implements translate.BucketDocs.
func (b *Backend) GetBucketDoc(ctx context.Context, bucket, name string) ([]byte, error) {
	r, file, err := b.openDoc(bucket, name)
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
	r, file, err := b.openDoc(bucket, name)
	if err != nil {
		return err
	}
	defer r.Close()
	return b.replaceFile(r, ".", file, file+".tmp-"+randomHex(8), data, "fs: writing bucket document "+name)
}

// DeleteBucketDoc implements translate.BucketDocs.
func (b *Backend) DeleteBucketDoc(ctx context.Context, bucket, name string) error {
	r, file, err := b.openDoc(bucket, name)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Remove(file); err != nil && !isNotExist(err) {
		return ioError(err, "fs: removing bucket document "+name)
	}
	return nil
}
