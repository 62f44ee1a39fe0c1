package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/test/minio"
)

// wireLog records, per request, the protocol of the response and the
// request headers that matter here.
type wireLog struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	seen []string // "METHOD proto expect content-encoding"
}

func (w *wireLog) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.rt.RoundTrip(r)
	if err == nil {
		w.mu.Lock()
		w.seen = append(w.seen, strings.Join([]string{r.Method, resp.Proto, r.Header.Get("Expect"), r.Header.Get("Content-Encoding")}, " "))
		w.mu.Unlock()
	}
	return resp, err
}

// TestHTTP2 speaks HTTP/2 to the gateway over TLS, as a client that offers
// h2 by ALPN gets it (issue 11 item 4), with aws-sdk-go-v2 at its defaults
// on the fs and the MinIO backend: over https the SDK sends PutObject and
// UploadPart aws-chunked with a trailing CRC32 and, above 2 MiB, with
// Expect: 100-continue (s3's ContinueHeaderThresholdBytes); the test
// checks that those reach the gateway over h2, that the ETags are the
// MD5s (on MinIO the store's own, item 2), and that GET returns the bytes.
func TestHTTP2(t *testing.T) {
	ctx := context.Background()
	m := minio.Start(t)
	for _, be := range []struct {
		name string
		g    *gateway
	}{
		{"fs", startGateway(t, withTLS())},
		{"s3", startGateway(t, withTLS(), withBackends(minioBackend(m, "")))},
	} {
		t.Run(be.name, func(t *testing.T) {
			wire := &wireLog{rt: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: certPool}, ForceAttemptHTTP2: true}}
			cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
				config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(adminAK, adminSK, "")),
				config.WithHTTPClient(&http.Client{Transport: wire}),
				config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
			if err != nil {
				t.Fatal(err)
			}
			c := s3.NewFromConfig(cfg, func(o *s3.Options) {
				o.BaseEndpoint, o.UsePathStyle = aws.String(be.g.URL), true
			})
			bucket := "h2-" + be.name
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			data := make([]byte, 11<<20)
			rand.Read(data)
			sum := md5.Sum(data[:3<<20])
			put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("one"), Body: bytes.NewReader(data[:3<<20])})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(put.ETag); got != `"`+hex.EncodeToString(sum[:])+`"` || put.ChecksumCRC32 == nil {
				t.Errorf("PutObject ETag %s, CRC32 %v", got, put.ChecksumCRC32)
			}

			up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu")})
			if err != nil {
				t.Fatal(err)
			}
			var parts []types.CompletedPart
			for i, p := range [][]byte{data[:6<<20], data[6<<20:]} {
				out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu"), UploadId: up.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
				if err != nil {
					t.Fatal(err)
				}
				ps := md5.Sum(p)
				if aws.ToString(out.ETag) != `"`+hex.EncodeToString(ps[:])+`"` {
					t.Errorf("part %d ETag %s", i+1, aws.ToString(out.ETag))
				}
				parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
			}
			if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu"),
				UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
				t.Fatal(err)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu")})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("GET returned %d bytes (want %d), %v", len(got), len(data), err)
			}

			wire.mu.Lock()
			defer wire.mu.Unlock()
			var chunked100 int
			for _, s := range wire.seen {
				if !strings.Contains(s, " HTTP/2.0 ") {
					t.Errorf("request not over HTTP/2: %s", s)
				}
				if strings.HasPrefix(s, "PUT HTTP/2.0 100-continue aws-chunked") {
					chunked100++
				}
			}
			if chunked100 != 3 { // the PutObject and both parts
				t.Errorf("%d aws-chunked 100-continue PUTs, want 3: %q", chunked100, wire.seen)
			}
		})
	}
}
