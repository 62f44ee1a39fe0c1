package translate

import (
	"encoding/binary"
	"encoding/hex"
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

func TestNewAlgorithmVectors(t *testing.T) {
	// Reference digests: SHA-512 and MD5 of "abc" from FIPS 180-4 and
	// RFC 1321; XXH64, XXH3-64 and XXH3-128 (seed 0) of "" and "abc" from
	// the xxHash reference implementation (xxhsum -H1/-H3/-H2).
	tests := []struct {
		alg  ChecksumAlgorithm
		in   string
		want string // hex of the canonical digest
	}{
		{SHA512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
		{MD5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
		{XXHASH64, "", "ef46db3751d8e999"},
		{XXHASH64, "abc", "44bc2cf5ad770999"},
		{XXHASH3, "", "2d06800538d394c2"},
		{XXHASH3, "abc", "78af5f94892f3950"},
		{XXHASH128, "", "99aa06d3014798d86001c324468d497f"},
		{XXHASH128, "abc", "06b05ab6733a618578af5f94892f3950"},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg)+"/"+tt.in, func(t *testing.T) {
			h, err := NewChecksumHash(tt.alg)
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte(tt.in))
			sum := h.Sum(nil)
			if got := hex.EncodeToString(sum); got != tt.want {
				t.Fatalf("got %s want %s", got, tt.want)
			}
			if len(sum) != tt.alg.Size() || h.Size() != tt.alg.Size() {
				t.Fatalf("size %d/%d, Size() %d", len(sum), h.Size(), tt.alg.Size())
			}
			if _, err := DecodeChecksum(tt.alg, EncodeChecksum(sum)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAllowsType(t *testing.T) {
	for _, a := range S3ChecksumAlgorithms {
		full := a == CRC32 || a == CRC32C || a == CRC64NVME
		if got := a.AllowsType(ChecksumFullObject); got != full {
			t.Errorf("%s FULL_OBJECT: %v", a, got)
		}
		if got := a.AllowsType(ChecksumComposite); got != (a != CRC64NVME) {
			t.Errorf("%s COMPOSITE: %v", a, got)
		}
		if !a.AllowsType(a.DefaultType()) {
			t.Errorf("%s: default type %s not allowed", a, a.DefaultType())
		}
	}
}
