package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// Limits of the aws-chunked decoder.
const (
	// MaxChunkSize is the largest chunk accepted: S3's largest part (5 GiB),
	// which the AWS SDK for .NET sends as one unsigned chunk with
	// DisablePayloadSigning. Chunk data is streamed, never buffered, so the
	// cap bounds no memory.
	MaxChunkSize = 5 << 30
	// MinChunkSize is the smallest signed chunk but the last that S3 accepts
	// ("each chunk must be at least 8 KB", sigv4-streaming); a smaller one
	// is InvalidChunkSizeError.
	MinChunkSize = 8 << 10
	// MaxLineLength bounds a chunk-header or trailer line, without its
	// line ending.
	MaxLineLength = 4 << 10
	// MaxTrailers bounds the number of trailer lines.
	MaxTrailers = 32

	chunkSignaturePrefix = ";chunk-signature="
	trailerSignatureName = "x-amz-trailer-signature"
	payloadAlgorithm     = "AWS4-HMAC-SHA256-PAYLOAD"
	trailerAlgorithm     = "AWS4-HMAC-SHA256-TRAILER"
	readBufferSize       = 8 << 10
)

// ChunkedReader decodes an aws-chunked request body (protocols.md §1.3) as
// an io.Reader of the payload. It hashes chunk bytes as they pass and holds
// no more than a fixed 8 KiB buffer, whatever the chunk size.
//
// Contract:
//   - When a signed chunk's last byte is read, the chunk signature is
//     checked before Read returns; on a mismatch that Read returns the
//     chunk's final bytes together with the error. No later data and never
//     io.EOF follow a bad chunk, so a consumer that commits only at io.EOF
//     never commits one. A consumer that forwards bytes as they arrive must
//     abandon what it wrote when Read fails.
//   - io.EOF is returned only after the final zero-length chunk, its
//     signature, the trailer and its signature (per mode) have been read
//     and checked and the body has ended.
//   - Errors are sticky. Framing errors are ErrMalformedTrailer, a body that
//     ends early is ErrIncompleteBody, a bad chunk or trailer signature is
//     ErrSignatureDoesNotMatch (all *translate.Error). Read errors of the
//     underlying body other than io.EOF and io.ErrUnexpectedEOF are
//     returned unchanged.
//   - The decoded length is not checked here: the caller compares it with
//     x-amz-decoded-content-length. Likewise the caller checks that the
//     trailers named in x-amz-trailer are present (see [ChunkedReader.Trailers]).
type ChunkedReader struct {
	br      *bufio.Reader
	signed  bool // chunk signatures present
	trailer bool // a trailer section follows the final chunk

	key            []byte
	amzDate, scope string
	prevSig        string // the previous chunk's signature (the seed first)

	remaining int64  // bytes of the current chunk still to read
	chunks    int    // chunk headers read so far
	lastSize  uint64 // the size of the previous chunk
	chunkSig  string // the current chunk's signature, as sent
	hash      hash.Hash
	sum       [sha256.Size]byte

	done     bool
	trailers map[string]string
	err      error
}

// NewChunkedReader returns a decoder of body for the aws-chunked mode named
// by a.PayloadHash. It fails with ErrInternal when [Auth.Streaming] is
// false.
func (a *Auth) NewChunkedReader(body io.Reader) (*ChunkedReader, error) {
	c := &ChunkedReader{
		br:      bufio.NewReaderSize(body, readBufferSize),
		key:     a.signingKey,
		amzDate: a.amzDate,
		scope:   a.scope,
		prevSig: a.Signature,
		hash:    sha256.New(),
	}
	switch a.PayloadHash {
	case StreamingPayload:
		c.signed = true
	case StreamingPayloadTrailer:
		c.signed, c.trailer = true, true
	case StreamingUnsignedPayloadTrailer:
		c.trailer = true
	default:
		return nil, translate.Errorf(translate.ErrInternal, "sigv4: payload %q is not an aws-chunked mode", truncate(a.PayloadHash))
	}
	if c.signed && len(c.key) == 0 {
		return nil, translate.Errorf(translate.ErrInternal, "sigv4: signed chunks need a verified Auth")
	}
	return c, nil
}

// Trailers returns the trailer headers, names lowercased, values trimmed.
// It returns nil until Read has returned io.EOF.
func (c *ChunkedReader) Trailers() map[string]string {
	if c.err != io.EOF {
		return nil
	}
	return maps.Clone(c.trailers)
}

// Read reads decoded payload bytes.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for c.remaining == 0 && !c.done {
		if err := c.nextChunk(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if c.done {
		c.err = io.EOF
		return 0, io.EOF
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.remaining -= int64(n)
	if c.signed {
		c.hash.Write(p[:n])
	}
	if c.remaining == 0 {
		if err := c.endChunk(); err != nil {
			c.err = err
			return n, err
		}
		return n, nil
	}
	if err != nil {
		c.err = c.readError(err, "chunk data")
		return n, c.err
	}
	return n, nil
}

// nextChunk reads a chunk header. For the final zero-length chunk it also
// reads and checks whatever follows, and sets done.
func (c *ChunkedReader) nextChunk() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	size, sig, err := c.parseChunkHeader(line)
	if err != nil {
		return err
	}
	c.chunks++
	if c.signed && size > 0 && c.chunks > 1 && c.lastSize < MinChunkSize {
		return &translate.Error{Code: translate.ErrInvalidChunkSize,
			Message: "Only the last chunk is allowed to have a size less than 8192 bytes",
			Extra:   map[string]string{"Chunk": strconv.Itoa(c.chunks - 1), "BadChunkSize": strconv.FormatUint(c.lastSize, 10)}}
	}
	c.lastSize = size
	if size > 0 {
		c.remaining, c.chunkSig = int64(size), sig
		c.hash.Reset()
		return nil
	}
	if c.signed {
		if err := c.verifyChunk(sig, EmptySHA256); err != nil {
			return err
		}
	}
	if c.trailer {
		err = c.readTrailers()
	} else {
		err = c.readNoTrailer()
	}
	if err != nil {
		return err
	}
	c.done = true
	return nil
}

// parseChunkHeader parses "<hex-size>[;chunk-signature=<64 hex>]".
func (c *ChunkedReader) parseChunkHeader(line string) (uint64, string, error) {
	sizeText, ext, hasExt := strings.Cut(line, ";")
	if sizeText == "" || len(sizeText) > 16 || strings.Trim(sizeText, "0123456789abcdefABCDEF") != "" {
		return 0, "", incomplete(fmt.Sprintf("chunk size %q is not hexadecimal", truncate(sizeText)))
	}
	size, err := strconv.ParseUint(sizeText, 16, 64)
	if err != nil || size > MaxChunkSize {
		return 0, "", incomplete(fmt.Sprintf("chunk size %q exceeds %d bytes", truncate(sizeText), MaxChunkSize))
	}
	if !c.signed {
		// Unsigned chunks: chunk extensions, if any, carry nothing we use.
		return size, "", nil
	}
	sig, ok := strings.CutPrefix(";"+ext, chunkSignaturePrefix)
	if !hasExt || !ok || !isHex64(sig) {
		return 0, "", malformed("chunk header %q lacks a valid chunk-signature", truncate(line))
	}
	return size, sig, nil
}

// endChunk consumes the CRLF after a chunk's data and checks its signature.
func (c *ChunkedReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil {
		return c.readError(err, "chunk data")
	}
	if crlf != [2]byte{'\r', '\n'} {
		return malformed("chunk data is not followed by CRLF")
	}
	if !c.signed {
		return nil
	}
	return c.verifyChunk(c.chunkSig, hex.EncodeToString(c.hash.Sum(c.sum[:0])))
}

// verifyChunk checks one chunk signature and advances the chain.
func (c *ChunkedReader) verifyChunk(sig, chunkHash string) error {
	sts := payloadAlgorithm + "\n" + c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" + EmptySHA256 + "\n" + chunkHash
	if !signatureMatches(c.key, sts, sig) {
		return signatureError("chunk", sts, sig)
	}
	c.prevSig = sig
	return nil
}

// readNoTrailer accepts the end of a body without a trailer: an optional
// empty line (minio-go and the AWS example send it), then EOF.
func (c *ChunkedReader) readNoTrailer() error {
	line, eof, err := c.readTrailerLine()
	if err != nil || eof {
		return err
	}
	if line != "" {
		return malformed("unexpected data after the final chunk")
	}
	return c.expectEOF()
}

// expectEndAfterTrailer accepts the end of a body after the empty line that
// closes a trailer: EOF, or one more empty line and then EOF. minio-go ends
// both its signed and unsigned trailers with "\r\n\r\n" after a line that
// already ended in "\n" (pkg/signer/request-signature-streaming*.go), one
// blank line more than the AWS SDKs send.
func (c *ChunkedReader) expectEndAfterTrailer() error {
	b, err := c.br.Peek(1)
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return c.readError(err, "the end of the body")
	case b[0] != '\r' && b[0] != '\n':
		return malformed("data after the end of the aws-chunked body")
	}
	if line, _, err := c.readTrailerLine(); err != nil || line != "" {
		return malformed("data after the end of the aws-chunked body")
	}
	return c.expectEOF()
}

// readTrailers reads trailer lines up to the empty line that ends them,
// then EOF. Lines may end in CRLF or LF. In signed mode the lines before
// x-amz-trailer-signature are the trailer; empty lines before the signature
// are skipped (minio-go writes "name:value\n\r\nx-amz-trailer-signature:…"),
// and the signature is checked.
func (c *ChunkedReader) readTrailers() error {
	type field struct{ name, value string }
	var fields []field
	c.trailers = make(map[string]string)
	var sig string
	for i := 0; ; i++ {
		if i > 2*MaxTrailers+2 {
			return malformed("too many trailer lines")
		}
		line, eof, err := c.readTrailerLine()
		if err != nil {
			return err
		}
		if eof {
			if c.signed && sig == "" {
				return incomplete("the body ended before " + trailerSignatureName)
			}
			return incomplete("the body ended inside the trailer")
		}
		if line == "" {
			if c.signed && sig == "" {
				continue
			}
			break
		}
		if sig != "" {
			return malformed("trailer line after %s", trailerSignatureName)
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.Trim(value, " \t")
		if !ok || !isLowerToken(name) {
			return malformed("trailer line %q is not name:value", truncate(line))
		}
		if name == trailerSignatureName {
			if !c.signed {
				return malformed("%s in an unsigned trailer", trailerSignatureName)
			}
			if !isHex64(value) {
				return malformed("%s is not a hex signature", trailerSignatureName)
			}
			sig = value
			continue
		}
		if _, dup := c.trailers[name]; dup {
			return malformed("trailer %q is repeated", truncate(name))
		}
		if len(fields) == MaxTrailers {
			return malformed("more than %d trailers", MaxTrailers)
		}
		c.trailers[name] = value
		fields = append(fields, field{name, value})
	}
	if c.signed {
		canonical := func() string {
			var b strings.Builder
			for _, f := range fields {
				b.WriteString(f.name + ":" + f.value + "\n")
			}
			return b.String()
		}
		// The canonical trailer lists the fields as sent; some signers sort
		// them, so try the sorted order too when it differs.
		sent := canonical()
		err := c.verifyTrailer(sig, sent)
		if err != nil {
			slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
			if sorted := canonical(); sorted != sent && c.verifyTrailer(sig, sorted) == nil {
				err = nil
			}
		}
		if err != nil {
			return err
		}
	}
	return c.expectEndAfterTrailer()
}

// verifyTrailer checks the trailer signature over the canonical trailer.
func (c *ChunkedReader) verifyTrailer(sig, canonical string) error {
	sts := trailerAlgorithm + "\n" + c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" + sha256Hex(canonical)
	if !signatureMatches(c.key, sts, sig) {
		return signatureError("trailer", sts, sig)
	}
	return nil
}

// expectEOF requires the body to end here.
func (c *ChunkedReader) expectEOF() error {
	if _, err := c.br.ReadByte(); err != io.EOF {
		if err != nil {
			return err
		}
		return malformed("data after the end of the aws-chunked body")
	}
	return nil
}

// readLine reads a chunk-header line, which must end in CRLF, and returns
// it without the terminator.
func (c *ChunkedReader) readLine() (string, error) {
	line, cr, eof, err := c.readRawLine()
	if err != nil {
		return "", err
	}
	if eof {
		return "", incomplete("the body ended before the final chunk")
	}
	if !cr {
		return "", malformed("chunk header %q is not terminated by CRLF", truncate(line))
	}
	return line, nil
}

// readTrailerLine reads a line ending in LF or CRLF (trailer lines tolerate
// both) and returns it without the terminator. eof reports a clean end of
// body before any byte of the line.
func (c *ChunkedReader) readTrailerLine() (line string, eof bool, err error) {
	line, _, eof, err = c.readRawLine()
	return line, eof, err
}

// readRawLine reads one line ending in LF, bounded by MaxLineLength, and
// reports whether a CR preceded the LF.
func (c *ChunkedReader) readRawLine() (line string, cr, eof bool, err error) {
	b, err := c.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return "", false, false, malformed("line longer than %d bytes", MaxLineLength)
	case err == io.EOF && len(b) == 0:
		return "", false, true, nil
	case err != nil:
		return "", false, false, c.readError(err, "a line")
	}
	b = b[:len(b)-1]
	if cr = bytes.HasSuffix(b, []byte{'\r'}); cr {
		b = b[:len(b)-1]
	}
	if len(b) > MaxLineLength {
		return "", false, false, malformed("line longer than %d bytes", MaxLineLength)
	}
	return string(b), cr, false, nil
}

// readError converts a read failure of the underlying body.
func (c *ChunkedReader) readError(err error, where string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return incomplete("the body ended inside " + where)
	}
	return err
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// malformedTrailerMessage is S3's MalformedTrailerError text (S3 API
// reference, error codes).
const malformedTrailerMessage = "The request contained trailing data that was not well-formed or did not conform to our published schema."

// malformed is S3's MalformedTrailerError; the detail goes to logs only.
func malformed(format string, args ...any) error {
	return &translate.Error{Code: translate.ErrMalformedTrailer, Message: malformedTrailerMessage,
		Err: fmt.Errorf("aws-chunked: "+format, args...)}
}

// incomplete is IncompleteBody for a body whose aws-chunked framing ends
// early or cannot be read, with the text S3 gives for it ("The request body
// terminated unexpectedly", as OpenStack Swift's s3api reproduces it); the
// detail goes to logs only.
func incomplete(msg string) error {
	return &translate.Error{Code: translate.ErrIncompleteBody, Message: "The request body terminated unexpectedly",
		Err: errors.New("aws-chunked: " + msg)}
}

func signatureError(what, sts, sig string) error {
	return &translate.Error{Code: translate.ErrSignatureDoesNotMatch,
		Message: fmt.Sprintf("The %s signature we calculated does not match the signature you provided.", what),
		Extra:   map[string]string{"StringToSign": sts, "SignatureProvided": sig}}
}
