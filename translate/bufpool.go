package translate

import (
	"io"
	"sync"
)

// CopyBufferSize is the size of the pooled buffers that move bodies: large
// enough that a 16 MiB transfer takes 64 reads and writes instead of 512
// at io.Copy's 32 KiB, small enough that 64 uploads in flight hold 16 MiB
// of them (issue 11's peak-RSS target is 100 MiB for that load).
const CopyBufferSize = 256 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, CopyBufferSize); return &b }}

// GetCopyBuffer returns a pooled buffer of CopyBufferSize bytes; give it
// back with PutCopyBuffer once nothing refers to it.
func GetCopyBuffer() *[]byte { return copyBuffers.Get().(*[]byte) }

// PutCopyBuffer returns b to the pool.
func PutCopyBuffer(b *[]byte) { copyBuffers.Put(b) }

// CopyPooled copies src to dst through a pooled buffer, using neither
// side's WriterTo or ReaderFrom (callers use it where those would fall back
// to io.Copy's 32 KiB buffer anyway).
func CopyPooled(dst io.Writer, src io.Reader) (int64, error) {
	buf := GetCopyBuffer()
	defer PutCopyBuffer(buf)
	return io.CopyBuffer(writerOnly{dst}, readerOnly{src}, *buf)
}

// writerOnly and readerOnly hide ReadFrom and WriteTo from io.CopyBuffer.
type writerOnly struct{ io.Writer }
type readerOnly struct{ io.Reader }
