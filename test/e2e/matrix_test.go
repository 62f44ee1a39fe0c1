package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"

	"github.com/babelgate/babelgate/test/azurite"
	"github.com/babelgate/babelgate/test/minio"
)

// Multipart test matrix (issue 6, item 7): every client dialect × every
// backend × every multipart scenario. Each cell checks the part ETags, the
// ETag the client's dialect promises for the completed object (MD5 of the
// client's part MD5s, "-N"; OSS writes it in upper case, so ETags are
// compared case-insensitively) and the bytes, through Complete and a later
// HEAD and GET.

const s3MinPart = 5 << 20 // S3's minimum non-last part

// mxPart is one part as the client will list it in Complete.
type mxPart struct {
	n     int
	etag  string // as the server returned it (quotes kept)
	crc32 string // S3: the part's CRC32 when the SDK sent one
}

// mxClient is one SDK speaking one dialect to a gateway.
type mxClient interface {
	createBucket(t *testing.T, bucket string)
	put(t *testing.T, bucket, key string, data []byte)
	initiate(t *testing.T, bucket, key string) string
	uploadPart(t *testing.T, bucket, key, id string, n int, data []byte) mxPart
	// copyPart copies bytes [first, last] of srcKey into part n.
	copyPart(t *testing.T, bucket, key, id string, n int, srcKey string, first, last int64) mxPart
	complete(bucket, key, id string, parts []mxPart) (string, error)
	abort(t *testing.T, bucket, key, id string)
	head(bucket, key string) (etag string, size int64, err error)
	get(bucket, key string) ([]byte, error)
	// list finds key in a listing of its prefix.
	list(bucket, key string) (etag string, size int64, err error)
	// uploads counts the bucket's multipart uploads in progress.
	uploads(bucket string) (int, error)
	isNoSuchUpload(err error) bool
	// minPart is the smallest non-last part the dialect accepts from
	// this client: 5 MiB for S3 (and the OBS SDK at its AWS defaults),
	// 100 KB for OSS and native OBS.
	minPart() int
}

// --- aws-sdk-go-v2 (S3 dialect).

type mxS3 struct{ c *s3.Client }

func (m mxS3) minPart() int { return s3MinPart }

func (m mxS3) createBucket(t *testing.T, bucket string) {
	t.Helper()
	if _, err := m.c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

func (m mxS3) put(t *testing.T, bucket, key string, data []byte) {
	t.Helper()
	if _, err := m.c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(data)}); err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

func (m mxS3) initiate(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := m.c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	return aws.ToString(out.UploadId)
}

func (m mxS3) uploadPart(t *testing.T, bucket, key, id string, n int, data []byte) mxPart {
	t.Helper()
	out, err := m.c.UploadPart(context.Background(), &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(id), PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	return mxPart{n: n, etag: aws.ToString(out.ETag), crc32: aws.ToString(out.ChecksumCRC32)}
}

func (m mxS3) copyPart(t *testing.T, bucket, key, id string, n int, srcKey string, first, last int64) mxPart {
	t.Helper()
	out, err := m.c.UploadPartCopy(context.Background(), &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(id), PartNumber: aws.Int32(int32(n)), CopySource: aws.String(bucket + "/" + srcKey),
		CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", first, last))})
	if err != nil {
		t.Fatalf("UploadPartCopy %d: %v", n, err)
	}
	return mxPart{n: n, etag: aws.ToString(out.CopyPartResult.ETag)}
}

func (m mxS3) complete(bucket, key, id string, parts []mxPart) (string, error) {
	var cp []types.CompletedPart
	for _, p := range parts {
		c := types.CompletedPart{PartNumber: aws.Int32(int32(p.n)), ETag: aws.String(p.etag)}
		if p.crc32 != "" {
			c.ChecksumCRC32 = aws.String(p.crc32)
		}
		cp = append(cp, c)
	}
	out, err := m.c.CompleteMultipartUpload(context.Background(), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket),
		Key: aws.String(key), UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: cp}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

func (m mxS3) abort(t *testing.T, bucket, key, id string) {
	t.Helper()
	if _, err := m.c.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket),
		Key: aws.String(key), UploadId: aws.String(id)}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
}

func (m mxS3) head(bucket, key string) (string, int64, error) {
	out, err := m.c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", 0, err
	}
	return aws.ToString(out.ETag), aws.ToInt64(out.ContentLength), nil
}

func (m mxS3) get(bucket, key string) ([]byte, error) {
	out, err := m.c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (m mxS3) list(bucket, key string) (string, int64, error) {
	out, err := m.c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		return "", 0, err
	}
	for _, o := range out.Contents {
		if aws.ToString(o.Key) == key {
			return aws.ToString(o.ETag), aws.ToInt64(o.Size), nil
		}
	}
	return "", 0, fmt.Errorf("%s not listed", key)
}

func (m mxS3) uploads(bucket string) (int, error) {
	out, err := m.c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return 0, err
	}
	return len(out.Uploads), nil
}

func (m mxS3) isNoSuchUpload(err error) bool { return apiCode(err) == "NoSuchUpload" }

// --- aliyun-oss-go-sdk (OSS dialect), at its defaults (CRC-64 checks on).

type mxOSS struct{ c *alioss.Client }

func (m mxOSS) minPart() int { return ossPart }

func (m mxOSS) bucket(bucket string) *alioss.Bucket {
	b, _ := m.c.Bucket(bucket)
	return b
}

func (m mxOSS) createBucket(t *testing.T, bucket string) {
	t.Helper()
	if err := m.c.CreateBucket(bucket); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

func (m mxOSS) put(t *testing.T, bucket, key string, data []byte) {
	t.Helper()
	if err := m.bucket(bucket).PutObject(key, bytes.NewReader(data)); err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

func mxIMUR(bucket, key, id string) alioss.InitiateMultipartUploadResult {
	return alioss.InitiateMultipartUploadResult{Bucket: bucket, Key: key, UploadID: id}
}

func (m mxOSS) initiate(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := m.bucket(bucket).InitiateMultipartUpload(key)
	if err != nil {
		t.Fatalf("InitiateMultipartUpload: %v", err)
	}
	return out.UploadID
}

func (m mxOSS) uploadPart(t *testing.T, bucket, key, id string, n int, data []byte) mxPart {
	t.Helper()
	p, err := m.bucket(bucket).UploadPart(mxIMUR(bucket, key, id), bytes.NewReader(data), int64(len(data)), n)
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	return mxPart{n: n, etag: p.ETag}
}

func (m mxOSS) copyPart(t *testing.T, bucket, key, id string, n int, srcKey string, first, last int64) mxPart {
	t.Helper()
	p, err := m.bucket(bucket).UploadPartCopy(mxIMUR(bucket, key, id), bucket, srcKey, first, last-first+1, n)
	if err != nil {
		t.Fatalf("UploadPartCopy %d: %v", n, err)
	}
	return mxPart{n: n, etag: p.ETag}
}

func (m mxOSS) complete(bucket, key, id string, parts []mxPart) (string, error) {
	var up []alioss.UploadPart
	for _, p := range parts {
		up = append(up, alioss.UploadPart{PartNumber: p.n, ETag: p.etag})
	}
	out, err := m.bucket(bucket).CompleteMultipartUpload(mxIMUR(bucket, key, id), up)
	if err != nil {
		return "", err
	}
	return out.ETag, nil
}

func (m mxOSS) abort(t *testing.T, bucket, key, id string) {
	t.Helper()
	if err := m.bucket(bucket).AbortMultipartUpload(mxIMUR(bucket, key, id)); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
}

func (m mxOSS) head(bucket, key string) (string, int64, error) {
	h, err := m.bucket(bucket).GetObjectDetailedMeta(key)
	if err != nil {
		return "", 0, err
	}
	var size int64
	fmt.Sscan(h.Get("Content-Length"), &size)
	return h.Get("ETag"), size, nil
}

func (m mxOSS) get(bucket, key string) ([]byte, error) {
	r, err := m.bucket(bucket).GetObject(key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r) // the SDK checks the CRC-64 at EOF
}

func (m mxOSS) list(bucket, key string) (string, int64, error) {
	out, err := m.bucket(bucket).ListObjects(alioss.Prefix(key))
	if err != nil {
		return "", 0, err
	}
	for _, o := range out.Objects {
		if o.Key == key {
			return o.ETag, o.Size, nil
		}
	}
	return "", 0, fmt.Errorf("%s not listed", key)
}

func (m mxOSS) uploads(bucket string) (int, error) {
	out, err := m.bucket(bucket).ListMultipartUploads()
	if err != nil {
		return 0, err
	}
	return len(out.Uploads), nil
}

func (m mxOSS) isNoSuchUpload(err error) bool {
	var se alioss.ServiceError
	return errors.As(err, &se) && se.Code == "NoSuchUpload"
}

// --- huaweicloud-sdk-go-obs, either native (SignatureObs and the OBS host
// name: the OBS dialect) or at its defaults (AWS SigV2, path style: the S3
// dialect).

type mxOBS struct {
	c      *obs.ObsClient
	native bool
}

func (m mxOBS) minPart() int {
	if m.native {
		return ossPart // OBS's minimum non-last part is 100 KB
	}
	return s3MinPart
}

func (m mxOBS) createBucket(t *testing.T, bucket string) {
	t.Helper()
	in := &obs.CreateBucketInput{}
	in.Bucket = bucket
	if _, err := m.c.CreateBucket(in); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

func (m mxOBS) put(t *testing.T, bucket, key string, data []byte) {
	t.Helper()
	in := &obs.PutObjectInput{}
	in.Bucket, in.Key, in.Body = bucket, key, bytes.NewReader(data)
	if _, err := m.c.PutObject(in); err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

func (m mxOBS) initiate(t *testing.T, bucket, key string) string {
	t.Helper()
	in := &obs.InitiateMultipartUploadInput{}
	in.Bucket, in.Key = bucket, key
	out, err := m.c.InitiateMultipartUpload(in)
	if err != nil {
		t.Fatalf("InitiateMultipartUpload: %v", err)
	}
	return out.UploadId
}

func (m mxOBS) uploadPart(t *testing.T, bucket, key, id string, n int, data []byte) mxPart {
	t.Helper()
	out, err := m.c.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: key, UploadId: id, PartNumber: n, Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	return mxPart{n: n, etag: out.ETag}
}

func (m mxOBS) copyPart(t *testing.T, bucket, key, id string, n int, srcKey string, first, last int64) mxPart {
	t.Helper()
	out, err := m.c.CopyPart(&obs.CopyPartInput{Bucket: bucket, Key: key, UploadId: id, PartNumber: n,
		CopySourceBucket: bucket, CopySourceKey: srcKey, CopySourceRangeStart: first, CopySourceRangeEnd: last})
	if err != nil {
		t.Fatalf("CopyPart %d: %v", n, err)
	}
	return mxPart{n: n, etag: out.ETag}
}

func (m mxOBS) complete(bucket, key, id string, parts []mxPart) (string, error) {
	var ps []obs.Part
	for _, p := range parts {
		ps = append(ps, obs.Part{PartNumber: p.n, ETag: p.etag})
	}
	out, err := m.c.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id, Parts: ps})
	if err != nil {
		return "", err
	}
	return out.ETag, nil
}

func (m mxOBS) abort(t *testing.T, bucket, key, id string) {
	t.Helper()
	if _, err := m.c.AbortMultipartUpload(&obs.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
}

func (m mxOBS) head(bucket, key string) (string, int64, error) {
	out, err := m.c.GetObjectMetadata(&obs.GetObjectMetadataInput{Bucket: bucket, Key: key})
	if err != nil {
		return "", 0, err
	}
	return out.ETag, out.ContentLength, nil
}

func (m mxOBS) get(bucket, key string) ([]byte, error) {
	out, err := m.c.GetObject(&obs.GetObjectInput{GetObjectMetadataInput: obs.GetObjectMetadataInput{Bucket: bucket, Key: key}})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (m mxOBS) list(bucket, key string) (string, int64, error) {
	in := &obs.ListObjectsInput{Bucket: bucket}
	in.Prefix = key
	out, err := m.c.ListObjects(in)
	if err != nil {
		return "", 0, err
	}
	for _, o := range out.Contents {
		if o.Key == key {
			return o.ETag, o.Size, nil
		}
	}
	return "", 0, fmt.Errorf("%s not listed", key)
}

func (m mxOBS) uploads(bucket string) (int, error) {
	out, err := m.c.ListMultipartUploads(&obs.ListMultipartUploadsInput{Bucket: bucket})
	if err != nil {
		return 0, err
	}
	return len(out.Uploads), nil
}

func (m mxOBS) isNoSuchUpload(err error) bool { return obsCode(err) == "NoSuchUpload" }

// --- the matrix.

// mxETag is the multipart ETag of the given parts: MD5 of their MD5s, "-N".
func mxETag(parts [][]byte) string {
	var cat []byte
	for _, p := range parts {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	return fmt.Sprintf("%s-%d", md5hex(cat), len(parts))
}

func mxUnquote(s string) string { return strings.Trim(s, `"`) }

// mxCheckPart checks a part's ETag: the MD5 of its bytes.
func mxCheckPart(t *testing.T, p mxPart, data []byte) {
	t.Helper()
	if !strings.EqualFold(mxUnquote(p.etag), md5hex(data)) {
		t.Errorf("part %d ETag %s, want %s", p.n, p.etag, md5hex(data))
	}
}

// mxOnStore is a client together with a reader of the backend's store
// (nil for fs), to check the bytes really landed there.
type mxOnStore struct {
	mxClient
	store func(t *testing.T, bucket, key string) []byte
}

// mxCheckObject checks the completed object through HEAD, GET and a
// listing, and the bytes on the store itself.
func mxCheckObject(t *testing.T, c mxClient, bucket, key string, want []byte, wantETag string) {
	t.Helper()
	if etag, size, err := c.list(bucket, key); err != nil {
		t.Errorf("listing: %v", err)
	} else if !strings.EqualFold(mxUnquote(etag), wantETag) || size != int64(len(want)) {
		t.Errorf("listing: ETag %s size %d, want %s %d", etag, size, wantETag, len(want))
	}
	if s, ok := c.(mxOnStore); ok && s.store != nil {
		if got := s.store(t, bucket, key); !bytes.Equal(got, want) {
			t.Errorf("on the store: %d bytes differ from the %d uploaded", len(got), len(want))
		}
	}
	etag, size, err := c.head(bucket, key)
	if err != nil {
		t.Fatalf("HEAD: %v", err)
	}
	if !strings.EqualFold(mxUnquote(etag), wantETag) || size != int64(len(want)) {
		t.Errorf("HEAD: ETag %s size %d, want %s %d", etag, size, wantETag, len(want))
	}
	got, err := c.get(bucket, key)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("GET: %d bytes differ from the %d uploaded", len(got), len(want))
	}
}

// mxUpload uploads chunks as parts 1..N in the given order (nil: in
// order), completes, and checks part ETags, the Complete ETag, HEAD and GET.
func mxUpload(t *testing.T, c mxClient, bucket, key string, chunks [][]byte, order []int) {
	t.Helper()
	id := c.initiate(t, bucket, key)
	if order == nil {
		for i := range chunks {
			order = append(order, i+1)
		}
	}
	parts := make([]mxPart, len(chunks))
	for _, n := range order {
		parts[n-1] = c.uploadPart(t, bucket, key, id, n, chunks[n-1])
		mxCheckPart(t, parts[n-1], chunks[n-1])
	}
	mxComplete(t, c, bucket, key, id, parts, chunks)
}

func mxComplete(t *testing.T, c mxClient, bucket, key, id string, parts []mxPart, chunks [][]byte) {
	t.Helper()
	want := mxETag(chunks)
	etag, err := c.complete(bucket, key, id, parts)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if !strings.EqualFold(mxUnquote(etag), want) {
		t.Errorf("Complete ETag %s, want %s", etag, want)
	}
	mxCheckObject(t, c, bucket, key, bytes.Join(chunks, nil), want)
}

// mxSplit cuts data into parts of the given sizes.
func mxSplit(data []byte, sizes ...int) [][]byte {
	var out [][]byte
	for _, n := range sizes {
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

func mxSum(sizes ...int) int {
	n := 0
	for _, s := range sizes {
		n += s
	}
	return n
}

type mxScenario struct {
	name string
	run  func(t *testing.T, c mxClient, bucket string, seed uint64)
}

var mxScenarios = []mxScenario{
	{"large", func(t *testing.T, c mxClient, bucket string, seed uint64) {
		// Two 5 MiB parts and a short last one, for every dialect.
		sizes := []int{s3MinPart, s3MinPart, 1234}
		mxUpload(t, c, bucket, "large", mxSplit(randomBytes(mxSum(sizes...), seed), sizes...), nil)
	}},
	{"small", func(t *testing.T, c mxClient, bucket string, seed uint64) {
		// OSS and native OBS: five parts of 100 KB (the last short); the
		// store backends re-chunk them. S3's rule (every part but the last
		// at least 5 MiB) holds for the S3-dialect clients, so for them
		// only the last part is 100 KB.
		sizes := []int{ossPart, ossPart, ossPart, ossPart, 777}
		if c.minPart() > ossPart {
			sizes = []int{s3MinPart, ossPart}
		}
		mxUpload(t, c, bucket, "small", mxSplit(randomBytes(mxSum(sizes...), seed), sizes...), nil)
	}},
	{"outoforder", func(t *testing.T, c mxClient, bucket string, seed uint64) {
		p := c.minPart()
		sizes := []int{p, p, p, 999}
		mxUpload(t, c, bucket, "ooo", mxSplit(randomBytes(mxSum(sizes...), seed), sizes...), []int{4, 2, 3, 1})
	}},
	{"overwrite", func(t *testing.T, c mxClient, bucket string, seed uint64) {
		p := c.minPart()
		chunks := mxSplit(randomBytes(2*p+4321, seed), p, p, 4321)
		id := c.initiate(t, bucket, "over")
		// Part 2 first with other bytes of another size, then for real;
		// part 1 also twice with the same size and other bytes.
		c.uploadPart(t, bucket, "over", id, 2, randomBytes(p+5000, seed+1))
		c.uploadPart(t, bucket, "over", id, 1, randomBytes(p, seed+2))
		parts := make([]mxPart, 3)
		for i, ch := range chunks {
			parts[i] = c.uploadPart(t, bucket, "over", id, i+1, ch)
			mxCheckPart(t, parts[i], ch)
		}
		mxComplete(t, c, bucket, "over", id, parts, chunks)
	}},
	{"abort", func(t *testing.T, c mxClient, bucket string, seed uint64) {
		p := c.minPart()
		first := mxSplit(randomBytes(p+100, seed), p, 100)
		mxUpload(t, c, bucket, "abort", first, nil)
		// A second upload to the same key, aborted: the first object
		// stays, and the aborted upload can no longer complete.
		second := mxSplit(randomBytes(p+200, seed+1), p, 200)
		id := c.initiate(t, bucket, "abort")
		var parts []mxPart
		for i, ch := range second {
			parts = append(parts, c.uploadPart(t, bucket, "abort", id, i+1, ch))
		}
		c.abort(t, bucket, "abort", id)
		if n, err := c.uploads(bucket); err != nil || n != 0 {
			t.Errorf("ListMultipartUploads after Abort: %d uploads, %v; want none", n, err)
		}
		if _, err := c.complete(bucket, "abort", id, parts); !c.isNoSuchUpload(err) {
			t.Errorf("Complete after Abort: %v, want NoSuchUpload", err)
		}
		mxCheckObject(t, c, bucket, "abort", bytes.Join(first, nil), mxETag(first))
	}},
	{"copypart", func(t *testing.T, c mxClient, bucket string, seed uint64) {
		// Part 2 is a range of another object (not at its start or end).
		p := c.minPart()
		chunks := mxSplit(randomBytes(2*p+3333, seed), p, p, 3333)
		src := append(append(randomBytes(1000, seed+1), chunks[1]...), randomBytes(500, seed+2)...)
		c.put(t, bucket, "copy-src", src)
		id := c.initiate(t, bucket, "copy")
		parts := make([]mxPart, 3)
		parts[2] = c.uploadPart(t, bucket, "copy", id, 3, chunks[2])
		parts[1] = c.copyPart(t, bucket, "copy", id, 2, "copy-src", 1000, int64(1000+p-1))
		parts[0] = c.uploadPart(t, bucket, "copy", id, 1, chunks[0])
		for i, ch := range chunks {
			mxCheckPart(t, parts[i], ch)
		}
		mxComplete(t, c, bucket, "copy", id, parts, chunks)
	}},
}

// TestMatrix runs every multipart scenario for every client dialect on
// every backend: fs, s3 (MinIO), oss (a second gateway over fs serving as
// the OSS store, with OSS's 100 KB minimum part) and azure (Azurite, whose
// blocks have no minimum: nothing is staged).
func TestMatrix(t *testing.T) {
	start := time.Now()
	m := minio.Start(t)
	az := azurite.Start(t)
	store := startGateway(t) // the OSS store: a gateway over fs
	onMinIO := func(t *testing.T, bucket, key string) []byte {
		out, err := minioClient(t, m).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GET from MinIO: %v", err)
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return b
	}
	onStore := func(t *testing.T, bucket, key string) []byte {
		b, err := mxOSS{ossLegacyClient(t, store)}.get(bucket, key)
		if err != nil {
			t.Fatalf("GET from the OSS store: %v", err)
		}
		return b
	}
	backends := []struct {
		name  string
		store func(t *testing.T, bucket, key string) []byte
		opts  []gatewayOption
	}{
		{"fs", nil, nil},
		{"s3", onMinIO, []gatewayOption{withBackends(minioBackend(m, ""))}},
		{"oss", onStore, []gatewayOption{withBackends(ossStoreBackend(store))}},
		{"azure", func(t *testing.T, bucket, key string) []byte { return azuriteGet(t, az, bucket, key) },
			[]gatewayOption{withBackends(azuriteBackend(az, ""))}},
	}
	clients := []struct {
		name    string
		dialect string // the gateway dialect that serves this client
		make    func(t *testing.T, g *gateway) mxClient
	}{
		{"s3", "s3", func(t *testing.T, g *gateway) mxClient { return mxS3{g.s3Client(t, adminAK, adminSK, false)} }},
		{"oss", "oss", func(t *testing.T, g *gateway) mxClient {
			return mxOSS{ossLegacyClient(t, g, alioss.HTTPClient(g.HTTPClient(false)))}
		}},
		{"obs", "obs", func(t *testing.T, g *gateway) mxClient {
			return mxOBS{g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil), true}
		}},
		{"obsaws", "s3", func(t *testing.T, g *gateway) mxClient {
			return mxOBS{g.obsDefaultClient(t, adminAK, adminSK, nil), false}
		}},
	}
	seed := uint64(7000)
	for _, be := range backends {
		g := startGateway(t, append(be.opts, withOBSDomain())...)
		for _, cl := range clients {
			for _, sc := range mxScenarios {
				seed++
				cellSeed := seed
				t.Run(cl.name+"/"+be.name+"/"+sc.name, func(t *testing.T) {
					c := mxOnStore{cl.make(t, g), be.store}
					bucket := "mx-" + cl.name + "-" + be.name + "-" + sc.name
					c.createBucket(t, bucket)
					sc.run(t, c, bucket, cellSeed)
					// The cell reached the dialect and the store it names.
					if !logHas(g.Log(), `"dialect":"`+cl.dialect+`"`, `"op":"CompleteMultipartUpload"`, `"bucket":"`+bucket+`"`, `"status":200`) {
						t.Errorf("the gateway logged no successful CompleteMultipartUpload for %s in the %s dialect", bucket, cl.dialect)
					}
					// MinIO takes S3's 5 MiB minimum: the 100 KB parts of
					// the OSS and native OBS clients are staged and
					// re-chunked at Complete.
					if be.name == "s3" && c.minPart() < s3MinPart && sc.name != "large" &&
						!logHas(g.Log(), "staged upload assembled", `"bucket":"`+bucket+`"`) {
						t.Errorf("the s3 backend logged no staged assembly for %s", bucket)
					}
					if be.name == "oss" && !logHas(store.Log(), `"dialect":"oss"`, `"bucket":"`+bucket+`"`, `"status":200`) {
						t.Errorf("the OSS store gateway logged no request for %s", bucket)
					}
					if t.Failed() {
						t.Logf("gateway log (last lines):\n%s", mxTail(g.Log(), 15))
					}
				})
			}
		}
	}
	t.Logf("matrix ran in %v", time.Since(start))
}

// mxTail returns the last n lines of s.
func mxTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
