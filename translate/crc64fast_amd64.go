//go:build amd64 && !purego

package translate

// hasCLMUL reports whether the CPU has PCLMULQDQ (CPUID leaf 1, ECX bit
// 1); the rest of the folding is SSE2, which every amd64 CPU has.
var hasCLMUL = cpuidECX(1)&(1<<1) != 0

// cpuidECX returns ECX of CPUID leaf (sub-leaf 0).
//
//go:noescape
func cpuidECX(leaf uint32) uint32

// crc64Fold folds p (a multiple of 128 bytes, at least 128) with the
// constants k, starting from the raw (not inverted) CRC register raw, and
// returns the last 16-byte lane, low qword first, whose remainder modulo P
// times x^64 is the register after p.
//
//go:noescape
func crc64Fold(k *crc64FoldConsts, raw uint64, p []byte) (lo, hi uint64)
