package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A replay of the AWS SDK for .NET's (AWSSDK.S3) PutObject, UploadPart and
// TransferUtility requests, byte for byte as the SDK frames them; no .NET
// runtime exists for this machine (protocols.md §8). The shapes come from
// aws/aws-sdk-net:
//   - sdk/src/Core/Amazon.Runtime/Internal/Util/ChunkedUploadWrapperStream.cs:
//     signed chunks of DefaultChunkSize = 81920 bytes, the size in uppercase
//     hex (ToString("X")), ";chunk-signature=", the chunk string to sign
//     AWS4-HMAC-SHA256-PAYLOAD, no CRLF after the final "0" chunk when
//     trailers follow, then "name:value\r\n" trailers (sorted),
//     "x-amz-trailer-signature:<sig>\r\n\r\n" signed with
//     AWS4-HMAC-SHA256-TRAILER over the canonical trailers.
//   - sdk/src/Core/Amazon.Runtime/Internal/Util/TrailingHeadersWrapperStream.cs:
//     with DisablePayloadSigning the whole body is ONE unsigned chunk
//     "<HEX(len)>\r\n<body>\r\n0\r\n<trailers>\r\n"; an empty body is
//     "0\r\n<trailers>\r\n".
//   - sdk/src/Core/Amazon.Runtime/Internal/Auth/AWS4Signer.cs:
//     STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or
//     STREAMING-UNSIGNED-PAYLOAD-TRAILER, X-Amz-Decoded-Content-Length,
//     x-amz-trailer, and Content-Encoding: aws-chunked only appended to an
//     encoding already set (so none here); amz-sdk-invocation-id and
//     amz-sdk-request are not signed.
//   - sdk/src/Services/S3/Custom/Internal/AmazonS3PostMarshallHandler.cs and
//     Internal/Util/ChecksumUtils.cs: CRC32 by default, as a trailer when
//     chunk encoding or DisablePayloadSigning is on, else a header;
//     x-amz-sdk-checksum-algorithm: CRC32. An empty body is not chunked.
//   - PutObjectRequest.cs / UploadPartRequest.cs: Expect: 100-continue (set
//     on HttpRequestMessage, not signed); UploadPartRequestMarshaller.cs:
//     Content-Type: text/plain on parts.
//   - sdk/src/Services/S3/Custom/Transfer/Internal/MultipartUploadCommand.cs:
//     TransferUtility's Initiate sends ChecksumAlgorithm=CRC32 and
//     ChecksumType=FULL_OBJECT; Complete lists ETag and ChecksumCRC32 per
//     part (CompleteMultipartUploadRequest.AddPartETagsAndChecksums) with
//     x-amz-checksum-type: FULL_OBJECT.

const (
	dotnetChunkSize       = 81920
	dotnetSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	dotnetUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	dotnetUserAgent       = "aws-sdk-dotnet-coreclr/4.0.9.0 ua/2.1 os/linux#6.1 md/ARCH#X64 lang/.NET_Core#8.0.11 md/aws-sdk-dotnet-core#4.0.0.0 api/S3#4.0.9.0 ft/s3-transfer m/G,Z"
)

// dotnetMode is how the .NET SDK frames a body.
type dotnetMode int

const (
	dotnetSigned   dotnetMode = iota // default: signed chunks, signed CRC32 trailer
	dotnetUnsigned                   // DisablePayloadSigning (TLS only): one unsigned chunk
	dotnetPlain                      // an empty body: signed SHA-256, CRC32 header
)

// dotnetRequest is one PutObject or UploadPart as the .NET SDK sends it.
type dotnetRequest struct {
	Path, Query string
	Data        []byte
	Mode        dotnetMode
	Part        bool // UploadPart: Content-Type text/plain
	// TamperChunk flips a hex digit of the second chunk's signature;
	// TamperTrailer one of the trailer signature's.
	TamperChunk, TamperTrailer bool
}

// dotnetCRC32 is the SDK's trailer value: base64 of the big-endian CRC32.
func dotnetCRC32(b []byte) string { return crc32b64(b) }

// dotnetBody frames r.Data and returns it with the x-amz-content-sha256
// value. sign signs a chunk or trailer string to sign.
func dotnetBody(r dotnetRequest, seed string, sts func(prefix, prev, hash string) string, sign func(string) string) []byte {
	var out bytes.Buffer
	trailerName, trailerValue := "x-amz-checksum-crc32", dotnetCRC32(r.Data)
	switch r.Mode {
	case dotnetUnsigned:
		fmt.Fprintf(&out, "%X\r\n", len(r.Data))
		if len(r.Data) > 0 {
			out.Write(r.Data)
			out.WriteString("\r\n0\r\n")
		}
		fmt.Fprintf(&out, "%s:%s\r\n\r\n", trailerName, trailerValue)
		return out.Bytes()
	case dotnetPlain:
		return r.Data
	}
	prev := seed
	emptyHash := rawSHA256Hex(nil)
	chunkSig := func(chunk []byte, n int) string {
		sig := sign(sts("AWS4-HMAC-SHA256-PAYLOAD", prev, emptyHash+"\n"+rawSHA256Hex(chunk)))
		prev = sig
		if r.TamperChunk && n == 2 {
			return flipHex(sig)
		}
		return sig
	}
	n := 0
	for off := 0; off < len(r.Data); off += dotnetChunkSize {
		chunk := r.Data[off:min(off+dotnetChunkSize, len(r.Data))]
		n++
		fmt.Fprintf(&out, "%X;chunk-signature=%s\r\n", len(chunk), chunkSig(chunk, n))
		out.Write(chunk)
		out.WriteString("\r\n")
	}
	// The final chunk: no CRLF after it, the trailers follow.
	fmt.Fprintf(&out, "0;chunk-signature=%s\r\n", chunkSig(nil, n+1))
	canonical := trailerName + ":" + trailerValue + "\n"
	tsig := sign(sts("AWS4-HMAC-SHA256-TRAILER", prev, rawSHA256Hex([]byte(canonical))))
	if r.TamperTrailer {
		tsig = flipHex(tsig)
	}
	fmt.Fprintf(&out, "%s:%s\r\nx-amz-trailer-signature:%s\r\n\r\n", trailerName, trailerValue, tsig)
	return out.Bytes()
}

// flipHex changes the first hex digit of a signature.
func flipHex(sig string) string {
	if sig[0] == '0' {
		return "1" + sig[1:]
	}
	return "0" + sig[1:]
}

// dotnetContentLength is ChunkedUploadWrapperStream.ComputeChunkedContentLength
// for one CRC32 trailer (or TrailingHeadersWrapperStream.CalculateLength).
func dotnetContentLength(r dotnetRequest) int64 {
	n := int64(len(r.Data))
	const trailer = int64(len("x-amz-checksum-crc32") + 8 + 3)
	switch r.Mode {
	case dotnetPlain:
		return n
	case dotnetUnsigned:
		l := int64(len(strconv.FormatInt(n, 16))) + 2 + n + trailer + 2
		if n > 0 {
			l += 2 + 3
		}
		return l
	}
	chunk := func(size int64) int64 {
		return int64(len(strings.ToUpper(strconv.FormatInt(size, 16)))) + int64(len(";chunk-signature=")) + 64 + 2 + size + 2
	}
	l := chunk(0)
	if n > 0 {
		l += n / dotnetChunkSize * chunk(dotnetChunkSize)
		if rem := n % dotnetChunkSize; rem > 0 {
			l += chunk(rem)
		}
	}
	return l + trailer + int64(len("x-amz-trailer-signature")) + 64 + 3
}

// dotnetSend signs and sends r over a bare connection the way .NET's
// HttpClient does with Expect: 100-continue: the head, then the body once
// the gateway answers 100 Continue (or no body if it answers first).
func (g *gateway) dotnetSend(t *testing.T, r dotnetRequest) *rawResponse {
	t.Helper()
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	date := amzDate[:8]
	scope := date + "/" + rawRegion + "/s3/aws4_request"
	key := rawSigningKey(adminSK, date)
	sign := func(s string) string { return hex.EncodeToString(rawHMAC(key, s)) }
	sts := func(prefix, prev, hash string) string {
		return prefix + "\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + hash
	}

	payload := dotnetSignedTrailer
	switch r.Mode {
	case dotnetUnsigned:
		payload = dotnetUnsignedTrailer
	case dotnetPlain:
		payload = rawSHA256Hex(r.Data)
	}
	h := map[string]string{
		"host":                 g.Addr,
		"user-agent":           dotnetUserAgent,
		"x-amz-content-sha256": payload,
		"x-amz-date":           amzDate,
		"content-length":       strconv.FormatInt(dotnetContentLength(r), 10),
	}
	if r.Part {
		h["content-type"] = "text/plain"
	}
	h["x-amz-sdk-checksum-algorithm"] = "CRC32"
	if r.Mode == dotnetPlain {
		h["x-amz-checksum-crc32"] = dotnetCRC32(r.Data)
	} else {
		h["x-amz-decoded-content-length"] = strconv.Itoa(len(r.Data))
		h["x-amz-trailer"] = "x-amz-checksum-crc32"
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var canon strings.Builder
	for _, k := range names {
		canon.WriteString(k + ":" + h[k] + "\n")
	}
	signed := strings.Join(names, ";")
	creq := "PUT\n" + r.Path + "\n" + r.Query + "\n" + canon.String() + "\n" + signed + "\n" + payload
	seed := sign("AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + rawSHA256Hex([]byte(creq)))
	body := dotnetBody(r, seed, sts, sign)
	if int64(len(body)) != dotnetContentLength(r) {
		t.Fatalf("framed body is %d bytes, ComputeChunkedContentLength gives %d", len(body), dotnetContentLength(r))
	}

	var head strings.Builder
	target := r.Path
	if r.Query != "" {
		target += "?" + r.Query
	}
	fmt.Fprintf(&head, "PUT %s HTTP/1.1\r\n", target)
	for _, k := range names {
		fmt.Fprintf(&head, "%s: %s\r\n", k, h[k])
	}
	fmt.Fprintf(&head, "authorization: AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s\r\n", adminAK, scope, signed, seed)
	head.WriteString("amz-sdk-invocation-id: 4c1f2a4e-9d0b-4a53-8f1e-1f6c2b7d9a10\r\namz-sdk-request: attempt=1; max=5\r\n")
	head.WriteString("Expect: 100-continue\r\n\r\n")

	conn := g.rawDial(t)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	req, _ := http.NewRequest(http.MethodPut, "/", nil)
	sentBody := false
	for {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			t.Fatalf("PUT %s: %v", target, err)
		}
		if resp.StatusCode == http.StatusContinue {
			if sentBody {
				t.Fatal("a second 100 Continue")
			}
			sentBody = true
			go conn.Write(body) // the gateway may answer before it has read it all
			continue
		}
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("PUT %s: reading the response: %v", target, err)
		}
		return &rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: data, Request: "PUT " + target}
	}
}

// dotnetCompleteXML is TransferUtility's Complete document: ETag and
// ChecksumCRC32 per part.
func dotnetCompleteXML(etags, crcs []string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><CompleteMultipartUpload>`)
	for i := range etags {
		fmt.Fprintf(&b, "<Part><ChecksumCRC32>%s</ChecksumCRC32><ETag>%s</ETag><PartNumber>%d</PartNumber></Part>", crcs[i], etags[i], i+1)
	}
	b.WriteString("</CompleteMultipartUpload>")
	return []byte(b.String())
}

func TestDotNetReplay(t *testing.T) {
	for _, tls := range []bool{false, true} {
		name := "http"
		var opts []gatewayOption
		if tls {
			name = "https"
			opts = append(opts, withTLS())
		}
		t.Run(name, func(t *testing.T) {
			g := startGateway(t, opts...)
			c := g.s3Client(t, adminAK, adminSK, false)
			ctx := context.Background()
			bucket := "dotnet-" + name
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			// Over plain HTTP the SDK signs every chunk; DisablePayloadSigning
			// is refused there ("must be sent over HTTPS", AWS4Signer.cs), so
			// the unsigned single chunk is exercised over TLS.
			mode := dotnetSigned
			if tls {
				mode = dotnetUnsigned
			}
			t.Run("putobject", func(t *testing.T) {
				data := randomBytes(3*dotnetChunkSize+1234, 71)
				resp := g.dotnetSend(t, dotnetRequest{Path: rawPath(bucket, "put.bin"), Data: data, Mode: mode})
				if resp.Status != 200 || resp.Header.Get("x-amz-checksum-crc32") != dotnetCRC32(data) {
					t.Fatalf("status %d, crc32 %q: %s", resp.Status, resp.Header.Get("x-amz-checksum-crc32"), resp.Body)
				}
				dotnetCheckObject(t, c, bucket, "put.bin", data, types.ChecksumTypeFullObject)
			})
			t.Run("putobject-empty", func(t *testing.T) {
				// An empty body is not chunk-encoded: with payload signing a
				// plain signed request with a CRC32 header, without it the
				// unsigned trailer "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n".
				m := dotnetPlain
				if tls {
					m = dotnetUnsigned
				}
				resp := g.dotnetSend(t, dotnetRequest{Path: rawPath(bucket, "empty.bin"), Mode: m})
				if resp.Status != 200 || resp.Header.Get("x-amz-checksum-crc32") != "AAAAAA==" {
					t.Fatalf("status %d, crc32 %q: %s", resp.Status, resp.Header.Get("x-amz-checksum-crc32"), resp.Body)
				}
				dotnetCheckObject(t, c, bucket, "empty.bin", nil, types.ChecksumTypeFullObject)
			})
			t.Run("transfer-utility-multipart", func(t *testing.T) {
				// The first part is 24 MiB: over TLS one unsigned chunk of
				// 0x1800000 bytes, over HTTP 308 signed chunks.
				parts := [][]byte{randomBytes(24<<20, 72), randomBytes(5<<20, 73), randomBytes(100_000, 74)}
				dotnetMultipart(t, g, c, bucket, "tu.bin", parts, mode)
			})
			if !tls {
				t.Run("tampered-chunk-signature", func(t *testing.T) {
					resp := g.dotnetSend(t, dotnetRequest{Path: rawPath(bucket, "bad-chunk.bin"), Data: randomBytes(3*dotnetChunkSize, 75), TamperChunk: true})
					dotnetRejected(t, c, bucket, "bad-chunk.bin", resp)
				})
				t.Run("tampered-trailer-signature", func(t *testing.T) {
					resp := g.dotnetSend(t, dotnetRequest{Path: rawPath(bucket, "bad-trailer.bin"), Data: randomBytes(dotnetChunkSize+10, 76), TamperTrailer: true})
					dotnetRejected(t, c, bucket, "bad-trailer.bin", resp)
				})
			}
		})
	}
}

// dotnetMultipart replays TransferUtility: Initiate with CRC32 and
// FULL_OBJECT, each part as UploadPart frames it, Complete with ETag and
// ChecksumCRC32 per part, then checks the object and its FULL_OBJECT CRC32.
func dotnetMultipart(t *testing.T, g *gateway, c *s3.Client, bucket, key string, parts [][]byte, mode dotnetMode) {
	t.Helper()
	cu := g.rawDo(t, rawRequest{Method: "POST", Path: rawPath(bucket, key), Query: "uploads", AK: adminAK, SK: adminSK,
		Header: http.Header{"X-Amz-Checksum-Algorithm": {"CRC32"}, "X-Amz-Checksum-Type": {"FULL_OBJECT"}, "User-Agent": {dotnetUserAgent}}})
	var init struct{ UploadId string }
	if err := xml.Unmarshal(cu.Body, &init); cu.Status != 200 || err != nil ||
		cu.Header.Get("x-amz-checksum-algorithm") != "CRC32" || cu.Header.Get("x-amz-checksum-type") != "FULL_OBJECT" {
		t.Fatalf("initiate: %d %v %v: %s", cu.Status, err, cu.Header, cu.Body)
	}
	var etags, crcs []string
	var whole []byte
	for i, p := range parts {
		resp := g.dotnetSend(t, dotnetRequest{Path: rawPath(bucket, key), Query: "partNumber=" + strconv.Itoa(i+1) + "&uploadId=" + init.UploadId,
			Data: p, Mode: mode, Part: true})
		if resp.Status != 200 || resp.Header.Get("x-amz-checksum-crc32") != dotnetCRC32(p) {
			t.Fatalf("part %d: status %d crc32 %q: %s", i+1, resp.Status, resp.Header.Get("x-amz-checksum-crc32"), resp.Body)
		}
		etags = append(etags, resp.Header.Get("ETag"))
		crcs = append(crcs, resp.Header.Get("x-amz-checksum-crc32"))
		whole = append(whole, p...)
	}
	done := g.rawDo(t, rawRequest{Method: "POST", Path: rawPath(bucket, key), Query: "uploadId=" + init.UploadId, AK: adminAK, SK: adminSK,
		Body: dotnetCompleteXML(etags, crcs), Header: http.Header{"X-Amz-Checksum-Type": {"FULL_OBJECT"}, "Content-Type": {"text/plain"}}})
	var res struct {
		ChecksumCRC32, ChecksumType, ETag string
	}
	if err := xml.Unmarshal(bytes.TrimSpace(done.Body), &res); done.Status != 200 || err != nil {
		t.Fatalf("complete: %d %v: %s", done.Status, err, done.Body)
	}
	if res.ChecksumCRC32 != dotnetCRC32(whole) || res.ChecksumType != "FULL_OBJECT" {
		t.Fatalf("complete: CRC32 %q type %q, want %q FULL_OBJECT", res.ChecksumCRC32, res.ChecksumType, dotnetCRC32(whole))
	}
	dotnetCheckObject(t, c, bucket, key, whole, types.ChecksumTypeFullObject)
}

// dotnetCheckObject reads key back with aws-sdk-go-v2 (which validates the
// CRC32 it is given) and checks the bytes, CRC32, checksum type and that no
// aws-chunked Content-Encoding was stored.
func dotnetCheckObject(t *testing.T, c *s3.Client, bucket, key string, want []byte, typ types.ChecksumType) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want %d", len(got), len(want))
	}
	if aws.ToString(out.ChecksumCRC32) != dotnetCRC32(want) || out.ChecksumType != typ {
		t.Fatalf("CRC32 %q type %q, want %q %q", aws.ToString(out.ChecksumCRC32), out.ChecksumType, dotnetCRC32(want), typ)
	}
	if ce := aws.ToString(out.ContentEncoding); ce != "" {
		t.Fatalf("Content-Encoding %q stored", ce)
	}
}

// dotnetRejected checks a tampered upload got 403 SignatureDoesNotMatch
// and left no object.
func dotnetRejected(t *testing.T, c *s3.Client, bucket, key string, resp *rawResponse) {
	t.Helper()
	var e rawErrorBody
	if err := xml.Unmarshal(resp.Body, &e); resp.Status != 403 || err != nil || e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("status %d code %q (%v): %s", resp.Status, e.Code, err, resp.Body)
	}
	if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil {
		t.Fatal("the rejected upload was stored")
	}
}
