package translate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
)

// SHA256Tree is Glacier's SHA-256 tree hash (x-amz-sha256-tree-hash): the
// SHA-256 of each 1 MiB leaf, combined pairwise level by level, an odd last
// hash carried up unchanged (protocols.md §4.3; botocore
// utils.calculate_tree_hash). Its Checksums value is the base64 of the raw
// 32-byte root, like every other algorithm; Glacier's wire form is the
// lowercase hex of the same bytes.
const SHA256Tree ChecksumAlgorithm = "SHA256TREE"

// TreeHashLeaf is the tree hash's leaf size, 1 MiB.
const TreeHashLeaf = 1 << 20

// treeHash computes the tree hash while the data streams through. It keeps
// one leaf hasher and, per tree level, at most one pending node: memory is
// O(log n) whatever the size.
type treeHash struct {
	leaf   hash.Hash
	inLeaf int
	// levels[i] is a pending node covering 2^i leaves, or nil.
	levels [][]byte
	leaves int64
}

// NewTreeHash returns a hash.Hash computing SHA256Tree.
func NewTreeHash() hash.Hash { return &treeHash{leaf: sha256.New()} }

func (t *treeHash) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(TreeHashLeaf-t.inLeaf, len(p))
		t.leaf.Write(p[:k])
		t.inLeaf += k
		p = p[k:]
		if t.inLeaf == TreeHashLeaf {
			t.push(t.leaf.Sum(nil))
			t.leaf.Reset()
			t.inLeaf = 0
		}
	}
	return n, nil
}

// push adds a full leaf, merging equal-sized subtrees as a binary counter
// does.
func (t *treeHash) push(node []byte) {
	t.leaves++
	for i := 0; ; i++ {
		if i == len(t.levels) {
			t.levels = append(t.levels, node)
			return
		}
		if t.levels[i] == nil {
			t.levels[i] = node
			return
		}
		node = pair(t.levels[i], node)
		t.levels[i] = nil
	}
}

func pair(l, r []byte) []byte {
	h := sha256.New()
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// Sum appends the tree hash of everything written so far. The pending
// subtrees, smallest last, are exactly the right edge of the level-by-level
// construction: folding them from the smallest up equals carrying odd nodes
// up unchanged.
func (t *treeHash) Sum(b []byte) []byte {
	var acc []byte
	if t.inLeaf > 0 || t.leaves == 0 {
		acc = t.leaf.Sum(nil)
	}
	for _, node := range t.levels {
		switch {
		case node == nil:
		case acc == nil:
			acc = node
		default:
			acc = pair(node, acc)
		}
	}
	return append(b, acc...)
}

func (t *treeHash) Reset() {
	t.leaf.Reset()
	t.inLeaf, t.levels, t.leaves = 0, nil, 0
}

func (t *treeHash) Size() int      { return sha256.Size }
func (t *treeHash) BlockSize() int { return sha256.BlockSize }

// CombineTreeHashes returns the tree hash of consecutive pieces from their
// own tree hashes (raw 32-byte digests), where every piece but the last
// covers the same power-of-two number of leaves: Glacier's parts, whose
// size is 1 MiB × 2^n. It is the tree hash computed over the pieces'
// hashes as leaves (the model's "tree hash of SHA256 tree hash of the
// individual parts"), so Complete needs no data.
func CombineTreeHashes(pieces [][]byte) ([]byte, error) {
	if len(pieces) == 0 {
		return nil, fmt.Errorf("tree hash of no pieces")
	}
	level := append([][]byte(nil), pieces...)
	for _, p := range level {
		if len(p) != sha256.Size {
			return nil, fmt.Errorf("tree hash piece of %d bytes", len(p))
		}
	}
	for len(level) > 1 {
		next := make([][]byte, 0, (len(level)+1)/2)
		for i := 0; i < len(level); i += 2 {
			if i+1 == len(level) {
				next = append(next, level[i])
			} else {
				next = append(next, pair(level[i], level[i+1]))
			}
		}
		level = next
	}
	return level[0], nil
}

// TreeHashHex converts a SHA256Tree Checksums value to Glacier's hex form;
// "" if it is not well formed.
func TreeHashHex(v string) string {
	raw, err := DecodeChecksum(SHA256Tree, v)
	if err != nil {
		return ""
	}
	return hex.EncodeToString(raw)
}

// TreeHashValue converts Glacier's hex form to a Checksums value; ok is
// false unless s is 64 hex digits.
func TreeHashValue(s string) (string, bool) {
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != sha256.Size {
		return "", false
	}
	return EncodeChecksum(raw), true
}
