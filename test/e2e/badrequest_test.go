package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// badReqEnv is the gateway and fixtures TestBadRequests works on.
type badReqEnv struct {
	g      *gateway
	c      *s3.Client
	bucket string
	// objKey holds objBody; failed overwrites must leave it so.
	objKey  string
	objBody []byte
	// mpKey's upload mpID has parts 1 and 2 of 5 MiB and a small part 3,
	// with ETags mpETags[0..2].
	mpKey   string
	mpID    string
	mpETags []string
	// smallKey's upload smallID has two 1 KiB parts (smallETags).
	smallKey   string
	smallID    string
	smallETags []string
	// aliceBucket belongs to alice and holds aliceKey.
	aliceBucket, aliceKey string
	// before lists every path under g.Dir once the fixtures exist.
	before map[string]bool
}

// badReqCase is one row: a request with one defect and the S3 error it
// must get.
type badReqCase struct {
	name string
	send func(t *testing.T) *rawResponse
	// status and code are S3's answer; code is "" for a HEAD (no body) or
	// a control row that must succeed.
	status int
	code   string
	// message, when set, is the exact <Message>.
	message string
	// lenient rows (path traversal) may succeed (2xx) or fail with any
	// 4xx S3 error; never 5xx.
	lenient bool
	// after checks side effects (nothing committed, content unchanged).
	after func(t *testing.T, resp *rawResponse)
}

// TestBadRequests sends S3 requests with exactly one defect each, as raw
// HTTP signed with aws-sdk-go-v2's SigV4 signer, and checks that each gets
// S3's error code and status, a well-formed <Error> body whose RequestId
// is the x-amz-request-id header, an x-amz-id-2 header, no body on HEAD,
// and no side effect. It runs over plain HTTP and over TLS.
func TestBadRequests(t *testing.T) {
	modes := []struct {
		name string
		tls  bool
	}{{"http", false}, {"https", true}}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var opts []gatewayOption
			if m.tls {
				opts = append(opts, withTLS())
			}
			e := setUpBadRequests(t, startGateway(t, opts...))
			for _, tc := range append(badRequestCases(e), checksumBadRequestCases(e)...) {
				t.Run(tc.name, func(t *testing.T) { e.run(t, tc) })
			}
			t.Run("control-complete-after-failures", e.completeAfterFailures)
			t.Run("nothing-outside-the-bucket", func(t *testing.T) { e.checkConfined(t) })
		})
	}
}

func setUpBadRequests(t *testing.T, g *gateway) *badReqEnv {
	t.Helper()
	ctx := context.Background()
	e := &badReqEnv{g: g, c: g.s3Client(t, adminAK, adminSK, false), bucket: "br-bucket",
		objKey: "exists.txt", objBody: []byte(strings.Repeat("original content\n", 64)),
		mpKey: "mp.bin", smallKey: "small.bin", aliceBucket: "alice-data", aliceKey: "secret.txt"}
	if _, err := e.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(e.bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(e.objKey),
		Body: bytes.NewReader(e.objBody)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	e.mpID, e.mpETags = e.upload(t, e.mpKey, [][]byte{randomBytes(5<<20, 11), randomBytes(5<<20, 12), randomBytes(1000, 13)})
	e.smallID, e.smallETags = e.upload(t, e.smallKey, [][]byte{randomBytes(1024, 21), randomBytes(1024, 22)})

	alice := g.s3Client(t, aliceAK, aliceSK, false)
	if _, err := alice.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(e.aliceBucket)}); err != nil {
		t.Fatalf("alice CreateBucket: %v", err)
	}
	if _, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.aliceBucket), Key: aws.String(e.aliceKey),
		Body: strings.NewReader("alice's")}); err != nil {
		t.Fatalf("alice PutObject: %v", err)
	}
	e.before = e.snapshot(t)
	return e
}

// upload starts a multipart upload of key and uploads parts.
func (e *badReqEnv) upload(t *testing.T, key string, parts [][]byte) (string, []string) {
	t.Helper()
	ctx := context.Background()
	cu, err := e.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(e.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload %s: %v", key, err)
	}
	var etags []string
	for i, p := range parts {
		up, err := e.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(e.bucket), Key: aws.String(key),
			UploadId: cu.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("UploadPart %s #%d: %v", key, i+1, err)
		}
		etags = append(etags, aws.ToString(up.ETag))
	}
	return aws.ToString(cu.UploadId), etags
}

// do sends a raw request signed by admin unless it names other keys.
func (e *badReqEnv) do(t *testing.T, r rawRequest) *rawResponse {
	t.Helper()
	switch r.AK {
	case anonymous:
		r.AK, r.SK = "", ""
	case "":
		r.AK, r.SK = adminAK, adminSK
	}
	return e.g.rawDo(t, r)
}

// anonymous marks a request to be sent without any signature.
const anonymous = "-"

func (e *badReqEnv) path(key string) string { return rawPath(e.bucket, key) }

// partQuery is the query of an UploadPart.
func partQuery(part, uploadID string) string { return "partNumber=" + part + "&uploadId=" + uploadID }

// completeXML is a CompleteMultipartUpload body.
func completeXML(numbers []int, etags []string) []byte {
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for i, n := range numbers {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, etags[i])
	}
	b.WriteString("</CompleteMultipartUpload>")
	return []byte(b.String())
}

func md5b64(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }

func crc32b64(b []byte) string {
	c := crc32.ChecksumIEEE(b)
	return base64.StdEncoding.EncodeToString([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
}

// alterUploadID changes one character of id: at the middle, or (last) the
// final character, choosing there a character that differs only in bits
// base64 ignores when the encoded length leaves some unused.
func alterUploadID(id string, last bool) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := len(id) / 2
	if last {
		i = len(id) - 1
	}
	j := strings.IndexByte(alphabet, id[i])
	if j < 0 {
		j = 0
	}
	return id[:i] + string(alphabet[j^1]) + id[i+1:]
}

// hdr returns the header of the name, value pairs kv.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// send is a case's request: r, sent raw to the gateway.
func (e *badReqEnv) send(r rawRequest) func(t *testing.T) *rawResponse {
	return func(t *testing.T) *rawResponse { return e.do(t, r) }
}

func badRequestCases(e *badReqEnv) []badReqCase {
	send := e.send
	small := []byte("a small body\n")
	okMD5 := md5b64(small)
	mp := e.path(e.mpKey)
	completeQuery := "uploadId=" + e.mpID
	goodParts := []int{1, 2, 3}
	return append([]badReqCase{
		// --- UploadPart part numbers. S3: "Part number must be an integer
		// between 1 and 10000, inclusive" (InvalidArgument, 400).
		{name: "uploadpart-partnumber-0", status: 400, code: "InvalidArgument",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("0", e.mpID), Body: small})},
		{name: "uploadpart-partnumber-10001", status: 400, code: "InvalidArgument",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("10001", e.mpID), Body: small})},
		{name: "uploadpart-partnumber-abc", status: 400, code: "InvalidArgument",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("abc", e.mpID), Body: small})},

		// --- Upload IDs. An upload ID S3 did not issue for this key is
		// NoSuchUpload (404), whatever its form: empty, made up, altered,
		// or issued for another key. (An empty uploadId= still selects
		// UploadPart, the uploadId sub-resource being present; S3 then
		// finds no such upload.)
		{name: "uploadpart-empty-upload-id", status: 404, code: "NoSuchUpload",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("1", ""), Body: small})},
		{name: "uploadpart-forged-upload-id", status: 404, code: "NoSuchUpload",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("1", "VXBsb2FkSWRUaGF0V2FzTmV2ZXJJc3N1ZWRCeUFueW9uZQ"), Body: small})},
		{name: "uploadpart-upload-id-middle-char-changed", status: 404, code: "NoSuchUpload",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("8", alterUploadID(e.mpID, false)), Body: small})},
		// The last character of an unpadded base64 ID may carry bits the
		// decoding ignores; an ID changed there is still another string,
		// which S3 (whose IDs are opaque) does not know. It names the small
		// upload so that a wrongly accepted part cannot disturb mp.bin's.
		{name: "uploadpart-upload-id-last-char-changed", status: 404, code: "NoSuchUpload",
			send: send(rawRequest{Method: "PUT", Path: e.path(e.smallKey), Query: partQuery("8", alterUploadID(e.smallID, true)), Body: small})},
		{name: "complete-upload-id-of-another-key", status: 404, code: "NoSuchUpload",
			send: send(rawRequest{Method: "POST", Path: e.path("other.bin"), Query: completeQuery, Body: completeXML(goodParts, e.mpETags)})},
		{name: "abort-forged-upload-id", status: 404, code: "NoSuchUpload", message: noSuchUploadMessage,
			send: send(rawRequest{Method: "DELETE", Path: mp, Query: "uploadId=Zm9yZ2VkLXVwbG9hZC1pZC0wMTIzNDU2Nzg5YWJjZGVm"})},

		// --- CompleteMultipartUpload.
		{name: "complete-wrong-etag", status: 400, code: "InvalidPart",
			send: send(rawRequest{Method: "POST", Path: mp, Query: completeQuery,
				Body: completeXML(goodParts, []string{e.mpETags[0], `"0123456789abcdef0123456789abcdef"`, e.mpETags[2]})})},
		{name: "complete-part-never-uploaded", status: 400, code: "InvalidPart",
			send: send(rawRequest{Method: "POST", Path: mp, Query: completeQuery,
				Body: completeXML([]int{1, 2, 7}, []string{e.mpETags[0], e.mpETags[1], e.mpETags[2]})})},
		{name: "complete-descending-order", status: 400, code: "InvalidPartOrder",
			send: send(rawRequest{Method: "POST", Path: mp, Query: completeQuery,
				Body: completeXML([]int{2, 1, 3}, []string{e.mpETags[1], e.mpETags[0], e.mpETags[2]})})},
		{name: "complete-non-last-part-too-small", status: 400, code: "EntityTooSmall",
			send: send(rawRequest{Method: "POST", Path: e.path(e.smallKey), Query: "uploadId=" + e.smallID,
				Body: completeXML([]int{1, 2}, e.smallETags)})},
		{name: "complete-malformed-xml", status: 400, code: "MalformedXML", message: malformedXMLMessage,
			send: send(rawRequest{Method: "POST", Path: mp, Query: completeQuery,
				Body: []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>")})},
		// An empty body and a document with no <Part> both fail S3's schema
		// (Part has minOccurs 1): MalformedXML, as ceph's s3-tests
		// test_multipart_upload_empty expects of S3.
		{name: "complete-empty-body", status: 400, code: "MalformedXML",
			send: send(rawRequest{Method: "POST", Path: mp, Query: completeQuery})},
		{name: "complete-zero-parts", status: 400, code: "MalformedXML",
			send: send(rawRequest{Method: "POST", Path: mp, Query: completeQuery,
				Body: []byte("<CompleteMultipartUpload></CompleteMultipartUpload>")})},

		// --- Authentication.
		{name: "bad-signature", status: 403, code: "SignatureDoesNotMatch",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), AK: adminAK, SK: "not-the-secret-key-of-admin-0000000000000"})},
		{name: "unknown-access-key", status: 403, code: "InvalidAccessKeyId",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), AK: "AKIDNOBODYHASTHIS000", SK: adminSK})},
		{name: "no-auth", status: 403, code: "AccessDenied",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), AK: anonymous})},
		{name: "presigned-control", status: 200,
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Presign: true, Expires: 300}),
			after: func(t *testing.T, resp *rawResponse) {
				if !bytes.Equal(resp.Body, e.objBody) {
					t.Errorf("presigned GET returned %q", resp.Body)
				}
			}},
		{name: "presigned-expired", status: 403, code: "AccessDenied", message: "Request has expired",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Presign: true, Expires: 60, SignTime: time.Now().Add(-2 * time.Hour)})},
		// S3: "X-Amz-Expires must be less than a week (in seconds) that is
		// 604800", AuthorizationQueryParametersError 400.
		{name: "presigned-expires-over-a-week", status: 400, code: "AuthorizationQueryParametersError",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Presign: true, Expires: 604801})},
		{name: "clock-skew-20-minutes", status: 403, code: "RequestTimeTooSkewed",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), SignTime: time.Now().Add(-20 * time.Minute)})},
		{name: "bob-reads-alices-bucket", status: 403, code: "AccessDenied",
			send: send(rawRequest{Method: "GET", Path: rawPath(e.aliceBucket, e.aliceKey), AK: bobAK, SK: bobSK})},
		{name: "bob-writes-alices-bucket", status: 403, code: "AccessDenied",
			send:  send(rawRequest{Method: "PUT", Path: rawPath(e.aliceBucket, "from-bob"), Body: small, AK: bobAK, SK: bobSK}),
			after: e.noObject(rawPath(e.aliceBucket, "from-bob"))},

		// --- Body integrity on PutObject: a failed overwrite leaves the old
		// object, a failed create leaves none.
		{name: "putobject-malformed-content-md5", status: 400, code: "InvalidDigest",
			send:  send(rawRequest{Method: "PUT", Path: e.path(e.objKey), Body: small, Header: hdr("Content-MD5", "not*base64")}),
			after: e.objectUnchanged},
		{name: "putobject-short-content-md5", status: 400, code: "InvalidDigest",
			send:  send(rawRequest{Method: "PUT", Path: e.path("md5-short.txt"), Body: small, Header: hdr("Content-MD5", okMD5[:12])}),
			after: e.noObject(e.path("md5-short.txt"))},
		{name: "putobject-mismatched-content-md5-overwrite", status: 400, code: "BadDigest",
			send:  send(rawRequest{Method: "PUT", Path: e.path(e.objKey), Body: small, Header: hdr("Content-MD5", md5b64([]byte("other")))}),
			after: e.objectUnchanged},
		{name: "putobject-mismatched-content-md5-new-key", status: 400, code: "BadDigest",
			send:  send(rawRequest{Method: "PUT", Path: e.path("md5-bad.txt"), Body: small, Header: hdr("Content-MD5", md5b64([]byte("other")))}),
			after: e.noObject(e.path("md5-bad.txt"))},
		{name: "putobject-content-sha256-mismatch", status: 400, code: "XAmzContentSHA256Mismatch",
			send:  send(rawRequest{Method: "PUT", Path: e.path(e.objKey), Body: small, PayloadHash: rawSHA256Hex([]byte("other"))}),
			after: e.objectUnchanged},
		// S3 answers a wrong flexible checksum with BadDigest ("The CRC32
		// you specified did not match the calculated checksum.").
		{name: "putobject-wrong-checksum-crc32", status: 400, code: "BadDigest",
			send:  send(rawRequest{Method: "PUT", Path: e.path("crc-bad.txt"), Body: small, Header: hdr("X-Amz-Checksum-Crc32", crc32b64([]byte("other")))}),
			after: e.noObject(e.path("crc-bad.txt"))},
		{name: "putobject-trailer-wrong-crc32", status: 400, code: "BadDigest",
			send:  e.unsignedTrailerPut("trailer-bad.bin", false),
			after: e.noObject(e.path("trailer-bad.bin"))},
		{name: "putobject-trailer-control", status: 200,
			send:  e.unsignedTrailerPut("trailer-ok.bin", true),
			after: e.objectIs(e.path("trailer-ok.bin"), randomBytes(70_000, 31))},
		{name: "putobject-chunk-signature-tampered", status: 403, code: "SignatureDoesNotMatch",
			send:  e.signedChunkedPut("chunked-bad.bin", true),
			after: e.noObject(e.path("chunked-bad.bin"))},
		{name: "putobject-chunk-signature-control", status: 200,
			send:  e.signedChunkedPut("chunked-ok.bin", false),
			after: e.objectIs(e.path("chunked-ok.bin"), randomBytes(3*64<<10+1000, 32))},
		// S3 needs a length (Content-Length, or x-amz-decoded-content-length
		// with aws-chunked): MissingContentLength, 411.
		{name: "putobject-transfer-encoding-chunked-no-length", status: 411, code: "MissingContentLength",
			send:  send(rawRequest{Method: "PUT", Path: e.path("te-chunked.txt"), Body: small, ChunkedTE: true}),
			after: e.noObject(e.path("te-chunked.txt"))},
		// Keys are at most 1024 bytes: KeyTooLongError, 400.
		{name: "putobject-key-1025-bytes", status: 400, code: "KeyTooLongError",
			send: send(rawRequest{Method: "PUT", Path: e.path(strings.Repeat("k", 1025)), Body: small})},

		// --- Body integrity on UploadPart: a failed part is not stored and
		// does not replace the part it would have overwritten (part 2 is
		// completed with its original ETag at the end).
		{name: "uploadpart-malformed-content-md5", status: 400, code: "InvalidDigest",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("9", e.mpID), Body: small, Header: hdr("Content-MD5", "%%%")})},
		{name: "uploadpart-mismatched-content-md5", status: 400, code: "BadDigest",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("2", e.mpID), Body: small, Header: hdr("Content-MD5", md5b64([]byte("other")))})},
		{name: "uploadpart-content-sha256-mismatch", status: 400, code: "XAmzContentSHA256Mismatch",
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("1", e.mpID), Body: small, PayloadHash: rawSHA256Hex([]byte("other"))})},
		{name: "uploadpart-declared-over-5gib", status: 400, code: "EntityTooLarge",
			send: e.hugePart(false)},
		{name: "uploadpart-declared-over-5gib-expect-100-continue", status: 400, code: "EntityTooLarge",
			send: e.hugePart(true)},

		// --- Path traversal. S3 keys are opaque: "../x" is a key like any
		// other. So the key is stored literally inside the bucket (and read
		// back at the same path) or refused with an S3 error, and nothing
		// is ever written outside <Dir>/data/<bucket>/. The paths are sent
		// byte for byte (URL.Opaque), not cleaned by net/http.
		{name: "traversal-dotdot-other-key", lenient: true,
			send:  send(rawRequest{Method: "PUT", Path: "/" + e.bucket + "/../other/key", Body: []byte("t1")}),
			after: e.traversal("/"+e.bucket+"/../other/key", "t1")},
		{name: "traversal-encoded-dotdot-etc-passwd", lenient: true,
			send:  send(rawRequest{Method: "PUT", Path: "/" + e.bucket + "/%2e%2e/%2e%2e/etc/passwd", Body: []byte("t2")}),
			after: e.traversal("/"+e.bucket+"/%2e%2e/%2e%2e/etc/passwd", "t2")},
		{name: "traversal-a-dotdot-dotdot-b", lenient: true,
			send:  send(rawRequest{Method: "PUT", Path: "/" + e.bucket + "/a/../../b", Body: []byte("t3")}),
			after: e.traversal("/"+e.bucket+"/a/../../b", "t3")},
		{name: "traversal-encoded-slashes", lenient: true,
			send:  send(rawRequest{Method: "PUT", Path: "/" + e.bucket + "/..%2F..%2F..%2Fescape", Body: []byte("t4")}),
			after: e.traversal("/"+e.bucket+"/..%2F..%2F..%2Fescape", "t4")},
		{name: "traversal-dotdot-bucket", lenient: true,
			send:  send(rawRequest{Method: "PUT", Path: "/%2e%2e/" + e.bucket + "/x", Body: []byte("t5")}),
			after: e.traversal("/%2e%2e/"+e.bucket+"/x", "t5")},

		// --- Reads and bucket operations.
		{name: "get-missing-key", status: 404, code: "NoSuchKey", message: "The specified key does not exist.",
			send: send(rawRequest{Method: "GET", Path: e.path("no-such-key")})},
		{name: "get-missing-bucket", status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist.",
			send: send(rawRequest{Method: "GET", Path: rawPath("br-no-such-bucket", "k")})},
		// A part past the last: S3's InvalidPartNumber (416), not
		// InvalidRange.
		{name: "get-part-past-the-last", status: 416, code: "InvalidPartNumber", message: "The requested partnumber is not satisfiable",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Query: "partNumber=2"})},
		// GetObjectAttributes: an empty or unknown attribute name.
		{name: "attributes-none-named", status: 400, code: "InvalidArgument", message: "Invalid attribute name specified.",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Query: "attributes"})},
		{name: "attributes-unknown-name", status: 400, code: "InvalidArgument", message: "Invalid attribute name specified.",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Query: "attributes", Header: hdr("x-amz-object-attributes", "ETag,Owner")})},
		{name: "attributes-missing-key", status: 404, code: "NoSuchKey",
			send: send(rawRequest{Method: "GET", Path: e.path("no-such-key"), Query: "attributes", Header: hdr("x-amz-object-attributes", "ETag")})},
		// HEAD errors have a status and no body (so no code to check).
		{name: "head-part-past-the-last", status: 416,
			send: send(rawRequest{Method: "HEAD", Path: e.path(e.objKey), Query: "partNumber=2"})},
		{name: "head-missing-key", status: 404,
			send: send(rawRequest{Method: "HEAD", Path: e.path("no-such-key")})},
		{name: "head-bad-signature", status: 403,
			send: send(rawRequest{Method: "HEAD", Path: e.path(e.objKey), AK: adminAK, SK: "wrong"})},
		{name: "delete-bucket-not-empty", status: 409, code: "BucketNotEmpty", message: "The bucket you tried to delete is not empty.",
			send: send(rawRequest{Method: "DELETE", Path: "/" + e.bucket})},
		{name: "create-bucket-invalid-name", status: 400, code: "InvalidBucketName",
			send: send(rawRequest{Method: "PUT", Path: "/A_B"})},
		// Names AWS reserves ("General purpose buckets naming rules",
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
		// are valid syntax but InvalidBucketName in the S3 dialect.
		{name: "create-bucket-reserved-xn--", status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid.",
			send: send(rawRequest{Method: "PUT", Path: "/xn--br-bucket"}), after: e.noObject("/xn--br-bucket")},
		{name: "create-bucket-reserved-sthree-", status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid.",
			send: send(rawRequest{Method: "PUT", Path: "/sthree-configurator"}), after: e.noObject("/sthree-configurator")},
		{name: "create-bucket-reserved-amzn-s3-demo-", status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid.",
			send: send(rawRequest{Method: "PUT", Path: "/amzn-s3-demo-bucket"}), after: e.noObject("/amzn-s3-demo-bucket")},
		{name: "create-bucket-reserved-s3alias", status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid.",
			send: send(rawRequest{Method: "PUT", Path: "/br-bucket-s3alias"}), after: e.noObject("/br-bucket-s3alias")},
		{name: "create-bucket-reserved-ol-s3", status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid.",
			send: send(rawRequest{Method: "PUT", Path: "/br-bucket--ol-s3"}), after: e.noObject("/br-bucket--ol-s3")},
		{name: "create-bucket-reserved-x-s3", status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid.",
			send: send(rawRequest{Method: "PUT", Path: "/br-bucket--x-s3"}), after: e.noObject("/br-bucket--x-s3")},
		{name: "get-range-beyond-size", status: 416, code: "InvalidRange", message: "The requested range cannot be satisfied.",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Header: hdr("Range", "bytes=100000-200000")})},
		// babelgate does not implement tagging; S3's code for that is
		// NotImplemented (501).
		{name: "get-object-tagging-not-implemented", status: 501, code: "NotImplemented",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Query: "tagging"})},
		// S3: "Copy Source must mention the source bucket and key:
		// sourcebucket/sourcekey" (InvalidArgument, 400).
		{name: "copy-source-malformed", status: 400, code: "InvalidArgument",
			send:  send(rawRequest{Method: "PUT", Path: e.path("copy-dst"), Header: hdr("X-Amz-Copy-Source", "no-slash-here")}),
			after: e.noObject(e.path("copy-dst"))},
		{name: "copy-source-missing-key", status: 404, code: "NoSuchKey",
			send:  send(rawRequest{Method: "PUT", Path: e.path("copy-dst2"), Header: hdr("X-Amz-Copy-Source", "/"+e.bucket+"/no-such-key")}),
			after: e.noObject(e.path("copy-dst2"))},
		// S3 checks max-keys ("Argument maxKeys must be an integer between
		// 0 and 2147483647") and list-type (only 2 names ListObjectsV2) as
		// arguments: InvalidArgument, 400. S3's exact answer to list-type=3
		// is not documented; InvalidArgument is what it uses for every
		// other out-of-range list parameter.
		{name: "list-max-keys-negative", status: 400, code: "InvalidArgument", message: "Argument maxKeys must be an integer between 0 and 2147483647",
			send: send(rawRequest{Method: "GET", Path: "/" + e.bucket, Query: "max-keys=-1"})},
		{name: "list-type-3", status: 400, code: "InvalidArgument",
			send: send(rawRequest{Method: "GET", Path: "/" + e.bucket, Query: "list-type=3"})},
		// S3: "Checksum algorithm provided is unsupported. Please try again
		// with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1,
		// SHA256]" (InvalidRequest, 400).
		{name: "create-upload-unknown-checksum-algorithm", status: 400, code: "InvalidRequest",
			send: send(rawRequest{Method: "POST", Path: e.path("mpu-bad-alg"), Query: "uploads",
				Header: hdr("X-Amz-Checksum-Algorithm", "MD4")})},
	}, e.fidelityCases()...)
}

// run sends one row's request and checks the answer.
func (e *badReqEnv) run(t *testing.T, tc badReqCase) {
	resp := tc.send(t)
	if resp == nil {
		return
	}
	reqID := resp.Header.Get("x-amz-request-id")
	evidence := func() string {
		return fmt.Sprintf("\n  request: %s\n  status: %d\n  body: %.600s\n  gateway log: %s",
			resp.Request, resp.Status, resp.Body, e.g.logLine(reqID))
	}
	if resp.Status >= 500 && resp.Status != tc.status {
		t.Fatalf("server error%s", evidence())
	}
	if reqID == "" {
		t.Errorf("no x-amz-request-id header%s", evidence())
	}
	if resp.Header.Get("x-amz-id-2") == "" {
		t.Errorf("no x-amz-id-2 header%s", evidence())
	}
	isHead := strings.HasPrefix(resp.Request, "HEAD ")
	switch {
	case tc.lenient && resp.Status/100 == 2:
	case tc.lenient:
		if resp.Status/100 != 4 {
			t.Fatalf("status %d, want 2xx or 4xx%s", resp.Status, evidence())
		}
		e.checkErrorBody(t, resp, "", "", evidence)
	case resp.Status != tc.status:
		t.Errorf("status %d, want %d%s", resp.Status, tc.status, evidence())
	}
	switch {
	case resp.Status/100 == 2 && tc.code != "":
		// Already reported: it succeeded, so there is no <Error> to check.
	case isHead:
		if len(resp.Body) != 0 {
			t.Errorf("HEAD response has a %d-byte body%s", len(resp.Body), evidence())
		}
	case tc.code != "":
		e.checkErrorBody(t, resp, tc.code, tc.message, evidence)
	}
	if tc.after != nil {
		tc.after(t, resp)
	}
}

// checkErrorBody checks resp carries an S3 <Error> with code (any when "")
// and message (any when ""), and the request IDs of its headers.
func (e *badReqEnv) checkErrorBody(t *testing.T, resp *rawResponse, code, message string, evidence func() string) {
	t.Helper()
	var eb rawErrorBody
	if err := xml.Unmarshal(resp.Body, &eb); err != nil {
		t.Errorf("body is not an S3 <Error>: %v%s", err, evidence())
		return
	}
	if eb.Code == "" || code != "" && eb.Code != code {
		t.Errorf("code %q, want %q%s", eb.Code, code, evidence())
	}
	if message != "" && eb.Message != message {
		t.Errorf("message %q, want %q%s", eb.Message, message, evidence())
	}
	if eb.RequestID == "" || eb.RequestID != resp.Header.Get("x-amz-request-id") {
		t.Errorf("<RequestId> %q, x-amz-request-id header %q%s", eb.RequestID, resp.Header.Get("x-amz-request-id"), evidence())
	}
	if eb.HostID != resp.Header.Get("x-amz-id-2") {
		t.Errorf("<HostId> %q, x-amz-id-2 header %q%s", eb.HostID, resp.Header.Get("x-amz-id-2"), evidence())
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("Content-Type %q, want application/xml%s", ct, evidence())
	}
}

// objectUnchanged checks the fixture object still has its content.
func (e *badReqEnv) objectUnchanged(t *testing.T, _ *rawResponse) {
	t.Helper()
	e.objectIs(e.path(e.objKey), e.objBody)(t, nil)
}

// objectIs returns a check that GET path returns want.
func (e *badReqEnv) objectIs(path string, want []byte) func(*testing.T, *rawResponse) {
	return func(t *testing.T, _ *rawResponse) {
		t.Helper()
		got := e.do(t, rawRequest{Method: "GET", Path: path})
		if got.Status != 200 || !bytes.Equal(got.Body, want) {
			t.Errorf("GET %s: status %d, %d bytes (want 200, %d bytes equal to what was put)", path, got.Status, len(got.Body), len(want))
		}
	}
}

// noObject returns a check that HEAD path is 404.
func (e *badReqEnv) noObject(path string) func(*testing.T, *rawResponse) {
	return func(t *testing.T, _ *rawResponse) {
		t.Helper()
		got := e.do(t, rawRequest{Method: "HEAD", Path: path})
		if got.Status != 404 {
			t.Errorf("HEAD %s after the failed request: status %d, want 404 (an object was committed); log: %s",
				path, got.Status, e.g.logLine(got.Header.Get("x-amz-request-id")))
		}
	}
}

// unsignedTrailerPut sends a STREAMING-UNSIGNED-PAYLOAD-TRAILER PutObject
// whose x-amz-checksum-crc32 trailer is right or wrong.
func (e *badReqEnv) unsignedTrailerPut(key string, right bool) func(*testing.T) *rawResponse {
	return func(t *testing.T) *rawResponse {
		data := randomBytes(70_000, 31)
		sum := crc32b64(data)
		if !right {
			sum = crc32b64([]byte("something else"))
		}
		body := rawUnsignedTrailerBody(data, 64<<10, "x-amz-checksum-crc32", sum)
		return e.do(t, rawRequest{Method: "PUT", Path: e.path(key), Body: body, PayloadHash: rawStreamingTrailer,
			Header: http.Header{"Content-Encoding": {"aws-chunked"}, "X-Amz-Decoded-Content-Length": {strconv.Itoa(len(data))},
				"X-Amz-Trailer": {"x-amz-checksum-crc32"}}})
	}
}

// signedChunkedPut sends a STREAMING-AWS4-HMAC-SHA256-PAYLOAD PutObject of
// four chunks (3 × 64 KiB and 1000 bytes); when tamper is set, a
// byte of the second chunk's data is changed after signing.
func (e *badReqEnv) signedChunkedPut(key string, tamper bool) func(*testing.T) *rawResponse {
	return func(t *testing.T) *rawResponse {
		data := randomBytes(3*64<<10+1000, 32)
		req := e.g.rawBuild(t, rawRequest{Method: "PUT", Path: e.path(key)}) // unsigned; signed below
		body := rawStreamSigned(t, req, adminAK, adminSK, data, 64<<10, time.Now())
		if tamper {
			// The second chunk's data begins after the first chunk and the
			// second chunk's header.
			first := len(fmt.Sprintf("%x;chunk-signature=", 64<<10)) + 64 + 2 + 64<<10 + 2
			second := first + len(fmt.Sprintf("%x;chunk-signature=", 64<<10)) + 64 + 2
			body[second+100] ^= 0x01
		}
		rawSetBody(req, body)
		return e.g.rawSend(t, req)
	}
}

// hugePart declares an UploadPart body of 5 GiB + 1 byte over a bare
// connection. It sends the head alone and waits 3s for the answer; if none
// comes it streams zeros (at most 64 MiB) until the answer arrives, then
// abandons the body. With expect100 the head carries Expect: 100-continue:
// S3 then rejects from the headers and never asks for the body ("If the
// message is rejected based on the headers, the body of the message is not
// sent", S3 API: PutObject/UploadPart, Expect), so a 100 Continue, or no
// answer before the body, fails the row.
func (e *badReqEnv) hugePart(expect100 bool) func(t *testing.T) *rawResponse {
	return func(t *testing.T) *rawResponse {
		const declared = 5<<30 + 1
		const maxSend = 64 << 20
		req := e.g.rawBuild(t, rawRequest{Method: "PUT", Path: e.path(e.mpKey), Query: partQuery("5", e.mpID)}) // unsigned; signed below
		req.ContentLength = declared
		req.Header.Set("X-Amz-Content-Sha256", rawUnsignedPayload)
		creds := aws.Credentials{AccessKeyID: adminAK, SecretAccessKey: adminSK}
		if err := rawSigner().SignHTTP(context.Background(), creds, req, rawUnsignedPayload, "s3", rawRegion, time.Now()); err != nil {
			t.Fatal(err)
		}
		if expect100 {
			req.Header.Set("Expect", "100-continue") // never signed
		}
		conn := e.g.rawDial(t)
		defer conn.Close()
		if err := rawWriteHead(conn, req, declared); err != nil {
			t.Fatal(err)
		}
		type result struct {
			resp *http.Response
			body []byte
			err  error
		}
		done := make(chan result, 1)
		continued := make(chan struct{}, 1)
		go func() {
			conn.SetReadDeadline(time.Now().Add(60 * time.Second))
			br := bufio.NewReader(conn)
			for {
				resp, err := http.ReadResponse(br, req)
				if err != nil {
					done <- result{err: err}
					return
				}
				if resp.StatusCode == http.StatusContinue {
					continued <- struct{}{}
					continue
				}
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
				done <- result{resp: resp, body: b}
				return
			}
		}()
		var sent int64
		var r result
		// With Expect: 100-continue the answer must come from the headers
		// alone, so it is waited for (a minute is a guard, not a result);
		// without, after a while body bytes are sent, which either way ends
		// in the same rejection.
		wait := 3 * time.Second
		if expect100 {
			wait = time.Minute
		}
		select {
		case r = <-done:
			t.Logf("answered from the headers alone")
		case <-continued:
			t.Errorf("the gateway answered 100 Continue to a request it rejects; S3 rejects from the headers")
		case <-time.After(wait):
			if expect100 {
				t.Errorf("no answer within %v to the headers of an Expect: 100-continue request", wait)
			} else {
				t.Logf("no answer to the headers alone within 3s; sending body bytes")
			}
		}
		if r.resp == nil && r.err == nil {
			zeros := make([]byte, 32<<10)
		stream:
			for sent < maxSend {
				select {
				case r = <-done:
					break stream
				default:
				}
				conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
				n, err := conn.Write(zeros)
				sent += int64(n)
				if err != nil {
					break
				}
			}
			if r.resp == nil && r.err == nil {
				r = <-done
			}
			id := ""
			if r.resp != nil {
				id = r.resp.Header.Get("x-amz-request-id")
			}
			t.Logf("the answer came after %d body bytes were sent (the gateway logged bytes_in=%s)",
				sent, logNumber(e.g.logLine(id), "bytes_in"))
		}
		if r.err != nil {
			t.Fatalf("no response to a part declared as %d bytes (sent %d body bytes): %v; log tail:\n%s",
				int64(declared), sent, r.err, tail(e.g.Log(), 5))
		}
		if sent >= maxSend {
			t.Errorf("the gateway read at least %d body bytes before answering", sent)
		}
		return &rawResponse{Status: r.resp.StatusCode, Header: r.resp.Header, Body: r.body,
			Request: req.Method + " " + req.URL.RequestURI() + " (Content-Length: " + strconv.Itoa(declared) + ")"}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// traversal returns the check of a path-traversal PUT: if it succeeded,
// GET at the same raw path returns what was put; either way nothing was
// created outside the bucket's directory.
func (e *badReqEnv) traversal(path, content string) func(*testing.T, *rawResponse) {
	return func(t *testing.T, resp *rawResponse) {
		t.Helper()
		if resp.Status/100 == 2 {
			got := e.do(t, rawRequest{Method: "GET", Path: path})
			if got.Status != 200 || string(got.Body) != content {
				t.Errorf("GET %s after a successful PUT: status %d, body %.200q, want 200 %q", path, got.Status, got.Body, content)
			}
			t.Logf("stored literally (key as logged: %s)", logField(e.g.logLine(resp.Header.Get("x-amz-request-id")), "key"))
		} else {
			t.Logf("refused: %d %.200s", resp.Status, resp.Body)
		}
		e.checkConfined(t)
	}
}

// logNumber extracts a numeric field from a JSON log line (crudely).
func logNumber(line, name string) string {
	_, rest, ok := strings.Cut(line, `"`+name+`":`)
	if !ok {
		return "?"
	}
	end := strings.IndexAny(rest, ",}")
	if end < 0 {
		return rest
	}
	return rest[:end]
}

// logField extracts a string field from a JSON log line (crudely).
func logField(line, name string) string {
	_, rest, ok := strings.Cut(line, `"`+name+`":"`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// snapshot lists every path under the gateway's directory.
func (e *badReqEnv) snapshot(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(e.g.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // a temporary file that went away
			}
			return err
		}
		rel, _ := filepath.Rel(e.g.Dir, p)
		out[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkConfined fails if any path appeared under the gateway's directory
// since the fixtures were made outside <Dir>/data/<bucket>/.
func (e *badReqEnv) checkConfined(t *testing.T) {
	t.Helper()
	inside := "data/" + e.bucket + "/"
	for p := range e.snapshot(t) {
		if !e.before[p] && !strings.HasPrefix(p, inside) {
			t.Errorf("%s was created outside %s", filepath.Join(e.g.Dir, p), filepath.Join(e.g.Dir, inside))
		}
	}
}

// completeAfterFailures completes the fixture upload with its original
// parts: none of the failed part uploads and completes above may have
// changed or consumed it.
func (e *badReqEnv) completeAfterFailures(t *testing.T) {
	ctx := context.Background()
	lp, err := e.c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(e.bucket), Key: aws.String(e.mpKey), UploadId: aws.String(e.mpID)})
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	var nums []string
	for _, p := range lp.Parts {
		nums = append(nums, fmt.Sprintf("%d:%s", aws.ToInt32(p.PartNumber), aws.ToString(p.ETag)))
	}
	want := []string{"1:" + e.mpETags[0], "2:" + e.mpETags[1], "3:" + e.mpETags[2]}
	if strings.Join(nums, " ") != strings.Join(want, " ") {
		t.Errorf("parts after the failed uploads: %v, want %v", nums, want)
	}
	resp := e.do(t, rawRequest{Method: "POST", Path: e.path(e.mpKey), Query: "uploadId=" + e.mpID,
		Body: completeXML([]int{1, 2, 3}, e.mpETags)})
	var res struct{ ETag string }
	if resp.Status != 200 || xml.Unmarshal(resp.Body, &res) != nil || !strings.HasSuffix(res.ETag, `-3"`) {
		t.Fatalf("Complete: %d %s; log: %s", resp.Status, resp.Body, e.g.logLine(resp.Header.Get("x-amz-request-id")))
	}
	head, err := e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(e.mpKey),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToInt64(head.ContentLength) != 10<<20+1000 {
		t.Fatalf("HeadObject after Complete: %+v, %v", head, err)
	}
}
