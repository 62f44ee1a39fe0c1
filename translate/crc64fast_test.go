package translate

import (
	"fmt"
	"hash/crc64"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"
)

var crc64Polys = []struct {
	name string
	poly uint64
}{{"ECMA", crc64.ECMA}, {"NVME", crc64NVMEPoly}}

// TestCRC64FastMatchesStdlib: the folding path gives hash/crc64's value on
// random inputs of every length 0..4097, large ones, and from a non-zero
// starting CRC, for both polynomials.
func TestCRC64FastMatchesStdlib(t *testing.T) {
	t.Logf("PCLMULQDQ folding: %v", hasCLMUL)
	rng := rand.New(rand.NewPCG(11, 3))
	buf := make([]byte, 1<<20+333)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	lengths := []int{}
	for n := 0; n <= 4097; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 8191, 65536, 65536+127, 1<<20, len(buf))
	for _, p := range crc64Polys {
		fast, tab := newCRC64Fast(p.poly), crc64.MakeTable(p.poly)
		t.Run(p.name, func(t *testing.T) {
			for _, n := range lengths {
				off := rng.IntN(16) // unaligned starts too
				if off+n > len(buf) {
					off = 0
				}
				b := buf[off : off+n]
				if got, want := fast.update(0, b), crc64.Checksum(b, tab); got != want {
					t.Fatalf("len %d off %d: %#x, want %#x", n, off, got, want)
				}
				start := rng.Uint64()
				if got, want := fast.update(start, b), crc64.Update(start, tab, b); got != want {
					t.Fatalf("len %d from %#x: %#x, want %#x", n, start, got, want)
				}
			}
		})
	}
}

// TestCRC64FastHash: writes of uneven sizes add up to the one-shot value,
// Sum is big-endian and appends, Reset starts over.
func TestCRC64FastHash(t *testing.T) {
	data := make([]byte, 300000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, p := range crc64Polys {
		h := newCRC64Fast(p.poly).new()
		for off, step := 0, 1; off < len(data); off, step = off+step, step*3+1 {
			h.Write(data[off:min(off+step, len(data))])
		}
		want := crc64.Checksum(data, crc64.MakeTable(p.poly))
		if h.Sum64() != want {
			t.Fatalf("%s: %#x, want %#x", p.name, h.Sum64(), want)
		}
		sum := h.Sum([]byte{0xAA})
		if len(sum) != 9 || sum[0] != 0xAA || sum[1] != byte(want>>56) || sum[8] != byte(want) {
			t.Fatalf("%s: Sum %x", p.name, sum)
		}
		h.Reset()
		if h.Sum64() != 0 || h.Size() != 8 || h.BlockSize() != 1 {
			t.Fatalf("%s: after Reset %#x", p.name, h.Sum64())
		}
	}
}

// TestCRC64Check: the catalogued check values of "123456789" (CRC-64/XZ
// 0x995DC9BBDF1939FA, CRC-64/NVME 0xAE8B14860A799888), through the
// constructor the body path uses, on a buffer long enough to fold.
func TestCRC64Check(t *testing.T) {
	for _, tt := range []struct {
		alg  ChecksumAlgorithm
		want uint64
	}{{CRC64ECMA, 0x995DC9BBDF1939FA}, {CRC64NVME, 0xAE8B14860A799888}} {
		h, err := NewChecksumHash(tt.alg)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte("123456789"))
		if got := h.(interface{ Sum64() uint64 }).Sum64(); got != tt.want {
			t.Errorf("%s(123456789) = %#x, want %#x", tt.alg, got, tt.want)
		}
	}
}

func TestCRC64XPow(t *testing.T) {
	// x^64 mod P is P's low terms: the reflected poly itself.
	if got := crc64XPow(crc64.ECMA, 64); got != crc64.ECMA {
		t.Fatalf("x^64 mod P = %#x, want %#x", got, uint64(crc64.ECMA))
	}
	if got := crc64XPow(crc64.ECMA, 3); got != 1<<60 {
		t.Fatalf("x^3 = %#x, want bit 60", got)
	}
}

// BenchmarkCRC64 compares hash/crc64 (stdlib) with the folding path
// (fast): go test -run '^$' -bench CRC64 ./translate. Besides MB/s of wall
// time it reports GB per CPU-second of the benchmark's own thread
// (getrusage RUSAGE_THREAD), which a busy machine disturbs far less.
func BenchmarkCRC64(b *testing.B) {
	for _, size := range []int{4 << 10, 1 << 20} {
		buf := make([]byte, size)
		for _, p := range crc64Polys {
			tab, fast := crc64.MakeTable(p.poly), newCRC64Fast(p.poly)
			b.Run(fmt.Sprintf("%s/stdlib/%dKiB", p.name, size>>10), func(b *testing.B) {
				benchCPU(b, size, func() { crc64.Update(0, tab, buf) })
			})
			b.Run(fmt.Sprintf("%s/fast/%dKiB", p.name, size>>10), func(b *testing.B) {
				benchCPU(b, size, func() { fast.update(0, buf) })
			})
		}
	}
}

func benchCPU(b *testing.B, size int, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.SetBytes(int64(size))
	start := threadCPU()
	for b.Loop() {
		f()
	}
	if cpu := threadCPU() - start; cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e9, "GB/cpu-s")
	}
}

// threadCPU is the calling thread's user+system time.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
