package translate

import (
	"encoding/binary"
	"hash"
	"hash/crc64"
)

// Fast CRC-64 for the two reflected 64-bit CRCs babelgate computes on the
// body path: CRC-64/XZ, Go's crc64.ECMA table and OSS's
// x-oss-hash-crc64ecma, and CRC-64/NVME, S3's CRC64NVME. Both have
// all-ones init and final xor, which is what hash/crc64 implements; the
// table-driven standard library runs at about 1.6 GB/s per core.
//
// On amd64 with PCLMULQDQ the bulk of each Write is folded with carry-less
// multiplication (Intel, "Fast CRC Computation for Generic Polynomials
// Using PCLMULQDQ Instruction", 2009, reflected variant): eight 16-byte
// lanes are each multiplied forward by x^1024 modulo P per 128-byte block,
// then folded into one lane, whose remainder the table finishes along with
// the tail (under 128 bytes). Everywhere else, and with the purego build
// tag, the standard library does the whole work.
//
// Constants. In the reflected representation a 64-bit value v stands for
// the polynomial whose x^(63-i) coefficient is bit i of v, and a 16-byte
// lane loaded little-endian (low qword first) stands for H·x^64 + L with H
// the low qword. A lane X followed by D more bits of message contributes
// X·x^D = H·x^(D+64) + L·x^D (mod P). PCLMULQDQ of two reflected 64-bit
// values a and b yields the 127-bit product one place below the 128-bit
// lane's top (bit 0 is x^127 and stays empty), so the constant for "times
// x^N" is the reflected x^(N-1) mod P: its product lands exactly on the lane
// layout. crc64FoldConsts derives k[m-1] = {x^(128m+63), x^(128m-1)} mod P
// for folding across m lanes (m = 8: one 128-byte block) by multiplying by
// x one bit at a time, the same shift-and-xor step crc64.MakeTable uses.

// crc64FoldConsts are the folding constants of one polynomial: index m-1
// holds the pair that moves a lane forward by 128·m bits, as PCLMULQDQ
// reads it (low qword for H, high qword for L).
type crc64FoldConsts [8][2]uint64

// crc64XPow returns x^n mod P in the reflected representation, where poly
// is P's reflected form without the x^64 term (crc64.ECMA, crc64NVMEPoly).
func crc64XPow(poly uint64, n int) uint64 {
	v := uint64(1) << 63 // x^0
	for range n {
		carry := v & 1 // the x^63 coefficient, which becomes x^64
		v >>= 1
		if carry != 0 {
			v ^= poly
		}
	}
	return v
}

func makeCRC64FoldConsts(poly uint64) *crc64FoldConsts {
	var k crc64FoldConsts
	for m := 1; m <= 8; m++ {
		d := 128 * m
		k[m-1] = [2]uint64{crc64XPow(poly, d+63), crc64XPow(poly, d-1)}
	}
	return &k
}

// crc64Fast is one reflected CRC-64: its table for the standard library
// and its folding constants.
type crc64Fast struct {
	tab *crc64.Table
	k   *crc64FoldConsts
}

func newCRC64Fast(poly uint64) *crc64Fast {
	return &crc64Fast{tab: crc64.MakeTable(poly), k: makeCRC64FoldConsts(poly)}
}

// crc64MinFold is the shortest input the CLMUL path takes: below two
// 128-byte blocks the table is as quick.
const crc64MinFold = 256

// update returns crc extended by p, with the same convention as
// crc64.Update (crc is the finished value of the bytes before p).
func (c *crc64Fast) update(crc uint64, p []byte) uint64 {
	if !hasCLMUL || len(p) < crc64MinFold {
		return crc64.Update(crc, c.tab, p)
	}
	n := len(p) &^ 127
	lo, hi := crc64Fold(c.k, ^crc, p[:n])
	// The folded lane's remainder is what the table leaves after feeding
	// the lane's 16 bytes to a zero register (crc64.Update's ^0 in, which
	// it inverts to a zero register).
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], lo)
	binary.LittleEndian.PutUint64(b[8:], hi)
	crc = crc64.Update(^uint64(0), c.tab, b[:])
	return crc64.Update(crc, c.tab, p[n:])
}

// new returns a hash.Hash64 whose Sum is the big-endian digest, like
// crc64.New's.
func (c *crc64Fast) new() hash.Hash64 { return &crc64Digest{c: c} }

type crc64Digest struct {
	c   *crc64Fast
	crc uint64
}

func (d *crc64Digest) Write(p []byte) (int, error) {
	d.crc = d.c.update(d.crc, p)
	return len(p), nil
}

func (d *crc64Digest) Sum64() uint64 { return d.crc }

func (d *crc64Digest) Sum(in []byte) []byte { return binary.BigEndian.AppendUint64(in, d.crc) }

func (d *crc64Digest) Reset() { d.crc = 0 }

func (d *crc64Digest) Size() int { return crc64.Size }

func (d *crc64Digest) BlockSize() int { return 1 }
