package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"

	"github.com/babelgate/babelgate/test/minio"
)

// assembledLog matches the s3 backend's log line for a staged upload it
// assembled into the store's parts.
// assembledLog matches the store backend's JSON log line for a staged
// Complete: the bytes it streamed a second time and how long it took (ns).
var assembledLog = regexp.MustCompile(`staged upload assembled".*?"restreamed_bytes":(\d+).*?"duration":(\d+)`)

// TestRechunkOntoMinIO: OSS and native OBS clients upload parts of 100 KB
// through the gateway onto MinIO, whose minimum part is 5 MiB. The backend
// stages the parts and assembles store-sized parts at Complete; the
// clients see their own dialect's part ETags, ListParts, final ETag and
// CRC-64, and the bytes on MinIO are theirs.
func TestRechunkOntoMinIO(t *testing.T) {
	m := minio.Start(t)
	g := startGateway(t, withBackends(minioBackend(m, "")), withOBSDomain())

	t.Run("OSS UploadFile 64 MiB", func(t *testing.T) {
		client, err := alioss.New(g.URL, adminAK, adminSK, alioss.HTTPClient(g.HTTPClient(false)))
		if err != nil {
			t.Fatal(err)
		}
		if err := client.CreateBucket("rechunk-oss"); err != nil {
			t.Fatal(err)
		}
		b, _ := client.Bucket("rechunk-oss")
		const partSize = 100 << 10
		data := randomBytes(64<<20, 77)
		path := filepath.Join(t.TempDir(), "upload")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		before := len(assembledLog.FindAllStringSubmatch(g.Log(), -1))
		start := time.Now()
		// UploadFile checks the CRC-64 of the completed object against its
		// parts' (the SDK's CRC check is on by default).
		if err := b.UploadFile("big", path, partSize, alioss.Routines(3)); err != nil {
			t.Fatalf("UploadFile: %v", err)
		}
		t.Logf("UploadFile of 64 MiB in 100 KiB parts (3 routines): %v", time.Since(start))
		down := filepath.Join(t.TempDir(), "download")
		// GetObjectToFile checks the CRC-64 the gateway reports.
		if err := b.GetObjectToFile("big", down); err != nil {
			t.Fatalf("GetObjectToFile: %v", err)
		}
		if got, _ := os.ReadFile(down); !bytes.Equal(got, data) {
			t.Fatal("64 MiB object differs after the round trip")
		}
		h, err := b.GetObjectDetailedMeta("big")
		if err != nil {
			t.Fatal(err)
		}
		want := partsETag(data, partSize)
		if got := strings.Trim(h.Get("ETag"), `"`); !strings.EqualFold(got, want) {
			t.Errorf("ETag %s, want the OSS multipart ETag %s", got, want)
		}
		if got := h.Get("X-Oss-Hash-Crc64ecma"); got != fmt.Sprint(crc64Of(data)) {
			t.Errorf("x-oss-hash-crc64ecma %s, want %d", got, crc64Of(data))
		}
		// MinIO holds the bytes under its own ETag and part layout.
		direct, err := minioClient(t, m).HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("rechunk-oss"), Key: aws.String("big")})
		if err != nil || aws.ToInt64(direct.ContentLength) != int64(len(data)) {
			t.Fatalf("MinIO's own view: %+v, %v", direct, err)
		}
		t.Logf("ETag: client %s, MinIO %s", want, strings.Trim(aws.ToString(direct.ETag), `"`))
		all := assembledLog.FindAllStringSubmatch(g.Log(), -1)
		if len(all) <= before {
			t.Fatal("the gateway did not log the staged Complete")
		}
		last := all[len(all)-1]
		n, _ := strconv.ParseInt(last[1], 10, 64)
		took, _ := strconv.ParseInt(last[2], 10, 64)
		t.Logf("bytes the gateway streamed twice: %d (%.1f%% of %d); Complete took %s in the backend", n,
			100*float64(n)/float64(len(data)), len(data), time.Duration(took))
	})

	t.Run("OSS parts by hand", func(t *testing.T) {
		client, err := alioss.New(g.URL, adminAK, adminSK, alioss.HTTPClient(g.HTTPClient(false)))
		if err != nil {
			t.Fatal(err)
		}
		if err := client.CreateBucket("rechunk-oss-hand"); err != nil {
			t.Fatal(err)
		}
		b, _ := client.Bucket("rechunk-oss-hand")
		ossMultipartOneByOne(t, b, "by/hand")
	})

	t.Run("OBS native 100 KB parts", func(t *testing.T) {
		c := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
		cb := &obs.CreateBucketInput{}
		cb.Bucket = "rechunk-obs"
		if _, err := c.CreateBucket(cb); err != nil {
			t.Fatalf("CreateBucket: %v", err)
		}
		whole := obsMultipart(t, c, "rechunk-obs", "native/mp.bin", 100<<10, 60)
		md := &obs.GetObjectMetadataInput{Bucket: "rechunk-obs", Key: "native/mp.bin"}
		head, err := c.GetObjectMetadata(md)
		if err != nil {
			t.Fatal(err)
		}
		sizes := make([]int, 0, 61)
		for range 60 {
			sizes = append(sizes, 100<<10)
		}
		if want := partsETagSizes(whole, append(sizes, 1234)); strings.Trim(head.ETag, `"`) != want || head.ContentLength != int64(len(whole)) {
			t.Fatalf("HEAD: ETag %s size %d, want %s %d", head.ETag, head.ContentLength, want, len(whole))
		}
	})
}

// partsETag is the multipart ETag of data uploaded in parts of partSize.
func partsETag(data []byte, partSize int) string {
	var sizes []int
	for off := 0; off < len(data); off += partSize {
		sizes = append(sizes, min(partSize, len(data)-off))
	}
	return partsETagSizes(data, sizes)
}

// partsETagSizes is the multipart ETag of data uploaded in parts of the
// given sizes: the MD5 of the parts' MD5s, "-N".
func partsETagSizes(data []byte, sizes []int) string {
	h := md5.New()
	for _, n := range sizes {
		sum := md5.Sum(data[:n])
		h.Write(sum[:])
		data = data[n:]
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(sizes))
}
