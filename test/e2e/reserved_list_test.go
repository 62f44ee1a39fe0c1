package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/test/minio"
)

// listRecorder is a reverse proxy in front of a real MinIO that records
// the start-after of every ListObjectsV2 the gateway sends it (it only
// watches: requests and answers pass unchanged).
type listRecorder struct {
	mu          sync.Mutex
	startAfters []string
}

func (r *listRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.startAfters
	r.startAfters = nil
	return s
}

func startListRecorder(t *testing.T, m *minio.Server) (*listRecorder, string) {
	target, err := url.Parse(m.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	rec := &listRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if q := req.URL.Query(); req.Method == http.MethodGet && q.Get("list-type") == "2" {
			rec.mu.Lock()
			rec.startAfters = append(rec.startAfters, q.Get("start-after"))
			rec.mu.Unlock()
		}
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

// pageAll pages ListObjectsV2 with max-keys maxKeys to the end and returns
// every key and common prefix in the order listed (repeats kept).
func pageAll(t *testing.T, c *s3.Client, bucket, prefix, delim, startAfter string, maxKeys int32) (objs, cps []string) {
	t.Helper()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(maxKeys)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if delim != "" {
		in.Delimiter = aws.String(delim)
	}
	if startAfter != "" {
		in.StartAfter = aws.String(startAfter)
	}
	p := s3.NewListObjectsV2Paginator(c, in)
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 200 {
			t.Fatalf("listing prefix %q delimiter %q max-keys %d does not end", prefix, delim, maxKeys)
		}
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Errorf("ListObjectsV2 prefix %q delimiter %q start-after %q max-keys %d: %v", prefix, delim, startAfter, maxKeys, err)
			return nil, nil
		}
		for _, o := range out.Contents {
			objs = append(objs, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			cps = append(cps, aws.ToString(cp.Prefix))
		}
	}
	return objs, cps
}

// TestReservedRangeListings: client listings through the s3 backend on a
// real MinIO whose store pages meet the gateway's hidden .babelgate/ keys.
// MinIO answers a ListObjectsV2 whose start-after lies inside
// .babelgate/annex/ with a short page marked not truncated, so a gateway
// page boundary falling among the hidden keys ended the client's listing
// early and silently dropped every key after them. Client keys sort on
// both sides of the reserved range (".babelgate.x" and ".babelgate" before
// it, ".babelgate0" — the first key a client may write after it — and
// "/x", "a" after); the hidden keys are annexes and upload state. Every
// client key must be listed exactly once, no hidden key ever, with and
// without delimiters, at any max-keys, from any start-after (one inside
// the reserved range included); and ListMultipartUploads pages its
// uploads.
func TestReservedRangeListings(t *testing.T) {
	ctx := context.Background()
	m := minio.Start(t)
	rec, endpoint := startListRecorder(t, m)
	g := startGateway(t, withBackends(fmt.Sprintf(`backends:
  - name: minio
    type: s3
    options: {endpoint: %q, access_key: %q, secret_key: %q, path_style: true, region: us-east-1,
              request_timeout: 60s, connect_timeout: 10s, retries: 3}
`, endpoint, minio.AccessKey, minio.SecretKey)))
	c := g.s3Client(t, adminAK, adminSK, false)
	store := minioClient(t, m)
	const bucket = "reserved-range"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"-a", ".a", ".babelgat", ".babelgate.x", ".babelgate0", ".babelgate1/y", ".babelgatf", "0/x", "a", "b/c/d", "z"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("PUT %q: %v", k, err)
		}
	}
	// Hidden keys as the gateway lays them out: annexes (named by a hash
	// of their object key, here of objects that do not exist, so they are
	// inert) written straight into the store, and the state of uploads in
	// progress started through the gateway.
	for i := range 40 {
		sum := sha256.Sum256([]byte(fmt.Sprint("gone-", i)))
		k := ".babelgate/annex/" + hex.EncodeToString(sum[:16])
		if _, err := store.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	var uploads []string
	for _, k := range []string{"a", "a", "b/c/d", "up/1", "up/2", ".babelgate0"} {
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(k), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))}); err != nil {
			t.Fatal(err)
		}
		uploads = append(uploads, k+" "+aws.ToString(up.UploadId))
	}
	sort.Strings(uploads)

	// The store really holds hidden keys on both sides of the boundaries
	// the listings below cross.
	raw, err := store.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(".babelgate/")})
	if err != nil || len(raw.Contents) < 40 {
		t.Fatalf("hidden keys in the store: %d, %v", len(raw.Contents), err)
	}

	t.Run("ListObjectsV2", func(t *testing.T) {
		queries := []struct{ prefix, delim, after string }{
			{"", "", ""}, {"", "/", ""}, {"", ".", ""}, {"", "a", ""}, {"", "0", ""}, {"", "e", ""}, {"", "g", ""},
			{".", "", ""}, {".", "/", ""}, {".b", "", ""}, {".babelgate", "", ""}, {".babelgate", "/", ""},
			{"", "", ".a"}, {"", "", ".babelgate"}, {"", "", ".babelgate/"}, {"", "", ".babelgate/annex/0"},
			{"", "/", ".babelgate/annex/0"}, {"", "", ".babelgate0"},
		}
		for _, q := range queries {
			wantObjs, wantCPs := wantListing(keys, q.prefix, q.delim)
			wantObjs = slices.DeleteFunc(wantObjs, func(k string) bool { return k <= q.after })
			wantCPs = slices.DeleteFunc(wantCPs, func(cp string) bool { return cp <= q.after })
			for _, mk := range []int32{1, 2, 3, 8, 1000} {
				rec.take()
				gotObjs, gotCPs := pageAll(t, c, bucket, q.prefix, q.delim, q.after, mk)
				if !slices.Equal(gotObjs, wantObjs) || !slices.Equal(gotCPs, wantCPs) {
					t.Errorf("prefix %q delimiter %q start-after %q max-keys %d: keys %q prefixes %q, want %q %q",
						q.prefix, q.delim, q.after, mk, gotObjs, gotCPs, wantObjs, wantCPs)
				}
				// No store page starts inside the hidden keys (where MinIO
				// answers short pages), and a listing crosses them in one
				// store page, not one per max-keys+1 hidden keys: at most
				// two store listings per client page (one more for a
				// prefix MinIO refuses, which is asked again unprefixed).
				sent := rec.take()
				for _, sa := range sent {
					if storekit.Reserved(sa) && sa != storekit.ReservedEnd {
						t.Errorf("prefix %q delimiter %q start-after %q max-keys %d: the store was listed from %q",
							q.prefix, q.delim, q.after, mk, sa)
					}
				}
				if pages := max(1, (len(wantObjs)+len(wantCPs)+int(mk)-1)/int(mk)); len(sent) > 2*pages+2 {
					t.Errorf("prefix %q delimiter %q start-after %q max-keys %d: %d store listings for %d client pages",
						q.prefix, q.delim, q.after, mk, len(sent), pages)
				}
			}
		}
	})

	t.Run("ListMultipartUploads", func(t *testing.T) {
		for _, max := range []int32{1, 2, 5, 1000} {
			var got []string
			in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), MaxUploads: aws.Int32(max)}
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatalf("max-uploads %d: the listing does not end", max)
				}
				out, err := c.ListMultipartUploads(ctx, in)
				if err != nil {
					t.Fatalf("ListMultipartUploads max-uploads %d: %v", max, err)
				}
				for _, u := range out.Uploads {
					got = append(got, aws.ToString(u.Key)+" "+aws.ToString(u.UploadId))
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
			}
			sorted := slices.Clone(got)
			sort.Strings(sorted)
			if !slices.Equal(sorted, uploads) {
				t.Errorf("max-uploads %d: uploads %q, want %q", max, got, uploads)
			}
		}
	})
}
