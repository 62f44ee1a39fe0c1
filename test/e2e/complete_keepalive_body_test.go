package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync"
	"testing"
)

// sdkBody behaves as smithy-go's safeWriteToReadCloser (aws-sdk-go-v2's
// request body, transport/http/internal/io/safe.go): once closed, Read and
// WriteTo return (0, io.EOF). Its WriteTo waits for Close, forcing the
// order seen on a loaded machine: the SDK closes the body (response
// headers in) before net/http's write loop checks it for extra bytes.
type sdkBody struct {
	r      *bytes.Reader
	mu     sync.Mutex
	closed chan struct{}
	once   sync.Once
}

func newSDKBody(b []byte) *sdkBody {
	return &sdkBody{r: bytes.NewReader(b), closed: make(chan struct{})}
}

func (b *sdkBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.closed:
		return 0, io.EOF
	default:
	}
	return b.r.Read(p)
}

func (b *sdkBody) WriteTo(w io.Writer) (int64, error) {
	<-b.closed
	return 0, io.EOF
}

func (b *sdkBody) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}

// closeSignalConn reports when the client closes its connection.
type closeSignalConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *closeSignalConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// TestReadOnlyBodyKeepsConnection: a server that answers 200 once it has
// the request body and sends the rest of the response later (a kept-alive
// Complete) loses the connection to an aws-sdk-go-v2-like body (net/http's
// write loop fails on its WriteTo's io.EOF and closes the connection under
// the reader), and keeps it with the body wrapped in readOnlyBody, as the
// completeRecorder does.
func TestReadOnlyBodyKeepsConnection(t *testing.T) {
	for _, tc := range []struct {
		name     string
		wrap     func(io.ReadCloser) io.ReadCloser
		wantLost bool
	}{
		{"sdk body as is", func(b io.ReadCloser) io.ReadCloser { return b }, true},
		{"readOnlyBody", func(b io.ReadCloser) io.ReadCloser { return readOnlyBody{b} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rest := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusOK)
				io.WriteString(w, xml.Header+" ")
				http.NewResponseController(w).Flush()
				<-rest
				io.WriteString(w, "<Done/>")
			}))
			defer srv.Close()
			defer func() {
				select {
				case <-rest:
				default:
					close(rest)
				}
			}()
			conn := &closeSignalConn{closed: make(chan struct{})}
			var d net.Dialer
			tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, addr)
				conn.Conn = c
				return conn, err
			}}
			defer tr.CloseIdleConnections()

			payload := []byte("<CompleteMultipartUpload></CompleteMultipartUpload>")
			body := newSDKBody(payload)
			wrote := make(chan error, 1)
			ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
				WroteRequest: func(i httptrace.WroteRequestInfo) { wrote <- i.Err },
			})
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Body, req.ContentLength = tc.wrap(body), int64(len(payload))
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body.Close() // as smithy-go does once the response headers are in
			werr := <-wrote
			if tc.wantLost {
				if !errors.Is(werr, io.EOF) {
					t.Fatalf("request write = %v, want io.EOF", werr)
				}
				<-conn.closed // the write loop closes the connection
			} else if werr != nil {
				t.Fatalf("request write = %v, want nil", werr)
			}
			close(rest)
			got, err := io.ReadAll(resp.Body)
			if tc.wantLost {
				if !errors.Is(err, net.ErrClosed) {
					t.Fatalf("response body = %q, %v; want the connection closed under it", got, err)
				}
				return
			}
			if err != nil || string(got) != xml.Header+" <Done/>" {
				t.Fatalf("response body = %q, %v", got, err)
			}
		})
	}
}
