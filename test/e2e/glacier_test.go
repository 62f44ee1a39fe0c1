package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/test/minio"
)

// glacierArchive is what testdata/glacier_client.py reports of an archive.
type glacierArchive struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Tree   string `json:"tree"`
}

// runGlacierPy runs one subcommand of testdata/glacier_client.py (boto3's
// glacier client) and decodes its JSON summary into v.
func runGlacierPy(t *testing.T, g *gateway, python string, v any, args ...string) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "glacier_client.py"))
	if err != nil {
		t.Fatal(err)
	}
	argv := append([]string{script, args[0], "--endpoint", g.URL}, args[1:]...)
	res := mustRunClient(t, clientEnv(t, g, adminAK, adminSK), python, argv...)
	if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
		t.Fatalf("glacier_client.py %s: output is not JSON (%v):\n%s", args[0], err, res.Stdout)
	}
}

// TestGlacierBoto3 drives the whole vault lifecycle with boto3's glacier
// client on the fs backend and on the s3 backend over MinIO (where 1 MiB
// Glacier parts are staged and re-chunked onto MinIO's 5 MiB minimum):
// vaults created, described and listed in pages; UploadArchive; two 40 MiB
// multipart archives in 1 MiB and 8 MiB parts sent out of order with a
// re-uploaded part, ListParts paged, Complete repeated; archive-retrieval
// jobs with whole, aligned and unaligned outputs compared byte for byte and
// by tree hash; an inventory; the non-empty vault kept. Then each archive
// is read through the S3 and OSS SDKs under its documented key and
// metadata, byte-identical, and the archives and vault are deleted.
func TestGlacierBoto3(t *testing.T) {
	python := boto3Python(t)
	for _, backend := range []string{"fs", "minio"} {
		t.Run(backend, func(t *testing.T) {
			var opts []gatewayOption
			if backend == "minio" {
				opts = append(opts, withBackends(minioBackend(minio.Start(t), "")))
			}
			g := startGateway(t, opts...)
			dumpLogOnFailure(t, g)
			vault := "migrate-" + backend
			var out map[string]glacierArchive
			runGlacierPy(t, g, python, &out, "lifecycle", "--vault", vault)
			if len(out) != 3 {
				t.Fatalf("lifecycle reported %v", out)
			}
			readArchivesElsewhere(t, g, "glacier-"+vault, out)
			args := []string{"cleanup", "--vault", vault}
			for _, a := range out {
				args = append(args, "--archive="+a.ID) // an id may begin with "-"
			}
			var left struct{ Vaults []string }
			runGlacierPy(t, g, python, &left, args...)
			if len(left.Vaults) != 0 {
				t.Fatalf("vaults left after cleanup: %v", left.Vaults)
			}
		})
	}
}

// readArchivesElsewhere reads each archive through aws-sdk-go-v2's S3
// client and the OSS SDK: key archives/<archive id> in the vault's bucket,
// the description as user metadata glacier-description.
func readArchivesElsewhere(t *testing.T, g *gateway, bucket string, archives map[string]glacierArchive) {
	t.Helper()
	ctx := context.Background()
	s3c := g.s3Client(t, adminAK, adminSK, false)
	ossc, err := alioss.New(g.URL, adminAK, adminSK, alioss.HTTPClient(g.HTTPClient(false)))
	if err != nil {
		t.Fatal(err)
	}
	ob, err := ossc.Bucket(bucket)
	if err != nil {
		t.Fatal(err)
	}
	descs := map[string]string{"small": "small archive", "mp1": "forty in ones", "mp8": "forty in eights"}
	for name, a := range archives {
		key := "archives/" + a.ID
		obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("S3 GetObject %s: %v", name, err)
		}
		h := sha256.New()
		n, err := io.Copy(h, obj.Body)
		obj.Body.Close()
		if err != nil || n != a.Size || hex.EncodeToString(h.Sum(nil)) != a.SHA256 {
			t.Errorf("S3 read of %s: %d bytes, %v; want %d bytes with the uploaded SHA-256", name, n, err, a.Size)
		}
		if got := obj.Metadata["glacier-description"]; got != descs[name] {
			t.Errorf("S3 metadata of %s: %v", name, obj.Metadata)
		}
		body, err := ob.GetObject(key)
		if err != nil {
			t.Fatalf("OSS GetObject %s: %v", name, err)
		}
		h.Reset()
		n, err = io.Copy(h, body)
		body.Close()
		if err != nil || n != a.Size || hex.EncodeToString(h.Sum(nil)) != a.SHA256 {
			t.Errorf("OSS read of %s: %d bytes, %v; want %d bytes with the uploaded SHA-256", name, n, err, a.Size)
		}
		meta, err := ob.GetObjectDetailedMeta(key)
		if err != nil || meta.Get("X-Oss-Meta-Glacier-Description") != descs[name] {
			t.Errorf("OSS metadata of %s: %v, %v", name, meta, err)
		}
	}
}

// TestGlacierJobDelay: with dialects.glacier.job_delay a job stays
// InProgress (its output refused, listed as InProgress), and still is after
// a restart: job state lives in the store.
func TestGlacierJobDelay(t *testing.T) {
	python := boto3Python(t)
	g := startGateway(t, withConfig("dialects:\n  glacier:\n    job_delay: 1h\n"))
	dumpLogOnFailure(t, g)
	var out struct{ Job string }
	runGlacierPy(t, g, python, &out, "pending", "--vault", "slow", "--create")
	g.Stop()
	g.Restart()
	var again struct{ Job string }
	runGlacierPy(t, g, python, &again, "pending", "--vault", "slow", "--job="+out.Job) // an id may begin with "-"
	if again.Job != out.Job {
		t.Fatalf("job %q after restart, want %q", again.Job, out.Job)
	}
}
