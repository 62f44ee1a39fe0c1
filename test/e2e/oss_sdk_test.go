package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ossv2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

const ossPart = 100 << 10 // OSS's minimum non-last part

// ossLegacyClient returns an aliyun-oss-go-sdk client at its defaults (V1,
// CRC checks on) against the gateway's IP endpoint (path style).
func ossLegacyClient(t *testing.T, g *gateway, opts ...oss.ClientOption) *oss.Client {
	t.Helper()
	c, err := oss.New(g.URL, adminAK, adminSK, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ossBucket(t *testing.T, c *oss.Client, name string) *oss.Bucket {
	t.Helper()
	if err := c.CreateBucket(name); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	b, err := c.Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func crc64Of(b []byte) uint64 { return crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)) }

// TestOSSLegacySDKBasics: PutObject/GetObject with metadata, HEAD, GetObjectMeta,
// ListObjects paging, signed URLs for GET and PUT, bucket info, delete.
func TestOSSLegacySDKBasics(t *testing.T) {
	g := startGateway(t)
	c := ossLegacyClient(t, g)
	b := ossBucket(t, c, "oss-basic")
	data := randomBytes(300<<10, 1)
	if err := b.PutObject("dir/obj one.bin", bytes.NewReader(data), oss.Meta("color", "blue"), oss.ContentType("text/plain")); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	r, err := b.GetObject("dir/obj one.bin")
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, err := io.ReadAll(r) // the SDK checks the CRC at EOF
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetObject: %d bytes, err %v", len(got), err)
	}
	h, err := b.GetObjectDetailedMeta("dir/obj one.bin")
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if h.Get("X-Oss-Meta-Color") != "blue" || h.Get("Content-Type") != "text/plain" ||
		h.Get("X-Oss-Hash-Crc64ecma") != fmt.Sprint(crc64Of(data)) || h.Get("ETag") != `"`+strings.ToUpper(md5hex(data))+`"` {
		t.Fatalf("HeadObject headers: %v", h)
	}
	if _, err := b.GetObjectMeta("dir/obj one.bin"); err != nil {
		t.Fatalf("GetObjectMeta: %v", err)
	}
	rr, err := b.GetObject("dir/obj one.bin", oss.Range(10, 19))
	if err != nil {
		t.Fatalf("ranged GetObject: %v", err)
	}
	part, _ := io.ReadAll(rr)
	rr.Close()
	if !bytes.Equal(part, data[10:20]) {
		t.Fatalf("range: got %q", part)
	}
	if _, err := c.GetBucketInfo("oss-basic"); err != nil {
		t.Fatalf("GetBucketInfo: %v", err)
	}
	// ListObjects paging, 2 keys a page.
	for i := 0; i < 5; i++ {
		if err := b.PutObject(fmt.Sprintf("page/%d", i), strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	marker := ""
	for pages := 0; ; pages++ {
		lr, err := b.ListObjects(oss.Prefix("page/"), oss.MaxKeys(2), oss.Marker(marker))
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		for _, o := range lr.Objects {
			keys = append(keys, o.Key)
		}
		if !lr.IsTruncated {
			break
		}
		marker = lr.NextMarker
		if pages > 5 {
			t.Fatal("ListObjects does not end")
		}
	}
	if strings.Join(keys, ",") != "page/0,page/1,page/2,page/3,page/4" {
		t.Fatalf("ListObjects keys %v", keys)
	}
	// Signed URLs.
	putURL, err := b.SignURL("signed.txt", oss.HTTPPut, 300)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutObjectWithURL(putURL, strings.NewReader("signed body")); err != nil {
		t.Fatalf("PUT signed URL: %v", err)
	}
	getURL, err := b.SignURL("signed.txt", oss.HTTPGet, 300)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := b.GetObjectWithURL(getURL)
	if err != nil {
		t.Fatalf("GET signed URL: %v", err)
	}
	sb, _ := io.ReadAll(sr)
	sr.Close()
	if string(sb) != "signed body" {
		t.Fatalf("GET signed URL: %q", sb)
	}
	if err := b.DeleteObject("signed.txt"); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if _, err := b.DeleteObjects([]string{"page/0", "page/1"}); err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if _, err := b.CopyObject("dir/obj one.bin", "copy/of one"); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	h, err = b.GetObjectDetailedMeta("copy/of one")
	if err != nil || h.Get("X-Oss-Meta-Color") != "blue" {
		t.Fatalf("copied object: %v %v", h, err)
	}
}

// ossMultipartOneByOne runs every multipart call by hand with 100 KB parts.
func ossMultipartOneByOne(t *testing.T, b *oss.Bucket, key string) {
	t.Helper()
	data := randomBytes(3*ossPart+123, 2)
	imur, err := b.InitiateMultipartUpload(key, oss.Meta("stage", "mp"), oss.ServerSideEncryption("AES256"))
	if err != nil {
		t.Fatalf("Initiate: %v", err)
	}
	var parts []oss.UploadPart
	for n := 1; n <= 4; n++ {
		end := min(n*ossPart, len(data))
		p, err := b.UploadPart(imur, bytes.NewReader(data[(n-1)*ossPart:end]), int64(end-(n-1)*ossPart), n)
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, p)
	}
	// Re-uploading a part overwrites it.
	p, err := b.UploadPart(imur, bytes.NewReader(data[:ossPart]), ossPart, 1)
	if err != nil {
		t.Fatalf("UploadPart again: %v", err)
	}
	parts[0] = p
	lp, err := b.ListUploadedParts(imur)
	if err != nil || len(lp.UploadedParts) != 4 {
		t.Fatalf("ListParts: %+v %v", lp, err)
	}
	lu, err := b.ListMultipartUploads()
	if err != nil || len(lu.Uploads) != 1 {
		t.Fatalf("ListMultipartUploads: %+v %v", lu, err)
	}
	if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	h, err := b.GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("X-Oss-Hash-Crc64ecma") != fmt.Sprint(crc64Of(data)) || h.Get("X-Oss-Meta-Stage") != "mp" {
		t.Fatalf("completed object headers: %v", h)
	}
	r, err := b.GetObject(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("completed object: %d bytes, %v", len(got), err)
	}
	// Abort of a second upload.
	imur2, err := b.InitiateMultipartUpload(key + ".aborted")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AbortMultipartUpload(imur2); err != nil {
		t.Fatalf("Abort: %v", err)
	}
}

// failAfter fails every UploadPart request after the first n.
type failAfter struct {
	n    int64
	seen atomic.Int64
}

func (f *failAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.URL.Query().Has("uploadId") && f.seen.Add(1) > f.n {
		return nil, errors.New("injected transport failure")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func countLines(log, frag string) int { return strings.Count(log, frag) }

// TestOSSLegacySDKMultipart: the multipart calls one by one, UploadFile
// with a checkpoint interrupted and resumed (no finished part uploaded
// again), DownloadFile; with V1 and with V4.
func TestOSSLegacySDKMultipart(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []oss.ClientOption
	}{
		{"V1", nil},
		{"V4", []oss.ClientOption{oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := startGateway(t)
			c := ossLegacyClient(t, g, tc.opts...)
			b := ossBucket(t, c, "oss-mp")
			ossMultipartOneByOne(t, b, "by/hand.bin")

			dir := t.TempDir()
			src := filepath.Join(dir, "src.bin")
			data := randomBytes(10*ossPart+777, 3)
			if err := os.WriteFile(src, data, 0o600); err != nil {
				t.Fatal(err)
			}
			cp := filepath.Join(dir, "upload.cp")
			failing := ossLegacyClient(t, g, append(tc.opts, oss.HTTPClient(&http.Client{Transport: &failAfter{n: 4}}))...)
			fb, _ := failing.Bucket("oss-mp")
			before := countLines(g.Log(), `"op":"UploadPart"`)
			if err := fb.UploadFile("big/file.bin", src, ossPart, oss.Routines(3), oss.Checkpoint(true, cp)); err == nil {
				t.Fatal("interrupted UploadFile succeeded")
			}
			var state struct{ Parts []struct{ IsCompleted bool } }
			raw, err := os.ReadFile(cp)
			if err != nil {
				t.Fatalf("checkpoint file: %v", err)
			}
			if err := json.Unmarshal(raw, &state); err != nil {
				t.Fatal(err)
			}
			done := 0
			for _, p := range state.Parts {
				if p.IsCompleted {
					done++
				}
			}
			if done == 0 || done == len(state.Parts) {
				t.Fatalf("checkpoint has %d of %d parts done", done, len(state.Parts))
			}
			// Exactly 4 UploadParts got past the failing transport; wait until
			// the gateway has logged them all (some finish after the SDK gave up).
			mid := 0
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
				if mid = countLines(g.Log(), `"op":"UploadPart"`); mid-before >= 4 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the gateway logged %d UploadParts of the failed run in a minute, want 4", mid-before)
				}
			}
			if err := b.UploadFile("big/file.bin", src, ossPart, oss.Routines(3), oss.Checkpoint(true, cp)); err != nil {
				t.Fatalf("resumed UploadFile: %v", err)
			}
			resumed := countLines(g.Log(), `"op":"UploadPart"`) - mid
			if resumed != len(state.Parts)-done {
				t.Fatalf("resume uploaded %d parts; %d were left (%d done before, first run sent %d)", resumed, len(state.Parts)-done, done, mid-before)
			}
			out := filepath.Join(dir, "out.bin")
			if err := b.DownloadFile("big/file.bin", out, ossPart, oss.Routines(3)); err != nil {
				t.Fatalf("DownloadFile: %v", err)
			}
			got, _ := os.ReadFile(out)
			if !bytes.Equal(got, data) {
				t.Fatalf("DownloadFile: %d bytes differ from %d", len(got), len(data))
			}
		})
	}
}

// ossV2Client returns an alibabacloud-oss-go-sdk-v2 client at its defaults
// (V4, CRC-64 checks) against the gateway.
func ossV2Client(g *gateway) *ossv2.Client {
	cfg := ossv2.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(adminAK, adminSK)).
		WithRegion("cn-hangzhou").WithEndpoint(g.URL).WithUsePathStyle(true)
	return ossv2.NewClient(cfg)
}

// TestOSSV2SDK: the Uploader with 100 KB parts (its combined CRC-64 check
// at Complete), the Downloader, the ListObjectsV2 paginator, presigned GET.
func TestOSSV2SDK(t *testing.T) {
	g := startGateway(t)
	c := ossV2Client(g)
	ctx := context.Background()
	bucket := "oss-v2"
	if _, err := c.PutBucket(ctx, &ossv2.PutBucketRequest{Bucket: ossv2.Ptr(bucket)}); err != nil {
		t.Fatalf("PutBucket: %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	data := randomBytes(7*ossPart+5, 4)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	up := c.NewUploader(func(o *ossv2.UploaderOptions) { o.PartSize = ossPart; o.ParallelNum = 3 })
	if _, err := up.UploadFile(ctx, &ossv2.PutObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("up/loaded.bin"),
		Metadata: map[string]string{"origin": "v2"}}, src); err != nil {
		t.Fatalf("Uploader: %v", err)
	}
	down := c.NewDownloader(func(o *ossv2.DownloaderOptions) { o.PartSize = ossPart; o.ParallelNum = 3 })
	out := filepath.Join(dir, "out.bin")
	if _, err := down.DownloadFile(ctx, &ossv2.GetObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("up/loaded.bin")}, out); err != nil {
		t.Fatalf("Downloader: %v", err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Fatalf("Downloader: %d bytes differ", len(got))
	}
	for i := 0; i < 5; i++ {
		if _, err := c.PutObject(ctx, &ossv2.PutObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr(fmt.Sprintf("list/%d", i)),
			Body: strings.NewReader("v")}); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
	}
	p := c.NewListObjectsV2Paginator(&ossv2.ListObjectsV2Request{Bucket: ossv2.Ptr(bucket), Prefix: ossv2.Ptr("list/"), MaxKeys: 2})
	var keys []string
	for p.HasNext() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectsV2 page: %v", err)
		}
		for _, o := range page.Contents {
			keys = append(keys, ossv2.ToString(o.Key))
		}
	}
	if len(keys) != 5 {
		t.Fatalf("paginator keys %v", keys)
	}
	pre, err := c.Presign(ctx, &ossv2.GetObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("up/loaded.bin")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("presigned GET: %d, %d bytes: %.300s", resp.StatusCode, len(body), body)
	}
	head, err := c.HeadObject(ctx, &ossv2.HeadObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("up/loaded.bin")})
	if err != nil || head.Metadata["origin"] != "v2" || ossv2.ToString(head.HashCRC64) != fmt.Sprint(crc64Of(data)) {
		t.Fatalf("HeadObject: %+v %v", head, err)
	}
	_, err = c.HeadObject(ctx, &ossv2.HeadObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("missing")})
	var se *ossv2.ServiceError
	if !errors.As(err, &se) || se.Code != "NoSuchKey" || se.StatusCode != 404 {
		t.Fatalf("HEAD missing: %v", err)
	}
}
