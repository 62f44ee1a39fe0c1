package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint64())
	}
	return b
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

// apiCode returns the S3 error code of err, or "" if it is not an API error.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := apiCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// TestSDKOperations runs every supported S3 operation with aws-sdk-go-v2 at
// its defaults, over plain HTTP and over TLS (where it sends aws-chunked
// bodies with CRC32 trailers), path style and virtual-hosted.
func TestSDKOperations(t *testing.T) {
	modes := []struct {
		name         string
		tls, virtual bool
	}{
		{"http-path", false, false},
		{"https-path", true, false},
		{"https-virtual", true, true},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var opts []gatewayOption
			if m.tls {
				opts = append(opts, withTLS())
			}
			g := startGateway(t, opts...)
			c := g.s3Client(t, adminAK, adminSK, m.virtual)
			exerciseOperations(t, c, true)
			// The SDK's defaults differ by scheme (protocols.md §7): over
			// https it streams aws-chunked bodies with a CRC32 trailer, over
			// http it signs the payload's SHA-256. Prove which path ran.
			want := `"op":"UploadPart"`
			mode := `"payload":"signed"`
			if m.tls {
				mode = `"payload":"STREAMING-UNSIGNED-PAYLOAD-TRAILER"`
			}
			if !logHas(g.Log(), want, mode) {
				t.Fatalf("no UploadPart logged with %s", mode)
			}
		})
	}
}

// exerciseOperations runs every supported operation. keepsChecksums says
// the backend keeps the checksums the gateway computed (fs does; a store
// keeps only those it computed itself, and then HEAD may omit one, never
// give a wrong one).
func exerciseOperations(t *testing.T, c *s3.Client, keepsChecksums bool) {
	ctx := context.Background()
	bucket := "ops-bucket"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	mustCode(t, err, "BucketAlreadyOwnedByYou")
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || *lb.Buckets[0].Name != bucket {
		t.Fatalf("ListBuckets: %+v, %v", lb, err)
	}

	// PutObject / GetObject / HeadObject with metadata and content headers.
	body := randomBytes(300_000, 1)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj.bin"),
		Body: bytes.NewReader(body), ContentType: aws.String("application/x-test"),
		CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String(`attachment; filename="o.bin"`),
		Metadata: map[string]string{"color": "blue", "Mixed-Case": "Value"}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if got := strings.Trim(aws.ToString(put.ETag), `"`); got != md5hex(body) {
		t.Fatalf("PutObject ETag %s, want %s", got, md5hex(body))
	}
	if put.ChecksumCRC32 == nil && c.Options().RequestChecksumCalculation == aws.RequestChecksumCalculationWhenSupported {
		t.Errorf("PutObject returned no CRC32 though the SDK sent one")
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj.bin")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, body) {
		t.Fatalf("GetObject returned %d bytes, different from the %d put", len(got), len(body))
	}
	if aws.ToString(get.ContentType) != "application/x-test" || get.Metadata["color"] != "blue" ||
		get.Metadata["mixed-case"] != "Value" || aws.ToString(get.CacheControl) != "max-age=60" ||
		aws.ToString(get.ContentDisposition) != `attachment; filename="o.bin"` {
		t.Fatalf("GetObject headers: type %q meta %v cache %q disp %q", aws.ToString(get.ContentType), get.Metadata,
			aws.ToString(get.CacheControl), aws.ToString(get.ContentDisposition))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj.bin"),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Fatalf("HeadObject: %+v, %v", head, err)
	}
	if put.ChecksumCRC32 != nil && aws.ToString(head.ChecksumCRC32) != aws.ToString(put.ChecksumCRC32) &&
		(keepsChecksums || head.ChecksumCRC32 != nil) {
		t.Fatalf("HeadObject CRC32 %q, PutObject said %q", aws.ToString(head.ChecksumCRC32), aws.ToString(put.ChecksumCRC32))
	}

	// Range and conditional reads.
	rg, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj.bin"), Range: aws.String("bytes=100-199")})
	if err != nil {
		t.Fatalf("ranged GetObject: %v", err)
	}
	part, _ := io.ReadAll(rg.Body)
	rg.Body.Close()
	if !bytes.Equal(part, body[100:200]) || aws.ToString(rg.ContentRange) != fmt.Sprintf("bytes 100-199/%d", len(body)) {
		t.Fatalf("ranged GetObject: %d bytes, Content-Range %q", len(part), aws.ToString(rg.ContentRange))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj.bin"), IfMatch: aws.String(`"00000000000000000000000000000000"`)})
	mustCode(t, err, "PreconditionFailed")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj.bin"), IfNoneMatch: put.ETag})
	if err == nil || !strings.Contains(err.Error(), "304") {
		t.Fatalf("If-None-Match on the current ETag: %v, want 304", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj.bin"),
		IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
	if err == nil || !strings.Contains(err.Error(), "304") {
		t.Fatalf("If-Modified-Since in the future: %v, want 304", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
	mustCode(t, err, "NoSuchKey")

	// CopyObject, with COPY and REPLACE metadata directives.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy1"),
		CopySource: aws.String(bucket + "/dir/obj.bin")}); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	h1, _ := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy1")})
	if h1 == nil || h1.Metadata["color"] != "blue" || aws.ToString(h1.ETag) != aws.ToString(put.ETag) {
		t.Fatalf("copy with COPY directive: %+v", h1)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy2"),
		CopySource: aws.String(bucket + "/dir/obj.bin"), MetadataDirective: types.MetadataDirectiveReplace,
		Metadata: map[string]string{"shape": "round"}, ContentType: aws.String("text/plain")}); err != nil {
		t.Fatalf("CopyObject REPLACE: %v", err)
	}
	h2, _ := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy2")})
	if h2 == nil || h2.Metadata["shape"] != "round" || h2.Metadata["color"] != "" || aws.ToString(h2.ContentType) != "text/plain" {
		t.Fatalf("copy with REPLACE directive: %+v", h2)
	}

	exerciseListing(t, c, bucket)
	exerciseMultipart(t, c, bucket)

	// DeleteObject, DeleteObjects, DeleteBucket.
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	mustCode(t, err, "BucketNotEmpty")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy1")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	var all []types.ObjectIdentifier
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			all = append(all, types.ObjectIdentifier{Key: o.Key})
		}
	}
	for len(all) > 0 {
		n := min(len(all), 1000)
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: all[:n]}})
		if err != nil || len(out.Errors) > 0 || len(out.Deleted) != n {
			t.Fatalf("DeleteObjects: %+v, %v", out, err)
		}
		all = all[n:]
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("HeadBucket after delete: %v", err)
	}
}

func exerciseListing(t *testing.T, c *s3.Client, bucket string) {
	ctx := context.Background()
	keys := []string{"list/a", "list/b/1", "list/b/2", "list/c d", "list/e+f", "list/日本語", "list/z/y/x"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("PutObject %q: %v", k, err)
		}
	}
	// v2 with delimiter, paged one entry at a time.
	var gotKeys, gotPrefixes []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("list/"),
		Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, o := range page.Contents {
			gotKeys = append(gotKeys, *o.Key)
		}
		for _, cp := range page.CommonPrefixes {
			gotPrefixes = append(gotPrefixes, *cp.Prefix)
		}
	}
	wantKeys := []string{"list/a", "list/c d", "list/e+f", "list/日本語"}
	wantPrefixes := []string{"list/b/", "list/z/"}
	if fmt.Sprint(gotKeys) != fmt.Sprint(wantKeys) || fmt.Sprint(gotPrefixes) != fmt.Sprint(wantPrefixes) {
		t.Fatalf("ListObjectsV2 delimiter: keys %q prefixes %q", gotKeys, gotPrefixes)
	}
	// v1 with markers, no delimiter.
	var v1 []string
	marker := ""
	for {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), Prefix: aws.String("list/"), Marker: aws.String(marker), MaxKeys: aws.Int32(3)})
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		for _, o := range out.Contents {
			v1 = append(v1, *o.Key)
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
		if marker == "" {
			marker = *out.Contents[len(out.Contents)-1].Key
		}
	}
	want := append([]string(nil), keys...)
	sort.Strings(want)
	if fmt.Sprint(v1) != fmt.Sprint(want) {
		t.Fatalf("ListObjects v1: %q, want %q", v1, want)
	}
	// encoding-type=url round-trips the odd keys.
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("list/"), EncodingType: types.EncodingTypeUrl})
	if err != nil || len(out.Contents) != len(keys) {
		t.Fatalf("ListObjectsV2 encoding-type=url: %v", err)
	}
}

func exerciseMultipart(t *testing.T, c *s3.Client, bucket string) {
	ctx := context.Background()
	key := "mp/object.bin"
	const partSize = 5 << 20
	data := randomBytes(2*partSize+12345, 7)
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ContentType: aws.String("application/x-mp"), Metadata: map[string]string{"kind": "multipart"}})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	id := create.UploadId
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil || len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != aws.ToString(id) {
		t.Fatalf("ListMultipartUploads: %+v, %v", ups, err)
	}
	var parts []types.CompletedPart
	chunks := [][]byte{data[:partSize], data[partSize : 2*partSize], data[2*partSize:]}
	// Upload part 2 twice: the second overwrites the first.
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id,
		PartNumber: aws.Int32(2), Body: bytes.NewReader(randomBytes(partSize, 99))}); err != nil {
		t.Fatalf("UploadPart: %v", err)
	}
	for i, ch := range chunks[:2] {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(ch)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if strings.Trim(aws.ToString(out.ETag), `"`) != md5hex(ch) {
			t.Fatalf("part %d ETag %s, want %s", i+1, aws.ToString(out.ETag), md5hex(ch))
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	// Part 3 by UploadPartCopy from a staging object, with a range.
	staging := append(randomBytes(1000, 3), chunks[2]...)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("mp/staging"), Body: bytes.NewReader(staging)}); err != nil {
		t.Fatal(err)
	}
	cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id,
		PartNumber: aws.Int32(3), CopySource: aws.String(bucket + "/mp/staging"),
		CopySourceRange: aws.String(fmt.Sprintf("bytes=1000-%d", len(staging)-1))})
	if err != nil {
		t.Fatalf("UploadPartCopy: %v", err)
	}
	if strings.Trim(aws.ToString(cp.CopyPartResult.ETag), `"`) != md5hex(chunks[2]) {
		t.Fatalf("UploadPartCopy ETag %s", aws.ToString(cp.CopyPartResult.ETag))
	}
	parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(3), ETag: cp.CopyPartResult.ETag})
	// ListParts, paged by two.
	var listed []int32
	lp := s3.NewListPartsPaginator(c, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id, MaxParts: aws.Int32(2)})
	for lp.HasMorePages() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListParts: %v", err)
		}
		for _, p := range page.Parts {
			listed = append(listed, aws.ToInt32(p.PartNumber))
		}
	}
	if fmt.Sprint(listed) != "[1 2 3]" {
		t.Fatalf("ListParts: %v", listed)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	var cat []byte
	for _, ch := range chunks {
		s := md5.Sum(ch)
		cat = append(cat, s[:]...)
	}
	wantETag := fmt.Sprintf("%s-3", md5hex(cat))
	if strings.Trim(aws.ToString(done.ETag), `"`) != wantETag {
		t.Fatalf("multipart ETag %s, want %s", aws.ToString(done.ETag), wantETag)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, data) || obj.Metadata["kind"] != "multipart" || aws.ToString(obj.ContentType) != "application/x-mp" {
		t.Fatalf("completed object: %d bytes (want %d), meta %v, type %q", len(got), len(data), obj.Metadata, aws.ToString(obj.ContentType))
	}
	// GET by part number reports the part count.
	p2, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	got2, _ := io.ReadAll(p2.Body)
	p2.Body.Close()
	if !bytes.Equal(got2, chunks[1]) || aws.ToInt32(p2.PartsCount) != 3 {
		t.Fatalf("GetObject partNumber=2: %d bytes, PartsCount %d", len(got2), aws.ToInt32(p2.PartsCount))
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id})
	mustCode(t, err, "NoSuchUpload")

	// Abort frees the upload.
	ab, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp/aborted")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp/aborted"), UploadId: ab.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("tiny"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp/aborted"), UploadId: ab.UploadId}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("mp/aborted"), UploadId: ab.UploadId})
	mustCode(t, err, "NoSuchUpload")
	ups, _ = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if len(ups.Uploads) != 0 {
		t.Fatalf("uploads left after complete and abort: %d", len(ups.Uploads))
	}
}
