package translate

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
)

// BodyOptions say what a Body computes and what it must match.
type BodyOptions struct {
	// Algorithms to compute besides MD5 (always computed, for the ETag).
	Algorithms []ChecksumAlgorithm
	// ContentMD5 is the decoded Content-MD5 the client sent, if any.
	ContentMD5 []byte
	// SHA256 is the hex SHA-256 the client signed (x-amz-content-sha256),
	// if the payload was signed.
	SHA256 string
	// Expected holds checksum values sent as headers, verified at EOF.
	Expected Checksums
	// Trailer, when set, is called once the stream has ended to fetch
	// checksum values sent as trailers (aws-chunked); they are verified like
	// Expected. It may return an error for a malformed trailer.
	Trailer func() (Checksums, error)
	// MaxSize, when > 0, is the largest body allowed (EntityTooLarge).
	MaxSize int64
	// ClientAlgorithm is the checksum algorithm the client chose for this
	// body (a header, a trailer or S3's x-amz-sdk-checksum-algorithm), ""
	// when it chose none; the engine then adds Rules.DefaultChecksum.
	ClientAlgorithm ChecksumAlgorithm
}

// Sums are the digests of a body that was read to its end.
type Sums struct {
	Size     int64
	MD5      []byte
	Checksum Checksums // every computed algorithm, base64
}

// ETag returns the lowercase hex MD5.
func (s Sums) ETag() string { return hex.EncodeToString(s.MD5) }

// Body is a request body on its way from a client to a backend. It yields
// exactly Size bytes and then io.EOF, computing digests as the bytes pass.
//
// Its contract with backends: a backend reads Body until io.EOF and only then
// commits what it wrote. If Read returns any other error, the body was
// short, too long, failed a digest check or the client went away; the
// backend discards everything it wrote and returns that error (as is or
// wrapped). After io.EOF, Sums returns the digests to record. A backend must
// not use Body after it returns.
//
// Body withholds its final bytes until the payload has ended and every
// digest has been checked: a backend that streams Body to a store with a
// declared Content-Length therefore never delivers the last byte of a bad
// body, and the store sees an incomplete request instead of committing it.
type Body struct {
	// pending holds bytes read and hashed but not yet returned; while the
	// payload has not been verified, at least one stays here.
	pending []byte
	buf     []byte
	done    bool // the payload ended and verified

	r      io.Reader
	size   int64
	n      int64
	opts   BodyOptions
	md5    hash.Hash
	sha    hash.Hash
	hashes map[ChecksumAlgorithm]hash.Hash
	w      io.Writer
	sums   *Sums
	err    error
}

// NewBody wraps r, which must yield the decoded payload, of declared size
// (-1 when unknown). It fails if an algorithm is unknown.
func NewBody(r io.Reader, size int64, opts BodyOptions) (*Body, error) {
	b := &Body{r: r, size: size, opts: opts, md5: md5.New(), hashes: map[ChecksumAlgorithm]hash.Hash{}}
	writers := []io.Writer{b.md5}
	if opts.SHA256 != "" {
		b.sha = sha256.New()
		writers = append(writers, b.sha)
	}
	add := func(a ChecksumAlgorithm) error {
		if _, ok := b.hashes[a]; ok {
			return nil
		}
		h, err := NewChecksumHash(a)
		if err != nil {
			return err
		}
		b.hashes[a] = h
		writers = append(writers, h)
		return nil
	}
	for _, a := range opts.Algorithms {
		if err := add(a); err != nil {
			return nil, err
		}
	}
	for a := range opts.Expected {
		if err := add(a); err != nil {
			return nil, err
		}
	}
	b.w = io.MultiWriter(writers...)
	return b, nil
}

// BytesBody returns a Body over a byte slice, for tests and small internal
// payloads.
func BytesBody(p []byte, algs ...ChecksumAlgorithm) *Body {
	b, err := NewBody(bytes.NewReader(p), int64(len(p)), BodyOptions{Algorithms: algs})
	if err != nil {
		panic(err)
	}
	return b
}

// Size returns the declared size, or -1 when unknown.
func (b *Body) Size() int64 { return b.size }

// ContentMD5 returns the Content-MD5 the client sent (nil if none), so a
// backend can forward it for the store to verify as well.
func (b *Body) ContentMD5() []byte { return b.opts.ContentMD5 }

// Expected returns the checksums the client sent as headers, so a backend
// whose store verifies checksums can forward them.
func (b *Body) Expected() Checksums { return b.opts.Expected }

// holdbackSize bounds the bytes Body keeps between reads.
const holdbackSize = 32 << 10

// Read implements io.Reader with the contract described on Body.
func (b *Body) Read(p []byte) (int, error) {
	for {
		switch {
		case b.done:
			if len(b.pending) == 0 {
				return 0, io.EOF
			}
			n := copy(p, b.pending)
			b.pending = b.pending[n:]
			return n, nil
		case b.err != nil:
			return 0, b.err
		case len(b.pending) > 1 && len(p) > 0:
			n := copy(p, b.pending[:len(b.pending)-1])
			b.pending = b.pending[n:]
			return n, nil
		case len(p) == 0:
			return 0, nil
		}
		if b.buf == nil {
			b.buf = make([]byte, holdbackSize)
		}
		kept := copy(b.buf, b.pending)
		n, err := b.readVerified(b.buf[kept:])
		b.pending = b.buf[:kept+n]
		if err == io.EOF {
			b.done = true
		} else if err != nil {
			b.pending = nil
			return 0, err
		}
	}
}

// readVerified reads the payload, hashing it, and at its end verifies
// every digest: it returns io.EOF only for a payload that passed.
func (b *Body) readVerified(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.size >= 0 && int64(len(p)) > b.size-b.n+1 {
		// Read one byte past the declared size at most, to notice overflow.
		p = p[:b.size-b.n+1]
	}
	n, err := b.r.Read(p)
	if n > 0 {
		if b.size >= 0 && b.n+int64(n) > b.size {
			b.err = Errorf(ErrInvalidRequest, "body is longer than the declared %d bytes", b.size)
			return 0, b.err
		}
		if b.opts.MaxSize > 0 && b.n+int64(n) > b.opts.MaxSize {
			b.err = Errorf(ErrEntityTooLarge, "body exceeds the maximum of %d bytes", b.opts.MaxSize)
			return 0, b.err
		}
		b.w.Write(p[:n])
		b.n += int64(n)
	}
	switch {
	case err == io.EOF:
		if ferr := b.finish(); ferr != nil {
			b.err = ferr
			return n, ferr
		}
		b.err = io.EOF
		return n, io.EOF
	case err != nil:
		if errors.Is(err, io.ErrUnexpectedEOF) {
			b.err = Wrap(ErrIncompleteBody, err, incompleteBodyMessage)
		} else if CodeOf(err) != ErrInternal {
			b.err = err // already a neutral error (e.g. from the chunk decoder)
		} else {
			b.err = Wrap(ErrIncompleteBody, err, incompleteBodyMessage)
		}
		return n, b.err
	}
	return n, nil
}

// incompleteBodyMessage is S3's IncompleteBody text.
const incompleteBodyMessage = "You did not provide the number of bytes specified by the Content-Length HTTP header."

func (b *Body) finish() error {
	if b.size >= 0 && b.n < b.size {
		return &Error{Code: ErrIncompleteBody, Message: incompleteBodyMessage,
			Extra: map[string]string{"NumberBytesExpected": fmt.Sprint(b.size), "NumberBytesProvided": fmt.Sprint(b.n)}}
	}
	sums := &Sums{Size: b.n, MD5: b.md5.Sum(nil), Checksum: Checksums{}}
	for a, h := range b.hashes {
		sums.Checksum[a] = EncodeChecksum(h.Sum(nil))
	}
	if b.opts.ContentMD5 != nil && !bytes.Equal(b.opts.ContentMD5, sums.MD5) {
		return Errorf(ErrBadDigest, "the Content-MD5 you specified did not match what was received")
	}
	if b.sha != nil {
		if got := hex.EncodeToString(b.sha.Sum(nil)); got != b.opts.SHA256 {
			return &Error{Code: ErrContentSHA256Mismatch,
				Message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
				Extra:   map[string]string{"ClientComputedContentSHA256": b.opts.SHA256, "S3ComputedContentSHA256": got}}
		}
	}
	if err := verifyChecksums(b.opts.Expected, sums.Checksum); err != nil {
		return err
	}
	if b.opts.Trailer != nil {
		trailer, err := b.opts.Trailer()
		if err != nil {
			return err
		}
		for a := range trailer {
			if _, ok := sums.Checksum[a]; !ok {
				return Errorf(ErrInvalidRequest, "trailer %s was not announced", a)
			}
		}
		if err := verifyChecksums(trailer, sums.Checksum); err != nil {
			return err
		}
	}
	b.sums = sums
	return nil
}

func verifyChecksums(expected, got Checksums) error {
	for a, v := range expected {
		if got[a] != v {
			return &Error{Code: ErrChecksumMismatch,
				Message: ChecksumMismatchMessage(a),
				Extra:   map[string]string{"Algorithm": string(a)}}
		}
	}
	return nil
}

// ChecksumMismatchMessage is S3's BadDigest text for a flexible checksum
// that does not match: "The CRC32 you specified did not match the
// calculated checksum."
func ChecksumMismatchMessage(a ChecksumAlgorithm) string {
	return fmt.Sprintf("The %s you specified did not match the calculated checksum.", a)
}

// Sums returns the verified digests; ok is false until Read has returned
// io.EOF.
func (b *Body) Sums() (Sums, bool) {
	if b.sums == nil {
		return Sums{}, false
	}
	return *b.sums, true
}
