package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// peakRSS returns the process's peak resident set size (VmHWM) in bytes.
func peakRSS(t testing.TB, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// patternReader yields n bytes by repeating a random block, without
// holding n bytes anywhere.
type patternReader struct {
	block []byte
	left  int64
	off   int
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n := 0
	for n < len(b) {
		c := copy(b[n:], p.block[p.off:])
		n += c
		p.off = (p.off + c) % len(p.block)
	}
	p.left -= int64(n)
	return n, nil
}

// uploadLargePart streams size bytes as part 1 of a new upload with a
// SigV4 UNSIGNED-PAYLOAD request and returns the gateway's peak RSS growth.
func uploadLargePart(t testing.TB, g *gateway, size int64) int64 {
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("memory")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("memory"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	before := peakRSS(t, g.PID())
	body := &patternReader{block: randomBytes(1<<20, 5), left: size}
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/memory/big?partNumber=1&uploadId=%s", g.URL, *up.UploadId), body)
	req.ContentLength = size
	req.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
	signer := v4.NewSigner()
	if err := signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: adminAK, SecretAccessKey: adminSK}, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := g.HTTPClient(false).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("UploadPart of %d bytes: %s", size, resp.Status)
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("memory"), Key: aws.String("big"), UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 1 || aws.ToInt64(lp.Parts[0].Size) != size {
		t.Fatalf("ListParts after the large part: %+v, %v", lp, err)
	}
	c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("memory"), Key: aws.String("big"), UploadId: up.UploadId})
	return peakRSS(t, g.PID()) - before
}

// TestBoundedMemory streams a 1 GiB part through the gateway and checks its
// peak RSS grows by a few MiB at most: the part is never held in memory.
func TestBoundedMemory(t *testing.T) {
	g := startGateway(t)
	growth := uploadLargePart(t, g, 1<<30)
	t.Logf("peak RSS growth for a 1 GiB part: %.1f MiB (peak RSS now %.1f MiB)", float64(growth)/(1<<20), float64(peakRSS(t, g.PID()))/(1<<20))
	if growth > 16<<20 {
		t.Fatalf("peak RSS grew by %.1f MiB streaming a 1 GiB part; want under 16 MiB", float64(growth)/(1<<20))
	}
}

// BenchmarkUploadPart1GiB reports throughput and peak RSS growth of the
// gateway for 1 GiB parts: go test ./test/e2e -run '^$' -bench UploadPart1GiB
func BenchmarkUploadPart1GiB(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		g := startGateway(b)
		b.StartTimer()
		growth := uploadLargePart(b, g, 1<<30)
		b.ReportMetric(float64(growth)/(1<<20), "peak-rss-growth-MiB")
		b.SetBytes(1 << 30)
		b.StopTimer()
		g.Stop()
		b.StartTimer()
	}
}
