//go:build unix

package fs

import (
	"os"
	"syscall"

	"github.com/babelgate/babelgate/translate"
)

// lockUpload takes an exclusive flock on the lock file in upload dir of
// root, creating it, and returns the function that releases it. The lock
// holds across processes. A missing upload directory is returned as an
// error for which isNotExist holds.
func lockUpload(root *os.Root, dir string) (func(), error) {
	f, err := root.OpenFile(dir+"/"+lockFile, os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, translate.Wrap(translate.ErrInternal, err, "fs: locking "+dir)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
