package glacier

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// A job's output leaves: the SHA-256 of each 1 MiB leaf of a job's output,
// 32 bytes a leaf in order, stored as the object .glacier/jobs/<job id>.leaves
// (jobRecord.Leaves) where they cost no read of their own: an inventory's
// as it is written, and a tree-hash aligned part of an archive's from the
// read InitiateJob makes anyway to report the part's tree hash. A
// whole-archive job has none (InitiateJob reads nothing; its tree hash is
// the archive's). GetJobOutput of a tree-hash aligned range (the Glacier
// developer guide, "Receiving Checksums When Downloading Data": the range's
// tree hash is a node of the archive's tree) sends x-amz-sha256-tree-hash
// before the body: with leaves, it reads the range's leaf hashes (32 bytes
// per MiB) and combines them, then streams the range once; without, it
// reads the range to hash it and then again to send it. A job's output
// starts on a leaf boundary of the archive (InitiateJob's
// RetrievalByteRange is megabyte aligned), so its leaves are the archive's.

// leafSize is the length of one stored leaf hash.
const leafSize = sha256.Size

func leavesKey(jobID string) string { return jobKey(jobID) + ".leaves" }

// leafCount is the number of 1 MiB leaves of n bytes.
func leafCount(n int64) int64 { return (n + translate.TreeHashLeaf - 1) / translate.TreeHashLeaf }

// foldChunk is how many leaves leafFold combines at once: a power of two,
// as CombineTreeHashes wants of every piece but the last.
const foldChunk = 1024

// leafFold computes a tree hash from its leaf hashes, given in order, in
// bounded memory: each run of foldChunk leaves is combined into its
// subtree's root as soon as it is complete, and the roots at the end.
type leafFold struct {
	chunk, roots [][]byte
}

func (f *leafFold) add(leaf []byte) error {
	f.chunk = append(f.chunk, leaf)
	if len(f.chunk) == foldChunk {
		return f.flush()
	}
	return nil
}

func (f *leafFold) flush() error {
	if len(f.chunk) == 0 {
		return nil
	}
	root, err := translate.CombineTreeHashes(f.chunk)
	if err != nil {
		return err
	}
	f.roots, f.chunk = append(f.roots, root), f.chunk[:0]
	return nil
}

// sum returns the tree hash in Glacier's hex form.
func (f *leafFold) sum() (string, error) {
	if err := f.flush(); err != nil {
		return "", err
	}
	root, err := translate.CombineTreeHashes(f.roots)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(root), nil
}

// leafReader reads size bytes of data and yields the SHA-256 of each 1 MiB
// leaf of them in turn, folding each into the data's tree hash as well.
// A failure to read the data is kept in err (it is the store's failure,
// not the body's).
type leafReader struct {
	data io.Reader
	left int64
	h    hash.Hash
	buf  []byte
	fold leafFold
	err  error
}

func newLeafReader(data io.Reader, size int64) *leafReader {
	return &leafReader{data: data, left: size, h: sha256.New()}
}

func (lr *leafReader) Read(p []byte) (int, error) {
	if len(lr.buf) == 0 {
		if lr.left == 0 {
			return 0, io.EOF
		}
		n := min(lr.left, translate.TreeHashLeaf)
		lr.h.Reset()
		if _, err := io.CopyN(lr.h, lr.data, n); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the data is shorter than said
			}
			lr.err = err
			return 0, err
		}
		lr.left -= n
		lr.buf = lr.h.Sum(nil)
		if err := lr.fold.add(lr.buf); err != nil {
			lr.err = err
			return 0, err
		}
	}
	k := copy(p, lr.buf)
	lr.buf = lr.buf[k:]
	return k, nil
}

// storeLeaves reads size bytes of data (a job's output) once, stores their
// leaf hashes as the job's leaves object and returns the output's tree
// hash (hex).
func (d *Dialect) storeLeaves(r *dialects.Request, bucket, jobID string, data io.Reader, size int64) (string, error) {
	lr := newLeafReader(data, size)
	_, err := d.cfg.Engine.PutObject(r.HTTP.Context(), r.Caller, translate.PutRequest{Bucket: bucket, Key: leavesKey(jobID),
		Metadata: translate.Metadata{ContentType: "application/octet-stream"},
		Body:     translate.BodyInput{Reader: lr, Size: leafCount(size) * leafSize}})
	if lr.err != nil {
		return "", translate.Wrap(translate.ErrInternal, lr.err, "reading the job's output to hash its leaves")
	}
	if err != nil {
		return "", err
	}
	return lr.fold.sum()
}

// rangeTreeHash returns the tree hash (hex) of the job output's bytes
// [start, start+length), start a multiple of 1 MiB, from the job's stored
// leaves: it reads their 32 bytes per MiB, never the output.
func (d *Dialect) rangeTreeHash(r *dialects.Request, bucket string, j *jobRecord, start, length int64) (string, error) {
	first, n := start/translate.TreeHashLeaf, leafCount(length)
	obj, err := d.cfg.Engine.GetObject(r.HTTP.Context(), r.Caller, translate.GetRequest{Bucket: bucket, Key: leavesKey(j.JobID),
		Range: fmt.Sprintf("bytes=%d-%d", first*leafSize, (first+n)*leafSize-1)})
	if err != nil {
		return "", err
	}
	defer obj.Body.Close()
	var fold leafFold
	for i := int64(0); i < n; i++ {
		leaf := make([]byte, leafSize)
		if _, err := io.ReadFull(obj.Body, leaf); err != nil {
			return "", translate.Wrap(translate.ErrInternal, err, "reading the job's leaf hashes")
		}
		if err := fold.add(leaf); err != nil {
			return "", translate.Wrap(translate.ErrInternal, err, "combining the job's leaf hashes")
		}
	}
	return fold.sum()
}
