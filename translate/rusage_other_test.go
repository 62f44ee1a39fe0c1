//go:build !linux

package translate

import "syscall"

// rusageThread falls back to the whole process where there is no
// RUSAGE_THREAD.
const rusageThread = syscall.RUSAGE_SELF
