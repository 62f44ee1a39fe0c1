package e2e

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// TestOBSNativeSignature drives the OBS Go SDK with SignatureObs and a host
// name (virtual-hosted), so the OBS dialect serves it: multipart with
// 100 KB parts, ListParts, Complete, the initiator-only rule, x-obs-meta-*
// across dialects, and a race of one part number.
func TestOBSNativeSignature(t *testing.T) {
	g := startGateway(t, withOBSDomain())
	admin := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	alice := g.obsHostClient(t, aliceAK, aliceSK, obs.SignatureObs, nil)
	const bucket = "alice-obs" // admin ("*") and alice ("alice-*") may both write it
	cb := &obs.CreateBucketInput{}
	cb.Bucket = bucket
	if _, err := alice.CreateBucket(cb); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}

	t.Run("Multipart100KB", func(t *testing.T) {
		obsMultipart(t, admin, bucket, "native/mp.bin", 100<<10, 4)
		if !logHas(g.Log(), `"dialect":"obs"`, `"op":"CompleteMultipartUpload"`, `"auth":"obs"`) {
			t.Fatal("the multipart upload was not served by the OBS dialect")
		}
	})

	t.Run("InitiatorOnly", func(t *testing.T) {
		init := &obs.InitiateMultipartUploadInput{}
		init.Bucket, init.Key = bucket, "initiator.bin"
		up, err := admin.InitiateMultipartUpload(init)
		if err != nil {
			t.Fatal(err)
		}
		body := randomBytes(100<<10, 5)
		p1, err := admin.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId, PartNumber: 1, Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		denied := func(what string, err error) {
			t.Helper()
			if obsCode(err) != "AccessDenied" || obsStatus(err) != 403 {
				t.Errorf("%s by a non-initiator = %v, want 403 AccessDenied", what, err)
			}
		}
		_, err = alice.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId, PartNumber: 2, Body: bytes.NewReader(body)})
		denied("UploadPart", err)
		_, err = alice.ListParts(&obs.ListPartsInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId})
		denied("ListParts", err)
		_, err = alice.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId,
			Parts: []obs.Part{{PartNumber: 1, ETag: p1.ETag}}})
		denied("CompleteMultipartUpload", err)
		if _, err := admin.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId,
			Parts: []obs.Part{{PartNumber: 1, ETag: p1.ETag}}}); err != nil {
			t.Fatalf("Complete by the initiator: %v", err)
		}
	})

	t.Run("AcrossDialects", func(t *testing.T) {
		s3c := g.s3Client(t, adminAK, adminSK, false)
		data := randomBytes(200<<10, 21)
		put := &obs.PutObjectInput{}
		put.Bucket, put.Key, put.Body = bucket, "cross/from-obs.bin", bytes.NewReader(data)
		put.Metadata = map[string]string{"project": "babel"}
		if _, err := admin.PutObject(put); err != nil {
			t.Fatal(err)
		}
		out, err := s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(put.Key)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, data) || out.Metadata["project"] != "babel" {
			t.Fatalf("S3 read of an OBS write: %d bytes, metadata %v", len(got), out.Metadata)
		}
		back := randomBytes(150<<10, 22)
		if _, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("cross/from-s3.bin"),
			Body: bytes.NewReader(back), Metadata: map[string]string{"team": "gw"}}); err != nil {
			t.Fatal(err)
		}
		if got := obsGet(t, admin, bucket, "cross/from-s3.bin"); !bytes.Equal(got, back) {
			t.Fatal("OBS read of an S3 write differs")
		}
		meta, err := admin.GetObjectMetadata(&obs.GetObjectMetadataInput{Bucket: bucket, Key: "cross/from-s3.bin"})
		if err != nil || meta.Metadata["team"] != "gw" {
			t.Fatalf("x-obs-meta-* of an S3 write = %+v, %v", meta, err)
		}
	})

	t.Run("RaceOnePart", func(t *testing.T) { obsRacePart(t, admin, bucket) })
}

// obsRacePart races OBS-native uploads of one part number with staggered
// starts; the later-begun ones stream faster, so the last-begun finishes
// first. Every upload must succeed and the last-begun part must survive.
func obsRacePart(t *testing.T, c *obs.ObsClient, bucket string) {
	init := &obs.InitiateMultipartUploadInput{}
	init.Bucket, init.Key = bucket, "race.bin"
	up, err := c.InitiateMultipartUpload(init)
	if err != nil {
		t.Fatal(err)
	}
	const writers = 6
	const stagger = 60 * time.Millisecond
	bodies := make([][]byte, writers)
	errs := make([]error, writers)
	called := make([]time.Time, writers)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range writers {
		bodies[i] = randomBytes(256<<10+i, uint64(300+i))
		wg.Go(func() {
			time.Sleep(time.Until(t0.Add(time.Duration(i) * stagger)))
			r := &pacedReader{data: bodies[i], pause: time.Duration(writers-i) * 2 * stagger / 8, chunk: len(bodies[i])/8 + 1}
			called[i] = time.Now()
			_, errs[i] = c.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId, PartNumber: 1,
				Body: r, PartSize: int64(len(bodies[i]))})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	// The last-begun writer is the one that actually called last (a loaded
	// machine can wake writers late and out of order); calls closer than
	// tie cannot be ordered from the client, so either may win.
	const tie = 30 * time.Millisecond
	latest := 0
	for i := range writers {
		if called[i].After(called[latest]) {
			latest = i
		}
	}
	lp, err := c.ListParts(&obs.ListPartsInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 1 {
		t.Fatalf("ListParts after the race = %+v, %v", lp, err)
	}
	var last []byte
	for i := range writers {
		if strings.Trim(lp.Parts[0].ETag, `"`) == md5hex(bodies[i]) && called[latest].Sub(called[i]) <= tie {
			last = bodies[i]
		}
	}
	if last == nil {
		t.Fatalf("ListParts after the race = %+v; want the last-begun part %s (writer %d)", lp.Parts, md5hex(bodies[latest]), latest)
	}
	if _, err := c.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId,
		Parts: []obs.Part{{PartNumber: 1, ETag: lp.Parts[0].ETag}}}); err != nil {
		t.Fatal(err)
	}
	if got := obsGet(t, c, bucket, init.Key); !bytes.Equal(got, last) {
		t.Fatal("the merged object is not the last-begun part byte for byte")
	}
}

// pacedReader yields data in chunks with a pause before each.
type pacedReader struct {
	data  []byte
	chunk int
	pause time.Duration
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	time.Sleep(p.pause)
	n := copy(b, p.data[:min(p.chunk, len(p.data))])
	p.data = p.data[n:]
	return n, nil
}

// TestOBSSignatureV4 runs the OBS Go SDK in its SigV4 mode (Date header
// only, every header signed, virtual-hosted on the OBS domain), which the
// S3 dialect serves.
func TestOBSSignatureV4(t *testing.T) {
	g := startGateway(t, withOBSDomain())
	c := g.obsHostClient(t, adminAK, adminSK, obs.SignatureV4, nil)
	cb := &obs.CreateBucketInput{}
	cb.Bucket = "obs-v4"
	if _, err := c.CreateBucket(cb); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	data := randomBytes(100<<10, 31)
	put := &obs.PutObjectInput{}
	put.Bucket, put.Key, put.Body = "obs-v4", "v4/a b.bin", bytes.NewReader(data)
	put.Metadata = map[string]string{"k": "v"}
	if _, err := c.PutObject(put); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if got := obsGet(t, c, "obs-v4", put.Key); !bytes.Equal(got, data) {
		t.Fatal("GetObject differs")
	}
	obsMultipart(t, c, "obs-v4", "v4/mp.bin", 5*obsMiB, 1)
	if !logHas(g.Log(), `"dialect":"s3"`, `"auth":"sigv4"`, `"op":"CompleteMultipartUpload"`) {
		t.Fatal("SigV4 requests were not served by the S3 dialect")
	}
}
