package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

const obsMiB = 1 << 20

// TestOBSSDKDefaults drives the OBS Go SDK at its defaults (AWS SigV2,
// path style, an IP endpoint) through bucket, object and multipart calls,
// presigned URLs, DownloadFile and a resumed UploadFile.
func TestOBSSDKDefaults(t *testing.T) {
	g := startGateway(t, withOBSDomain())
	c := g.obsDefaultClient(t, adminAK, adminSK, nil)
	const bucket = "obs-defaults"

	cb := &obs.CreateBucketInput{}
	cb.Bucket = bucket
	if _, err := c.CreateBucket(cb); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.HeadBucket(bucket); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	if _, err := c.HeadBucket("obs-missing"); obsStatus(err) != 404 {
		t.Fatalf("HeadBucket(missing) = %v, want 404", err)
	}
	lb, err := c.ListBuckets(nil)
	if err != nil || len(lb.Buckets) != 1 || lb.Buckets[0].Name != bucket {
		t.Fatalf("ListBuckets = %+v, %v", lb, err)
	}

	// Objects, with metadata and a key that needs encoding.
	key := "dir/a b+c.txt"
	data := randomBytes(300<<10, 1)
	put := &obs.PutObjectInput{}
	put.Bucket, put.Key, put.Body = bucket, key, bytes.NewReader(data)
	put.Metadata = map[string]string{"color": "blue"}
	put.ContentType = "text/plain"
	po, err := c.PutObject(put)
	if err != nil || strings.Trim(po.ETag, `"`) != md5hex(data) {
		t.Fatalf("PutObject = %+v, %v", po, err)
	}
	got := obsGet(t, c, bucket, key)
	if !bytes.Equal(got, data) {
		t.Fatalf("GetObject returned %d bytes, want %d", len(got), len(data))
	}
	meta, err := c.GetObjectMetadata(&obs.GetObjectMetadataInput{Bucket: bucket, Key: key})
	if err != nil || meta.ContentLength != int64(len(data)) || meta.Metadata["color"] != "blue" || meta.ContentType != "text/plain" {
		t.Fatalf("GetObjectMetadata = %+v, %v", meta, err)
	}
	cp := &obs.CopyObjectInput{}
	cp.Bucket, cp.Key, cp.CopySourceBucket, cp.CopySourceKey = bucket, "copy.txt", bucket, key
	if _, err := c.CopyObject(cp); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if !bytes.Equal(obsGet(t, c, bucket, "copy.txt"), data) {
		t.Fatal("copy differs")
	}
	lo := &obs.ListObjectsInput{Bucket: bucket}
	lo.Prefix = "dir/"
	list, err := c.ListObjects(lo)
	if err != nil || len(list.Contents) != 1 || list.Contents[0].Key != key {
		t.Fatalf("ListObjects = %+v, %v", list, err)
	}
	if _, err := c.DeleteObject(&obs.DeleteObjectInput{Bucket: bucket, Key: "copy.txt"}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if _, err := c.GetObjectMetadata(&obs.GetObjectMetadataInput{Bucket: bucket, Key: "copy.txt"}); obsStatus(err) != 404 {
		t.Fatalf("GetObjectMetadata(deleted) = %v, want 404", err)
	}

	t.Run("MultipartOneByOne", func(t *testing.T) { obsMultipart(t, c, bucket, "mp/object.bin", 5*obsMiB, 3) })
	t.Run("Presigned", func(t *testing.T) { obsPresigned(t, g, c, bucket) })
	t.Run("DownloadFile", func(t *testing.T) {
		big := randomBytes(12*obsMiB+7, 3)
		put := &obs.PutObjectInput{}
		put.Bucket, put.Key, put.Body = bucket, "download.bin", bytes.NewReader(big)
		if _, err := c.PutObject(put); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(t.TempDir(), "out.bin")
		in := &obs.DownloadFileInput{DownloadFile: dst, PartSize: 5 * obsMiB, TaskNum: 3, EnableCheckpoint: true}
		in.Bucket, in.Key = bucket, "download.bin"
		if _, err := c.DownloadFile(in); err != nil {
			t.Fatalf("DownloadFile: %v", err)
		}
		if b, _ := os.ReadFile(dst); !bytes.Equal(b, big) {
			t.Fatalf("DownloadFile wrote %d bytes that differ from the object", len(b))
		}
	})
	t.Run("UploadFileResumed", func(t *testing.T) { obsUploadFileResumed(t, g, bucket) })
	t.Run("ReadBackThroughS3", func(t *testing.T) {
		s3c := g.s3Client(t, adminAK, adminSK, false)
		out, err := s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(b, data) || out.Metadata["color"] != "blue" {
			t.Fatalf("S3 read %d bytes, metadata %v", len(b), out.Metadata)
		}
	})
}

// obsGet reads an object whole with the OBS SDK.
func obsGet(t testing.TB, c *obs.ObsClient, bucket, key string) []byte {
	t.Helper()
	in := &obs.GetObjectInput{}
	in.Bucket, in.Key = bucket, key
	out, err := c.GetObject(in)
	if err != nil {
		t.Fatalf("GetObject(%s): %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// obsMultipart runs the multipart calls one by one: initiate, n parts of
// partSize plus a short last one, list, complete; and checks the bytes
// and OBS's merged ETag, MD5 of the part MD5s plus -N.
func obsMultipart(t *testing.T, c *obs.ObsClient, bucket, key string, partSize, n int) []byte {
	t.Helper()
	init := &obs.InitiateMultipartUploadInput{}
	init.Bucket, init.Key = bucket, key
	init.Metadata = map[string]string{"origin": "obs"}
	up, err := c.InitiateMultipartUpload(init)
	if err != nil {
		t.Fatalf("InitiateMultipartUpload: %v", err)
	}
	var whole []byte
	var parts []obs.Part
	var md5s []byte
	for i := 1; i <= n+1; i++ {
		size := partSize
		if i == n+1 {
			size = 1234
		}
		body := randomBytes(size, uint64(100+i))
		whole = append(whole, body...)
		out, err := c.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: i, Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("UploadPart(%d): %v", i, err)
		}
		if strings.Trim(out.ETag, `"`) != md5hex(body) {
			t.Fatalf("UploadPart(%d) ETag %s", i, out.ETag)
		}
		parts = append(parts, obs.Part{PartNumber: i, ETag: out.ETag})
		sum := obsMustHex(t, md5hex(body))
		md5s = append(md5s, sum...)
	}
	lp, err := c.ListParts(&obs.ListPartsInput{Bucket: bucket, Key: key, UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != n+1 || lp.Parts[0].Size != int64(partSize) {
		t.Fatalf("ListParts = %+v, %v", lp, err)
	}
	lu, err := c.ListMultipartUploads(&obs.ListMultipartUploadsInput{Bucket: bucket})
	if err != nil || len(lu.Uploads) == 0 {
		t.Fatalf("ListMultipartUploads = %+v, %v", lu, err)
	}
	done, err := c.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId, Parts: parts})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if want := md5hex(md5s) + "-" + obsItoa(n+1); strings.Trim(done.ETag, `"`) != want {
		t.Fatalf("merged ETag %s, want %s", done.ETag, want)
	}
	if got := obsGet(t, c, bucket, key); !bytes.Equal(got, whole) {
		t.Fatalf("merged object differs (%d bytes, want %d)", len(got), len(whole))
	}
	if _, err := c.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: 1,
		Body: bytes.NewReader([]byte("x"))}); obsCode(err) != "NoSuchUpload" || obsStatus(err) != 404 {
		t.Fatalf("UploadPart after Complete = %v, want 404 NoSuchUpload", err)
	}
	return whole
}

// obsPresigned exercises CreateSignedUrl for PUT and GET.
func obsPresigned(t *testing.T, g *gateway, c *obs.ObsClient, bucket string) {
	data := randomBytes(64<<10, 9)
	put, err := c.CreateSignedUrl(&obs.CreateSignedUrlInput{Method: obs.HttpMethodPut, Bucket: bucket, Key: "signed/x y.bin", Expires: 300})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", put.SignedUrl, bytes.NewReader(data))
	for k, v := range put.ActualSignedRequestHeaders {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = v
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d %s", resp.StatusCode, body)
	}
	get, err := c.CreateSignedUrl(&obs.CreateSignedUrlInput{Method: obs.HttpMethodGet, Bucket: bucket, Key: "signed/x y.bin", Expires: 300})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(get.SignedUrl)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("presigned GET: %d, %d bytes", resp.StatusCode, len(body))
	}
	if !logHas(g.Log(), `"auth":"sigv2-query"`) {
		t.Fatalf("presigned requests were not served as SigV2 query auth")
	}
}

// obsPartCut fails every UploadPart request once n have been sent, as a
// network cut would, so that nothing after the nth reaches the gateway.
type obsPartCut struct {
	rt    http.RoundTripper
	n     int64
	parts atomic.Int64
}

func (f *obsPartCut) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == "PUT" && r.URL.Query().Has("partNumber") && f.parts.Add(1) > f.n {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errors.New("injected network failure")
	}
	return f.rt.RoundTrip(r)
}

// obsUploadFileResumed interrupts UploadFile (checkpoint on) after 2 of 4
// parts, restarts the gateway, resumes with the same checkpoint file and
// proves from the request log that the finished parts were not sent again.
func obsUploadFileResumed(t *testing.T, g *gateway, bucket string) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	data := randomBytes(15*obsMiB+321, 11)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	before := countLog(g.Log(), `"op":"UploadPart"`, `"status":200`)
	in := func() *obs.UploadFileInput {
		in := &obs.UploadFileInput{UploadFile: src, PartSize: 5 * obsMiB, TaskNum: 1, EnableCheckpoint: true,
			CheckpointFile: filepath.Join(dir, "src.bin.uploadfile_record")}
		in.Bucket, in.Key = bucket, "resumed.bin"
		return in
	}
	broken := g.obsDefaultClient(t, adminAK, adminSK, &obsPartCut{rt: g.HTTPClient(false).Transport, n: 2})
	if _, err := broken.UploadFile(in()); err == nil {
		t.Fatal("UploadFile through the failing transport succeeded")
	}
	if _, err := os.Stat(in().CheckpointFile); err != nil {
		t.Fatalf("no checkpoint file after the interrupted run: %v", err)
	}
	first := countLog(g.Log(), `"op":"UploadPart"`, `"status":200`) - before
	if first != 2 {
		t.Fatalf("the interrupted run stored %d parts, want 2", first)
	}
	g.Stop()
	g.Restart()
	c := g.obsDefaultClient(t, adminAK, adminSK, nil)
	if _, err := c.UploadFile(in()); err != nil {
		t.Fatalf("resumed UploadFile: %v", err)
	}
	total := countLog(g.Log(), `"op":"UploadPart"`, `"status":200`) - before
	if total != 4 {
		t.Fatalf("%d UploadPart requests in all, want 4 (finished parts must not be re-uploaded)", total)
	}
	if got := obsGet(t, c, bucket, "resumed.bin"); !bytes.Equal(got, data) {
		t.Fatalf("resumed object differs (%d bytes, want %d)", len(got), len(data))
	}
}
