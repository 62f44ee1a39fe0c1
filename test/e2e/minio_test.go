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
	"testing"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"

	"github.com/babelgate/babelgate/test/minio"
)

// minioBackend is the backends section for a gateway in front of m.
func minioBackend(m *minio.Server, extra string) string {
	return fmt.Sprintf(`backends:
  - name: minio
    type: s3
    options: {endpoint: %q, access_key: %q, secret_key: %q, path_style: true, region: us-east-1,
              request_timeout: 60s, connect_timeout: 10s, retries: 3}
%s`, m.Endpoint, minio.AccessKey, minio.SecretKey, extra)
}

// TestMinIOBackend runs the S3, OSS and OBS clients through the gateway
// onto a real MinIO server.
func TestMinIOBackend(t *testing.T) {
	m := minio.Start(t)
	g := startGateway(t, withTLS(), withBackends(minioBackend(m, "")))
	ctx := context.Background()

	t.Run("aws-sdk-go-v2 operations", func(t *testing.T) {
		exerciseOperations(t, g.s3Client(t, adminAK, adminSK, false), false)
	})

	t.Run("aws-sdk-go-v2 transfer manager", func(t *testing.T) {
		c := g.s3Client(t, adminAK, adminSK, false)
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tm-minio")}); err != nil {
			t.Fatal(err)
		}
		data := randomBytes(32<<20, 32)
		tm := transfermanager.New(c, func(o *transfermanager.Options) { o.PartSizeBytes = 5 << 20; o.Concurrency = 4 })
		if _, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String("tm-minio"), Key: aws.String("big"), Body: bytes.NewReader(data)}); err != nil {
			t.Fatalf("UploadObject: %v", err)
		}
		obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tm-minio"), Key: aws.String("big")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if !bytes.Equal(got, data) {
			t.Fatalf("object on MinIO differs: %d bytes", len(got))
		}
		// The object really is on MinIO, under the same name.
		direct := minioClient(t, m)
		if h, err := direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tm-minio"), Key: aws.String("big")}); err != nil ||
			aws.ToInt64(h.ContentLength) != int64(len(data)) {
			t.Fatalf("MinIO's own view: %+v, %v", h, err)
		}
	})

	t.Run("OSS SDK", func(t *testing.T) {
		client, err := alioss.New(g.URL, adminAK, adminSK, alioss.HTTPClient(g.HTTPClient(false)))
		if err != nil {
			t.Fatal(err)
		}
		if err := client.CreateBucket("oss-on-minio"); err != nil {
			t.Fatal(err)
		}
		b, _ := client.Bucket("oss-on-minio")
		data := randomBytes(12<<20, 44)
		if err := b.PutObject("small", bytes.NewReader(data[:1000]), alioss.Meta("color", "red")); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		path := filepath.Join(t.TempDir(), "upload")
		os.WriteFile(path, data, 0o600)
		// MinIO takes S3's 5 MiB minimum, so the OSS client uses 5 MiB
		// parts here; 100 KB parts on such a store need re-chunking.
		if err := b.UploadFile("big", path, 5<<20, alioss.Routines(3)); err != nil {
			t.Fatalf("UploadFile: %v", err)
		}
		down := filepath.Join(t.TempDir(), "download")
		if err := b.GetObjectToFile("big", down); err != nil {
			t.Fatalf("GetObjectToFile: %v", err)
		}
		got, _ := os.ReadFile(down)
		if !bytes.Equal(got, data) {
			t.Fatal("OSS round trip through MinIO differs")
		}
		meta, err := b.GetObjectDetailedMeta("small")
		if err != nil || meta.Get("X-Oss-Meta-Color") != "red" {
			t.Fatalf("OSS metadata through MinIO: %v, %v", meta, err)
		}
	})

	t.Run("OBS SDK", func(t *testing.T) {
		client, err := obs.New(adminAK, adminSK, g.URL, obs.WithHttpTransport(g.HTTPClient(false).Transport.(*http.Transport)))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		if _, err := client.CreateBucket(&obs.CreateBucketInput{Bucket: "obs-on-minio"}); err != nil {
			t.Fatalf("CreateBucket: %v", err)
		}
		data := randomBytes(11<<20, 55)
		in := &obs.PutObjectInput{}
		in.Bucket, in.Key, in.Body = "obs-on-minio", "k", bytes.NewReader(data)
		in.Metadata = map[string]string{"shape": "square"}
		if _, err := client.PutObject(in); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		out, err := client.GetObject(&obs.GetObjectInput{GetObjectMetadataInput: obs.GetObjectMetadataInput{Bucket: "obs-on-minio", Key: "k"}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, data) || out.Metadata["shape"] != "square" {
			t.Fatalf("OBS round trip through MinIO: %d bytes, meta %v", len(got), out.Metadata)
		}
	})
}

func minioClient(t *testing.T, m *minio.Server) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(m.Endpoint), UsePathStyle: true,
		DisableLogOutputChecksumValidationSkipped: true,
		Credentials: aws.NewCredentialsCache(staticCreds{minio.AccessKey, minio.SecretKey})})
}

type staticCreds struct{ ak, sk string }

func (s staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: s.ak, SecretAccessKey: s.sk}, nil
}

// TestMinIOStoreFailure stops MinIO in the middle of an upload: the client
// gets a retryable error in its own dialect (503) within the configured
// timeout, and after MinIO is back (same port, same data) the same upload
// completes whole.
func TestMinIOStoreFailure(t *testing.T) {
	m := minio.Start(t)
	g := startGateway(t, withBackends(minioBackend(m, "")))
	testStoreOutage(t, g, m, func(bucket, key string) []byte { return minioGet(t, m, bucket, key) })
}

// minioGet reads an object straight from MinIO, to check that the bytes
// landed on the store.
func minioGet(t *testing.T, m *minio.Server, bucket, key string) []byte {
	t.Helper()
	obj, err := minioClient(t, m).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GET from MinIO: %v", err)
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatalf("GET from MinIO: %v", err)
	}
	return b
}

// TestRouting serves one bucket from MinIO (renamed, under a key prefix)
// and the rest from the local fs backend, through one endpoint.
func TestRouting(t *testing.T) {
	m := minio.Start(t)
	ctx := context.Background()
	direct := minioClient(t, m)
	if _, err := direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("store-bucket")}); err != nil {
		t.Fatal(err)
	}
	g := startGateway(t, withBackends(minioBackend(m, "")+fmt.Sprintf(`  - {name: local, type: fs, options: {root: %q}}
default_backend: local
routes:
  - {bucket: cloud, backend: minio, backend_bucket: store-bucket, key_prefix: "gw/"}
`, t.TempDir())))
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("local-only")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"cloud", "local-only"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader(b)}); err != nil {
			t.Fatalf("PutObject to %s: %v", b, err)
		}
	}
	if _, err := direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("store-bucket"), Key: aws.String("gw/k")}); err != nil {
		t.Fatalf("routed object is not on MinIO at store-bucket/gw/k: %v", err)
	}
	if _, err := direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("local-only"), Key: aws.String("k")}); err == nil {
		t.Fatal("a local bucket's object reached MinIO")
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, *b.Name)
	}
	if strings.Join(names, ",") != "cloud,local-only" {
		t.Fatalf("ListBuckets: %v", names)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cloud"), Key: aws.String("copied"), CopySource: aws.String("local-only/k")}); err != nil {
		t.Fatalf("copy from fs to MinIO: %v", err)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cloud"), Key: aws.String("copied")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(got) != "local-only" {
		t.Fatalf("copied object: %q", got)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cloud")})
	if err != nil || len(out.Contents) != 2 || *out.Contents[0].Key != "copied" || *out.Contents[1].Key != "k" {
		t.Fatalf("listing the routed bucket: %+v, %v", out, err)
	}
}
