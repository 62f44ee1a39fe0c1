//go:build !unix

package fs

import (
	"os"
	"sync"
)

// uploadLocks serialises part commits within this process where flock is
// not available; the last-write-wins rule then holds only for one process.
var uploadLocks sync.Map // dir -> *sync.Mutex

// lockUpload locks upload dir of root within this process and returns the
// function that releases it. A missing upload directory is returned as an
// error for which isNotExist holds.
func lockUpload(root *os.Root, dir string) (func(), error) {
	if _, err := root.Stat(dir); err != nil {
		return nil, err
	}
	m, _ := uploadLocks.LoadOrStore(root.Name()+"/"+dir, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock, nil
}

// tryLockUpload is lockUpload without waiting: ok is false if another
// holds the lock.
func tryLockUpload(root *os.Root, dir string) (unlock func(), ok bool) {
	if _, err := root.Stat(dir); err != nil {
		return nil, false
	}
	m, _ := uploadLocks.LoadOrStore(root.Name()+"/"+dir, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	if !mu.TryLock() {
		return nil, false
	}
	return mu.Unlock, true
}
