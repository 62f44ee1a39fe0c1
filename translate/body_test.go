package translate

import (
	"bytes"
	"crypto/md5"
	"io"
	"testing"
	"testing/iotest"
)

// TestBodyWithholdsUnverifiedEnd: a consumer reading exactly the declared
// size (as an HTTP transport with Content-Length does) never receives the
// whole of a body that fails verification, and receives every byte of one
// that passes.
func TestBodyWithholdsUnverifiedEnd(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 10000) // > holdbackSize
	good := md5.Sum(data)
	bad := md5.Sum([]byte("other"))
	for _, tt := range []struct {
		name   string
		md5    []byte
		wantOK bool
	}{{"good digest", good[:], true}, {"bad digest", bad[:], false}} {
		for _, small := range []bool{false, true} {
			b, err := NewBody(bytes.NewReader(data), int64(len(data)), BodyOptions{ContentMD5: tt.md5})
			if err != nil {
				t.Fatal(err)
			}
			var r io.Reader = b
			if small {
				r = iotest.OneByteReader(b)
			}
			got := make([]byte, len(data))
			n, err := io.ReadFull(r, got)
			if tt.wantOK {
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%s: read %d bytes, %v", tt.name, n, err)
				}
				if _, ok := b.Sums(); !ok {
					t.Fatalf("%s: no sums after a full read", tt.name)
				}
				continue
			}
			if n == len(data) || CodeOf(err) != ErrBadDigest {
				t.Fatalf("%s (one byte at a time %v): delivered %d of %d bytes, err %v; want fewer and BadDigest", tt.name, small, n, len(data), err)
			}
		}
	}
}

func TestBodyEmptyAndShort(t *testing.T) {
	b := BytesBody(nil)
	if n, err := b.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("empty body: %d, %v", n, err)
	}
	if s, ok := b.Sums(); !ok || s.ETag() != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Fatalf("empty body sums: %+v %v", s, ok)
	}
	short, _ := NewBody(bytes.NewReader([]byte("abc")), 5, BodyOptions{})
	if _, err := io.ReadAll(short); CodeOf(err) != ErrIncompleteBody {
		t.Fatalf("short body: %v", err)
	}
}
