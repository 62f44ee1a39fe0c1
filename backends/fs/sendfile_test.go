package fs

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// fileSink is a writer like net/http's response on a TCP connection: it
// has ReadFrom, and notes what it was handed.
type fileSink struct {
	bytes.Buffer
	from io.Reader
}

func (s *fileSink) ReadFrom(r io.Reader) (int64, error) {
	s.from = r
	return s.Buffer.ReadFrom(r)
}

// TestGetHandsTheFileToReadFrom: io.Copy of an fs object body (whole, a
// range, and after a partial Read) into a writer with ReadFrom hands it an
// *io.LimitedReader over the *os.File, which net/http passes to the
// kernel (sendfile), and the bytes are the object's or the range's.
func TestGetHandsTheFileToReadFrom(t *testing.T) {
	b, err := New(Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	if _, err := b.PutObject(ctx, "bkt", "k", translate.BytesBody(data), translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		rng       *translate.Range
		readFirst int
		want      string
	}{
		{"whole", nil, 0, string(data)},
		{"range", &translate.Range{Start: 10, Length: 6}, 0, "abcdef"},
		{"range after a Read", &translate.Range{Start: 10, Length: 6}, 2, "cdef"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := b.GetObject(ctx, "bkt", "k", tc.rng)
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Body.Close()
			if tc.readFirst > 0 {
				io.ReadFull(obj.Body, make([]byte, tc.readFirst))
			}
			var sink fileSink
			n, err := io.Copy(&sink, obj.Body)
			if err != nil || sink.String() != tc.want || n != int64(len(tc.want)) {
				t.Fatalf("copied %d %q, %v; want %q", n, sink.String(), err, tc.want)
			}
			lr, ok := sink.from.(*io.LimitedReader)
			if !ok {
				t.Fatalf("ReadFrom got %T, want *io.LimitedReader", sink.from)
			}
			if _, ok := lr.R.(*os.File); !ok {
				t.Errorf("LimitedReader over %T, want *os.File", lr.R)
			}
			if rest, _ := io.ReadAll(obj.Body); len(rest) != 0 {
				t.Errorf("body yields %q after the copy", rest)
			}
		})
	}
}
