package e2e

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestBoto3GetObjectAttributes: Debian's boto3 uploads a CRC32 multipart
// object in 5 MiB parts and pages GetObjectAttributes two parts at a time
// (MaxParts, PartNumberMarker), reading each part's size and CRC32.
func TestBoto3GetObjectAttributes(t *testing.T) {
	python := boto3Python(t)
	g := startGateway(t)
	b := newBoto3(t, g, python, adminAK, adminSK)
	if _, err := g.s3Client(t, adminAK, adminSK, false).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("boto3-attrs")}); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(3*s3MinPart+777, 515)
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Uploaded [][3]any
		Pages    []struct {
			ETag      string
			Size      int64
			Class     string
			Checksum  map[string]string
			Total     int
			Truncated bool
			Next      *int
			Parts     [][3]any
		}
	}
	b.Run(&out, "attributes", "--bucket", "boto3-attrs", "--key", "mp", "--file", file)
	if len(out.Uploaded) != 4 || len(out.Pages) != 2 {
		t.Fatalf("uploaded %v, pages %+v", out.Uploaded, out.Pages)
	}
	var listed [][3]any
	for i, p := range out.Pages {
		if p.Total != 4 || p.Size != int64(len(data)) || p.Class != "STANDARD" || len(p.ETag) != 34 || p.ETag[32:] != "-4" {
			t.Errorf("page %d: %+v", i, p)
		}
		if p.Truncated != (i == 0) || len(p.Parts) != 2 || p.Next == nil || *p.Next != 2*(i+1) {
			t.Errorf("page %d paging: truncated %v next %v parts %v", i, p.Truncated, p.Next, p.Parts)
		}
		// Debian's botocore (1.29) predates ChecksumType and drops it.
		if p.Checksum["ChecksumCRC32"] == "" || p.Checksum["ChecksumCRC32"] != out.Pages[0].Checksum["ChecksumCRC32"] {
			t.Errorf("page %d checksum: %v", i, p.Checksum)
		}
		listed = append(listed, p.Parts...)
	}
	if fmt.Sprint(listed) != fmt.Sprint(out.Uploaded) {
		t.Errorf("listed parts %v, uploaded %v", listed, out.Uploaded)
	}
	// The ETag is the multipart ETag of the four parts' MD5s.
	var cat []byte
	for i := 0; i < len(data); i += s3MinPart {
		s := md5.Sum(data[i:min(i+s3MinPart, len(data))])
		cat = append(cat, s[:]...)
	}
	sum := md5.Sum(cat)
	if want := hex.EncodeToString(sum[:]) + "-4"; out.Pages[0].ETag != want {
		t.Errorf("ETag %s, want %s", out.Pages[0].ETag, want)
	}
}
