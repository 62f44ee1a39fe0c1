package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/translate"
)

// The flexible-checksum and aws-chunked rows of TestBadRequests: one defect
// each, with S3's code, status and exact message. The texts are those
// OpenStack Swift's s3api functional tests record from AWS
// (test/s3api/test_object_checksums.py, which asserts them against
// s3.amazonaws.com) and its s3request.py error mapping:
//   - "Expecting a single x-amz-checksum- header. Multiple checksum Types
//     are not allowed." (two headers), "Expecting a single x-amz-checksum-
//     header" (a header and a trailer);
//   - "Value for x-amz-checksum-<alg> header is invalid." and
//     "… trailing header is invalid.";
//   - "Value for x-amz-sdk-checksum-algorithm header is invalid.";
//   - "The <ALG> you specified did not match the calculated checksum."
//     (BadDigest);
//   - "Checksum Type mismatch occurred, expected checksum Type: sha1,
//     actual checksum Type: crc32" (also in the S3 API reference's
//     InvalidRequest list);
//   - MalformedTrailerError and InvalidChunkSizeError (403, "Only the last
//     chunk is allowed to have a size less than 8192 bytes").
func checksumBadRequestCases(e *badReqEnv) []badReqCase {
	send := e.send
	small := []byte("a small body\n")
	sum := func(a translate.ChecksumAlgorithm, b []byte) string {
		h, _ := translate.NewChecksumHash(a)
		h.Write(b)
		return translate.EncodeChecksum(h.Sum(nil))
	}
	// trailerPut sends small as an unsigned-trailer PutObject with the given
	// x-amz-trailer header (none when announce is ""), trailer section and
	// extra headers.
	trailerPut := func(key, announce, trailer string, extra ...string) func(t *testing.T) *rawResponse {
		return func(t *testing.T) *rawResponse {
			body := fmt.Sprintf("%x\r\n%s\r\n0\r\n%s\r\n", len(small), small, trailer)
			h := hdr(extra...)
			h.Set("Content-Encoding", "aws-chunked")
			h.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(small)))
			if announce != "" {
				h.Set("X-Amz-Trailer", announce)
			}
			return e.do(t, rawRequest{Method: "PUT", Path: e.path(key), Body: []byte(body), PayloadHash: rawStreamingTrailer, Header: h})
		}
	}
	crcTrailer := "x-amz-checksum-crc32:" + crc32b64(small) + "\r\n"
	const malformedTrailer = "The request contained trailing data that was not well-formed or did not conform to our published schema."
	return []badReqCase{
		{name: "checksum-two-headers", status: 400, code: "InvalidRequest",
			message: "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
			send: send(rawRequest{Method: "PUT", Path: e.path("ck-two.txt"), Body: small,
				Header: hdr("X-Amz-Checksum-Crc32", crc32b64(small), "X-Amz-Checksum-Sha1", sum(translate.SHA1, small))}),
			after: e.noObject(e.path("ck-two.txt"))},
		{name: "checksum-value-not-base64", status: 400, code: "InvalidRequest", message: "Value for x-amz-checksum-crc32 header is invalid.",
			send:  send(rawRequest{Method: "PUT", Path: e.path("ck-b64.txt"), Body: small, Header: hdr("X-Amz-Checksum-Crc32", "not*base64")}),
			after: e.noObject(e.path("ck-b64.txt"))},
		{name: "checksum-value-wrong-length", status: 400, code: "InvalidRequest", message: "Value for x-amz-checksum-xxhash128 header is invalid.",
			send:  send(rawRequest{Method: "PUT", Path: e.path("ck-len.txt"), Body: small, Header: hdr("X-Amz-Checksum-Xxhash128", sum(translate.XXHASH64, small))}),
			after: e.noObject(e.path("ck-len.txt"))},
		{name: "checksum-wrong-xxhash64", status: 400, code: "BadDigest", message: "The XXHASH64 you specified did not match the calculated checksum.",
			send:  send(rawRequest{Method: "PUT", Path: e.path("ck-xx.txt"), Body: small, Header: hdr("X-Amz-Checksum-Xxhash64", sum(translate.XXHASH64, []byte("x")))}),
			after: e.noObject(e.path("ck-xx.txt"))},
		{name: "checksum-wrong-sha512-overwrite", status: 400, code: "BadDigest", message: "The SHA512 you specified did not match the calculated checksum.",
			send:  send(rawRequest{Method: "PUT", Path: e.path(e.objKey), Body: small, Header: hdr("X-Amz-Checksum-Sha512", sum(translate.SHA512, []byte("x")))}),
			after: e.objectUnchanged},
		{name: "checksum-sdk-algorithm-disagrees", status: 400, code: "InvalidRequest", message: "Value for x-amz-sdk-checksum-algorithm header is invalid.",
			send: send(rawRequest{Method: "PUT", Path: e.path("ck-sdk.txt"), Body: small,
				Header: hdr("X-Amz-Checksum-Crc32", crc32b64(small), "X-Amz-Sdk-Checksum-Algorithm", "SHA256")}),
			after: e.noObject(e.path("ck-sdk.txt"))},
		{name: "checksum-sdk-algorithm-unknown", status: 400, code: "InvalidRequest", message: "Value for x-amz-sdk-checksum-algorithm header is invalid.",
			send:  send(rawRequest{Method: "PUT", Path: e.path("ck-sdk2.txt"), Body: small, Header: hdr("X-Amz-Sdk-Checksum-Algorithm", "MD4")}),
			after: e.noObject(e.path("ck-sdk2.txt"))},
		{name: "trailer-sdk-algorithm-disagrees", status: 400, code: "InvalidRequest", message: "Value for x-amz-sdk-checksum-algorithm header is invalid.",
			send:  trailerPut("tr-sdk.txt", "x-amz-checksum-crc32", crcTrailer, "X-Amz-Sdk-Checksum-Algorithm", "CRC32C"),
			after: e.noObject(e.path("tr-sdk.txt"))},
		{name: "trailer-not-declared", status: 400, code: "MalformedTrailerError", message: malformedTrailer,
			send: trailerPut("tr-undeclared.txt", "", crcTrailer), after: e.noObject(e.path("tr-undeclared.txt"))},
		{name: "trailer-declared-not-sent", status: 400, code: "MalformedTrailerError", message: malformedTrailer,
			send: trailerPut("tr-missing.txt", "x-amz-checksum-crc32", ""), after: e.noObject(e.path("tr-missing.txt"))},
		{name: "trailer-other-than-declared", status: 400, code: "MalformedTrailerError", message: malformedTrailer,
			send:  trailerPut("tr-other.txt", "x-amz-checksum-crc32c", crcTrailer),
			after: e.noObject(e.path("tr-other.txt"))},
		{name: "trailer-not-supported", status: 400, code: "InvalidRequest", message: "The value specified in the x-amz-trailer header is not supported",
			send: trailerPut("tr-unsup.txt", "x-amz-checksum-md4", "x-amz-checksum-md4:AAAA\r\n"), after: e.noObject(e.path("tr-unsup.txt"))},
		{name: "trailer-and-header", status: 400, code: "InvalidRequest", message: "Expecting a single x-amz-checksum- header",
			send:  trailerPut("tr-both.txt", "x-amz-checksum-crc32", crcTrailer, "X-Amz-Checksum-Sha1", sum(translate.SHA1, small)),
			after: e.noObject(e.path("tr-both.txt"))},
		{name: "trailer-value-invalid", status: 400, code: "InvalidRequest", message: "Value for x-amz-checksum-crc32 trailing header is invalid.",
			send: trailerPut("tr-bad.txt", "x-amz-checksum-crc32", "x-amz-checksum-crc32:AAAA\r\n"), after: e.noObject(e.path("tr-bad.txt"))},
		{name: "trailer-wrong-xxhash3", status: 400, code: "BadDigest", message: "The XXHASH3 you specified did not match the calculated checksum.",
			send:  trailerPut("tr-xx3.txt", "x-amz-checksum-xxhash3", "x-amz-checksum-xxhash3:"+sum(translate.XXHASH3, []byte("x"))+"\r\n"),
			after: e.noObject(e.path("tr-xx3.txt"))},
		{name: "trailer-malformed-line", status: 400, code: "MalformedTrailerError", message: malformedTrailer,
			send: trailerPut("tr-line.txt", "x-amz-checksum-crc32", "no colon here\r\n"), after: e.noObject(e.path("tr-line.txt"))},
		// minio-go ends its unsigned trailer with one more blank line: accepted.
		{name: "trailer-minio-extra-blank-line-control", status: 200,
			send:  trailerPut("tr-minio.txt", "x-amz-checksum-crc32", "x-amz-checksum-crc32:"+crc32b64(small)+"\n\r\n"),
			after: e.objectIs(e.path("tr-minio.txt"), small)},
		// aws-chunked framing: fewer payload bytes than declared.
		{name: "chunked-body-shorter-than-declared", status: 400, code: "IncompleteBody",
			message: "You did not provide the number of bytes specified by the Content-Length HTTP header.",
			send: func(t *testing.T) *rawResponse {
				body := fmt.Sprintf("%x\r\n%s\r\n0\r\n%s\r\n", len(small), small, crcTrailer)
				return e.do(t, rawRequest{Method: "PUT", Path: e.path("short.txt"), Body: []byte(body), PayloadHash: rawStreamingTrailer,
					Header: hdr("X-Amz-Decoded-Content-Length", strconv.Itoa(len(small)+10), "X-Amz-Trailer", "x-amz-checksum-crc32")})
			},
			after: e.noObject(e.path("short.txt"))},
		{name: "chunked-signed-chunk-under-8k", status: 403, code: "InvalidChunkSizeError",
			message: "Only the last chunk is allowed to have a size less than 8192 bytes",
			send: func(t *testing.T) *rawResponse {
				req := e.g.rawBuild(t, rawRequest{Method: "PUT", Path: e.path("small-chunks.bin")})
				rawSetBody(req, rawStreamSigned(t, req, adminAK, adminSK, randomBytes(3000, 91), 1000, time.Now()))
				return e.g.rawSend(t, req)
			},
			after: e.noObject(e.path("small-chunks.bin"))},

		// CreateMultipartUpload.
		{name: "create-upload-unknown-checksum-algorithm-message", status: 400, code: "InvalidRequest",
			message: "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]",
			send:    send(rawRequest{Method: "POST", Path: e.path("mpu-bad-alg2"), Query: "uploads", Header: hdr("X-Amz-Checksum-Algorithm", "CRC16")})},
		{name: "create-upload-full-object-sha256", status: 400, code: "InvalidRequest",
			message: "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.",
			send: send(rawRequest{Method: "POST", Path: e.path("mpu-type"), Query: "uploads",
				Header: hdr("X-Amz-Checksum-Algorithm", "SHA256", "X-Amz-Checksum-Type", "FULL_OBJECT")})},
		{name: "create-upload-full-object-xxhash64", status: 400, code: "InvalidRequest",
			message: "The FULL_OBJECT checksum type cannot be used with the xxhash64 checksum algorithm.",
			send: send(rawRequest{Method: "POST", Path: e.path("mpu-type2"), Query: "uploads",
				Header: hdr("X-Amz-Checksum-Algorithm", "XXHASH64", "X-Amz-Checksum-Type", "FULL_OBJECT")})},
		{name: "create-upload-composite-crc64nvme", status: 400, code: "InvalidRequest",
			message: "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.",
			send: send(rawRequest{Method: "POST", Path: e.path("mpu-type3"), Query: "uploads",
				Header: hdr("X-Amz-Checksum-Algorithm", "CRC64NVME", "X-Amz-Checksum-Type", "COMPOSITE")})},

		// UploadPart against the algorithm chosen at Create.
		{name: "uploadpart-other-algorithm-than-create", status: 400, code: "InvalidRequest",
			message: "Checksum Type mismatch occurred, expected checksum Type: sha1, actual checksum Type: crc32",
			send: func(t *testing.T) *rawResponse {
				id := e.createWith(t, "mpu-sha1", types.ChecksumAlgorithmSha1, "")
				return e.do(t, rawRequest{Method: "PUT", Path: e.path("mpu-sha1"), Query: partQuery("1", id), Body: small,
					Header: hdr("X-Amz-Checksum-Crc32", crc32b64(small))})
			}},
		{name: "uploadpart-no-checksum-on-composite", status: 400, code: "InvalidRequest",
			message: "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null",
			send: func(t *testing.T) *rawResponse {
				id := e.createWith(t, "mpu-sha256", types.ChecksumAlgorithmSha256, "")
				return e.do(t, rawRequest{Method: "PUT", Path: e.path("mpu-sha256"), Query: partQuery("1", id), Body: small})
			}},

		// CompleteMultipartUpload: the whole-object checksum is the object's,
		// not the XML document's (issue 10, bug 9.1).
		{name: "complete-full-object-crc32-right-control", status: 200,
			send: e.completeWithChecksum("cmp-ok", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, true, false)},
		{name: "complete-full-object-crc32-wrong", status: 400, code: "BadDigest", message: "The CRC32 you specified did not match the calculated checksum.",
			send:  e.completeWithChecksum("cmp-bad", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, false, false),
			after: e.noObject(e.path("cmp-bad"))},
		{name: "complete-composite-sha1-right-without-suffix-control", status: 200,
			send: e.completeWithChecksum("cmp-comp", types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite, true, false)},
		{name: "complete-composite-sha1-wrong", status: 400, code: "BadDigest", message: "The SHA1 you specified did not match the calculated checksum.",
			send:  e.completeWithChecksum("cmp-comp-bad", types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite, false, false),
			after: e.noObject(e.path("cmp-comp-bad"))},
		{name: "complete-checksum-type-other-than-create", status: 400, code: "BadDigest",
			message: "The checksum type you specified (COMPOSITE) did not match the checksum type of the multipart upload (FULL_OBJECT).",
			send: func(t *testing.T) *rawResponse {
				id := e.createWith(t, "cmp-type", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject)
				return e.do(t, rawRequest{Method: "POST", Path: e.path("cmp-type"), Query: "uploadId=" + id,
					Body: completeXML([]int{1}, []string{`"0123456789abcdef0123456789abcdef"`}), Header: hdr("X-Amz-Checksum-Type", "COMPOSITE")})
			},
			after: e.noObject(e.path("cmp-type"))},
		{name: "complete-part-checksum-wrong", status: 400, code: "InvalidPart",
			send:  e.completeWithChecksum("cmp-part", types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite, true, true),
			after: e.noObject(e.path("cmp-part"))},
		{name: "complete-mp-object-size-wrong", status: 400, code: "InvalidRequest",
			send: send(rawRequest{Method: "POST", Path: e.path(e.mpKey), Query: "uploadId=" + e.mpID,
				Body: completeXML([]int{1, 2, 3}, e.mpETags), Header: hdr("X-Amz-Mp-Object-Size", "12345")}),
			after: e.noObject(e.path(e.mpKey))},
	}
}

// createWith starts an upload of key with a checksum algorithm (and type,
// if set) and returns its ID.
func (e *badReqEnv) createWith(t *testing.T, key string, alg types.ChecksumAlgorithm, typ types.ChecksumType) string {
	t.Helper()
	cu, err := e.c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String(e.bucket),
		Key: aws.String(key), ChecksumAlgorithm: alg, ChecksumType: typ})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(cu.UploadId)
}

// completeWithChecksum uploads one 1 KiB part of key under alg and typ and
// completes it with raw XML and an x-amz-checksum-<alg> header carrying the
// object's right or wrong value (a COMPOSITE value sent without "-1");
// badPart puts a wrong per-part value in the XML.
func (e *badReqEnv) completeWithChecksum(key string, alg types.ChecksumAlgorithm, typ types.ChecksumType, right, badPart bool) func(*testing.T) *rawResponse {
	return func(t *testing.T) *rawResponse {
		a := translate.ChecksumAlgorithm(alg)
		data := randomBytes(1024, 92)
		id := e.createWith(t, key, alg, typ)
		partSum := sumB64(t, a, data)
		resp := e.do(t, rawRequest{Method: "PUT", Path: e.path(key), Query: partQuery("1", id), Body: data,
			Header: http.Header{"X-Amz-Checksum-" + string(alg): {partSum}}})
		if resp.Status != 200 {
			t.Fatalf("UploadPart: %d %s", resp.Status, resp.Body)
		}
		sentPart := partSum
		if badPart {
			sentPart = sumB64(t, a, []byte("other"))
		}
		var body bytes.Buffer
		fmt.Fprintf(&body, "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag><Checksum%s>%s</Checksum%s></Part></CompleteMultipartUpload>",
			resp.Header.Get("ETag"), alg, sentPart, alg)
		whole := partSum
		if typ == types.ChecksumTypeComposite {
			c, err := translate.CompositeChecksum(a, []string{partSum})
			if err != nil {
				t.Fatal(err)
			}
			whole = c[:len(c)-2]
		}
		if !right {
			whole = sumB64(t, a, []byte("not the object"))
		}
		done := e.do(t, rawRequest{Method: "POST", Path: e.path(key), Query: "uploadId=" + id, Body: body.Bytes(),
			Header: http.Header{"X-Amz-Checksum-" + string(alg): {whole}, "X-Amz-Checksum-Type": {string(typ)}}})
		if done.Status == 200 {
			var res struct{ ChecksumType string }
			if err := xml.Unmarshal(bytes.TrimSpace(done.Body), &res); err != nil || res.ChecksumType != string(typ) {
				t.Errorf("Complete result: %v ChecksumType %q: %s", err, res.ChecksumType, done.Body)
			}
		}
		return done
	}
}
