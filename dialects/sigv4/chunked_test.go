package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// chunkEncoder is a test-only aws-chunked encoder written from the wire
// layout in protocols.md §1.3, independent of the decoder.
type chunkEncoder struct {
	mode           string // one of the STREAMING-* values
	key            []byte
	amzDate, scope string
	seed           string
	// trailerStyle: "crlf" (AWS docs, .NET), "minio" (LF-terminated
	// trailer lines, then CRLF before the signature line) or "lf".
	trailerStyle string
	// sortSigned signs the trailer fields sorted by name whatever order
	// they are sent in.
	sortSigned bool
}

func (e chunkEncoder) sign(s string) string {
	m := hmac.New(sha256.New, e.key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

func (e chunkEncoder) encode(data []byte, chunkSize int, trailers [][2]string) []byte {
	signed := e.mode != StreamingUnsignedPayloadTrailer
	var b bytes.Buffer
	prev := e.seed
	chunk := func(p []byte) {
		if !signed {
			fmt.Fprintf(&b, "%x\r\n", len(p))
		} else {
			h := sha256.Sum256(p)
			prev = e.sign("AWS4-HMAC-SHA256-PAYLOAD\n" + e.amzDate + "\n" + e.scope + "\n" + prev + "\n" +
				EmptySHA256 + "\n" + hex.EncodeToString(h[:]))
			fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(p), prev)
		}
		if len(p) > 0 {
			b.Write(p)
			b.WriteString("\r\n")
		}
	}
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		chunk(data[:n])
		data = data[n:]
	}
	chunk(nil)
	if e.mode == StreamingPayload {
		b.WriteString("\r\n")
		return b.Bytes()
	}
	eol := "\r\n"
	if e.trailerStyle == "minio" || e.trailerStyle == "lf" {
		eol = "\n"
	}
	for _, t := range trailers {
		b.WriteString(t[0] + ":" + t[1] + eol)
	}
	if e.sortSigned {
		trailers = slices.Clone(trailers)
		slices.SortFunc(trailers, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	}
	var canonical strings.Builder
	for _, t := range trailers {
		canonical.WriteString(t[0] + ":" + t[1] + "\n")
	}
	if e.mode == StreamingPayloadTrailer {
		if e.trailerStyle == "minio" {
			b.WriteString("\r\n")
		}
		h := sha256.Sum256([]byte(canonical.String()))
		sig := e.sign("AWS4-HMAC-SHA256-TRAILER\n" + e.amzDate + "\n" + e.scope + "\n" + prev + "\n" + hex.EncodeToString(h[:]))
		b.WriteString("x-amz-trailer-signature:" + sig + eol)
	}
	b.WriteString(eol)
	return b.Bytes()
}

// awsExample is the request of AWS's published sigv4-streaming example.
func awsExample(t *testing.T, body []byte) *http.Request {
	req := httptest.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
	for k, v := range map[string]string{
		"X-Amz-Date":                   "20130524T000000Z",
		"X-Amz-Storage-Class":          "REDUCED_REDUNDANCY",
		"X-Amz-Content-Sha256":         StreamingPayload,
		"Content-Encoding":             "aws-chunked",
		"X-Amz-Decoded-Content-Length": "66560",
		"Content-Length":               "66824",
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
			"Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
	} {
		req.Header.Set(k, v)
	}
	return req
}

const (
	awsSig1     = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	awsSig2     = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	awsSigFinal = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
)

// awsExampleBody builds the example's body from the published signatures.
func awsExampleBody() []byte {
	var b bytes.Buffer
	b.WriteString("10000;chunk-signature=" + awsSig1 + "\r\n")
	b.Write(bytes.Repeat([]byte{'a'}, 65536))
	b.WriteString("\r\n400;chunk-signature=" + awsSig2 + "\r\n")
	b.Write(bytes.Repeat([]byte{'a'}, 1024))
	b.WriteString("\r\n0;chunk-signature=" + awsSigFinal + "\r\n\r\n")
	return b.Bytes()
}

func awsExampleAuth(t *testing.T) *Auth {
	t.Helper()
	v := &Verifier{Lookup: lookupWith("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), Service: "s3",
		Now: func() time.Time { return time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC) }}
	auth, err := v.Verify(awsExample(t, awsExampleBody()))
	if err != nil {
		t.Fatalf("Verify AWS example: %v", err)
	}
	return auth
}

// readAll reads r with a small buffer and returns the data, the first
// error, and whether any data arrived in the same call as the error.
func readAll(r io.Reader, bufSize int) ([]byte, error) {
	var out []byte
	buf := make([]byte, bufSize)
	for {
		n, err := r.Read(buf)
		if n > len(buf) || n < 0 {
			panic("bad n")
		}
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

func TestChunkedAWSExample(t *testing.T) {
	body := awsExampleBody()
	if len(body) != 66824 {
		t.Fatalf("example body is %d bytes, want 66824", len(body))
	}
	auth := awsExampleAuth(t)
	if auth.Signature != "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9" || !auth.Streaming() {
		t.Fatalf("auth = %+v", auth)
	}
	for _, bufSize := range []int{1, 7, 4096, 65536, 1 << 20} {
		cr, err := auth.NewChunkedReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAll(cr, bufSize)
		if err != io.EOF {
			t.Fatalf("buf %d: err = %v", bufSize, err)
		}
		if !bytes.Equal(got, bytes.Repeat([]byte{'a'}, 66560)) {
			t.Fatalf("buf %d: decoded %d bytes", bufSize, len(got))
		}
		if tr := cr.Trailers(); len(tr) != 0 {
			t.Errorf("Trailers = %v", tr)
		}
	}
	// The same body through a reader that hands out one byte at a time.
	cr, _ := auth.NewChunkedReader(iotest.OneByteReader(bytes.NewReader(body)))
	if err := iotest.TestReader(cr, bytes.Repeat([]byte{'a'}, 66560)); err != nil {
		t.Fatal(err)
	}
}

// TestChunkedAWSExampleTampered flips bytes; the error must surface no later
// than the Read that ends the damaged chunk, and never after io.EOF.
func TestChunkedAWSExampleTampered(t *testing.T) {
	auth := awsExampleAuth(t)
	body := awsExampleBody()
	cases := []struct {
		name    string
		offset  int // byte to change
		maxData int // decoded bytes allowed before the error
		want    translate.Code
	}{
		{name: "first chunk first byte", offset: 88, maxData: 65536, want: translate.ErrSignatureDoesNotMatch},
		{name: "first chunk last byte", offset: 88 + 65535, maxData: 65536, want: translate.ErrSignatureDoesNotMatch},
		{name: "second chunk", offset: 65626 + 86 + 10, maxData: 66560, want: translate.ErrSignatureDoesNotMatch},
		{name: "first chunk signature", offset: 30, maxData: 65536, want: translate.ErrSignatureDoesNotMatch},
		{name: "final chunk signature", offset: len(body) - 10, maxData: 66560, want: translate.ErrSignatureDoesNotMatch},
		{name: "chunk size not hex", offset: 0, maxData: 0, want: translate.ErrIncompleteBody},
		{name: "chunk size larger", offset: 1, maxData: 66824, want: translate.ErrIncompleteBody},
		{name: "CRLF after data", offset: 88 + 65536, maxData: 65536, want: translate.ErrMalformedTrailer},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := bytes.Clone(body)
			switch {
			case c.offset == 0:
				bad[0] = 'z'
			case bad[c.offset] == 'a' || bad[c.offset] == '1':
				bad[c.offset] = 'b'
			case bad[c.offset] == '\r':
				bad[c.offset] = 'x'
			default:
				bad[c.offset] = '1'
			}
			for _, bufSize := range []int{1, 1000, 1 << 20} {
				cr, err := auth.NewChunkedReader(bytes.NewReader(bad))
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAll(cr, bufSize)
				wantCode(t, err, c.want)
				if len(got) > c.maxData {
					t.Errorf("buf %d: %d bytes returned before the error, want <= %d", bufSize, len(got), c.maxData)
				}
				// Sticky: no EOF afterwards.
				if _, err2 := cr.Read(make([]byte, 10)); err2 != err {
					t.Errorf("second Read err = %v, want %v", err2, err)
				}
			}
		})
	}
}

// trailerAuth signs a streaming request with the SDK, verifies it, and
// returns the Auth and a matching encoder.
func trailerAuth(t *testing.T, mode string) (*Auth, chunkEncoder) {
	t.Helper()
	req := newRequest(t, "PUT", "/b/k", "")
	req.Header.Set("X-Amz-Content-Sha256", mode)
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	sdkSign(t, req, mode, testNow)
	auth, err := testVerifier().Verify(req)
	if err != nil {
		t.Fatal(err)
	}
	scope := testNow.Format(dateFormat) + "/" + testRegion + "/s3/aws4_request"
	m := hmac.New(sha256.New, []byte("AWS4"+testSecret))
	key := func(k []byte, s string) []byte { m := hmac.New(sha256.New, k); m.Write([]byte(s)); return m.Sum(nil) }
	m.Write([]byte(testNow.Format(dateFormat)))
	k := key(key(key(m.Sum(nil), testRegion), "s3"), "aws4_request")
	return auth, chunkEncoder{mode: mode, key: k, amzDate: testNow.Format(timeFormat), scope: scope, seed: auth.Signature}
}

func TestChunkedTrailers(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1000) // 16000 bytes
	crc := [][2]string{{"x-amz-checksum-crc32", "sOO8/Q=="}}
	two := [][2]string{{"x-amz-checksum-sha256", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}, {"x-amz-checksum-crc32", "sOO8/Q=="}}
	cases := []struct {
		name      string
		mode      string
		style     string
		sorted    bool
		chunkSize int
		data      []byte
		trailers  [][2]string
	}{
		{name: "signed no trailer", mode: StreamingPayload, chunkSize: MinChunkSize, data: data},
		{name: "signed no trailer empty", mode: StreamingPayload, chunkSize: 4096},
		{name: "signed trailer crlf", mode: StreamingPayloadTrailer, style: "crlf", chunkSize: 8192, data: data, trailers: crc},
		{name: "signed trailer minio", mode: StreamingPayloadTrailer, style: "minio", chunkSize: 8192, data: data, trailers: crc},
		{name: "signed trailer lf", mode: StreamingPayloadTrailer, style: "lf", chunkSize: 65536, data: data, trailers: crc},
		{name: "signed two trailers unsorted", mode: StreamingPayloadTrailer, style: "crlf", chunkSize: 1, data: data[:1], trailers: two},
		{name: "signed two trailers, signer sorts", mode: StreamingPayloadTrailer, style: "crlf", sorted: true, chunkSize: 40, data: data[:40], trailers: two},
		{name: "signed trailer none", mode: StreamingPayloadTrailer, style: "crlf", chunkSize: 100, data: data[:10]},
		{name: "unsigned trailer", mode: StreamingUnsignedPayloadTrailer, style: "crlf", chunkSize: 5000, data: data, trailers: crc},
		{name: "unsigned trailer lf", mode: StreamingUnsignedPayloadTrailer, style: "lf", chunkSize: 5000, data: data, trailers: two},
		{name: "unsigned trailer minio", mode: StreamingUnsignedPayloadTrailer, style: "minio", chunkSize: 5000, data: data, trailers: crc},
		{name: "unsigned empty", mode: StreamingUnsignedPayloadTrailer, style: "crlf", chunkSize: 5000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			auth, enc := trailerAuth(t, c.mode)
			enc.trailerStyle, enc.sortSigned = c.style, c.sorted
			body := enc.encode(c.data, c.chunkSize, c.trailers)
			cr, err := auth.NewChunkedReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if cr.Trailers() != nil {
				t.Error("Trailers before EOF is not nil")
			}
			got, err := readAll(cr, 3000)
			if err != io.EOF {
				t.Fatalf("err = %v", err)
			}
			if !bytes.Equal(got, c.data) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(c.data))
			}
			tr := cr.Trailers()
			if len(tr) != len(c.trailers) {
				t.Fatalf("Trailers = %v, want %v", tr, c.trailers)
			}
			for _, kv := range c.trailers {
				if tr[kv[0]] != kv[1] {
					t.Errorf("Trailers[%q] = %q, want %q", kv[0], tr[kv[0]], kv[1])
				}
			}
			// Every strict prefix of the body is an incomplete body, except
			// dropping the optional final CRLF of a trailer-less body.
			if len(body) > 400 {
				return
			}
			for cut := range len(body) {
				if c.mode == StreamingPayload && cut == len(body)-2 {
					continue
				}
				cr, _ := auth.NewChunkedReader(bytes.NewReader(body[:cut]))
				_, err := readAll(cr, 5)
				if codeOf(err) != translate.ErrIncompleteBody {
					t.Fatalf("cut at %d/%d: err = %v, want IncompleteBody", cut, len(body), err)
				}
			}
		})
	}
}

// TestChunkedUnsignedSDKWire decodes the aws-sdk-go-v2 wire example.
func TestChunkedUnsignedSDKWire(t *testing.T) {
	auth := &Auth{PayloadHash: StreamingUnsignedPayloadTrailer}
	cr, err := auth.NewChunkedReader(strings.NewReader("b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(cr)
	if err != nil || string(got) != "hello world" {
		t.Fatalf("got %q, %v", got, err)
	}
	if tr := cr.Trailers(); tr["x-amz-checksum-crc32"] != "DUoRhQ==" || len(tr) != 1 {
		t.Errorf("Trailers = %v", tr)
	}
}

func TestChunkedSignedTrailerTampered(t *testing.T) {
	auth, enc := trailerAuth(t, StreamingPayloadTrailer)
	enc.trailerStyle = "crlf"
	body := enc.encode([]byte("hello"), 64, [][2]string{{"x-amz-checksum-crc32", "NhCmhg=="}})
	const sigName = "x-amz-trailer-signature:"
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
	}
	for _, c := range []struct {
		name   string
		mutate func([]byte) []byte
		want   translate.Code
	}{
		{name: "untouched", mutate: func(b []byte) []byte { return b }},
		{name: "trailer value", mutate: replace("NhCmhg==", "NhCmhh=="), want: translate.ErrSignatureDoesNotMatch},
		{name: "trailer name", mutate: replace("x-amz-checksum-crc32:", "x-amz-checksum-crc3c:"), want: translate.ErrSignatureDoesNotMatch},
		{name: "trailer added", mutate: replace(sigName, "x-amz-meta-a:b\r\n"+sigName), want: translate.ErrSignatureDoesNotMatch},
		{name: "trailer removed", mutate: replace("x-amz-checksum-crc32:NhCmhg==\r\n", ""), want: translate.ErrSignatureDoesNotMatch},
		{name: "trailer signature changed", mutate: func(b []byte) []byte {
			b = bytes.Clone(b)
			i := bytes.Index(b, []byte(sigName)) + len(sigName)
			b[i] = "10"[b[i]&1] // another hex digit
			return b
		}, want: translate.ErrSignatureDoesNotMatch},
		{name: "trailer signature not hex", mutate: replace(sigName, sigName+"z"), want: translate.ErrMalformedTrailer},
		{name: "trailer signature missing", mutate: replace(sigName, "x-amz-meta-sig:"), want: translate.ErrIncompleteBody},
		{name: "trailer after signature", mutate: func(b []byte) []byte {
			return append(bytes.Clone(b[:len(b)-2]), "a:b\r\n\r\n"...)
		}, want: translate.ErrMalformedTrailer},
	} {
		t.Run(c.name, func(t *testing.T) {
			cr, _ := auth.NewChunkedReader(bytes.NewReader(c.mutate(body)))
			got, err := readAll(cr, 100)
			if c.want == 0 {
				if err != io.EOF || string(got) != "hello" || cr.Trailers()["x-amz-checksum-crc32"] != "NhCmhg==" {
					t.Fatalf("got %q, %v, %v", got, err, cr.Trailers())
				}
				return
			}
			wantCode(t, err, c.want)
			if cr.Trailers() != nil {
				t.Error("Trailers after a failure is not nil")
			}
		})
	}
}

func TestChunkedMalformed(t *testing.T) {
	sig := strings.Repeat("0", 64)
	long := strings.Repeat("x", MaxLineLength+1)
	cases := []struct {
		name, mode, body string
		want             translate.Code
	}{
		{name: "ok", mode: StreamingUnsignedPayloadTrailer, body: "b\r\nhello world\r\n0\r\n\r\n"},
		{name: "chunk extension ignored when unsigned", mode: StreamingUnsignedPayloadTrailer, body: "b;x=y\r\nhello world\r\n0\r\n\r\n"},
		{name: "uppercase hex size", mode: StreamingUnsignedPayloadTrailer, body: "B\r\nhello world\r\n0\r\n\r\n"},
		{name: "empty body", mode: StreamingUnsignedPayloadTrailer, body: "", want: translate.ErrIncompleteBody},
		{name: "size not hex", mode: StreamingUnsignedPayloadTrailer, body: "zz\r\n", want: translate.ErrIncompleteBody},
		{name: "size with 0x", mode: StreamingUnsignedPayloadTrailer, body: "0x1\r\na\r\n0\r\n\r\n", want: translate.ErrIncompleteBody},
		{name: "negative size", mode: StreamingUnsignedPayloadTrailer, body: "-1\r\n", want: translate.ErrIncompleteBody},
		{name: "empty size", mode: StreamingUnsignedPayloadTrailer, body: "\r\n", want: translate.ErrIncompleteBody},
		{name: "size over 5 GiB", mode: StreamingUnsignedPayloadTrailer, body: "140000001\r\n", want: translate.ErrIncompleteBody},
		{name: "size of 5 GiB streams", mode: StreamingUnsignedPayloadTrailer, body: "140000000\r\nabc", want: translate.ErrIncompleteBody},
		{name: "minio extra blank line after unsigned trailer", mode: StreamingUnsignedPayloadTrailer, body: "0\r\nx-amz-checksum-crc32:AAAAAA==\n\r\n\r\n"},
		{name: "two extra blank lines", mode: StreamingUnsignedPayloadTrailer, body: "0\r\na:1\r\n\r\n\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "size overflows", mode: StreamingUnsignedPayloadTrailer, body: "ffffffffffffffffff\r\n", want: translate.ErrIncompleteBody},
		{name: "header LF only", mode: StreamingUnsignedPayloadTrailer, body: "b\nhello world\r\n0\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "no CRLF after data", mode: StreamingUnsignedPayloadTrailer, body: "b\r\nhello worldXX0\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "LF after data", mode: StreamingUnsignedPayloadTrailer, body: "b\r\nhello world\n0\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "data shorter than size", mode: StreamingUnsignedPayloadTrailer, body: "c\r\nhello world\r\n0\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "data after end", mode: StreamingUnsignedPayloadTrailer, body: "0\r\n\r\nX", want: translate.ErrMalformedTrailer},
		{name: "header line too long", mode: StreamingUnsignedPayloadTrailer, body: "1;" + long + "\r\n", want: translate.ErrMalformedTrailer},
		{name: "huge line without LF", mode: StreamingUnsignedPayloadTrailer, body: strings.Repeat("1", 20000), want: translate.ErrMalformedTrailer},
		{name: "trailer too long", mode: StreamingUnsignedPayloadTrailer, body: "0\r\nx-amz-a:" + long + "\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "trailer without colon", mode: StreamingUnsignedPayloadTrailer, body: "0\r\nnocolon\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "trailer bad name", mode: StreamingUnsignedPayloadTrailer, body: "0\r\nbad name:x\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "trailer repeated", mode: StreamingUnsignedPayloadTrailer, body: "0\r\na:1\r\nA:2\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "too many trailers", mode: StreamingUnsignedPayloadTrailer, body: "0\r\n" + manyTrailers(MaxTrailers+1) + "\r\n", want: translate.ErrMalformedTrailer},
		{name: "max trailers", mode: StreamingUnsignedPayloadTrailer, body: "0\r\n" + manyTrailers(MaxTrailers) + "\r\n"},
		{name: "trailer signature when unsigned", mode: StreamingUnsignedPayloadTrailer, body: "0\r\nx-amz-trailer-signature:" + sig + "\r\n\r\n", want: translate.ErrMalformedTrailer},
		{name: "no final empty line", mode: StreamingUnsignedPayloadTrailer, body: "0\r\na:1\r\n", want: translate.ErrIncompleteBody},
		{name: "signed chunk without signature", mode: StreamingPayload, body: "b\r\nhello world\r\n", want: translate.ErrMalformedTrailer},
		{name: "signed chunk short signature", mode: StreamingPayload, body: "b;chunk-signature=abc\r\n", want: translate.ErrMalformedTrailer},
		{name: "signed chunk other extension", mode: StreamingPayload, body: "b;chunk-signatur=" + sig + "\r\n", want: translate.ErrMalformedTrailer},
		{name: "signed chunk wrong signature", mode: StreamingPayload, body: "b;chunk-signature=" + sig + "\r\nhello world\r\n", want: translate.ErrSignatureDoesNotMatch},
		{name: "signed final wrong signature", mode: StreamingPayload, body: "0;chunk-signature=" + sig + "\r\n\r\n", want: translate.ErrSignatureDoesNotMatch},
	}
	signedAuth, _ := trailerAuth(t, StreamingPayload)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			auth := &Auth{PayloadHash: c.mode}
			if c.mode == StreamingPayload {
				auth = signedAuth
			}
			cr, err := auth.NewChunkedReader(strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			_, err = readAll(cr, 64)
			if c.want == 0 {
				if err != io.EOF {
					t.Fatalf("err = %v, want EOF", err)
				}
				return
			}
			wantCode(t, err, c.want)
		})
	}
}

// TestChunkedNoTrailerEnding checks the endings accepted without a trailer.
func TestChunkedNoTrailerEnding(t *testing.T) {
	auth, enc := trailerAuth(t, StreamingPayload)
	body := enc.encode([]byte("abc"), 10, nil) // ends "\r\n\r\n"
	for _, c := range []struct {
		name string
		body []byte
		want translate.Code
	}{
		{name: "with final CRLF", body: body},
		{name: "without final CRLF", body: body[:len(body)-2]},
		{name: "trailer where none is declared", body: append(bytes.Clone(body[:len(body)-2]), "a:b\r\n\r\n"...), want: translate.ErrMalformedTrailer},
		{name: "extra CRLF", body: append(bytes.Clone(body), "\r\n"...), want: translate.ErrMalformedTrailer},
	} {
		t.Run(c.name, func(t *testing.T) {
			cr, _ := auth.NewChunkedReader(bytes.NewReader(c.body))
			got, err := readAll(cr, 64)
			if c.want == 0 {
				if err != io.EOF || string(got) != "abc" {
					t.Fatalf("got %q, %v", got, err)
				}
				return
			}
			wantCode(t, err, c.want)
		})
	}
}

func TestNewChunkedReaderModes(t *testing.T) {
	for _, c := range []struct {
		auth *Auth
		ok   bool
	}{
		{&Auth{PayloadHash: UnsignedPayload}, false},
		{&Auth{PayloadHash: EmptySHA256}, false},
		{&Auth{PayloadHash: StreamingPayload}, false}, // signed mode needs a verified Auth
		{&Auth{PayloadHash: StreamingUnsignedPayloadTrailer}, true},
	} {
		_, err := c.auth.NewChunkedReader(strings.NewReader(""))
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.auth.PayloadHash, err)
		}
		if err != nil {
			wantCode(t, err, translate.ErrInternal)
		}
	}
}

// errReader fails with a non-EOF error after its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestChunkedPassesBodyErrors(t *testing.T) {
	boom := errors.New("connection reset")
	for _, body := range []string{"", "b\r\nhello", "b\r\nhello world\r\n0\r\n"} {
		auth := &Auth{PayloadHash: StreamingUnsignedPayloadTrailer}
		cr, _ := auth.NewChunkedReader(&errReader{data: []byte(body), err: boom})
		if _, err := readAll(cr, 4); !errors.Is(err, boom) {
			t.Errorf("%q: err = %v, want the body's error", body, err)
		}
	}
	// io.ErrUnexpectedEOF from net/http's body is an incomplete body.
	cr, _ := (&Auth{PayloadHash: StreamingUnsignedPayloadTrailer}).NewChunkedReader(
		&errReader{data: []byte("b\r\nhel"), err: io.ErrUnexpectedEOF})
	_, err := readAll(cr, 4)
	wantCode(t, err, translate.ErrIncompleteBody)
}

func manyTrailers(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("x-t-" + itoa(i) + ":v\r\n")
	}
	return b.String()
}

// TestChunkedMinChunkSize checks S3's 8 KiB floor on signed chunks but the
// last (InvalidChunkSizeError, with the chunk number and size) and that
// unsigned chunks have none (aws-sdk-go-v2 sends them as its reads return).
func TestChunkedMinChunkSize(t *testing.T) {
	data := bytes.Repeat([]byte("z"), 3*MinChunkSize)
	for _, c := range []struct {
		name      string
		mode      string
		chunkSize int
		want      translate.Code
	}{
		{"signed at the floor", StreamingPayload, MinChunkSize, 0},
		{"signed one short", StreamingPayload, MinChunkSize - 1, translate.ErrInvalidChunkSize},
		{"signed trailer small", StreamingPayloadTrailer, 100, translate.ErrInvalidChunkSize},
		{"unsigned small", StreamingUnsignedPayloadTrailer, 100, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			auth, enc := trailerAuth(t, c.mode)
			enc.trailerStyle = "crlf"
			cr, err := auth.NewChunkedReader(bytes.NewReader(enc.encode(data, c.chunkSize, nil)))
			if err != nil {
				t.Fatal(err)
			}
			_, err = readAll(cr, 5000)
			if c.want == 0 {
				if err != io.EOF {
					t.Fatalf("err = %v", err)
				}
				return
			}
			wantCode(t, err, c.want)
			te := translate.AsError(err)
			if te.Extra["Chunk"] != "1" || te.Extra["BadChunkSize"] != strconv.Itoa(c.chunkSize) {
				t.Fatalf("extra = %v", te.Extra)
			}
		})
	}
}
