package sigv4

import (
	"bytes"
	"io"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// FuzzChunkedReader feeds arbitrary bodies to the decoder in each mode. It
// must never panic, must terminate, must not return more bytes than it was
// given, and must fail only with a neutral code.
func FuzzChunkedReader(f *testing.F) {
	auth := fuzzAuth(f)
	enc := chunkEncoder{key: auth.signingKey, amzDate: auth.amzDate, scope: auth.scope, seed: auth.Signature}
	for i, mode := range []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer} {
		e := enc
		e.mode, e.trailerStyle = mode, "minio"
		f.Add(uint8(i), e.encode([]byte("hello, world"), 5, [][2]string{{"x-amz-checksum-crc32", "sOO8/Q=="}}))
		f.Add(uint8(i), e.encode(nil, 5, nil))
	}
	f.Add(uint8(2), []byte("b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"))
	f.Add(uint8(2), []byte("ffffff\r\n"))
	f.Add(uint8(1), []byte("0;chunk-signature=\r\n\n\n\n"))

	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		a := *auth
		a.PayloadHash = []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer}[mode%3]
		cr, err := a.NewChunkedReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		buf := make([]byte, 1+int(mode)%97)
		for i := 0; ; i++ {
			if i > len(body)+10 {
				t.Fatal("decoder does not terminate")
			}
			n, err := cr.Read(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("Read returned n=%d", n)
			}
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				if c := translate.CodeOf(err); !slices.Contains([]translate.Code{translate.ErrMalformedTrailer,
					translate.ErrIncompleteBody, translate.ErrSignatureDoesNotMatch, translate.ErrInvalidChunkSize}, c) {
					t.Fatalf("unexpected error %v", err)
				}
				if cr.Trailers() != nil {
					t.Fatal("Trailers after an error")
				}
				break
			}
		}
		if total > len(body) {
			t.Fatalf("decoded %d bytes from %d", total, len(body))
		}
	})
}

// FuzzVerifyAuthorization sends arbitrary Authorization headers (and
// presigned queries) through Verify: no panic, and every failure is a
// *translate.Error.
func FuzzVerifyAuthorization(f *testing.F) {
	amzDate := testNow.Format(timeFormat)
	ref := refSigner{method: "GET", uri: "/b/k", payload: EmptySHA256, amzDate: amzDate, date: "20240501", secret: testSecret,
		headers: [][2]string{{"host", testHost}, {"x-amz-date", amzDate}}}
	f.Add(ref.authorization(), "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=00", "")
	f.Add("AWS4-HMAC-SHA256 ,,,==,Credential=", "")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/s3/aws4_request, SignedHeaders=host;;x, Signature=", "")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240501%2Fus-east-1%2Fs3%2Faws4_request"+
		"&X-Amz-Date=20240501T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=99999999999999999999999")
	v := testVerifier()
	f.Fuzz(func(t *testing.T, authz, query string) {
		req := httptest.NewRequest("GET", "http://"+testHost+"/b/k", nil)
		req.URL.RawQuery = query
		req.RequestURI = ""
		req.Header.Set("X-Amz-Date", amzDate)
		req.Header["Authorization"] = []string{authz}
		auth, err := v.Verify(req)
		if err != nil {
			if _, ok := err.(*translate.Error); !ok {
				t.Fatalf("error %T is not a *translate.Error", err)
			}
			return
		}
		if auth.AccessKey != testAK || len(auth.signingKey) == 0 {
			t.Fatalf("accepted %q %q as %+v", authz, query, auth)
		}
		if a, err := parseAuthorization(authz); err == nil && !slices.Contains(a.signedHeaders, "host") {
			t.Fatalf("parsed %q without host", authz)
		}
	})
}

func fuzzAuth(f *testing.F) *Auth {
	f.Helper()
	amzDate := testNow.Format(timeFormat)
	ref := refSigner{method: "PUT", uri: "/b/k", payload: StreamingPayload, amzDate: amzDate, date: "20240501", secret: testSecret,
		headers: [][2]string{{"host", testHost}, {"x-amz-content-sha256", StreamingPayload}, {"x-amz-date", amzDate}}}
	req := httptest.NewRequest("PUT", "http://"+testHost+"/b/k", nil)
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", StreamingPayload)
	req.Header.Set("Authorization", ref.authorization())
	v := testVerifier()
	v.Now = func() time.Time { return testNow }
	auth, err := v.Verify(req)
	if err != nil {
		f.Fatal(err)
	}
	return auth
}
