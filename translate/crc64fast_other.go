//go:build !amd64 || purego

package translate

// hasCLMUL is false where there is no assembly: hash/crc64 does the work.
const hasCLMUL = false

func crc64Fold(*crc64FoldConsts, uint64, []byte) (lo, hi uint64) {
	panic("translate: crc64Fold without CLMUL")
}
