package translate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// treeData is the test pattern: byte i is (31i+7) mod 251.
func treeData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((i*31 + 7) % 251)
	}
	return b
}

// naiveTreeHash is the algorithm as AWS documents it (protocols.md §4.3,
// "Computing Checksums" in the Glacier developer guide): hash 1 MiB
// chunks, then hash pairs level by level, carrying an odd last hash up.
func naiveTreeHash(data []byte) []byte {
	var level [][]byte
	for off := 0; off < len(data) || off == 0; off += TreeHashLeaf {
		end := min(off+TreeHashLeaf, len(data))
		s := sha256.Sum256(data[off:end])
		level = append(level, s[:])
		if end == len(data) {
			break
		}
	}
	for len(level) > 1 {
		var next [][]byte
		for i := 0; i < len(level); i += 2 {
			if i+1 == len(level) {
				next = append(next, level[i])
				continue
			}
			s := sha256.Sum256(append(append([]byte(nil), level[i]...), level[i+1]...))
			next = append(next, s[:])
		}
		level = next
	}
	return level[0]
}

// TestTreeHash checks the streaming tree hash against values computed by
// botocore 1.43's utils.calculate_tree_hash (the function boto3's glacier
// client signs with) over treeData, and against the documented algorithm
// written out naively, for lengths around leaf boundaries and odd and even
// leaf counts; and that chunking the writes does not matter.
func TestTreeHash(t *testing.T) {
	const M = TreeHashLeaf
	// python3 -c 'from botocore.utils import calculate_tree_hash; ...'
	botocore := []struct {
		n    int
		want string
	}{
		{0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879"},
		{M - 1, "14446dd49471dd263c478a8bd520ff2c4838ba97b15b4b53aaec61356f27b038"},
		{M, "1c59b8670027384143781a8a8bff2f3b44bd8818d0f53b13b064c2375a1afe38"},
		{M + 1, "bdbb3466665ed8cbe8fc26d6cd3ee2d7c88f427bef2982246317b76917649519"},
		{2 * M, "fef73e6be8f9dd6f083b04c99d6fd732691441f983b2305c8137cd5cd9ace701"},
		{3*M + 5, "a78b99fd04d3e5a0f8615ec7b301f35dd4505046b398fbc7344d040522020845"},
		{5 * M, "6400ccb363f7fc5a11c8779f846216c8f93f74a3d38ffca2cda7c1d35fff081f"},
		{7*M + 3, "92d59a79276522fe094cfe5f2ef47193a524951cdadc7295f4653dc0010b2d62"},
		{9*M + 3, "6e352093ac210ec642720e56f639580831063c5554c38b44739aad24e3500c38"},
	}
	all := treeData(9*M + 3)
	for _, tt := range botocore {
		data := all[:tt.n]
		for _, chunk := range []int{1 << 20, 4096, 777777} {
			h := NewTreeHash()
			for off := 0; off < len(data); off += chunk {
				h.Write(data[off:min(off+chunk, len(data))])
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != tt.want {
				t.Errorf("%d bytes in %d-byte writes: %s, want botocore's %s", tt.n, chunk, got, tt.want)
			}
		}
		if got := hex.EncodeToString(naiveTreeHash(data)); got != tt.want {
			t.Errorf("%d bytes: the naive algorithm gives %s, botocore %s", tt.n, got, tt.want)
		}
	}
	// A by-hand case: three leaves are H(H(L0‖L1)‖L2).
	data := all[:2*M+10]
	l0, l1, l2 := sha256.Sum256(data[:M]), sha256.Sum256(data[M:2*M]), sha256.Sum256(data[2*M:])
	p01 := sha256.Sum256(append(l0[:], l1[:]...))
	root := sha256.Sum256(append(p01[:], l2[:]...))
	h := NewTreeHash()
	h.Write(data)
	if !bytes.Equal(h.Sum(nil), root[:]) {
		t.Errorf("three leaves: %x, want %x", h.Sum(nil), root)
	}
}

// TestCombineTreeHashes: the archive's tree hash is the tree hash over its
// parts' tree hashes, for power-of-two part sizes (the rule Complete
// relies on, protocols.md §4.x.5), including a short last part and odd
// part counts.
func TestCombineTreeHashes(t *testing.T) {
	const M = TreeHashLeaf
	data := treeData(13*M + 12345)
	for _, partSize := range []int{M, 2 * M, 4 * M, 8 * M} {
		for _, total := range []int{1, M, 3*M + 1, 8 * M, 13*M + 12345} {
			var parts [][]byte
			for off := 0; off < total; off += partSize {
				h := NewTreeHash()
				h.Write(data[off:min(off+partSize, total)])
				parts = append(parts, h.Sum(nil))
			}
			got, err := CombineTreeHashes(parts)
			if err != nil {
				t.Fatal(err)
			}
			if want := naiveTreeHash(data[:total]); !bytes.Equal(got, want) {
				t.Errorf("part size %d, %d bytes: combined %x, want %x", partSize, total, got, want)
			}
		}
	}
	if _, err := CombineTreeHashes(nil); err == nil {
		t.Error("no pieces: no error")
	}
	if _, err := CombineTreeHashes([][]byte{{1, 2}}); err == nil {
		t.Error("a short piece: no error")
	}
}

// TestTreeHashBodyWithholds: a body whose x-amz-sha256-tree-hash does not
// match fails with ChecksumMismatch and never yields its last byte, so a
// backend commits nothing (the Body contract).
func TestTreeHashBodyWithholds(t *testing.T) {
	data := treeData(TreeHashLeaf + 100)
	bad, _ := TreeHashValue(hex.EncodeToString(naiveTreeHash(data[1:])))
	b, err := NewBody(bytes.NewReader(data), int64(len(data)), BodyOptions{Expected: Checksums{SHA256Tree: bad}})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_, err = got.ReadFrom(b)
	if CodeOf(err) != ErrChecksumMismatch {
		t.Fatalf("read error %v, want ChecksumMismatch", err)
	}
	if got.Len() >= len(data) {
		t.Fatalf("a bad body yielded all %d bytes", got.Len())
	}
	good, _ := TreeHashValue(hex.EncodeToString(naiveTreeHash(data)))
	b, _ = NewBody(bytes.NewReader(data), int64(len(data)), BodyOptions{Expected: Checksums{SHA256Tree: good}})
	got.Reset()
	if _, err := got.ReadFrom(b); err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("a good body: %v, %d bytes", err, got.Len())
	}
	if s, _ := b.Sums(); s.Checksum[SHA256Tree] != good {
		t.Fatalf("sums %v lack the tree hash", s.Checksum)
	}
}

func TestTreeHashHexValue(t *testing.T) {
	v, ok := TreeHashValue("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	if !ok || TreeHashHex(v) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("round trip: %q %v", v, ok)
	}
	for _, bad := range []string{"", "e3b0", "zz" + v[2:], "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B85"} {
		if _, ok := TreeHashValue(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if TreeHashHex("not base64") != "" {
		t.Error("a garbled value has a hex form")
	}
}
