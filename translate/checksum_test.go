package translate

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func sumOf(t *testing.T, a ChecksumAlgorithm, data []byte) string {
	t.Helper()
	h, err := NewChecksumHash(a)
	if err != nil {
		t.Fatal(err)
	}
	h.Write(data)
	return EncodeChecksum(h.Sum(nil))
}

func TestCheckValues(t *testing.T) {
	// Catalogue check values ("123456789") from the CRC RevEng catalogue.
	tests := []struct {
		alg  ChecksumAlgorithm
		want uint64
	}{
		{CRC32, 0xCBF43926},
		{CRC32C, 0xE3069283},
		{CRC64NVME, 0xAE8B14860A799888},
		{CRC64ECMA, 0x995DC9BBDF1939FA},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			h, _ := NewChecksumHash(tt.alg)
			h.Write([]byte("123456789"))
			sum := h.Sum(nil)
			var got uint64
			if len(sum) == 4 {
				got = uint64(binary.BigEndian.Uint32(sum))
			} else {
				got = binary.BigEndian.Uint64(sum)
			}
			if got != tt.want {
				t.Fatalf("got %x want %x", got, tt.want)
			}
		})
	}
}

func TestFullObjectCRCMatchesWholeData(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(rng.UintN(256))
	}
	cuts := [][]int64{{300_000}, {1, 299_999}, {100_000, 100_000, 100_000}, {0, 150_000, 150_000}, {7, 65536, 200_000, 34457}}
	for _, alg := range []ChecksumAlgorithm{CRC32, CRC32C, CRC64NVME, CRC64ECMA} {
		want := sumOf(t, alg, data)
		for _, sizes := range cuts {
			var vals []string
			off := int64(0)
			for _, s := range sizes {
				vals = append(vals, sumOf(t, alg, data[off:off+s]))
				off += s
			}
			got, err := FullObjectCRC(alg, vals, sizes)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s %v: got %s want %s", alg, sizes, got, want)
			}
		}
	}
}

func TestCompositeChecksum(t *testing.T) {
	a := sumOf(t, SHA256, []byte("part one"))
	b := sumOf(t, SHA256, []byte("part two"))
	rawA, _ := DecodeChecksum(SHA256, a)
	rawB, _ := DecodeChecksum(SHA256, b)
	want := sumOf(t, SHA256, append(rawA, rawB...)) + "-2"
	got, err := CompositeChecksum(SHA256, []string{a, b})
	if err != nil || got != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	if _, err := CompositeChecksum(SHA256, []string{"bad"}); err == nil {
		t.Fatal("malformed part checksum accepted")
	}
}
