package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestPayloadHashHook: services other than S3 (Glacier's InitiateJob, as
// botocore signs it) sign the body's SHA-256 without sending
// x-amz-content-sha256. Without the hook the verifier assumes S3's empty
// payload and the signature fails; with a hook that hashes the body it
// verifies, and the body is still readable afterwards.
func TestPayloadHashHook(t *testing.T) {
	body := []byte(`{"Type":"inventory-retrieval"}`)
	sum := sha256.Sum256(body)
	sign := func() *http.Request {
		req, _ := http.NewRequest("POST", "http://glacier.example.com/-/vaults/v/jobs", bytes.NewReader(body))
		req.Header.Set("x-amz-glacier-version", "2012-06-01")
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSecret},
			req, hex.EncodeToString(sum[:]), "glacier", testRegion, testNow); err != nil {
			t.Fatal(err)
		}
		return req
	}
	v := testVerifier()
	v.Service = "glacier"
	if _, err := v.Verify(sign()); err == nil {
		t.Fatal("without the hook a body-hash signature verified as an empty payload")
	}
	v.PayloadHash = func(r *http.Request) (string, error) {
		data, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(data))
		s := sha256.Sum256(data)
		return hex.EncodeToString(s[:]), err
	}
	req := sign()
	a, err := v.Verify(req)
	if err != nil {
		t.Fatalf("with the hook: %v", err)
	}
	if a.PayloadHash != hex.EncodeToString(sum[:]) || a.Service != "glacier" {
		t.Fatalf("auth %+v", a)
	}
	if rest, _ := io.ReadAll(req.Body); !bytes.Equal(rest, body) {
		t.Fatalf("body after Verify: %q", rest)
	}
}
