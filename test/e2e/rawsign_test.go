package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Raw S3 requests: built by hand, signed with aws-sdk-go-v2's SigV4 signer
// (service s3, region us-east-1) and sent with net/http or over a bare
// connection, so that a test can get exactly one thing wrong.

const (
	rawRegion           = "us-east-1"
	rawEmptySHA256      = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	rawStreamingSigned  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	rawStreamingTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	rawUnsignedPayload  = "UNSIGNED-PAYLOAD"
)

// rawRequest describes one hand-made S3 request.
type rawRequest struct {
	Method string
	// Path is the request-target path exactly as sent, already escaped
	// ("/bucket/key"); it is neither cleaned nor re-escaped, and it is the
	// canonical URI that is signed.
	Path string
	// Query is the raw query without '?'. A signed request carries the
	// signer's canonical encoding of it.
	Query  string
	Header http.Header // further headers; every one is signed
	Body   []byte
	// ChunkedTE sends Body with Transfer-Encoding: chunked and no
	// Content-Length.
	ChunkedTE bool
	// PayloadHash is the x-amz-content-sha256 value signed and sent; ""
	// means the hex SHA-256 of Body.
	PayloadHash string
	// AK and SK sign the request; an empty AK sends it anonymously.
	AK, SK string
	// SignTime is the signing time; zero means now.
	SignTime time.Time
	// Presign signs in the query (X-Amz-Expires=Expires) instead of the
	// Authorization header; the payload is then UNSIGNED-PAYLOAD.
	Presign bool
	Expires int
	// Region is the credential scope's region; "" means rawRegion.
	Region string
}

// rawResponse is what came back.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
	// Request is "METHOD request-target", for messages.
	Request string
}

// rawErrorBody is S3's <Error> document.
type rawErrorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// rawSigner returns the signer the SDK's S3 client uses: S3 signs the path
// as sent, without escaping it a second time. A signer caches signing keys
// by access key (not secret), so every request gets a fresh one: a request
// signed with a wrong secret must really carry a wrong signature.
func rawSigner() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

func rawSHA256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func rawHMAC(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// rawSigningKey derives kSigning (protocols.md §1.1).
func rawSigningKey(secret, date string) []byte {
	k := rawHMAC([]byte("AWS4"+secret), date)
	k = rawHMAC(k, rawRegion)
	k = rawHMAC(k, "s3")
	return rawHMAC(k, "aws4_request")
}

// rawBuild returns the signed *http.Request for r against g.
func (g *gateway) rawBuild(t testing.TB, r rawRequest) *http.Request {
	t.Helper()
	scheme := "http"
	if g.TLS {
		scheme = "https"
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, scheme+"://"+g.Addr+"/", body)
	if err != nil {
		t.Fatal(err)
	}
	// Opaque keeps the path byte for byte: neither net/http nor the signer
	// cleans or re-escapes it.
	req.URL.Opaque = r.Path
	req.URL.RawQuery = r.Query
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.ChunkedTE {
		req.ContentLength = -1
		req.Body = io.NopCloser(bytes.NewReader(r.Body))
		req.GetBody = nil
	}
	if r.AK == "" {
		return req
	}
	at := r.SignTime
	if at.IsZero() {
		at = time.Now()
	}
	creds := aws.Credentials{AccessKeyID: r.AK, SecretAccessKey: r.SK}
	region := r.Region
	if region == "" {
		region = rawRegion
	}
	if r.Presign {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(r.Expires))
		req.URL.RawQuery = q.Encode()
		signed, _, err := rawSigner().PresignHTTP(context.Background(), creds, req, rawUnsignedPayload, "s3", region, at)
		if err != nil {
			t.Fatal(err)
		}
		_, req.URL.RawQuery, _ = strings.Cut(signed, "?")
		return req
	}
	hash := r.PayloadHash
	if hash == "" {
		hash = rawSHA256Hex(r.Body)
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := rawSigner().SignHTTP(context.Background(), creds, req, hash, "s3", region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

// rawClient is an HTTP client for raw requests: it trusts the test
// certificate, never follows redirects and gives up after a minute.
func (g *gateway) rawClient() *http.Client {
	c := g.HTTPClient(false)
	c.Timeout = time.Minute
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// rawDo sends r and reads the whole response. HEAD requests go over a bare
// connection (rawHead) so that a body the gateway wrongly sends is seen.
func (g *gateway) rawDo(t testing.TB, r rawRequest) *rawResponse {
	t.Helper()
	req := g.rawBuild(t, r)
	if r.Method == http.MethodHead {
		return g.rawHead(t, req)
	}
	return g.rawSend(t, req)
}

// rawSend sends a built request with net/http.
func (g *gateway) rawSend(t testing.TB, req *http.Request) *rawResponse {
	t.Helper()
	resp, err := g.rawClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.RequestURI(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the response: %v", req.Method, req.URL.RequestURI(), err)
	}
	return &rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: body,
		Request: req.Method + " " + req.URL.RequestURI()}
}

// rawDial opens a connection to the gateway (TLS when it serves TLS).
func (g *gateway) rawDial(t testing.TB) net.Conn {
	t.Helper()
	var conn net.Conn
	var err error
	if g.TLS {
		conn, err = tls.Dial("tcp", g.Addr, &tls.Config{RootCAs: certPool, ServerName: "127.0.0.1"})
	} else {
		conn, err = net.Dial("tcp", g.Addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// rawWriteHead writes req's request line and headers (and Content-Length
// when contentLength >= 0), ending with the empty line.
func rawWriteHead(w io.Writer, req *http.Request, contentLength int64) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", req.Method, req.URL.RequestURI())
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	fmt.Fprintf(&b, "Host: %s\r\n", host)
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	if contentLength >= 0 {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", contentLength)
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// rawHead sends a bodiless request (HEAD) over a bare connection, reads the
// response and then checks that nothing follows it: a HEAD response has no
// body, and net/http's client would silently ignore one.
func (g *gateway) rawHead(t testing.TB, req *http.Request) *rawResponse {
	t.Helper()
	conn := g.rawDial(t)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := rawWriteHead(conn, req, -1); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.RequestURI(), err)
	}
	resp.Body.Close()
	// Whatever arrives within a moment after the head is a body the
	// gateway should not have sent.
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	extra, _ := io.ReadAll(br)
	return &rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: extra,
		Request: req.Method + " " + req.URL.RequestURI()}
}

// rawStreamSigned signs req as a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload
// of data in chunks of chunkSize bytes and returns the aws-chunked body
// (protocols.md §1.3): the seed signature is the request's, each chunk's
// string to sign chains the previous signature. req's body is not set; the
// caller may alter the returned bytes (keeping their length) and then set it
// with rawSetBody.
func rawStreamSigned(t testing.TB, req *http.Request, ak, sk string, data []byte, chunkSize int, at time.Time) []byte {
	t.Helper()
	var sizes []int
	for off := 0; off < len(data); off += chunkSize {
		sizes = append(sizes, min(chunkSize, len(data)-off))
	}
	const sigExt = ";chunk-signature="
	encodedLen := 0
	for _, n := range append(sizes, 0) {
		encodedLen += len(strconv.FormatInt(int64(n), 16)) + len(sigExt) + 64 + 2 + n + 2
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	req.Header.Set("X-Amz-Content-Sha256", rawStreamingSigned)
	req.ContentLength = int64(encodedLen)
	creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
	if err := rawSigner().SignHTTP(context.Background(), creds, req, rawStreamingSigned, "s3", rawRegion, at); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	i := strings.LastIndex(auth, "Signature=")
	if i < 0 {
		t.Fatalf("no signature in %q", auth)
	}
	prev := auth[i+len("Signature="):]
	amzDate := req.Header.Get("X-Amz-Date")
	scope := amzDate[:8] + "/" + rawRegion + "/s3/aws4_request"
	key := rawSigningKey(sk, amzDate[:8])
	var out bytes.Buffer
	off := 0
	for _, n := range append(sizes, 0) {
		chunk := data[off : off+n]
		off += n
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + rawEmptySHA256 + "\n" + rawSHA256Hex(chunk)
		sig := hex.EncodeToString(rawHMAC(key, sts))
		fmt.Fprintf(&out, "%x%s%s\r\n", n, sigExt, sig)
		out.Write(chunk)
		out.WriteString("\r\n")
		prev = sig
	}
	if out.Len() != encodedLen {
		t.Fatalf("aws-chunked body is %d bytes, computed %d", out.Len(), encodedLen)
	}
	return out.Bytes()
}

// rawUnsignedTrailerBody returns data as a STREAMING-UNSIGNED-PAYLOAD-TRAILER
// body: "hex-size CRLF data CRLF" per chunk, "0 CRLF", the trailer line and
// an empty line.
func rawUnsignedTrailerBody(data []byte, chunkSize int, trailerName, trailerValue string) []byte {
	var out bytes.Buffer
	for off := 0; off < len(data); off += chunkSize {
		n := min(chunkSize, len(data)-off)
		fmt.Fprintf(&out, "%x\r\n", n)
		out.Write(data[off : off+n])
		out.WriteString("\r\n")
	}
	fmt.Fprintf(&out, "0\r\n%s:%s\r\n\r\n", trailerName, trailerValue)
	return out.Bytes()
}

// rawSetBody sets a built request's body to b (its length must already be
// req.ContentLength).
func rawSetBody(req *http.Request, b []byte) {
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// rawPath escapes each segment of a key for a request path.
func rawPath(bucket, key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/" + bucket + "/" + strings.Join(segs, "/")
}

// logLine returns the gateway's log line for a request ID ("" if none
// appears within two seconds).
func (g *gateway) logLine(requestID string) string {
	if requestID == "" {
		return ""
	}
	needle := `"request_id":"` + requestID + `"`
	for deadline := time.Now().Add(2 * time.Second); ; {
		for _, line := range strings.Split(g.Log(), "\n") {
			if strings.Contains(line, needle) {
				return line
			}
		}
		if time.Now().After(deadline) {
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
}
