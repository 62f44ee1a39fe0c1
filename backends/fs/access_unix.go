//go:build unix

package fs

import (
	"fmt"
	"syscall"
)

// accessible reports whether this process may work in dir (read, write and
// search it), or, with create set, make directories in it.
func accessible(dir string, create bool) error {
	const r, w, x = 4, 2, 1
	mode, what := uint32(r|w|x), "use"
	if create {
		mode, what = w|x, "create directories in"
	}
	if err := syscall.Access(dir, mode); err != nil {
		return fmt.Errorf("cannot %s %s: %w", what, dir, err)
	}
	return nil
}
