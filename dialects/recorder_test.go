package dialects

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"
)

// connWriter stands for net/http's response on a TCP connection: a
// ResponseWriter with ReadFrom (sendfile for a file), noting its source.
type connWriter struct {
	*httptest.ResponseRecorder
	from io.Reader
}

func (w *connWriter) ReadFrom(r io.Reader) (int64, error) {
	w.from = r
	return w.Body.ReadFrom(r)
}

// TestRecorderReadFrom: io.Copy of a file (an *io.LimitedReader over an
// *os.File, as the fs backend hands it) through the pipeline's recorder
// and echo's Response reaches the connection's ReadFrom, so the kernel
// sends it; other sources, and HEAD, go through Write. The recorder
// counts the bytes either way.
func TestRecorderReadFrom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "obj")
	data := bytes.Repeat([]byte("sendfile"), 1000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		head     bool
		file     bool
		wantFrom bool
		wantBody int
	}{
		{"file", false, true, true, len(data)},
		{"reader", false, false, false, len(data)},
		{"HEAD of a file", true, true, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn := &connWriter{ResponseRecorder: httptest.NewRecorder()}
			w := &recorder{ResponseWriter: echo.NewResponse(conn, echo.New()), head: tc.head}
			var src io.Reader = bytes.NewReader(data)
			if tc.file {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				src = &io.LimitedReader{R: f, N: int64(len(data))}
			}
			n, err := io.Copy(w, src)
			if err != nil || n != int64(len(data)) {
				t.Fatalf("copied %d, %v", n, err)
			}
			if (conn.from != nil) != tc.wantFrom {
				t.Errorf("ReadFrom of the connection used: %v", conn.from != nil)
			}
			if conn.Body.Len() != tc.wantBody || w.n != int64(tc.wantBody) || conn.Code != http.StatusOK || w.status != http.StatusOK {
				t.Errorf("body %d bytes, counted %d, status %d/%d", conn.Body.Len(), w.n, conn.Code, w.status)
			}
		})
	}
}
