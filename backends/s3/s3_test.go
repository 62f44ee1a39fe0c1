package s3_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/backendtest"
	s3backend "github.com/babelgate/babelgate/backends/s3"
	"github.com/babelgate/babelgate/test/minio"
	"github.com/babelgate/babelgate/translate"
)

// TestConformanceMinIO runs the backend conformance suite against a real
// MinIO server, as type s3 and as type obs (OBS's S3 API defaults).
func TestConformanceMinIO(t *testing.T) {
	m := minio.Start(t)
	for name, defaults := range map[string]func() *s3backend.Options{"s3": s3backend.DefaultOptions, "obs": s3backend.OBSOptions} {
		t.Run(name, func(t *testing.T) {
			backendtest.RunWith(t, func(t *testing.T) translate.Backend {
				o := defaults()
				o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle, o.Region = m.Endpoint, minio.AccessKey, minio.SecretKey, true, "us-east-1"
				o.RequestTimeout = 30 * time.Second
				b, err := s3backend.New(*o)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { b.Close() })
				return b
			}, minioQuirks)
		})
	}
}

// TestReaperMinIO checks the reaper of abandoned staged uploads against a
// MinIO of its own (the reaper sweeps every bucket of the store).
func TestReaperMinIO(t *testing.T) {
	m := minio.Start(t)
	backendtest.RunReaper(t, func(t *testing.T, maxAge time.Duration) (backendtest.Sweeper, func(ctx context.Context, bucket, id string) ([]string, error)) {
		o := s3backend.DefaultOptions()
		o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle = m.Endpoint, minio.AccessKey, minio.SecretKey, true
		o.RequestTimeout, o.StagingMaxAge = 30*time.Second, maxAge
		b, err := s3backend.New(*o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b, b.StagedKeys
	})
}

// TestOptions checks the staging reaper's option: 7 days by default, and
// a negative age refused.
func TestOptions(t *testing.T) {
	if got := s3backend.DefaultOptions().StagingMaxAge; got != 7*24*time.Hour {
		t.Fatalf("default StagingMaxAge = %v, want 168h", got)
	}
	o := s3backend.DefaultOptions()
	o.AccessKey, o.SecretKey, o.StagingMaxAge = "a", "b", -time.Second
	if _, err := s3backend.New(*o); err == nil {
		t.Fatal("New with a negative staging_max_age succeeded")
	}
}

// minioQuirks are MinIO's documented limits.
var minioQuirks = backendtest.Quirks{
	// MinIO maps keys to file paths: it refuses empty, "." and ".." path
	// segments and a trailing '/' (XMinioInvalidObjectName).
	KeyUnsupported: func(key string) bool {
		if strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "//") {
			return true
		}
		for _, seg := range strings.Split(key, "/") {
			if seg == "." || seg == ".." || len(seg) > 255 {
				return true
			}
		}
		return false
	},
	// S3 stores give objects stored without a type their own default.
	DefaultContentType: "application/octet-stream",
	// The store keeps only the checksums it computed itself; the
	// gateway's own are kept as metadata only once issue 6 lands.
	ChecksumsNotKept: true,
	// S3 reports part sizes only per part (HEAD ?partNumber=N), which the
	// backend serves through translate.PartLocator.
	PartSizesUnknown: true,
	// MinIO walks its "directories": "a/x" lists after "a0".
	NonBytewiseListing: true,
	// A part goes straight into the store's upload, where the upload that
	// finishes last stays; OBS's last-begun rule needs staging (issue 6).
	LastFinishedPartWins: true,
	// A server-side copy of a multipart object is a new single-part object.
	CopyNewETag: true,
	// Parts below the store's 5 MiB minimum are staged and assembled at
	// Complete; an annex keeps the client's ETag, checksums and part sizes.
	Staging: true,
}
