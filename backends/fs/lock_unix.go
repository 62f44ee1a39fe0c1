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
	return flockUpload(root, dir, syscall.LOCK_EX)
}

// tryLockUpload is lockUpload without waiting: ok is false if another
// holds the lock (a Complete in progress, in any process).
func tryLockUpload(root *os.Root, dir string) (unlock func(), ok bool) {
	unlock, err := flockUpload(root, dir, syscall.LOCK_EX|syscall.LOCK_NB)
	return unlock, err == nil
}

func flockUpload(root *os.Root, dir string, how int) (func(), error) {
	f, err := root.OpenFile(dir+"/"+lockFile, os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
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
