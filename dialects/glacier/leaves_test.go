package glacier

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// TestLeafFold: folding leaves foldChunk at a time gives the tree hash of
// all of them at once (CombineTreeHashes over the leaves, the tree's own
// definition), across chunk boundaries.
func TestLeafFold(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 2, 3, foldChunk - 1, foldChunk, foldChunk + 1, 2*foldChunk + 5, 3 * foldChunk} {
		leaves := make([][]byte, n)
		var fold leafFold
		for i := range leaves {
			leaves[i] = make([]byte, leafSize)
			rnd.Read(leaves[i])
			if err := fold.add(leaves[i]); err != nil {
				t.Fatal(err)
			}
		}
		want, err := translate.CombineTreeHashes(leaves)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := fold.sum(); err != nil || got != hex.EncodeToString(want) {
			t.Errorf("%d leaves: %s, %v; want %x", n, got, err, want)
		}
	}
}

// TestLeafReader: the reader yields each MiB's SHA-256 in order (the last
// leaf short) and folds them into the data's tree hash.
func TestLeafReader(t *testing.T) {
	const M = translate.TreeHashLeaf
	for _, size := range []int{1, M - 1, M, M + 1, 3*M + 7} {
		data := make([]byte, size)
		rand.New(rand.NewSource(int64(size))).Read(data)
		lr := newLeafReader(bytes.NewReader(data), int64(size))
		got, err := io.ReadAll(lr)
		if err != nil {
			t.Fatal(err)
		}
		var want []byte
		for i := 0; i < size; i += M {
			sum := sha256.Sum256(data[i:min(i+M, size)])
			want = append(want, sum[:]...)
		}
		if !bytes.Equal(got, want) || int64(len(got)) != leafCount(int64(size))*leafSize {
			t.Errorf("%d bytes: leaves differ (%d bytes, want %d)", size, len(got), len(want))
		}
		if tree, err := lr.fold.sum(); err != nil || tree != treeHex(data) {
			t.Errorf("%d bytes: tree hash %s, %v; want %s", size, tree, err, treeHex(data))
		}
	}
	// a short read is the data's failure, kept apart from the body's
	lr := newLeafReader(bytes.NewReader(make([]byte, 10)), 20)
	if _, err := io.ReadAll(lr); err == nil || lr.err == nil {
		t.Errorf("a short source read as %v (kept %v)", err, lr.err)
	}
}
