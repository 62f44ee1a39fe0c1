package e2e

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"

	"github.com/babelgate/babelgate/test/minio"
)

// alternating is a transport that sends every request to the next of the
// gateways in turn (keep-alives off, so no connection pins a gateway),
// whatever host the client addressed; it counts requests per gateway.
type alternating struct {
	addrs []string
	next  atomic.Int64
	hits  []atomic.Int64
}

func newAlternating(gws ...*gateway) *alternating {
	a := &alternating{hits: make([]atomic.Int64, len(gws))}
	for _, g := range gws {
		a.addrs = append(a.addrs, g.Addr)
	}
	return a
}

func (a *alternating) transport() *http.Transport {
	d := &net.Dialer{}
	return &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		i := int(a.next.Add(1)-1) % len(a.addrs)
		a.hits[i].Add(1)
		return d.DialContext(ctx, network, a.addrs[i])
	}}
}

// TestScaleOut runs two gateway instances with the same config in front of
// one MinIO. A client of each dialect alternates between them on every
// request through a whole multipart upload; then one instance is killed in
// the middle of an upload and the other finishes it. The gateways hold no
// upload state of their own: the upload ID and the store carry it.
func TestScaleOut(t *testing.T) {
	m := minio.Start(t)
	cfg := []gatewayOption{withBackends(minioBackend(m, "")), withConfig("dialects:\n  obs:\n    domains: [" + obsDomain + "]\n")}
	a, b := startGateway(t, cfg...), startGateway(t, cfg...)
	ctx := context.Background()
	const partSize = 5 << 20
	data := randomBytes(3*partSize+777, 88)
	parts := [][]byte{data[:partSize], data[partSize : 2*partSize], data[2*partSize:]}

	t.Run("S3", func(t *testing.T) {
		alt := newAlternating(a, b)
		c := a.s3Client(t, adminAK, adminSK, false)
		c = s3.New(c.Options(), func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: alt.transport()} })
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("scale-s3")}); err != nil {
			t.Fatal(err)
		}
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("scale-s3"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		var done []types.CompletedPart
		for i, p := range parts {
			out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("scale-s3"), Key: aws.String("k"), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
			if err != nil {
				t.Fatalf("UploadPart %d: %v", i+1, err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
		}
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("scale-s3"), Key: aws.String("k"), UploadId: up.UploadId})
		if err != nil || len(lp.Parts) != 3 {
			t.Fatalf("ListParts: %+v, %v", lp, err)
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("scale-s3"), Key: aws.String("k"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("scale-s3"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if !bytes.Equal(got, data) {
			t.Fatal("object differs")
		}
		if alt.hits[0].Load() < 3 || alt.hits[1].Load() < 3 {
			t.Fatalf("requests per gateway %d and %d: the client did not alternate", alt.hits[0].Load(), alt.hits[1].Load())
		}
	})

	t.Run("OSS", func(t *testing.T) {
		alt := newAlternating(a, b)
		client, err := alioss.New(a.URL, adminAK, adminSK, alioss.HTTPClient(&http.Client{Transport: alt.transport()}))
		if err != nil {
			t.Fatal(err)
		}
		if err := client.CreateBucket("scale-oss"); err != nil {
			t.Fatal(err)
		}
		bk, _ := client.Bucket("scale-oss")
		imur, err := bk.InitiateMultipartUpload("k")
		if err != nil {
			t.Fatal(err)
		}
		var done []alioss.UploadPart
		for i, p := range parts {
			part, err := bk.UploadPart(imur, bytes.NewReader(p), int64(len(p)), i+1)
			if err != nil {
				t.Fatalf("UploadPart %d: %v", i+1, err)
			}
			done = append(done, part)
		}
		if _, err := bk.CompleteMultipartUpload(imur, done); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		rd, err := bk.GetObject("k")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rd)
		rd.Close()
		if !bytes.Equal(got, data) {
			t.Fatal("object differs")
		}
		if alt.hits[0].Load() < 2 || alt.hits[1].Load() < 2 {
			t.Fatalf("requests per gateway %d and %d", alt.hits[0].Load(), alt.hits[1].Load())
		}
	})

	t.Run("OSS 100 KB parts, re-chunked", func(t *testing.T) {
		// Parts under the store's 5 MiB are staged by whichever instance
		// receives them and assembled by whichever receives Complete.
		alt := newAlternating(a, b)
		client, err := alioss.New(a.URL, adminAK, adminSK, alioss.HTTPClient(&http.Client{Transport: alt.transport()}))
		if err != nil {
			t.Fatal(err)
		}
		if err := client.CreateBucket("scale-oss-small"); err != nil {
			t.Fatal(err)
		}
		bk, _ := client.Bucket("scale-oss-small")
		small := randomBytes(30*(100<<10)+123, 99)
		imur, err := bk.InitiateMultipartUpload("k")
		if err != nil {
			t.Fatal(err)
		}
		var done []alioss.UploadPart
		for i := 0; i*(100<<10) < len(small); i++ {
			end := min((i+1)*(100<<10), len(small))
			part, err := bk.UploadPart(imur, bytes.NewReader(small[i*(100<<10):end]), int64(end-i*(100<<10)), i+1)
			if err != nil {
				t.Fatalf("UploadPart %d: %v", i+1, err)
			}
			done = append(done, part)
		}
		lp, err := bk.ListUploadedParts(imur)
		if err != nil || len(lp.UploadedParts) != len(done) {
			t.Fatalf("ListUploadedParts: %d parts, %v; want %d", len(lp.UploadedParts), err, len(done))
		}
		res, err := bk.CompleteMultipartUpload(imur, done)
		if err != nil {
			t.Fatalf("Complete: %v", err)
		}
		rd, err := bk.GetObject("k")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rd) // the SDK checks the CRC-64 at EOF
		rd.Close()
		if !bytes.Equal(got, small) {
			t.Fatal("re-chunked object differs")
		}
		meta, err := bk.GetObjectDetailedMeta("k")
		if err != nil || !strings.EqualFold(meta.Get("Etag"), res.ETag) {
			t.Fatalf("HEAD ETag %q, Complete said %q (%v)", meta.Get("Etag"), res.ETag, err)
		}
		if alt.hits[0].Load() < 10 || alt.hits[1].Load() < 10 {
			t.Fatalf("requests per gateway %d and %d", alt.hits[0].Load(), alt.hits[1].Load())
		}
		if !logHas(a.Log()+b.Log(), "staged upload assembled", "scale-oss-small") {
			t.Fatal("the upload was not staged and re-chunked")
		}
	})

	t.Run("OBS native", func(t *testing.T) {
		alt := newAlternating(a, b)
		_, port, _ := splitHostPort(a.Addr)
		client, err := obs.New(adminAK, adminSK, "http://"+obsDomain+":"+port, obs.WithSignature(obs.SignatureObs),
			obs.WithHttpClient(&http.Client{Transport: alt.transport()}))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		if _, err := client.CreateBucket(&obs.CreateBucketInput{Bucket: "scale-obs"}); err != nil {
			t.Fatal(err)
		}
		init, err := client.InitiateMultipartUpload(&obs.InitiateMultipartUploadInput{ObjectOperationInput: obs.ObjectOperationInput{Bucket: "scale-obs", Key: "k"}})
		if err != nil {
			t.Fatal(err)
		}
		var done []obs.Part
		for i, p := range parts {
			out, err := client.UploadPart(&obs.UploadPartInput{Bucket: "scale-obs", Key: "k", UploadId: init.UploadId, PartNumber: i + 1, Body: bytes.NewReader(p)})
			if err != nil {
				t.Fatalf("UploadPart %d: %v", i+1, err)
			}
			done = append(done, obs.Part{PartNumber: i + 1, ETag: out.ETag})
		}
		if _, err := client.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: "scale-obs", Key: "k", UploadId: init.UploadId, Parts: done}); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		if alt.hits[0].Load() < 2 || alt.hits[1].Load() < 2 {
			t.Fatalf("requests per gateway %d and %d", alt.hits[0].Load(), alt.hits[1].Load())
		}
	})

	t.Run("instance killed mid-upload", func(t *testing.T) {
		ca := a.s3Client(t, adminAK, adminSK, false)
		cb := b.s3Client(t, adminAK, adminSK, false)
		if _, err := ca.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("scale-kill")}); err != nil {
			t.Fatal(err)
		}
		up, err := ca.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("scale-kill"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		p1, err := ca.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("scale-kill"), Key: aws.String("k"), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(parts[0])})
		if err != nil {
			t.Fatal(err)
		}
		// A re-chunked OSS upload begun on the same instance.
		ossA, err := alioss.New(a.URL, adminAK, adminSK, alioss.HTTPClient(a.HTTPClient(false)))
		if err != nil {
			t.Fatal(err)
		}
		if err := ossA.CreateBucket("scale-kill-oss"); err != nil {
			t.Fatal(err)
		}
		bkA, _ := ossA.Bucket("scale-kill-oss")
		small := randomBytes(8*(100<<10), 7)
		imur, err := bkA.InitiateMultipartUpload("k")
		if err != nil {
			t.Fatal(err)
		}
		var ossParts []alioss.UploadPart
		for i := 0; i < 4; i++ {
			p, err := bkA.UploadPart(imur, bytes.NewReader(small[i*(100<<10):(i+1)*(100<<10)]), 100<<10, i+1)
			if err != nil {
				t.Fatal(err)
			}
			ossParts = append(ossParts, p)
		}
		a.Kill()
		ossB, err := alioss.New(b.URL, adminAK, adminSK, alioss.HTTPClient(b.HTTPClient(false)))
		if err != nil {
			t.Fatal(err)
		}
		bkB, _ := ossB.Bucket("scale-kill-oss")
		for i := 4; i < 8; i++ {
			p, err := bkB.UploadPart(imur, bytes.NewReader(small[i*(100<<10):(i+1)*(100<<10)]), 100<<10, i+1)
			if err != nil {
				t.Fatalf("OSS UploadPart %d on the surviving instance: %v", i+1, err)
			}
			ossParts = append(ossParts, p)
		}
		if _, err := bkB.CompleteMultipartUpload(imur, ossParts); err != nil {
			t.Fatalf("OSS Complete on the surviving instance: %v", err)
		}
		rd, err := bkB.GetObject("k")
		if err != nil {
			t.Fatal(err)
		}
		gotSmall, _ := io.ReadAll(rd)
		rd.Close()
		if !bytes.Equal(gotSmall, small) {
			t.Fatal("re-chunked object finished on the other instance differs")
		}
		done := []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32}}
		for i, p := range parts[1:] {
			out, err := cb.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("scale-kill"), Key: aws.String("k"), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 2)), Body: bytes.NewReader(p)})
			if err != nil {
				t.Fatalf("UploadPart %d on the surviving instance: %v", i+2, err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 2)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
		}
		if _, err := cb.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("scale-kill"), Key: aws.String("k"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
			t.Fatalf("Complete on the surviving instance: %v", err)
		}
		obj, err := cb.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("scale-kill"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if !bytes.Equal(got, data) {
			t.Fatal("object finished on the other instance differs")
		}
	})
}
