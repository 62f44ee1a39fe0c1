package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/test/minio"
	"github.com/babelgate/babelgate/translate"
)

// Flexible checksums as S3 has them since 2025, driven by aws-sdk-go-v2
// at its defaults over TLS and plain HTTP: every algorithm of
// types.ChecksumAlgorithm as a header and as an aws-chunked trailer,
// FULL_OBJECT and COMPOSITE Completes with right and wrong whole-object
// values, the default CRC64NVME, and copies.

// sdkAlgorithms are the algorithms aws-sdk-go-v2 itself computes
// (service/internal/checksum supportedAlgorithms); for the others the
// value is precomputed and sent in the field.
var sdkAlgorithms = map[translate.ChecksumAlgorithm]bool{translate.CRC32: true, translate.CRC32C: true,
	translate.CRC64NVME: true, translate.SHA1: true, translate.SHA256: true, translate.SHA512: true}

// sumB64 is the S3 wire value of a's checksum of data.
func sumB64(t testing.TB, a translate.ChecksumAlgorithm, data []byte) string {
	t.Helper()
	h, err := translate.NewChecksumHash(a)
	if err != nil {
		t.Fatal(err)
	}
	h.Write(data)
	return translate.EncodeChecksum(h.Sum(nil))
}

// setChecksum sets the Checksum<ALG> field of an SDK input (or reads it
// from an output) by name.
func setChecksum(v any, a translate.ChecksumAlgorithm, value string) {
	reflect.ValueOf(v).Elem().FieldByName("Checksum" + string(a)).Set(reflect.ValueOf(aws.String(value)))
}

func getChecksum(v any, a translate.ChecksumAlgorithm) string {
	f := reflect.ValueOf(v).Elem().FieldByName("Checksum" + string(a))
	if !f.IsValid() || f.IsNil() {
		return ""
	}
	return f.Elem().String()
}

func TestChecksumAlgorithms(t *testing.T) {
	overHTTPAndTLS(t, func(t *testing.T, name string, g *gateway) {
		c := g.s3Client(t, adminAK, adminSK, false)
		ctx := context.Background()
		bucket := "cksum-" + name
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		data := randomBytes(100_000, 81)
		for _, a := range translate.S3ChecksumAlgorithms {
			t.Run(string(a), func(t *testing.T) { checkAlgorithm(t, g, c, bucket, a, data) })
		}
		t.Run("default-crc64nvme", func(t *testing.T) { checkDefault(t, g, c, bucket, data) })
		for _, mc := range []struct {
			alg translate.ChecksumAlgorithm
			typ types.ChecksumType
		}{
			{translate.CRC32, types.ChecksumTypeFullObject}, {translate.CRC32C, types.ChecksumTypeFullObject},
			{translate.CRC64NVME, types.ChecksumTypeFullObject}, {translate.CRC32C, types.ChecksumTypeComposite},
			{translate.SHA256, types.ChecksumTypeComposite}, {translate.SHA512, types.ChecksumTypeComposite},
			{translate.MD5, types.ChecksumTypeComposite}, {translate.XXHASH3, types.ChecksumTypeComposite},
		} {
			t.Run(fmt.Sprintf("multipart-%s-%s", mc.alg, mc.typ), func(t *testing.T) {
				checkMultipart(t, c, bucket, mc.alg, mc.typ)
			})
		}
	})
}

// TestChecksumAlgorithmsOnMinIO runs the same checks through the s3
// backend onto a real MinIO server, with and without the store verifying
// the checksums it is forwarded: the algorithms a store does not keep (the
// 2025 ones, the default) are kept in the gateway's annex.
func TestChecksumAlgorithmsOnMinIO(t *testing.T) {
	m := minio.Start(t)
	for _, storeChecks := range []bool{false, true} {
		t.Run(fmt.Sprintf("store-checksums-%v", storeChecks), func(t *testing.T) {
			backends := minioBackend(m, "")
			if storeChecks {
				backends = fmt.Sprintf(`backends:
  - name: minio
    type: s3
    options: {endpoint: %q, access_key: %q, secret_key: %q, path_style: true, region: us-east-1,
              request_timeout: 60s, connect_timeout: 10s, retries: 3, checksums: true}
`, m.Endpoint, minio.AccessKey, minio.SecretKey)
			}
			g := startGateway(t, withBackends(backends))
			c := g.s3Client(t, adminAK, adminSK, false)
			bucket := fmt.Sprintf("cksum-minio-%v", storeChecks)
			if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			data := randomBytes(100_000, 87)
			for _, a := range translate.S3ChecksumAlgorithms {
				t.Run(string(a), func(t *testing.T) { checkAlgorithm(t, g, c, bucket, a, data) })
			}
			t.Run("default-crc64nvme", func(t *testing.T) { checkDefault(t, g, c, bucket, data) })
			t.Run("multipart-CRC32-FULL_OBJECT", func(t *testing.T) { checkMultipart(t, c, bucket, translate.CRC32, types.ChecksumTypeFullObject) })
			t.Run("multipart-XXHASH128-COMPOSITE", func(t *testing.T) {
				checkMultipart(t, c, bucket, translate.XXHASH128, types.ChecksumTypeComposite)
			})
		})
	}
}

// checkAlgorithm puts data with a's checksum as a header (right, then
// wrong) and as an unsigned aws-chunked trailer (right, then wrong), then
// reads it back with checksum mode and copies it.
func checkAlgorithm(t *testing.T, g *gateway, c *s3.Client, bucket string, a translate.ChecksumAlgorithm, data []byte) {
	ctx := context.Background()
	want := sumB64(t, a, data)
	key := "hdr-" + string(a)
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}
	setChecksum(in, a, want)
	out, err := c.PutObject(ctx, in)
	if err != nil {
		t.Fatalf("PutObject with x-amz-checksum-%s: %v", a, err)
	}
	if got := getChecksum(out, a); got != want || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("PutObject returned %s=%q type %q, want %q FULL_OBJECT", a, got, out.ChecksumType, want)
	}
	readBack(t, g, c, bucket, key, a, want, data)

	bad := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad-" + string(a)), Body: bytes.NewReader(data)}
	setChecksum(bad, a, sumB64(t, a, []byte("other")))
	_, err = c.PutObject(ctx, bad)
	wantAPIError(t, "PutObject with a wrong checksum", err, 400, "BadDigest", fmt.Sprintf("The %s you specified did not match the calculated checksum.", a))
	noObject(t, c, bucket, "bad-"+string(a))

	if sdkAlgorithms[a] {
		// The SDK computes it: over TLS as a STREAMING-UNSIGNED-PAYLOAD-TRAILER
		// trailer, over HTTP as a header.
		key := "sdk-" + string(a)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithm(a)}); err != nil {
			t.Fatalf("PutObject ChecksumAlgorithm=%s: %v", a, err)
		}
		readBack(t, g, c, bucket, key, a, want, data)
	}

	// As a trailer, for every algorithm (the SDK has no trailer for the
	// ones it cannot compute, so this is framed by hand).
	trailer := func(key, value string) *rawResponse {
		body := rawUnsignedTrailerBody(data, 64<<10, "x-amz-checksum-"+lower(a), value)
		return g.rawDo(t, rawRequest{Method: "PUT", Path: rawPath(bucket, key), Body: body, PayloadHash: rawStreamingTrailer,
			AK: adminAK, SK: adminSK, Header: http.Header{"Content-Encoding": {"aws-chunked,gzip"},
				"X-Amz-Decoded-Content-Length": {strconv.Itoa(len(data))}, "X-Amz-Trailer": {"x-amz-checksum-" + lower(a)},
				"X-Amz-Sdk-Checksum-Algorithm": {string(a)}}})
	}
	if resp := trailer("trl-"+string(a), want); resp.Status != 200 || resp.Header.Get("x-amz-checksum-"+lower(a)) != want {
		t.Fatalf("trailer put: %d %v: %s", resp.Status, resp.Header, resp.Body)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("trl-" + string(a)), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	// aws-chunked is removed from the stored encoding, the rest kept as sent.
	if getChecksum(head, a) != want || aws.ToString(head.ContentEncoding) != "gzip" {
		t.Fatalf("trailer object: %s=%q encoding %q", a, getChecksum(head, a), aws.ToString(head.ContentEncoding))
	}
	resp := trailer("trl-bad-"+string(a), sumB64(t, a, []byte("other")))
	if resp.Status != 400 || !bytes.Contains(resp.Body, []byte("<Code>BadDigest</Code>")) ||
		!bytes.Contains(resp.Body, []byte(fmt.Sprintf("<Message>The %s you specified did not match the calculated checksum.</Message>", a))) {
		t.Fatalf("wrong trailer: %d %s", resp.Status, resp.Body)
	}
	noObject(t, c, bucket, "trl-bad-"+string(a))

	// CopyObject keeps the source's checksum.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy-" + string(a)),
		CopySource: aws.String(bucket + "/" + key)})
	if err != nil {
		t.Fatal(err)
	}
	if got := getChecksum(cp.CopyObjectResult, a); got != want {
		t.Fatalf("CopyObjectResult %s=%q, want %q", a, got, want)
	}
	readBack(t, g, c, bucket, "copy-"+string(a), a, want, data)

	// CopyObject with x-amz-checksum-algorithm naming another algorithm:
	// the copy gets that one, computed from the bytes.
	other := translate.SHA256
	if a == other {
		other = translate.XXHASH64
	}
	cp, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("recopy-" + string(a)),
		CopySource: aws.String(bucket + "/" + key), ChecksumAlgorithm: types.ChecksumAlgorithm(other)})
	if err != nil {
		t.Fatal(err)
	}
	if got := getChecksum(cp.CopyObjectResult, other); got != sumB64(t, other, data) {
		t.Fatalf("CopyObject ChecksumAlgorithm=%s: %q, want %q", other, got, sumB64(t, other, data))
	}
	readBack(t, g, c, bucket, "recopy-"+string(a), other, sumB64(t, other, data), data)
}

func lower(a translate.ChecksumAlgorithm) string { return string(bytes.ToLower([]byte(a))) }

// readBack checks GetObject and HeadObject with checksum mode return a's
// value as FULL_OBJECT, and that GetObject without it returns none.
func readBack(t *testing.T, g *gateway, c *s3.Client, bucket, key string, a translate.ChecksumAlgorithm, want string, data []byte) {
	t.Helper()
	ctx := context.Background()
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if got := getChecksum(head, a); got != want || head.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("HEAD %s: %s=%q type %q, want %q FULL_OBJECT", key, a, got, head.ChecksumType, want)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(body, data) || getChecksum(get, a) != want {
		t.Fatalf("GET %s: %v, %d bytes, %s=%q", key, err, len(body), a, getChecksum(get, a))
	}
	// A range covering the whole object gets the checksum, a partial one none.
	for rng, withSum := range map[string]bool{fmt.Sprintf("bytes=0-%d", len(data)-1): true, "bytes=1-": false} {
		resp := g.rawDo(t, rawRequest{Method: "HEAD", Path: rawPath(bucket, key), AK: adminAK, SK: adminSK,
			Header: http.Header{"Range": {rng}, "X-Amz-Checksum-Mode": {"ENABLED"}}})
		if got := resp.Header.Get("x-amz-checksum-" + lower(a)); resp.Status != 206 || (got == want) != withSum || (got != "") != withSum {
			t.Fatalf("HEAD Range %s: %d, %s=%q", rng, resp.Status, a, got)
		}
	}
	// The SDK asks for checksum mode by itself (ResponseChecksumValidation
	// WhenSupported); a raw GET without it gets no checksum.
	plain := g.rawDo(t, rawRequest{Method: "GET", Path: rawPath(bucket, key), AK: adminAK, SK: adminSK})
	if plain.Status != 200 || plain.Header.Get("x-amz-checksum-"+lower(a)) != "" || plain.Header.Get("x-amz-checksum-type") != "" {
		t.Fatalf("GET without checksum mode: %d %v", plain.Status, plain.Header)
	}
}

func noObject(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil {
		t.Fatalf("%s was stored by a failed request", key)
	}
}

// checkDefault checks S3's default: an object put with no checksum at all
// and a multipart upload created without an algorithm both get a
// FULL_OBJECT CRC64NVME.
func checkDefault(t *testing.T, g *gateway, c *s3.Client, bucket string, data []byte) {
	ctx := context.Background()
	resp := g.rawDo(t, rawRequest{Method: "PUT", Path: rawPath(bucket, "plain"), Body: data, AK: adminAK, SK: adminSK})
	want := sumB64(t, translate.CRC64NVME, data)
	if resp.Status != 200 || resp.Header.Get("x-amz-checksum-crc64nvme") != want || resp.Header.Get("x-amz-checksum-type") != "FULL_OBJECT" {
		t.Fatalf("plain PUT: %d %v", resp.Status, resp.Header)
	}
	readBack(t, g, c, bucket, "plain", translate.CRC64NVME, want, data)

	// The SDK sends CRC32 on each part; the object still gets CRC64NVME.
	parts := [][]byte{randomBytes(5<<20, 82), randomBytes(1000, 83)}
	cu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp-default")})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	for i, p := range parts {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp-default"), UploadId: cu.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1)), ChecksumCRC32: up.ChecksumCRC32})
	}
	whole := append(append([]byte(nil), parts[0]...), parts[1]...)
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp-default"),
		UploadId: cu.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ChecksumCRC64NVME) != sumB64(t, translate.CRC64NVME, whole) || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("Complete: CRC64NVME %q type %q", aws.ToString(out.ChecksumCRC64NVME), out.ChecksumType)
	}
	readBack(t, g, c, bucket, "mp-default", translate.CRC64NVME, sumB64(t, translate.CRC64NVME, whole), whole)
}

// checkMultipart uploads two parts (5 MiB and 1000 bytes) under alg and typ,
// each part with its checksum as a header, plus a third part copied from
// another object (UploadPartCopy, whose checksum the gateway computes);
// completes first with a wrong whole-object value (BadDigest), a wrong
// x-amz-mp-object-size, then the right ones, and reads the result back.
func checkMultipart(t *testing.T, c *s3.Client, bucket string, alg translate.ChecksumAlgorithm, typ types.ChecksumType) {
	ctx := context.Background()
	key := fmt.Sprintf("mp-%s-%s", alg, typ)
	src := randomBytes(5<<20, 84)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + "-src"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	cu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ChecksumAlgorithm: types.ChecksumAlgorithm(alg), ChecksumType: typ})
	if err != nil {
		t.Fatal(err)
	}
	if string(cu.ChecksumAlgorithm) != string(alg) || cu.ChecksumType != typ {
		t.Fatalf("Create answered %q %q", cu.ChecksumAlgorithm, cu.ChecksumType)
	}
	parts := [][]byte{src[:0], randomBytes(5<<20, 85), randomBytes(1000, 86)}
	var done []types.CompletedPart
	var values []string
	var whole []byte
	// Part 1 is a copy of the source object.
	pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cu.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String(bucket + "/" + key + "-src")})
	if err != nil {
		t.Fatal(err)
	}
	if got := getChecksum(pc.CopyPartResult, alg); got != sumB64(t, alg, src) {
		t.Fatalf("UploadPartCopy %s=%q, want %q", alg, got, sumB64(t, alg, src))
	}
	done = append(done, types.CompletedPart{ETag: pc.CopyPartResult.ETag, PartNumber: aws.Int32(1)})
	setChecksum(&done[0], alg, sumB64(t, alg, src))
	values = append(values, sumB64(t, alg, src))
	whole = append(whole, src...)
	for i, p := range parts[1:] {
		n := int32(i + 2)
		in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cu.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(p)}
		setChecksum(in, alg, sumB64(t, alg, p))
		up, err := c.UploadPart(ctx, in)
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		if getChecksum(up, alg) != sumB64(t, alg, p) {
			t.Fatalf("UploadPart %d returned %s=%q", n, alg, getChecksum(up, alg))
		}
		cp := types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(n)}
		setChecksum(&cp, alg, sumB64(t, alg, p))
		done = append(done, cp)
		values = append(values, sumB64(t, alg, p))
		whole = append(whole, p...)
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cu.UploadId})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parts) != 3 || string(lp.ChecksumAlgorithm) != string(alg) || lp.ChecksumType != typ {
		t.Fatalf("ListParts: %d parts, %q %q", len(lp.Parts), lp.ChecksumAlgorithm, lp.ChecksumType)
	}
	for i, p := range lp.Parts {
		if getChecksum(&p, alg) != values[i] {
			t.Fatalf("ListParts part %d: %s=%q, want %q", i+1, alg, getChecksum(&p, alg), values[i])
		}
	}

	want := sumB64(t, alg, whole)
	if typ == types.ChecksumTypeComposite {
		want, err = translate.CompositeChecksum(alg, values)
		if err != nil {
			t.Fatal(err)
		}
	}
	complete := func(value string, size int64) (*s3.CompleteMultipartUploadOutput, error) {
		in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cu.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: done}, ChecksumType: typ, MpuObjectSize: aws.Int64(size)}
		setChecksum(in, alg, value)
		return c.CompleteMultipartUpload(ctx, in)
	}
	_, err = complete(sumB64(t, alg, []byte("wrong")), int64(len(whole)))
	wantAPIError(t, "Complete with a wrong whole-object checksum", err, 400, "BadDigest", fmt.Sprintf("The %s you specified did not match the calculated checksum.", alg))
	_, err = complete(want, int64(len(whole))+1)
	wantAPIError(t, "Complete with a wrong x-amz-mp-object-size", err, 400, "InvalidRequest", "")
	sent := want
	if typ == types.ChecksumTypeComposite {
		sent = want[:len(want)-2] // S3 accepts the composite value without its "-N"
	}
	out, err := complete(sent, int64(len(whole)))
	if err != nil {
		t.Fatalf("Complete with the right %s: %v", alg, err)
	}
	if getChecksum(out, alg) != want || out.ChecksumType != typ {
		t.Fatalf("Complete returned %s=%q type %q, want %q %q", alg, getChecksum(out, alg), out.ChecksumType, want, typ)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if getChecksum(head, alg) != want || head.ChecksumType != typ || aws.ToInt64(head.ContentLength) != int64(len(whole)) {
		t.Fatalf("HEAD: %s=%q type %q size %d", alg, getChecksum(head, alg), head.ChecksumType, aws.ToInt64(head.ContentLength))
	}
	// GetObject validates a FULL_OBJECT value against the bytes it reads.
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(body, whole) {
		t.Fatalf("GET: %v, %d bytes", err, len(body))
	}
}
