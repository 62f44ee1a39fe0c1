package glacier

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// readCounter is the real fs backend, counting the bytes read from each
// object through GetObject (the only way the engine reads data).
type readCounter struct {
	*fs.Backend
	mu   sync.Mutex
	read map[string]int64 // key → bytes read
}

func (c *readCounter) GetObject(ctx context.Context, bucket, key string, rng *translate.Range) (*translate.Object, error) {
	obj, err := c.Backend.GetObject(ctx, bucket, key, rng)
	if err != nil {
		return obj, err
	}
	obj.Body = &countedBody{ReadCloser: obj.Body, c: c, key: key}
	return obj, nil
}

type countedBody struct {
	io.ReadCloser
	c   *readCounter
	key string
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.c.mu.Lock()
	b.c.read[b.key] += int64(n)
	b.c.mu.Unlock()
	return n, err
}

// take returns the bytes read from key since the last take.
func (c *readCounter) take(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.read[key]
	delete(c.read, key)
	return n
}

// newCountingGateway serves the Glacier dialect in the request pipeline
// over a read-counting fs backend in a temporary directory, and returns
// aws-sdk-go-v2's Glacier client at its defaults pointed at it.
func newCountingGateway(t *testing.T) (*glacier.Client, *readCounter) {
	t.Helper()
	be, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rc := &readCounter{Backend: be, read: map[string]int64{}}
	engine, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"local": rc},
		Default: "local", UploadIDSecret: []byte("glacier-test-upload-id-secret-0123")})
	if err != nil {
		t.Fatal(err)
	}
	const ak, sk = "AKIDGLACIERTEST00000", "glacier-test-secret-key-000000000000000"
	creds := dialects.StaticCredentials{ak: {Secret: sk, Principal: &translate.Principal{AccessKey: ak,
		Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}}}
	d, err := New(Config{Engine: engine, Credentials: creds, UploadIDSecret: []byte("glacier-test-upload-id-secret-0123"),
		Options: *DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&dialects.Pipeline{
		Detector: dialects.NewDetector(dialects.DetectConfig{Dialects: map[string]dialects.Dialect{Name: d}}),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)), Access: engine})
	t.Cleanup(srv.Close)
	c := glacier.New(glacier.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""), HTTPClient: srv.Client()})
	return c, rc
}

// TestJobOutputReadsOnce: GetJobOutput reads the bytes it sends once,
// whether or not it sends a tree hash (a tree-hash aligned range's hash
// comes from the leaf hashes stored at InitiateJob, 32 bytes a MiB), and
// InitiateJob reads the retrieved range once. The hashes sent are the
// tree hashes of the bytes sent (the Glacier developer guide, "Receiving
// Checksums When Downloading Data": only for tree-hash aligned ranges).
func TestJobOutputReadsOnce(t *testing.T) {
	c, rc := newCountingGateway(t)
	ctx := context.Background()
	const M = 1 << 20
	vault := aws.String("counted")
	if _, err := c.CreateVault(ctx, &glacier.CreateVaultInput{VaultName: vault}); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 5*M+1)
	rand.New(rand.NewSource(7)).Read(data)
	up, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{VaultName: vault, Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	archive := archiveKey(aws.ToString(up.ArchiveId))
	rc.take(archive)

	tests := []struct {
		name       string
		retrieval  string // InitiateJob's RetrievalByteRange, "" for all
		first, end int64  // the job output's place in data
	}{
		{"whole archive", "", 0, int64(len(data))},
		{"aligned retrieval", "4194304-5242880", 4 * M, 5*M + 1},
		{"unaligned retrieval", "1048576-4194303", M, 4 * M},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId}
			if tt.retrieval != "" {
				params.RetrievalByteRange = aws.String(tt.retrieval)
			}
			job, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{VaultName: vault, JobParameters: params})
			if err != nil {
				t.Fatal(err)
			}
			if n := rc.take(archive); n != tt.end-tt.first {
				t.Errorf("InitiateJob read %d archive bytes, want %d (the retrieved range once)", n, tt.end-tt.first)
			}
			out := data[tt.first:tt.end]
			size := int64(len(out))
			for _, rg := range []struct {
				header     string
				start, end int64 // in out
			}{
				{"", 0, size},
				{"bytes=0-1048575", 0, M},
				{fmt.Sprintf("bytes=%d-", M), M, size},
				{"bytes=0-2097151", 0, min(2*M, size)},
				{"bytes=1048576-3145727", M, min(3*M, size)},
				{"bytes=5-1048580", 5, min(M+5, size)},
				{"bytes=-1", size - 1, size},
			} {
				if rg.start >= size {
					continue
				}
				in := &glacier.GetJobOutputInput{VaultName: vault, JobId: job.JobId}
				if rg.header != "" {
					in.Range = aws.String(rg.header)
				}
				got, err := c.GetJobOutput(ctx, in)
				if err != nil {
					t.Fatalf("%s: %v", rg.header, err)
				}
				body, err := io.ReadAll(got.Body)
				got.Body.Close()
				if err != nil || !bytes.Equal(body, out[rg.start:rg.end]) {
					t.Fatalf("%s: %d bytes, %v; want bytes %d-%d of the output", rg.header, len(body), err, rg.start, rg.end)
				}
				if n := rc.take(archive); n != rg.end-rg.start {
					t.Errorf("%s: read %d archive bytes to send %d", rg.header, n, rg.end-rg.start)
				}
				// the hash of a range is sent when it is a node of the
				// archive's tree (treeAligned, TestTreeAligned)
				want := ""
				if treeAligned(tt.first+rg.start, rg.end-rg.start, int64(len(data))) {
					want = treeHex(out[rg.start:rg.end])
				}
				if h := aws.ToString(got.Checksum); h != want {
					t.Errorf("%s: x-amz-sha256-tree-hash %q, want %q", rg.header, h, want)
				}
				// a ranged hash reads 32 bytes per MiB of stored leaves
				wantLeaves := int64(0)
				if want != "" && rg.header != "" {
					wantLeaves = leafCount(rg.end-rg.start) * leafSize
				}
				if n := rc.take(leavesKey(aws.ToString(job.JobId))); n != wantLeaves {
					t.Errorf("%s: read %d bytes of leaf hashes, want %d", rg.header, n, wantLeaves)
				}
			}
		})
	}
}

func treeHex(b []byte) string {
	h := translate.NewTreeHash()
	h.Write(b)
	return fmt.Sprintf("%x", h.Sum(nil))
}
