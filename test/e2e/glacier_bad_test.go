package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/babelgate/babelgate/translate"
)

// glacierRaw is one hand-built Glacier request.
type glacierRaw struct {
	method, path string
	hdr          map[string]string
	body         []byte
	// linear sends x-amz-content-sha256 (the body's, unless hdr sets it).
	linear bool
	// ak, sk sign it; admin when empty. unsigned sends no signature.
	ak, sk   string
	unsigned bool
}

type glacierResp struct {
	status int
	hdr    http.Header
	body   []byte
}

// glacierDo signs r with aws-sdk-go-v2's SigV4 signer for the service
// glacier, as the SDKs do (x-amz-glacier-version on every request), and
// sends it.
func (g *gateway) glacierDo(t *testing.T, r glacierRaw) glacierResp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.method, g.URL+r.path, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(r.body))
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	sum := sha256.Sum256(r.body)
	payload := hex.EncodeToString(sum[:])
	if r.linear {
		req.Header.Set("x-amz-content-sha256", payload)
	}
	for k, v := range r.hdr {
		req.Header.Set(k, v)
	}
	if v := req.Header.Get("x-amz-content-sha256"); v != "" {
		payload = v
	}
	if !r.unsigned {
		ak, sk := r.ak, r.sk
		if ak == "" {
			ak, sk = adminAK, adminSK
		}
		err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}, req, payload, "glacier", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := g.HTTPClient(false).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return glacierResp{resp.StatusCode, resp.Header, body}
}

func treeHex(data []byte) string {
	h := translate.NewTreeHash()
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// TestGlacierBadRequests sends requests Glacier refuses and checks each
// answer: status, Glacier's JSON error {"code","message","type"} with the
// code also in x-amzn-ErrorType, and x-amzn-RequestId. Codes and statuses
// are botocore's glacier service-2.json error shapes and the Glacier
// error-response page (protocols.md §4.4); the rules are the
// UploadMultipartPart and CompleteMultipartUpload model documentation
// (protocols.md §4.2). A refused upload leaves nothing behind.
func TestGlacierBadRequests(t *testing.T) {
	g := startGateway(t)
	dumpLogOnFailure(t, g)
	const M = 1 << 20
	ok := func(r glacierRaw, want int) glacierResp {
		t.Helper()
		resp := g.glacierDo(t, r)
		if resp.status != want {
			t.Fatalf("setup %s %s: %d %s", r.method, r.path, resp.status, resp.body)
		}
		return resp
	}
	ok(glacierRaw{method: "PUT", path: "/-/vaults/bad"}, 201)
	ok(glacierRaw{method: "PUT", path: "/-/vaults/other"}, 201)
	small := randomBytes(M+10, 71)
	archive := ok(glacierRaw{method: "POST", path: "/-/vaults/bad/archives", body: small, linear: true,
		hdr: map[string]string{"x-amz-sha256-tree-hash": treeHex(small)}}, 201).hdr.Get("x-amz-archive-id")
	initiate := func(vault string) string {
		return ok(glacierRaw{method: "POST", path: "/-/vaults/" + vault + "/multipart-uploads",
			hdr: map[string]string{"x-amz-part-size": "1048576"}}, 201).hdr.Get("x-amz-multipart-upload-id")
	}
	uid, otherUID := initiate("bad"), initiate("other")
	mp := "/-/vaults/bad/multipart-uploads/" + uid
	part := randomBytes(M, 72)
	partHdr := func(rng string, data []byte) map[string]string {
		return map[string]string{"Content-Range": rng, "x-amz-sha256-tree-hash": treeHex(data)}
	}
	// A short non-last part is accepted at upload (the model: "the upload
	// part request will succeed"), then a full second part.
	short := part[:M/2]
	ok(glacierRaw{method: "PUT", path: mp, body: short, linear: true, hdr: partHdr("bytes 0-524287/*", short)}, 204)
	ok(glacierRaw{method: "PUT", path: mp, body: part, linear: true, hdr: partHdr("bytes 1048576-2097151/*", part)}, 204)
	// A second upload with one whole part, for Complete's tree-hash check.
	mp2 := "/-/vaults/bad/multipart-uploads/" + initiate("bad")
	ok(glacierRaw{method: "PUT", path: mp2, body: part, linear: true, hdr: partHdr("bytes 0-1048575/*", part)}, 204)
	sum := sha256.Sum256(part)
	badLinear := hex.EncodeToString(sum[:])
	badLinear = strings.Repeat("0", 8) + badLinear[8:]
	job := "/-/vaults/bad/jobs"
	forged := strings.Repeat("A", len(uid))

	tests := []struct {
		name   string
		req    glacierRaw
		status int
		code   string
		msg    string
	}{
		{"UploadArchive: wrong tree hash", glacierRaw{method: "POST", path: "/-/vaults/bad/archives", body: small, linear: true,
			hdr: map[string]string{"x-amz-sha256-tree-hash": treeHex(part)}}, 400, "InvalidParameterValueException", "tree hash does not match"},
		{"UploadArchive: wrong linear SHA-256", glacierRaw{method: "POST", path: "/-/vaults/bad/archives", body: part,
			hdr: map[string]string{"x-amz-sha256-tree-hash": treeHex(part), "x-amz-content-sha256": badLinear}}, 400, "InvalidParameterValueException", "x-amz-content-sha256"},
		{"UploadArchive: no tree hash", glacierRaw{method: "POST", path: "/-/vaults/bad/archives", body: part, linear: true},
			400, "MissingParameterValueException", "x-amz-sha256-tree-hash"},
		{"UploadArchive: a tree hash that is not hex", glacierRaw{method: "POST", path: "/-/vaults/bad/archives", body: part, linear: true,
			hdr: map[string]string{"x-amz-sha256-tree-hash": "xyz"}}, 400, "InvalidParameterValueException", "x-amz-sha256-tree-hash"},
		{"UploadArchive: unknown vault", glacierRaw{method: "POST", path: "/-/vaults/nosuch/archives", body: part, linear: true,
			hdr: map[string]string{"x-amz-sha256-tree-hash": treeHex(part)}}, 404, "ResourceNotFoundException", "Vault not found"},
		{"UploadMultipartPart: wrong tree hash", glacierRaw{method: "PUT", path: mp, body: part, linear: true,
			hdr: map[string]string{"Content-Range": "bytes 2097152-3145727/*", "x-amz-sha256-tree-hash": treeHex(small)}}, 400, "InvalidParameterValueException", "tree hash does not match"},
		{"UploadMultipartPart: wrong linear SHA-256", glacierRaw{method: "PUT", path: mp, body: part,
			hdr: map[string]string{"Content-Range": "bytes 2097152-3145727/*", "x-amz-sha256-tree-hash": treeHex(part), "x-amz-content-sha256": badLinear}},
			400, "InvalidParameterValueException", "x-amz-content-sha256"},
		{"UploadMultipartPart: misaligned range", glacierRaw{method: "PUT", path: mp, body: part, linear: true,
			hdr: partHdr("bytes 524288-1572863/*", part)}, 400, "InvalidParameterValueException", "incompatible with the part size 1048576"},
		{"UploadMultipartPart: larger than the part size", glacierRaw{method: "PUT", path: mp, body: append(part, part...), linear: true,
			hdr: partHdr("bytes 0-2097151/*", append(part, part...))}, 400, "InvalidParameterValueException", "incompatible with the part size"},
		{"UploadMultipartPart: range and Content-Length disagree", glacierRaw{method: "PUT", path: mp, body: part, linear: true,
			hdr: partHdr("bytes 0-1048574/*", part)}, 400, "InvalidParameterValueException", "does not match the Content-Length"},
		{"UploadMultipartPart: a total in the range", glacierRaw{method: "PUT", path: mp, body: part, linear: true,
			hdr: partHdr("bytes 0-1048575/2097152", part)}, 400, "InvalidParameterValueException", "Invalid Content-Range"},
		{"UploadMultipartPart: no range", glacierRaw{method: "PUT", path: mp, body: part, linear: true,
			hdr: map[string]string{"x-amz-sha256-tree-hash": treeHex(part)}}, 400, "MissingParameterValueException", "Content-Range"},
		{"UploadMultipartPart: no linear SHA-256", glacierRaw{method: "PUT", path: mp, body: part,
			hdr: partHdr("bytes 2097152-3145727/*", part)}, 400, "MissingParameterValueException", "x-amz-content-sha256"},
		{"UploadMultipartPart: forged upload id", glacierRaw{method: "PUT", path: "/-/vaults/bad/multipart-uploads/" + forged, body: part, linear: true,
			hdr: partHdr("bytes 0-1048575/*", part)}, 404, "ResourceNotFoundException", "upload ID was not found"},
		{"UploadMultipartPart: another vault's upload id", glacierRaw{method: "PUT", path: "/-/vaults/bad/multipart-uploads/" + otherUID, body: part, linear: true,
			hdr: partHdr("bytes 0-1048575/*", part)}, 404, "ResourceNotFoundException", "upload ID was not found"},
		{"InitiateMultipartUpload: part size not a power of two", glacierRaw{method: "POST", path: "/-/vaults/bad/multipart-uploads",
			hdr: map[string]string{"x-amz-part-size": "3145728"}}, 400, "InvalidParameterValueException", "Invalid part size: 3145728"},
		{"InitiateMultipartUpload: part size under 1 MiB", glacierRaw{method: "POST", path: "/-/vaults/bad/multipart-uploads",
			hdr: map[string]string{"x-amz-part-size": "524288"}}, 400, "InvalidParameterValueException", "Invalid part size"},
		{"InitiateMultipartUpload: part size over 4 GiB", glacierRaw{method: "POST", path: "/-/vaults/bad/multipart-uploads",
			hdr: map[string]string{"x-amz-part-size": "8589934592"}}, 400, "InvalidParameterValueException", "Invalid part size"},
		{"InitiateMultipartUpload: no part size", glacierRaw{method: "POST", path: "/-/vaults/bad/multipart-uploads"},
			400, "MissingParameterValueException", "x-amz-part-size"},
		{"CompleteMultipartUpload: wrong archive size", glacierRaw{method: "POST", path: mp,
			hdr: map[string]string{"x-amz-archive-size": "3", "x-amz-sha256-tree-hash": treeHex(part)}}, 400, "InvalidParameterValueException", "Invalid archive size 3"},
		{"CompleteMultipartUpload: a short part that is not the last", glacierRaw{method: "POST", path: mp,
			hdr: map[string]string{"x-amz-archive-size": fmt.Sprint(M/2 + M), "x-amz-sha256-tree-hash": treeHex(append(append([]byte(nil), short...), part...))}},
			400, "InvalidParameterValueException", "smaller than the part size 1048576 but is not the last part"},
		{"CompleteMultipartUpload: wrong tree hash", glacierRaw{method: "POST", path: mp2,
			hdr: map[string]string{"x-amz-archive-size": fmt.Sprint(M), "x-amz-sha256-tree-hash": treeHex(short)}},
			400, "InvalidParameterValueException", "does not match the tree hash of the parts, " + treeHex(part)},
		{"CompleteMultipartUpload: no archive size", glacierRaw{method: "POST", path: mp,
			hdr: map[string]string{"x-amz-sha256-tree-hash": treeHex(part)}}, 400, "MissingParameterValueException", "x-amz-archive-size"},
		{"CompleteMultipartUpload: unknown upload", glacierRaw{method: "POST", path: "/-/vaults/bad/multipart-uploads/" + forged,
			hdr: map[string]string{"x-amz-archive-size": "1", "x-amz-sha256-tree-hash": treeHex(part)}}, 404, "ResourceNotFoundException", "upload ID was not found"},
		{"ListParts: limit 0", glacierRaw{method: "GET", path: mp + "?limit=0"}, 400, "InvalidParameterValueException", "Invalid limit"},
		{"DescribeVault: unknown vault", glacierRaw{method: "GET", path: "/-/vaults/nosuch"}, 404, "ResourceNotFoundException", "Vault not found for ARN"},
		{"CreateVault: invalid name", glacierRaw{method: "PUT", path: "/-/vaults/" + strings.Repeat("v", 256)}, 400, "InvalidParameterValueException", "Invalid vault name"},
		{"DeleteVault: not empty", glacierRaw{method: "DELETE", path: "/-/vaults/bad"}, 400, "InvalidParameterValueException", "Vault not empty"},
		{"DeleteArchive: unknown archive", glacierRaw{method: "DELETE", path: "/-/vaults/bad/archives/" + strings.Repeat("B", 64)},
			404, "ResourceNotFoundException", "Archive not found"},
		{"DescribeJob: unknown job", glacierRaw{method: "GET", path: job + "/" + strings.Repeat("C", 64)}, 404, "ResourceNotFoundException", "job ID was not found"},
		{"InitiateJob: unknown type", glacierRaw{method: "POST", path: job, body: []byte(`{"Type":"archive-copy"}`), hdr: map[string]string{"Content-Type": "application/json"}},
			400, "InvalidParameterValueException", "Invalid job type"},
		{"InitiateJob: unknown archive", glacierRaw{method: "POST", path: job, body: []byte(`{"Type":"archive-retrieval","ArchiveId":"` + strings.Repeat("D", 64) + `"}`)},
			404, "ResourceNotFoundException", "Archive not found"},
		{"InitiateJob: range not megabyte aligned", glacierRaw{method: "POST", path: job,
			body: []byte(`{"Type":"archive-retrieval","ArchiveId":"` + archive + `","RetrievalByteRange":"0-1000"}`)}, 400, "InvalidParameterValueException", "megabyte"},
		{"InitiateJob: not JSON", glacierRaw{method: "POST", path: job, body: []byte(`{"Type":`)}, 400, "SerializationException", "JSON"},
		{"another account's id", glacierRaw{method: "GET", path: "/123456789012/vaults/bad"}, 403, "AccessDeniedException", "not the caller's account"},
		{"vault notifications are not supported", glacierRaw{method: "PUT", path: "/-/vaults/bad/notification-configuration", body: []byte(`{}`)},
			400, "InvalidParameterValueException", "not supported"},
		{"vault locks are not supported", glacierRaw{method: "POST", path: "/-/vaults/bad/lock-policy", body: []byte(`{}`)},
			400, "InvalidParameterValueException", "not supported"},
		{"a wrong secret", glacierRaw{method: "GET", path: "/-/vaults", ak: adminAK, sk: "wrong"}, 403, "InvalidSignatureException", "signature"},
		{"an unknown access key", glacierRaw{method: "GET", path: "/-/vaults", ak: "NOSUCHKEY", sk: "x"}, 403, "UnrecognizedClientException", "does not exist"},
		{"no signature", glacierRaw{method: "GET", path: "/-/vaults", unsigned: true}, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := g.glacierDo(t, tt.req)
			var e struct{ Code, Message, Type string }
			if err := json.Unmarshal(resp.body, &e); err != nil {
				t.Fatalf("status %d, body is not JSON: %q", resp.status, resp.body)
			}
			if resp.status != tt.status || e.Code != tt.code || e.Type != "Client" || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %d %s\nwant %d {code %s, type Client, message containing %q}", resp.status, resp.body, tt.status, tt.code, tt.msg)
			}
			if resp.hdr.Get("x-amzn-ErrorType") != tt.code || resp.hdr.Get("x-amzn-RequestId") == "" ||
				resp.hdr.Get("Content-Type") != "application/json" || resp.hdr.Get("x-amz-glacier-version") != "2012-06-01" {
				t.Errorf("headers %v", resp.hdr)
			}
		})
	}

	// Nothing was left behind: the refused parts are not listed, and the
	// refused archives are not counted.
	var parts struct {
		Parts []struct{ RangeInBytes string }
	}
	json.Unmarshal(g.glacierDo(t, glacierRaw{method: "GET", path: mp}).body, &parts)
	if fmt.Sprint(parts.Parts) != "[{0-524287} {1048576-2097151}]" {
		t.Errorf("parts after the refused uploads: %v", parts.Parts)
	}
	var vault struct{ NumberOfArchives int }
	json.Unmarshal(g.glacierDo(t, glacierRaw{method: "GET", path: "/-/vaults/bad"}).body, &vault)
	if vault.NumberOfArchives != 1 {
		t.Errorf("%d archives after the refused uploads, want 1", vault.NumberOfArchives)
	}
}
