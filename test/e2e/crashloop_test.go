package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// litter lists the fs crash litter under data: files and directories in
// the buckets' .tmp, and .trash-* in the root, with their modification
// times.
func litter(t *testing.T, data string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	add := func(dir string, keep func(string) bool) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if !keep(e.Name()) {
				continue
			}
			if info, err := e.Info(); err == nil {
				out[filepath.Join(dir, e.Name())] = info.ModTime()
			}
		}
	}
	add(data, func(n string) bool { return strings.HasPrefix(n, ".trash-") })
	buckets, _ := os.ReadDir(data)
	for _, b := range buckets {
		if b.IsDir() && !strings.HasPrefix(b.Name(), ".") {
			add(filepath.Join(data, b.Name(), ".tmp"), func(string) bool { return true })
		}
	}
	return out
}

// TestCrashLoopLeavesNoLitter SIGKILLs the gateway 20 times while a
// PutObject and an UploadPart are half sent, restarting it each time, then
// lets the running sweep (a tiny configured age and interval) work: no
// litter from the crashes remains, and the uploads the crashes
// interrupted are still there and complete.
func TestCrashLoopLeavesNoLitter(t *testing.T) {
	const (
		rounds   = 20
		bodySize = 256 << 10
		sweepAge = 2 * time.Second
		bucket   = "crashloop"
	)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	g := startGateway(t, withBackends(fmt.Sprintf(
		"backends:\n  - {name: local, type: fs, options: {root: %q, sweep_interval: 100ms, sweep_age: %s}}", data, sweepAge)))
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	body := randomBytes(bodySize, 7)
	var uploads []string
	var lastKill time.Time
	for r := range rounds {
		c := g.s3Client(t, adminAK, adminSK, false)
		key := fmt.Sprintf("mp-%02d", r)
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		uploads = append(uploads, *up.UploadId)
		ps := s3.NewPresignClient(c)
		put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("obj-%02d", r))})
		if err != nil {
			t.Fatal(err)
		}
		part, err := ps.PresignUploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key),
			UploadId: up.UploadId, PartNumber: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		before := litter(t, data)
		hc := g.HTTPClient(false)
		var wg sync.WaitGroup
		var writers []*io.PipeWriter
		for _, u := range []string{put.URL, part.URL} {
			pr, pw := io.Pipe()
			writers = append(writers, pw)
			req, _ := http.NewRequest(http.MethodPut, u, pr)
			req.ContentLength = bodySize
			wg.Add(2)
			go func() {
				defer wg.Done()
				if resp, err := hc.Do(req); err == nil {
					resp.Body.Close()
				}
			}()
			go func() {
				defer wg.Done()
				pw.Write(body[:bodySize/2]) // half the body, then the client stalls
			}()
		}
		// Kill once both writes have a new temporary file with data in it
		// (older litter may be swept meanwhile: only new names count).
		waitFor(t, "two half-written temporary files", func() bool {
			n := 0
			for p := range litter(t, data) {
				if _, old := before[p]; old {
					continue
				}
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
					n++
				}
			}
			return n >= 2
		})
		g.Kill()
		lastKill = time.Now()
		for _, pw := range writers {
			pw.CloseWithError(io.ErrClosedPipe)
		}
		wg.Wait()
		g.Restart()
	}

	// The crashes left litter, and the running sweep removes all of it
	// once it is older than the sweep age.
	if n := len(litter(t, data)); n == 0 {
		t.Fatal("the crash loop left no litter to sweep: the test proves nothing")
	}
	waitFor(t, "the sweep to remove every crash's litter", func() bool {
		for _, mtime := range litter(t, data) {
			if !mtime.After(lastKill) {
				return false
			}
		}
		return true
	})

	// The sweep spared the live uploads: each is listed and completes.
	c = g.s3Client(t, adminAK, adminSK, false)
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil || len(lu.Uploads) != rounds {
		t.Fatalf("ListMultipartUploads after the sweep = %d uploads, %v; want %d", len(lu.Uploads), err, rounds)
	}
	for r, id := range uploads[:3] {
		key := fmt.Sprintf("mp-%02d", r)
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
			PartNumber: aws.Int32(1), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("UploadPart after the crashes: %v", err)
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
			UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
				{PartNumber: aws.Int32(1), ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32}}}}); err != nil {
			t.Fatalf("Complete after the crashes: %v", err)
		}
	}
}
