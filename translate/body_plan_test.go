package translate

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestDigestPlan is the digest plan of issue 11 item 2, per request shape
// and backend: what a body computes. "fs" computes the ETag's MD5 itself;
// "s3" is a backend passing the bytes 1:1 to a store that computes the
// MD5 ETag (Body.StoreETag), which drops MD5 unless a Content-MD5 must be
// checked. CRC64ECMA (OSS reads) is computed at write time on every body;
// CRC64NVME is S3's default whenever the client chose no algorithm.
func TestDigestPlan(t *testing.T) {
	crc := Checksums{CRC32: "AAAAAA=="}
	cases := []struct {
		name    string
		in      BodyOptions
		rules   *Rules
		part    bool
		upload  ChecksumAlgorithm
		fs, s3  string
		s3Stays bool // StoreETag must report false
	}{
		{name: "S3 PUT, unsigned, no checksum", rules: &S3Rules,
			fs: "CRC64ECMA CRC64NVME ETag-MD5", s3: "CRC64ECMA CRC64NVME"},
		{name: "S3 PUT, signed payload", in: BodyOptions{SHA256: strings.Repeat("0", 64)}, rules: &S3Rules,
			fs: "CRC64ECMA CRC64NVME ETag-MD5 SHA256-payload", s3: "CRC64ECMA CRC64NVME SHA256-payload"},
		{name: "S3 PUT, CRC32 header", in: BodyOptions{Expected: crc, ClientAlgorithm: CRC32}, rules: &S3Rules,
			fs: "CRC32 CRC64ECMA ETag-MD5", s3: "CRC32 CRC64ECMA"},
		{name: "S3 PUT, CRC32 trailer", in: BodyOptions{Algorithms: []ChecksumAlgorithm{CRC32}, ClientAlgorithm: CRC32}, rules: &S3Rules,
			fs: "CRC32 CRC64ECMA ETag-MD5", s3: "CRC32 CRC64ECMA"},
		{name: "S3 PUT, Content-MD5", in: BodyOptions{ContentMD5: make([]byte, 16)}, rules: &S3Rules,
			fs: "CRC64ECMA CRC64NVME ETag-MD5", s3: "CRC64ECMA CRC64NVME ETag-MD5", s3Stays: true},
		{name: "S3 part, upload without algorithm", rules: &S3Rules, part: true,
			fs: "CRC64ECMA CRC64NVME ETag-MD5", s3: "CRC64ECMA CRC64NVME"},
		{name: "S3 part, CRC32C upload", rules: &S3Rules, part: true, upload: CRC32C,
			fs: "CRC32C CRC64ECMA ETag-MD5", s3: "CRC32C CRC64ECMA"},
		{name: "S3 PUT, MD5 flexible checksum", in: BodyOptions{Expected: Checksums{MD5: "AAAAAAAAAAAAAAAAAAAAAA=="}, ClientAlgorithm: MD5}, rules: &S3Rules,
			fs: "CRC64ECMA ETag-MD5 MD5", s3: "CRC64ECMA MD5"},
		{name: "OSS PUT", rules: &OSSRules, fs: "CRC64ECMA ETag-MD5", s3: "CRC64ECMA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, be := range []string{"fs", "s3"} {
				b, err := newBody(BodyInput{Reader: bytes.NewReader(nil), Size: 0, Options: tc.in}, tc.rules, tc.part, tc.upload)
				if err != nil {
					t.Fatal(err)
				}
				want := tc.fs
				if be == "s3" {
					want = tc.s3
					if skipped := b.StoreETag(); skipped == tc.s3Stays {
						t.Errorf("StoreETag() = %v", skipped)
					}
				}
				if got := strings.Join(b.Digests(), " "); got != want {
					t.Errorf("%s: digests %q, want %q", be, got, want)
				}
			}
		})
	}
}

// TestBodyStoreETag: a body that skipped MD5 still verifies and reports its
// checksums, with no MD5 (the backend takes the store's ETag); StoreETag
// after reading began changes nothing.
func TestBodyStoreETag(t *testing.T) {
	data := []byte("the store computes this body's MD5")
	b := BytesBody(data, CRC32)
	if !b.StoreETag() {
		t.Fatal("StoreETag refused on an unread body without Content-MD5")
	}
	if _, err := io.Copy(io.Discard, b); err != nil {
		t.Fatal(err)
	}
	sums, _ := b.Sums()
	if sums.MD5 != nil || sums.ETag() != "" || sums.Checksum[CRC32] == "" || sums.Size != int64(len(data)) {
		t.Errorf("sums %+v", sums)
	}
	b = BytesBody(data)
	one := make([]byte, 1)
	b.Read(one)
	if b.StoreETag() {
		t.Error("StoreETag accepted after the first Read")
	}
	io.Copy(io.Discard, b)
	if sums, _ := b.Sums(); sums.ETag() != hexMD5(data) {
		t.Errorf("ETag %q", sums.ETag())
	}
}

func hexMD5(p []byte) string {
	s := md5.Sum(p)
	return hex.EncodeToString(s[:])
}

// chunky yields its data in reads of at most n bytes.
type chunky struct {
	r io.Reader
	n int
}

func (c chunky) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// TestBodyReadSizes reads bodies of odd sizes with buffers of every small
// size and a large one, from sources that return short reads: the bytes
// arrive whole and in order, and the digests are right.
func TestBodyReadSizes(t *testing.T) {
	for _, size := range []int{0, 1, 2, 3, 17, 4097, 300_001} {
		data := make([]byte, size)
		rand.Read(data)
		for _, bufSize := range []int{1, 2, 3, 5, 4096, CopyBufferSize} {
			for _, chunk := range []int{1, 7, 1 << 20} {
				b, err := NewBody(chunky{bytes.NewReader(data), chunk}, int64(size), BodyOptions{Algorithms: []ChecksumAlgorithm{CRC32}})
				if err != nil {
					t.Fatal(err)
				}
				var got []byte
				buf := make([]byte, bufSize)
				for {
					n, err := b.Read(buf)
					got = append(got, buf[:n]...)
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("size %d buf %d chunk %d: %v", size, bufSize, chunk, err)
					}
				}
				sums, ok := b.Sums()
				if !bytes.Equal(got, data) || !ok || sums.ETag() != hexMD5(data) || sums.Checksum[CRC32] != crc32B64(data) {
					t.Fatalf("size %d buf %d chunk %d: got %d bytes, sums %+v", size, bufSize, chunk, len(got), sums)
				}
			}
		}
	}
}

func crc32B64(p []byte) string {
	v := crc32.ChecksumIEEE(p)
	return EncodeChecksum([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// TestBodyWithholdsUnverified: with any buffer size, a body whose checksum
// fails never yields its last byte, so a store behind a Content-Length
// sees an incomplete request.
func TestBodyWithholdsUnverified(t *testing.T) {
	data := make([]byte, 100_000)
	rand.Read(data)
	for _, bufSize := range []int{1, 2, 4096, CopyBufferSize} {
		b, err := NewBody(bytes.NewReader(data), int64(len(data)), BodyOptions{Expected: Checksums{CRC32: "AAAAAA=="}})
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, bufSize)
		var total int
		var rerr error
		for rerr == nil {
			var n int
			n, rerr = b.Read(buf)
			total += n
		}
		if CodeOf(rerr) != ErrChecksumMismatch || total >= len(data) {
			t.Errorf("buf %d: %d of %d bytes returned, then %v", bufSize, total, len(data), rerr)
		}
	}
}

// sizeWriter records the size of each Write.
type sizeWriter struct{ sizes []int }

func (w *sizeWriter) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return len(p), nil
}

// TestBodyWriteToPooled: io.Copy takes Body's WriteTo, which moves the bytes
// in writes of up to CopyBufferSize (not io.Copy's 32 KiB), and a bad body
// still fails before its last byte.
func TestBodyWriteToPooled(t *testing.T) {
	data := make([]byte, 3*CopyBufferSize+5)
	b := BytesBody(data)
	var w sizeWriter
	n, err := io.Copy(&w, b)
	if err != nil || n != int64(len(data)) {
		t.Fatalf("copied %d, %v", n, err)
	}
	if slices.Max(w.sizes) <= 32<<10 || slices.Max(w.sizes) > CopyBufferSize {
		t.Errorf("write sizes %v", w.sizes)
	}
	bad, _ := NewBody(bytes.NewReader(data), int64(len(data)), BodyOptions{Expected: Checksums{CRC32: "AAAAAA=="}})
	n, err = io.Copy(io.Discard, bad)
	if CodeOf(err) != ErrChecksumMismatch || n >= int64(len(data)) {
		t.Errorf("bad body: copied %d, %v", n, err)
	}
}
