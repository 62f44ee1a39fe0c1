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
	"maps"
	"slices"
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

// ETag returns the lowercase hex MD5, "" when the body skipped MD5
// (Body.StoreETag).
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
	// last is the final byte read and hashed but not yet returned: until the
	// payload has ended and been verified, Read keeps one byte back (held).
	last byte
	held bool
	one  [1]byte // scratch for a one-byte Read while a byte is held
	done bool    // the payload ended and verified

	r       io.Reader
	size    int64
	n       int64
	opts    BodyOptions
	md5     hash.Hash // nil when the store computes the ETag (StoreETag)
	sha     hash.Hash
	hashes  map[ChecksumAlgorithm]hash.Hash
	w       io.Writer // every digest; built at the first Read
	started bool
	sums    *Sums
	err     error
}

// NewBody wraps r, which must yield the decoded payload, of declared size
// (-1 when unknown). It fails if an algorithm is unknown.
func NewBody(r io.Reader, size int64, opts BodyOptions) (*Body, error) {
	b := &Body{r: r, size: size, opts: opts, md5: md5.New(), hashes: map[ChecksumAlgorithm]hash.Hash{}}
	if opts.SHA256 != "" {
		b.sha = sha256.New()
	}
	for _, a := range append(slices.Clone(opts.Algorithms), slices.Collect(maps.Keys(opts.Expected))...) {
		if _, ok := b.hashes[a]; ok {
			continue
		}
		h, err := NewChecksumHash(a)
		if err != nil {
			return nil, err
		}
		b.hashes[a] = h
	}
	return b, nil
}

// StoreETag is called by a backend, before it reads b, that passes b's
// bytes unchanged to a store which computes their MD5 as its ETag (a
// PutObject, or an UploadPart passed through 1:1): b then skips MD5,
// unless it needs it to check a Content-MD5 the client sent, and Sums.MD5
// is nil; the backend gives the client the store's ETag. It reports
// whether MD5 is skipped (false too once reading has begun).
func (b *Body) StoreETag() bool {
	if b.started || b.opts.ContentMD5 != nil {
		return false
	}
	b.md5 = nil
	return true
}

// Digests lists what b computes: "ETag-MD5" for the ETag, "SHA256-payload" for
// a signed payload, and the checksum algorithms, sorted; for tests and
// the digest plan's documentation.
func (b *Body) Digests() []string {
	var out []string
	if b.md5 != nil {
		out = append(out, "ETag-MD5")
	}
	if b.sha != nil {
		out = append(out, "SHA256-payload")
	}
	for a := range b.hashes {
		out = append(out, string(a))
	}
	slices.Sort(out)
	return out
}

// start builds the writer that feeds every digest.
func (b *Body) start() {
	b.started = true
	var ws []io.Writer
	if b.md5 != nil {
		ws = append(ws, b.md5)
	}
	if b.sha != nil {
		ws = append(ws, b.sha)
	}
	for _, h := range b.hashes {
		ws = append(ws, h)
	}
	b.w = io.MultiWriter(ws...)
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

// Read implements io.Reader with the contract described on Body. It reads
// straight into p, keeping back only the last byte read until the payload
// has been verified: no copy of the bytes besides the one.
func (b *Body) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		switch {
		case b.done:
			if b.held {
				p[0], b.held = b.last, false
				return 1, nil
			}
			return 0, io.EOF
		case b.err != nil:
			return 0, b.err
		}
		k := 0
		if b.held {
			p[0], k = b.last, 1
		}
		dst := p[k:]
		if len(dst) == 0 {
			dst = b.one[:]
		}
		n, err := b.readVerified(dst)
		switch {
		case err == io.EOF:
			b.done = true
			if len(p) == k && n == 1 {
				b.last = b.one[0] // returned by the next Read
				return k, nil
			}
			b.held = false
			if k+n == 0 {
				return 0, io.EOF
			}
			return k + n, nil
		case err != nil:
			b.held = false
			return 0, err
		case n == 0:
			continue
		case len(p) == k:
			// p had room for the held byte only: it goes, the new one stays.
			b.last = b.one[0]
			return k, nil
		}
		b.last, b.held = p[k+n-1], true
		if k+n-1 > 0 {
			return k + n - 1, nil
		}
	}
}

// WriteTo implements io.WriterTo, so io.Copy moves b through one pooled
// buffer of CopyBufferSize instead of its own 32 KiB.
func (b *Body) WriteTo(w io.Writer) (int64, error) {
	buf := GetCopyBuffer()
	defer PutCopyBuffer(buf)
	var total int64
	for {
		n, err := b.Read(*buf)
		if n > 0 {
			m, werr := w.Write((*buf)[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// readVerified reads the payload, hashing it, and at its end verifies
// every digest: it returns io.EOF only for a payload that passed.
func (b *Body) readVerified(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if !b.started {
		b.start()
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
	sums := &Sums{Size: b.n, Checksum: Checksums{}}
	if b.md5 != nil {
		sums.MD5 = b.md5.Sum(nil)
	}
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
