package oss_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/backendtest"
	"github.com/babelgate/babelgate/backends/fs"
	ossbackend "github.com/babelgate/babelgate/backends/oss"
	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/dialects"
	ossdialect "github.com/babelgate/babelgate/dialects/oss"
	"github.com/babelgate/babelgate/translate"
)

const (
	accessKey = "LTAIbabelgatetest"
	secretKey = "babelgate-oss-backend-test-secret"
)

// startOSS starts an in-process babelgate that serves only the OSS dialect
// over an fs backend in a temporary directory, and returns its endpoint.
// There is no OSS server to install; the gateway's OSS dialect is built to
// be indistinguishable from OSS for OSS's own SDK, which the backend uses.
//
// Every request is checked to carry a Content-Length rather than a chunked
// body (OSS refuses chunked uploads), and fault, when not nil, may answer
// a request itself before the gateway sees it.
func startOSS(t *testing.T, fault func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	store, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	engine, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"fs": store},
		Default: "fs", UploadIDSecret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	creds := dialects.StaticCredentials{accessKey: {Secret: secretKey, Principal: &translate.Principal{
		AccessKey: accessKey, Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}}}
	d := ossdialect.New(ossdialect.Config{Engine: engine, Credentials: creds, Rules: translate.OSSRules, Region: "cn-hangzhou"})
	// Only OSS is served: it is also the detector's fallback.
	pipeline := &dialects.Pipeline{
		Detector: dialects.NewDetector(dialects.DetectConfig{Dialects: map[string]dialects.Dialect{ossdialect.Name: d}, Fallback: d}),
		Logger:   slog.New(slog.DiscardHandler),
	}
	gateway := dialects.NewEcho(pipeline)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 {
			t.Errorf("%s %s arrived with Transfer-Encoding %v instead of a Content-Length", r.Method, r.URL, r.TransferEncoding)
		}
		if fault != nil && fault(w, r) {
			return
		}
		gateway.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestConformance runs the backend conformance suite against the gateway's
// OSS dialect, signing with V1 and with V4.
func TestConformance(t *testing.T) {
	endpoint := startOSS(t, nil)
	for name, tc := range map[string]struct {
		v4      bool
		minPart int64
	}{"v1": {false, 0}, "v4": {true, 0}, "v4-staging": {true, 5 << 20}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			q := ossQuirks
			if tc.minPart != 0 {
				// A store configured with S3's 5 MiB minimum: uploads of
				// clients allowed 100 KB parts are staged.
				q.Staging = true
			}
			backendtest.RunWith(t, func(t *testing.T) translate.Backend {
				o := ossbackend.DefaultOptions()
				o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle, o.AuthV4 = endpoint, accessKey, secretKey, true, tc.v4
				o.RequestTimeout = 30 * time.Second
				if tc.minPart != 0 {
					o.MinPartSize = tc.minPart
				}
				b, err := ossbackend.New(*o)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { b.Close() })
				return b
			}, q)
		})
	}
}

// ossQuirks are OSS's documented differences from the suite's defaults.
var ossQuirks = backendtest.Quirks{
	// OSS keys are 1 to 1023 bytes (the OSS dialect enforces the same
	// limit), so the suite's 1024-byte keys cannot be stored.
	KeyUnsupported: func(key string) bool { return len(key) > 1023 },
	// OSS gives an object stored without a type application/octet-stream;
	// the backend sends that type rather than let the SDK guess one from
	// the key's extension.
	DefaultContentType: "application/octet-stream",
	// OSS computes and keeps a CRC-64/ECMA of every object itself
	// (x-oss-hash-crc64ecma), which reads report where the gateway kept no
	// checksum of its own.
	StoreChecksum: translate.CRC64ECMA,
	// OSS has no API that reports a completed object's part sizes (no
	// ?partNumber on GET or HEAD), so neither PartSizes nor a
	// translate.PartLocator can be offered.
	PartSizesUnknown: true,
	// A part goes straight into the store's upload, where the upload that
	// finishes last stays; OBS's last-begun rule needs staging (issue 6).
	LastFinishedPartWins: true,
}

// TestRegistered checks the type is registered with its defaults.
func TestRegistered(t *testing.T) {
	info, err := backends.Lookup("oss")
	if err != nil {
		t.Fatal(err)
	}
	o, ok := info.NewOptions().(*ossbackend.Options)
	if !ok || o.MinPartSize != 100<<10 || o.MaxPartSize != 5<<30 || o.Retries != 3 {
		t.Fatalf("NewOptions() = %#v", info.NewOptions())
	}
	if _, err := info.New(t.Context(), "x", o); err == nil {
		t.Fatal("New without an endpoint and keys succeeded")
	}
}

// newBackend returns a backend on endpoint with short retries.
func newBackend(t *testing.T, endpoint string) *storekit.Backend {
	t.Helper()
	o := ossbackend.DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle = endpoint, accessKey, secretKey, true
	o.RequestTimeout, o.Retries = 10*time.Second, 2
	b, err := ossbackend.New(*o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestReaper checks the reaper of abandoned staged uploads, on a store of
// its own configured with S3's 5 MiB minimum part (so that uploads of
// 100 KB parts are staged).
func TestReaper(t *testing.T) {
	endpoint := startOSS(t, nil)
	backendtest.RunReaper(t, func(t *testing.T, maxAge time.Duration) (backendtest.Sweeper, func(ctx context.Context, bucket, id string) ([]string, error)) {
		o := ossbackend.DefaultOptions()
		o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle, o.AuthV4 = endpoint, accessKey, secretKey, true, true
		o.RequestTimeout, o.MinPartSize, o.StagingMaxAge = 30*time.Second, 5<<20, maxAge
		b, err := ossbackend.New(*o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b, b.StagedKeys
	})
}

// TestWireDetails checks what the conformance suite cannot see: the
// client's Content-MD5 reaches the store, and HeadObject reports the
// store's CRC-64 and a lowercase ETag.
func TestWireDetails(t *testing.T) {
	var sawMD5 atomic.Value
	endpoint := startOSS(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/withmd5") {
			sawMD5.Store(r.Header.Get("Content-MD5"))
		}
		return false
	})
	b := newBackend(t, endpoint)
	ctx := t.Context()
	const bucket = "wire-details"
	if err := b.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("babelgate "), 10_000)
	sum := md5.Sum(data)
	body, err := translate.NewBody(bytes.NewReader(data), int64(len(data)), translate.BodyOptions{ContentMD5: sum[:],
		Algorithms: []translate.ChecksumAlgorithm{translate.CRC64ECMA}})
	if err != nil {
		t.Fatal(err)
	}
	put, err := b.PutObject(ctx, bucket, "withmd5", body, translate.Metadata{})
	if err != nil {
		t.Fatalf("PutObject with Content-MD5: %v", err)
	}
	if got, want := sawMD5.Load(), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("the store got Content-MD5 %v, want %s", got, want)
	}
	head, err := b.HeadObject(ctx, bucket, "withmd5")
	if err != nil {
		t.Fatal(err)
	}
	crc := crc64.Checksum(data, crc64.MakeTable(crc64.ECMA))
	var raw [8]byte
	binary.BigEndian.PutUint64(raw[:], crc)
	if head.ETag != hex.EncodeToString(sum[:]) || head.Checksum[translate.CRC64ECMA] != translate.EncodeChecksum(raw[:]) ||
		head.Checksum[translate.CRC64ECMA] != put.Checksum[translate.CRC64ECMA] || head.ChecksumType != translate.ChecksumFullObject {
		t.Errorf("HeadObject = %+v; want ETag %x and CRC-64 %d", head, sum, crc)
	}
	if err := b.DeleteObject(ctx, bucket, "withmd5"); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
}

// TestRetries: calls without a client body are retried after a 5xx;
// streamed writes are not (the stream cannot be replayed), and both
// report a retryable ErrServiceUnavailable, never the store's code.
func TestRetries(t *testing.T) {
	var failures, puts atomic.Int32
	endpoint := startOSS(t, func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/flaky") {
			return false
		}
		if r.Method == http.MethodPut && r.URL.Path != "/flaky" {
			puts.Add(1)
		}
		if failures.Add(-1) < 0 {
			return false
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code>`+
			`<Message>Please retry.</Message><RequestId>1</RequestId></Error>`)
		return true
	})
	b := newBackend(t, endpoint)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "flaky"); err != nil {
		t.Fatal(err)
	}
	failures.Store(2)
	if _, err := b.HeadBucket(ctx, "flaky"); err != nil {
		t.Fatalf("HeadBucket after two 503s: %v", err)
	}
	failures.Store(1)
	puts.Store(0)
	_, err := b.PutObject(ctx, "flaky", "k", translate.BytesBody([]byte("data")), translate.Metadata{})
	if translate.CodeOf(err) != translate.ErrServiceUnavailable || puts.Load() != 1 {
		t.Fatalf("PutObject after a 503: %v after %d attempts; want ServiceUnavailable after 1", err, puts.Load())
	}
	failures.Store(10)
	_, err = b.HeadObject(ctx, "flaky", "k")
	if translate.CodeOf(err) != translate.ErrServiceUnavailable {
		t.Fatalf("HeadObject against a failing store: %v", err)
	}
	failures.Store(0)
	if err := b.DeleteBucket(ctx, "flaky"); err != nil {
		t.Fatal(err)
	}
}
