package dialects

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// guardResult is what the test handler saw.
type guardResult struct {
	read     int
	err      error
	ctxErr   error
	timedOut bool
}

// guardServer serves one handler that reads its body through guardBody
// (first n bytes, a note on firstRead, then after pause the rest, then
// pause again) and reports what it saw.
func guardServer(t *testing.T, timeout time.Duration, first int, pause time.Duration) (addr string, firstRead <-chan struct{}, _ <-chan guardResult) {
	t.Helper()
	results, read := make(chan guardResult, 1), make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		r := &Request{HTTP: hr}
		body := guardBody(w, hr.Body, r, timeout)
		var res guardResult
		n, err := io.ReadFull(body, make([]byte, first))
		res.read = n
		if err == nil {
			read <- struct{}{}
			// Time the gateway spends between reads, or after the body
			// ended, is not the client's: let a deadline pass each time.
			<-time.After(pause)
			var m int64
			m, err = io.Copy(io.Discard, body)
			res.read += int(m)
			// A read after the end (some readers make one) must not set
			// a deadline on the connection net/http now watches.
			if n, eof := body.Read(make([]byte, 1)); err == nil && (n != 0 || eof != io.EOF) {
				err = fmt.Errorf("read after EOF: %d, %v", n, eof)
			}
			<-time.After(pause)
		}
		res.err, res.ctxErr, res.timedOut = err, hr.Context().Err(), r.bodyTimeout.Load() != nil
		results <- res
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), read, results
}

// sendPartial writes a PUT declaring size bytes and sends only sent of
// them; the connection stays open until the test ends.
func sendPartial(t *testing.T, addr string, size, sent int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "PUT /b/k HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", addr, size, strings.Repeat("x", sent))
	return c
}

func TestGuardBody(t *testing.T) {
	const timeout = 200 * time.Millisecond
	t.Run("stalled body is cut with RequestTimeout", func(t *testing.T) {
		addr, _, results := guardServer(t, timeout, 10, 0)
		sendPartial(t, addr, 100, 40)
		res := <-results
		if translate.CodeOf(res.err) != translate.ErrRequestTimeout || !res.timedOut || res.read != 40 {
			t.Fatalf("read %d, err %v (timed out %v), want 40 bytes then RequestTimeout", res.read, res.err, res.timedOut)
		}
	})
	t.Run("gateway pauses do not count", func(t *testing.T) {
		addr, firstRead, results := guardServer(t, timeout, 10, 3*timeout)
		c := sendPartial(t, addr, 100, 10)
		// The rest arrives while the handler pauses: it waits in the
		// socket, past the deadline the first read set.
		<-firstRead
		io.WriteString(c, strings.Repeat("y", 90))
		res := <-results
		if res.err != nil || res.read != 100 || res.timedOut {
			t.Fatalf("read %d, err %v, want the whole body", res.read, res.err)
		}
		// The request context survived the pause after the body ended:
		// the deadline was cleared at EOF, so net/http's background read
		// never timed out.
		if res.ctxErr != nil {
			t.Errorf("request context ended after the body: %v", res.ctxErr)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("response: %v, %v", resp, err)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		body := io.NopCloser(strings.NewReader("abc"))
		if got := guardBody(httptest.NewRecorder(), body, &Request{}, 0); got != body {
			t.Error("a zero timeout still wraps the body")
		}
	})
}

func TestInflightAdmit(t *testing.T) {
	for _, tc := range []struct {
		max, held int
		want      bool
	}{
		{0, 100, true}, {1, 0, true}, {1, 1, false}, {3, 2, true}, {3, 3, false},
	} {
		var f inflight
		var releases []func()
		for i := 0; i < tc.held; i++ {
			rel, ok := f.admit(0)
			if !ok {
				t.Fatal("unlimited admit refused")
			}
			releases = append(releases, rel)
		}
		rel, ok := f.admit(tc.max)
		if ok != tc.want {
			t.Errorf("max %d with %d held: admitted %v, want %v", tc.max, tc.held, ok, tc.want)
		}
		rel()
		for _, r := range releases {
			r()
		}
		if n := f.n.Load(); n != 0 {
			t.Errorf("max %d with %d held: %d slots left taken after release", tc.max, tc.held, n)
		}
	}
}

func TestBodyTimeoutCause(t *testing.T) {
	cut := &translate.Error{Code: translate.ErrRequestTimeout, Message: "no byte of the request body arrived for 2s"}
	canceled := translate.Wrap(translate.ErrInternal, errors.New("context canceled"), "")
	for _, tc := range []struct {
		name string
		cut  bool
		err  error
		want translate.Code
	}{
		{"no cut keeps the error", false, canceled, translate.ErrInternal},
		{"a cut replaces a cancellation", true, canceled, translate.ErrRequestTimeout},
		{"a cut replaces an unavailable store", true, &translate.Error{Code: translate.ErrServiceUnavailable}, translate.ErrRequestTimeout},
		{"the cut itself stays", true, cut, translate.ErrRequestTimeout},
	} {
		r := &Request{}
		if tc.cut {
			r.bodyTimeout.Store(cut)
		}
		got := bodyTimeoutCause(r, tc.err)
		if translate.CodeOf(got) != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if tc.cut && tc.err != cut && !errors.Is(got, tc.err) {
			t.Errorf("%s: the handler's error %v is not kept as the cause", tc.name, tc.err)
		}
	}
}

// TestGuardBodyCap: a cap (drainForError's whole-drain bound) wins over a
// longer per-read timeout.
func TestGuardBodyCap(t *testing.T) {
	errc := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		r := &Request{HTTP: hr}
		body := guardBody(w, hr.Body, r, time.Hour)
		capBodyDeadline(r, time.Now().Add(200*time.Millisecond))
		_, err := io.Copy(io.Discard, body)
		errc <- err
	}))
	defer srv.Close()
	sendPartial(t, strings.TrimPrefix(srv.URL, "http://"), 100, 10)
	if err := <-errc; translate.CodeOf(err) != translate.ErrRequestTimeout {
		t.Fatalf("capped stalled body: %v, want RequestTimeout", err)
	}
}
