package sigv4

import (
	"context"
	"net/http"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// TestRegionCheck pins the credential-scope region check: a region the
// Verifier's Regions allow verifies; another is S3's
// AuthorizationHeaderMalformed "the region 'X' is wrong; expecting 'Y'"
// (AuthorizationQueryParametersError for a presigned URL) with a <Region>
// element naming the first allowed region, as S3 answers (e.g. minio/
// s3verify#128 records S3's body). No Regions, or none for a request,
// allows any region.
func TestRegionCheck(t *testing.T) {
	only := func(rs ...string) func(*http.Request) []string { return func(*http.Request) []string { return rs } }
	for _, tt := range []struct {
		name     string
		regions  func(*http.Request) []string
		region   string
		presign  bool
		wantCode translate.Code
		wantMsg  string
	}{
		{"listed", only("us-east-1"), "us-east-1", false, 0, ""},
		{"second listed", only("us-east-1", "cn-north-4"), "cn-north-4", false, 0, ""},
		{"unlisted header", only("us-east-1", "eu-west-1"), "ap-south-1", false, translate.ErrAuthorizationHeaderMalformed,
			"The authorization header is malformed; the region 'ap-south-1' is wrong; expecting 'us-east-1'"},
		{"unlisted presigned", only("eu-west-1"), "us-east-1", true, translate.ErrAuthorizationQueryMalformed,
			"Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'"},
		{"no regions func", nil, "region", false, 0, ""},
		{"empty list allows any", only(), "region", false, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := testVerifier()
			v.Regions = tt.regions
			req := newRequest(t, "GET", "/bucket/key", "")
			if tt.presign {
				q := req.URL.Query()
				q.Set("X-Amz-Expires", "300")
				req.URL.RawQuery = q.Encode()
				u, _, err := sdkSigner().PresignHTTP(context.Background(), testCreds, req, UnsignedPayload, "s3", tt.region, testNow)
				if err != nil {
					t.Fatal(err)
				}
				if req, err = http.NewRequest("GET", u, nil); err != nil {
					t.Fatal(err)
				}
			} else {
				req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
				if err := sdkSigner().SignHTTP(context.Background(), testCreds, req, EmptySHA256, "s3", tt.region, testNow); err != nil {
					t.Fatal(err)
				}
			}
			auth, err := send(t, v, req)
			te := translate.AsError(err)
			if tt.wantCode == 0 {
				if err != nil || auth.Region != tt.region {
					t.Fatalf("got %v (auth %+v), want verified in %s", err, auth, tt.region)
				}
				return
			}
			if te.Code != tt.wantCode || te.Message != tt.wantMsg || te.Extra["Region"] == "" {
				t.Fatalf("got %v %q %v, want %v %q with a Region", te.Code, te.Message, te.Extra, tt.wantCode, tt.wantMsg)
			}
		})
	}
}
