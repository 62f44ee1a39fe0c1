package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestOSSCrossDialect: one store, two dialects. Objects written through
// OSS read back byte-identical through S3 with the same metadata and ETag
// (case aside); objects written through S3 (single and multipart) read
// through OSS with the right x-oss-hash-crc64ecma, which the SDK checks.
func TestOSSCrossDialect(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	ob := ossBucket(t, ossLegacyClient(t, g), "cross")
	sc := g.s3Client(t, adminAK, adminSK, false)

	data := randomBytes(200<<10, 21)
	if err := ob.PutObject("from-oss", bytes.NewReader(data), oss.Meta("who", "oss")); err != nil {
		t.Fatal(err)
	}
	h, err := ob.GetObjectDetailedMeta("from-oss")
	if err != nil {
		t.Fatal(err)
	}
	out, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cross"), Key: aws.String("from-oss")})
	if err != nil {
		t.Fatalf("S3 GetObject of an OSS object: %v", err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, data) || out.Metadata["who"] != "oss" || !strings.EqualFold(aws.ToString(out.ETag), h.Get("ETag")) {
		t.Fatalf("S3 read: %d bytes, meta %v, ETag %s vs OSS %s", len(got), out.Metadata, aws.ToString(out.ETag), h.Get("ETag"))
	}

	// S3 single PUT, read through OSS.
	single := randomBytes(150<<10, 22)
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cross"), Key: aws.String("from-s3"),
		Body: bytes.NewReader(single), Metadata: map[string]string{"who": "s3"}}); err != nil {
		t.Fatal(err)
	}
	// S3 multipart (5 MiB parts), read through OSS.
	const p = 5 << 20
	multi := randomBytes(2*p+1000, 23)
	up, err := sc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cross"), Key: aws.String("from-s3-mp")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for n := 1; n <= 3; n++ {
		chunk := multi[(n-1)*p : min(n*p, len(multi))]
		r, err := sc.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cross"), Key: aws.String("from-s3-mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(chunk)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(n)), ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32})
	}
	comp, err := sc.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("cross"), Key: aws.String("from-s3-mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]byte{"from-s3": single, "from-s3-mp": multi} {
		h, err := ob.GetObjectDetailedMeta(key)
		if err != nil {
			t.Fatal(err)
		}
		if h.Get("X-Oss-Hash-Crc64ecma") != fmt.Sprint(crc64Of(want)) {
			t.Fatalf("%s: x-oss-hash-crc64ecma %q, want %d", key, h.Get("X-Oss-Hash-Crc64ecma"), crc64Of(want))
		}
		r, err := ob.GetObject(key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r) // the legacy SDK verifies the CRC-64 at EOF
		r.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s via OSS: %d bytes, %v", key, len(got), err)
		}
		if key == "from-s3" && h.Get("X-Oss-Meta-Who") != "s3" {
			t.Fatalf("metadata via OSS: %v", h)
		}
		if key == "from-s3-mp" && !strings.EqualFold(h.Get("ETag"), aws.ToString(comp.ETag)) {
			t.Fatalf("multipart ETag via OSS %s, via S3 %s", h.Get("ETag"), aws.ToString(comp.ETag))
		}
	}
	if err := ob.GetObjectToFile("from-s3-mp", t.TempDir()+"/f"); err != nil {
		t.Fatalf("GetObjectToFile (CRC-checked): %v", err)
	}
}

// TestOSSVirtualHosted: bucket.<oss domain> addressing with V1 and V4, the
// canonical resource including the bucket from the Host.
func TestOSSVirtualHosted(t *testing.T) {
	g := startGateway(t, withConfig("dialects:\n  oss:\n    domains: [oss.babelgate.test]\n"))
	_, port, _ := splitHostPort(g.Addr)
	endpoint := "http://oss.babelgate.test:" + port
	for _, tc := range []struct {
		name string
		opts []oss.ClientOption
	}{
		{"V1", nil},
		{"V4", []oss.ClientOption{oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := oss.New(endpoint, adminAK, adminSK, append(tc.opts, oss.HTTPClient(g.HTTPClient(true)))...)
			if err != nil {
				t.Fatal(err)
			}
			bucket := "vhost-" + strings.ToLower(tc.name)
			if err := c.CreateBucket(bucket); err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
			b, _ := c.Bucket(bucket)
			data := randomBytes(3*ossPart, 31)
			if err := b.PutObject("a/b c+d.bin", bytes.NewReader(data)); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			r, err := b.GetObject("a/b c+d.bin")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			r.Close()
			if !bytes.Equal(got, data) {
				t.Fatal("virtual-hosted round trip differs")
			}
			lr, err := b.ListObjects()
			if err != nil || len(lr.Objects) != 1 || lr.Objects[0].Key != "a/b c+d.bin" {
				t.Fatalf("ListObjects: %+v %v", lr, err)
			}
			ossMultipartOneByOne(t, b, "vh/mp.bin")
		})
	}
	if !logHas(g.Log(), `"dialect":"oss"`, `"bucket":"vhost-v1"`) {
		t.Fatal("requests were not served by the OSS dialect")
	}
}
