package dialects

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// kaDialect is a minimal dialect whose one route runs call through
// KeepAlive.Serve inside the real pipeline (its recorder included).
type kaDialect struct {
	ka   *KeepAlive
	call func(w http.ResponseWriter, r *Request) LongCall
	// served is closed with Serve's error once the handler is done.
	served chan error
}

func (d *kaDialect) Name() string                            { return "test" }
func (d *kaDialect) Begin(w http.ResponseWriter, _ *Request) { w.Header().Set("x-test-id", "1") }
func (d *kaDialect) Authenticate(*Request) (translate.Caller, error) {
	return translate.Caller{}, nil
}

func (d *kaDialect) Resolve(*Request) (Route, error) {
	return Route{Handle: func(w http.ResponseWriter, r *Request) error {
		io.Copy(io.Discard, r.HTTP.Body) // as a Complete handler reads its XML first
		err := d.ka.Serve(w, r, d.call(w, r))
		d.served <- err
		return err
	}}, nil
}

// EncodeError writes a 400 with a small <Error> document, the declaration
// written on its own as the real dialects do.
func (d *kaDialect) EncodeError(w http.ResponseWriter, _ *Request, err error) {
	w.Header().Set("x-error", "yes")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusBadRequest)
	w.Write([]byte(xml.Header))
	w.Write([]byte("<Error><Code>" + translate.AsError(err).Code.String() + "</Code></Error>"))
}

const resultDoc = "<Result><ETag>abc</ETag></Result>"

// respond is a LongCall.Respond as a dialect writes it: a header, the
// status, the declaration and the document.
func respond(w http.ResponseWriter) error {
	w.Header().Set("x-result", "yes")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(xml.Header))
	_, err := w.Write([]byte(resultDoc))
	return err
}

// startKA serves d through a Pipeline and returns its URL.
func startKA(t *testing.T, d *kaDialect) string {
	t.Helper()
	d.served = make(chan error, 1)
	p := &Pipeline{Detector: Detector{Fallback: d}, Logger: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

// client fails a request whose headers do not come promptly: a committed
// 200 must reach the client at once, not when a buffer fills.
var client = &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 5 * time.Second}}

func post(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := client.Post(url+"/b/k?uploadId=1", "application/xml", strings.NewReader("<x/>"))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func served(t *testing.T, d *kaDialect) error {
	t.Helper()
	select {
	case err := <-d.served:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("handler did not return")
		return nil
	}
}

// returns returns a Run that returns err at once; ran reports that it
// has returned.
func returns(err error, ran *atomic.Bool) func(context.Context) error {
	return func(context.Context) error {
		defer ran.Store(true)
		return err
	}
}

// TestKeepAliveQuickAnswersNormally: a call done within the grace period
// answers with its own status, headers and body, success or failure; a
// nil *KeepAlive has a grace period. The grace periods are an hour, so no
// stall of a loaded machine can outlast them (the nil row's is the
// default second).
func TestKeepAliveQuickAnswersNormally(t *testing.T) {
	for _, tc := range []struct {
		name       string
		ka         *KeepAlive
		err        error
		status     int
		header     string
		body       string
		wantServed error
	}{
		{"success", &KeepAlive{Grace: time.Hour}, nil, 200, "x-result", xml.Header + resultDoc, nil},
		{"failure", &KeepAlive{Grace: time.Hour}, &translate.Error{Code: translate.ErrInvalidPart}, 400, "x-error",
			xml.Header + "<Error><Code>InvalidPart</Code></Error>", &translate.Error{Code: translate.ErrInvalidPart}},
		{"nil keep-alive failure", nil, &translate.Error{Code: translate.ErrInvalidPart}, 400, "x-error",
			xml.Header + "<Error><Code>InvalidPart</Code></Error>", &translate.Error{Code: translate.ErrInvalidPart}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ran atomic.Bool
			d := &kaDialect{ka: tc.ka, call: func(http.ResponseWriter, *Request) LongCall {
				return LongCall{Run: returns(tc.err, &ran), Respond: respond, EncodeError: (&kaDialect{}).EncodeError}
			}}
			resp := post(t, startKA(t, d))
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get(tc.header) != "yes" || string(body) != tc.body {
				t.Errorf("got %d %v %q, want %d with %s and %q", resp.StatusCode, resp.Header, body, tc.status, tc.header, tc.body)
			}
			if err := served(t, d); (err == nil) != (tc.wantServed == nil) {
				t.Errorf("Serve returned %v, want %v", err, tc.wantServed)
			}
			if !ran.Load() {
				t.Error("Serve returned before Run")
			}
		})
	}
}

// readUntil reads from r until it has read want (which must be a prefix
// of what comes), failing after a few seconds.
func readUntil(t *testing.T, r io.Reader, want string) {
	t.Helper()
	got := make(chan error, 1)
	go func() {
		buf := make([]byte, len(want))
		_, err := io.ReadFull(r, buf)
		if err == nil && string(buf) != want {
			err = errors.New("read " + string(buf))
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("reading %q: %v", want, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%q did not arrive: the keep-alive is not flushed", want)
	}
}

// TestKeepAliveSlowCall: past the grace period the 200 is committed with
// the declaration and white space, which reach the client while the call
// is still running; the call's document (result or <Error>, without a
// second declaration) ends the body, and Serve returns the call's error
// for the log.
func TestKeepAliveSlowCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		doc  string
	}{
		{"success", nil, resultDoc},
		{"failure", &translate.Error{Code: translate.ErrInvalidPart}, "<Error><Code>InvalidPart</Code></Error>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			var ran atomic.Bool
			d := &kaDialect{ka: &KeepAlive{Grace: 20 * time.Millisecond, Interval: 10 * time.Millisecond},
				call: func(http.ResponseWriter, *Request) LongCall {
					return LongCall{Run: func(ctx context.Context) error {
						defer ran.Store(true)
						select {
						case <-release:
							return tc.err
						case <-ctx.Done():
							return ctx.Err()
						}
					}, Respond: respond, EncodeError: (&kaDialect{}).EncodeError}
				}}
			resp := post(t, startKA(t, d))
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/xml" || resp.Header.Get("x-test-id") != "1" {
				t.Fatalf("committed response: %d %v", resp.StatusCode, resp.Header)
			}
			// The declaration and three spaces arrive while Run is blocked.
			readUntil(t, resp.Body, xml.Header+"   ")
			close(release)
			rest, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			doc := strings.TrimLeft(string(rest), " ")
			if doc != tc.doc {
				t.Errorf("body after the white space = %q, want %q", rest, tc.doc)
			}
			if resp.Header.Get("x-result") != "" || resp.Header.Get("x-error") != "" {
				t.Errorf("headers set after the commit were sent: %v", resp.Header)
			}
			if err := served(t, d); (err == nil) != (tc.err == nil) {
				t.Errorf("Serve returned %v, want %v", err, tc.err)
			}
			if !ran.Load() {
				t.Error("Serve returned before Run")
			}
		})
	}
}

// TestKeepAliveZeroGrace: with no grace period even an instant failure is
// embedded in a 200, and the exact body is the declaration, one space and
// the <Error> document.
func TestKeepAliveZeroGrace(t *testing.T) {
	var ran atomic.Bool
	d := &kaDialect{ka: &KeepAlive{Grace: 0, Interval: time.Hour}, call: func(http.ResponseWriter, *Request) LongCall {
		return LongCall{Run: returns(&translate.Error{Code: translate.ErrEntityTooSmall}, &ran), Respond: respond,
			EncodeError: (&kaDialect{}).EncodeError}
	}}
	resp := post(t, startKA(t, d))
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := xml.Header + " <Error><Code>EntityTooSmall</Code></Error>"
	if err != nil || resp.StatusCode != 200 || string(body) != want {
		t.Errorf("got %d %q (%v), want 200 %q", resp.StatusCode, body, err, want)
	}
	if err := served(t, d); translate.AsError(err).Code != translate.ErrEntityTooSmall {
		t.Errorf("Serve returned %v", err)
	}
}

// TestKeepAliveCloseAfterError: with CloseAfterError the <Error> is sent
// and then the body is cut, so reading it fails.
func TestKeepAliveCloseAfterError(t *testing.T) {
	for _, closeIt := range []bool{false, true} {
		var ran atomic.Bool
		d := &kaDialect{ka: &KeepAlive{Grace: 0}, call: func(http.ResponseWriter, *Request) LongCall {
			return LongCall{Run: returns(&translate.Error{Code: translate.ErrInvalidPart}, &ran), Respond: respond,
				EncodeError: (&kaDialect{}).EncodeError, CloseAfterError: closeIt}
		}}
		resp := post(t, startKA(t, d))
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		served(t, d)
		if !bytes.Contains(body, []byte("<Code>InvalidPart</Code>")) {
			t.Errorf("close=%v: body %q lacks the error", closeIt, body)
		}
		if closeIt != errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("close=%v: reading the body: %v", closeIt, err)
		}
	}
	// A success is never cut.
	var ran atomic.Bool
	d := &kaDialect{ka: &KeepAlive{Grace: 0}, call: func(http.ResponseWriter, *Request) LongCall {
		return LongCall{Run: returns(nil, &ran), Respond: respond, EncodeError: (&kaDialect{}).EncodeError, CloseAfterError: true}
	}}
	resp := post(t, startKA(t, d))
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != xml.Header+" "+resultDoc {
		t.Errorf("success with CloseAfterError: %q, %v", body, err)
	}
	served(t, d)
}

// TestKeepAliveClientGone: when the client goes away during the keep-alive
// the call's context is cancelled and Serve returns once the call has.
func TestKeepAliveClientGone(t *testing.T) {
	var ran atomic.Bool
	cancelled := make(chan struct{})
	d := &kaDialect{ka: &KeepAlive{Grace: 0, Interval: 5 * time.Millisecond}, call: func(http.ResponseWriter, *Request) LongCall {
		return LongCall{Run: func(ctx context.Context) error {
			defer ran.Store(true)
			<-ctx.Done()
			close(cancelled)
			return ctx.Err()
		}, Respond: respond, EncodeError: (&kaDialect{}).EncodeError}
	}}
	url := startKA(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/b/k", strings.NewReader("<x/>"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, resp.Body, xml.Header+" ")
	cancel()
	resp.Body.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the call's context was not cancelled when the client went away")
	}
	if err := served(t, d); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve returned %v", err)
	}
	if !ran.Load() {
		t.Error("Serve returned before Run")
	}
}

// TestKeepAlivePanic: a panic in Run reaches the pipeline as if it had
// happened on the handler's goroutine: before the commit it is a 500, after
// it an embedded InternalError.
func TestKeepAlivePanic(t *testing.T) {
	for _, grace := range []time.Duration{time.Hour, 0} {
		d := &kaDialect{ka: &KeepAlive{Grace: grace}, call: func(http.ResponseWriter, *Request) LongCall {
			return LongCall{Run: func(context.Context) error { panic("boom") }, Respond: respond,
				EncodeError: (&kaDialect{}).EncodeError}
		}}
		resp := post(t, startKA(t, d))
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, status := xml.Header+"<Error><Code>Internal</Code></Error>", 400 // kaDialect's status
		if grace == 0 {
			want, status = xml.Header+" <Error><Code>Internal</Code></Error>", 200
		}
		if resp.StatusCode != status || string(body) != want {
			t.Errorf("grace %v: got %d %q, want %d %q", grace, resp.StatusCode, body, status, want)
		}
	}
}

// TestDocumentWriterBody: the declaration and the white space after it are
// dropped; a document without one is kept whole.
func TestDocumentWriterBody(t *testing.T) {
	for in, want := range map[string]string{
		xml.Header + "<A/>":                  "<A/>",
		`<?xml version="1.0"?>` + "\r\n<A/>": "<A/>",
		"<A/>":                               "<A/>",
		"":                                   "",
	} {
		var d documentWriter
		d.Write([]byte(in))
		if got := string(d.body()); got != want {
			t.Errorf("body(%q) = %q, want %q", in, got, want)
		}
	}
}
