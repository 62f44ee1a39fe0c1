package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
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

	t.Run("RaceOnePart", func(t *testing.T) { obsRacePart(t, g, adminAK, adminSK, bucket) })
}

// obsRacePart races OBS-native uploads of one part number and checks
// OBS's last-write-wins: the part whose upload began last stays, even when
// it finishes first, and every upload succeeds. The order is forced, not
// hoped for. Each UploadPart asks for "Expect: 100-continue" and the
// client's transport waits for the 100 before sending the body; the
// gateway answers 100 when the backend first reads the body, after it has
// fixed the part's begin time. So once a writer's body is asked for its
// first byte, its upload has begun on the gateway; only then is the next
// writer started. Once all have begun they are let finish one at a time
// in the reverse order, so the last-begun finishes first.
func obsRacePart(t *testing.T, g *gateway, ak, sk, bucket string) {
	var continued atomic.Int32 // 100 Continue responses received
	c := g.obsHostClient(t, ak, sk, obs.SignatureObs, func(rt http.RoundTripper) http.RoundTripper {
		// Wait for the 100 however long the gateway takes (a bounded
		// guard, not a deadline any run should reach).
		rt.(*http.Transport).ExpectContinueTimeout = time.Minute
		return expectContinue{rt: rt, got100: &continued}
	})
	init := &obs.InitiateMultipartUploadInput{}
	init.Bucket, init.Key = bucket, "race.bin"
	up, err := c.InitiateMultipartUpload(init)
	if err != nil {
		t.Fatal(err)
	}
	const writers = 6
	const guard = 2 * time.Minute
	bodies := make([][]byte, writers)
	gates := make([]*gatedBody, writers)
	done := make([]chan struct{}, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	defer func() {
		for _, gb := range gates {
			if gb != nil {
				gb.open()
			}
		}
		wg.Wait()
	}()
	for i := range writers {
		bodies[i] = randomBytes(256<<10+i, uint64(300+i))
		gates[i] = newGatedBody(bodies[i])
		done[i] = make(chan struct{})
		wg.Go(func() {
			defer close(done[i])
			_, errs[i] = c.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId, PartNumber: 1,
				Body: gates[i], PartSize: int64(len(bodies[i]))})
		})
		select {
		case <-gates[i].begun:
			if n := continued.Load(); n != int32(i+1) {
				t.Fatalf("writer %d's body was read after %d 100 Continue responses, want %d", i, n, i+1)
			}
		case <-done[i]:
			t.Fatalf("writer %d returned before sending its body: %v", i, errs[i])
		case <-time.After(guard):
			t.Fatalf("writer %d: no 100 Continue within %v", i, guard)
		}
	}
	for i := writers - 1; i >= 0; i-- {
		gates[i].open()
		select {
		case <-done[i]:
		case <-time.After(guard):
			t.Fatalf("writer %d did not finish within %v", i, guard)
		}
		if errs[i] != nil {
			t.Fatalf("writer %d: %v (every writer of a race must succeed)", i, errs[i])
		}
	}
	last := bodies[writers-1]
	lp, err := c.ListParts(&obs.ListPartsInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 1 || strings.Trim(lp.Parts[0].ETag, `"`) != md5hex(last) {
		t.Fatalf("ListParts after the race = %+v, %v; want only the last-begun part %s (writer %d), which finished first",
			lp, err, md5hex(last), writers-1)
	}
	if _, err := c.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: init.Key, UploadId: up.UploadId,
		Parts: []obs.Part{{PartNumber: 1, ETag: lp.Parts[0].ETag}}}); err != nil {
		t.Fatal(err)
	}
	if got := obsGet(t, c, bucket, init.Key); !bytes.Equal(got, last) {
		t.Fatal("the merged object is not the last-begun part byte for byte")
	}
}

// expectContinue adds "Expect: 100-continue" to every UploadPart request
// and counts the 100 Continue responses in got100.
type expectContinue struct {
	rt     http.RoundTripper
	got100 *atomic.Int32
}

func (e expectContinue) RoundTrip(r *http.Request) (*http.Response, error) {
	if q := r.URL.Query(); r.Method == http.MethodPut && q.Has("uploadId") && q.Has("partNumber") {
		ctx := httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{Got100Continue: func() { e.got100.Add(1) }})
		r = r.Clone(ctx)
		r.Header.Set("Expect", "100-continue")
	}
	return e.rt.RoundTrip(r)
}

// gatedBody is a request body that reports its first Read and then waits
// until it is opened.
type gatedBody struct {
	data     []byte
	begun    chan struct{} // closed at the first Read
	released chan struct{}
	first    sync.Once
	release  sync.Once
}

func newGatedBody(data []byte) *gatedBody {
	return &gatedBody{data: data, begun: make(chan struct{}), released: make(chan struct{})}
}

// open lets the body be read; it may be called more than once.
func (g *gatedBody) open() { g.release.Do(func() { close(g.released) }) }

func (g *gatedBody) Read(p []byte) (int, error) {
	g.first.Do(func() { close(g.begun) })
	<-g.released
	if len(g.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.data)
	g.data = g.data[n:]
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
