package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/babelgate/babelgate/translate"
)

const (
	testAK     = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	testHost   = "s3.example.com"
)

var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func lookupWith(ak, secret string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		if k == ak {
			return secret, true
		}
		return "", false
	}
}

func testVerifier() *Verifier {
	return &Verifier{Lookup: lookupWith(testAK, testSecret), Service: "s3", Now: func() time.Time { return testNow }}
}

// send delivers req to a real net/http server and returns what Verify said
// there, so that the request is seen exactly as a client puts it on the wire.
// req.Host (or req.URL.Host) is kept as the Host header.
func send(t *testing.T, v *Verifier, req *http.Request) (*Auth, error) {
	t.Helper()
	var (
		auth *Auth
		verr error
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, verr = v.Verify(r)
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	req.URL.Scheme, req.URL.Host = "http", srv.Listener.Addr().String()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("round trip: %v", err)
	}
	resp.Body.Close()
	return auth, verr
}

func newRequest(t *testing.T, method, target, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+testHost+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

var testCreds = aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSecret}

func sdkSigner() *v4.Signer {
	// S3 signs the path as sent: the SDK's S3 client disables path escaping.
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

// sdkSign signs req in place with aws-sdk-go-v2's SigV4 signer.
func sdkSign(t *testing.T, req *http.Request, payload string, at time.Time) {
	t.Helper()
	if err := sdkSigner().SignHTTP(context.Background(), testCreds, req, payload, "s3", testRegion, at); err != nil {
		t.Fatal(err)
	}
}

// sdkPresign presigns req with aws-sdk-go-v2 and returns the request a
// client would send with the URL and the signed headers.
func sdkPresign(t *testing.T, req *http.Request, creds aws.Credentials, payload string, at time.Time, expires string) *http.Request {
	t.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", expires)
	req.URL.RawQuery = q.Encode()
	u, hdr, err := sdkSigner().PresignHTTP(context.Background(), creds, req, payload, "s3", testRegion, at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(req.Method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if k != "Host" {
			out.Header[k] = vs
		}
	}
	return out
}

// refSigner is an independent, spec-literal SigV4 signer: the test states
// the canonical URI and query verbatim, so it cannot share a bug with the
// verifier's canonicalisation.
type refSigner struct {
	method, uri, query string
	headers            [][2]string // canonical (lowercase name, value), sorted
	payload            string
	amzDate, date      string // request timestamp, credential date
	secret             string
}

func (s refSigner) sign() (signature, signed string) {
	var ch strings.Builder
	names := make([]string, 0, len(s.headers))
	for _, h := range s.headers {
		ch.WriteString(h[0] + ":" + h[1] + "\n")
		names = append(names, h[0])
	}
	signed = strings.Join(names, ";")
	creq := strings.Join([]string{s.method, s.uri, s.query, ch.String(), signed, s.payload}, "\n")
	sum := sha256.Sum256([]byte(creq))
	scope := s.date + "/" + testRegion + "/s3/aws4_request"
	sts := "AWS4-HMAC-SHA256\n" + s.amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	mac := func(k []byte, d string) []byte { m := hmac.New(sha256.New, k); m.Write([]byte(d)); return m.Sum(nil) }
	k := mac([]byte("AWS4"+s.secret), s.date)
	k = mac(mac(mac(k, testRegion), "s3"), "aws4_request")
	return hex.EncodeToString(mac(k, sts)), signed
}

func (s refSigner) authorization() string {
	sig, signed := s.sign()
	return "AWS4-HMAC-SHA256 Credential=" + testAK + "/" + s.date + "/" + testRegion + "/s3/aws4_request, SignedHeaders=" + signed + ", Signature=" + sig
}

func codeOf(err error) translate.Code { return translate.CodeOf(err) }

func wantCode(t *testing.T, err error, want translate.Code) {
	t.Helper()
	if got := codeOf(err); got != want {
		t.Fatalf("error = %v (code %v), want code %v", err, got, want)
	}
	var te *translate.Error
	if want != 0 && !errors.As(err, &te) {
		t.Fatalf("error %T is not a *translate.Error", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
