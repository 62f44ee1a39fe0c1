package glacier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http/httptest"
	"strings"
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
	// vaultBucket is the dialect's VaultBucket.
	vaultBucket func(vault string) string
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

// exists reports whether the vault's bucket holds key.
func (c *readCounter) exists(t *testing.T, vault, key string) bool {
	t.Helper()
	_, err := c.HeadObject(context.Background(), c.vaultBucket(vault), key)
	if err != nil && translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Fatalf("HEAD %s: %v", key, err)
	}
	return err == nil
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
	rc.vaultBucket = d.VaultBucket
	srv := httptest.NewServer(&dialects.Pipeline{
		Detector: dialects.NewDetector(dialects.DetectConfig{Dialects: map[string]dialects.Dialect{Name: d}}),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)), Access: engine})
	t.Cleanup(srv.Close)
	c := glacier.New(glacier.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""), HTTPClient: srv.Client()})
	return c, rc
}

// TestJobOutputReads counts the archive (or inventory output) bytes each
// job kind reads. InitiateJob of a whole-archive job reads nothing (its
// tree hash is the archive's, stored with it), nor does one of an
// unaligned part (it has no tree hash); one of a tree-hash aligned part
// reads the part once, to report its tree hash, and keeps its leaf hashes
// from that read; an inventory is hashed as it is written. GetJobOutput
// reads the bytes it sends once, and before them, for a tree-hash aligned
// part of the output, either its stored leaf hashes (32 bytes a MiB) or,
// for a job without them, the part itself to hash it. The hashes sent are
// the tree hashes of the bytes sent (the Glacier developer guide,
// "Receiving Checksums When Downloading Data": only for tree-hash aligned
// ranges).
func TestJobOutputReads(t *testing.T) {
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
		params     types.JobParameters
		first, end int64 // the job output's place in data (an archive job's)
		initRead   int64 // archive bytes InitiateJob reads
		leaves     bool  // whether the job keeps leaf hashes
	}{
		{"whole archive", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId},
			0, int64(len(data)), 0, false},
		{"whole archive as a range", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId,
			RetrievalByteRange: aws.String(fmt.Sprintf("0-%d", len(data)-1))}, 0, int64(len(data)), 0, false},
		{"aligned retrieval", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId,
			RetrievalByteRange: aws.String("4194304-5242880")}, 4 * M, 5*M + 1, M + 1, true},
		{"unaligned retrieval", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId,
			RetrievalByteRange: aws.String("1048576-4194303")}, M, 4 * M, 0, false},
		{"inventory", types.JobParameters{Type: aws.String("inventory-retrieval")}, 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{VaultName: vault, JobParameters: &tt.params})
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(job.JobId)
			if n := rc.take(archive); n != tt.initRead {
				t.Errorf("InitiateJob read %d archive bytes, want %d", n, tt.initRead)
			}
			key, out, total := archive, data[tt.first:tt.end], int64(len(data))
			if aws.ToString(tt.params.Type) == "inventory-retrieval" {
				key = outputKey(id)
				if n := rc.take(key); n != 0 {
					t.Errorf("InitiateJob read %d bytes of the inventory it wrote", n)
				}
				got, err := c.GetJobOutput(ctx, &glacier.GetJobOutputInput{VaultName: vault, JobId: job.JobId})
				if err != nil {
					t.Fatal(err)
				}
				out, err = io.ReadAll(got.Body)
				got.Body.Close()
				if err != nil || !bytes.Contains(out, []byte(aws.ToString(up.ArchiveId))) {
					t.Fatalf("inventory %q, %v: want it to list the archive", out, err)
				}
				if h := aws.ToString(got.Checksum); h != treeHex(out) {
					t.Errorf("inventory's x-amz-sha256-tree-hash %q, want %q", h, treeHex(out))
				}
				total = int64(len(out))
				rc.take(key)
			}
			hasLeaves := rc.exists(t, aws.ToString(vault), leavesKey(id))
			if hasLeaves != tt.leaves {
				t.Errorf("leaf hashes stored: %v, want %v", hasLeaves, tt.leaves)
			}
			size := int64(len(out))
			for _, rg := range []struct {
				header     string
				start, end int64 // in out
			}{
				{"", 0, size},
				{"bytes=0-1048575", 0, min(M, size)},
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
				// the hash of a range is sent when it is a node of the
				// archive's tree (treeAligned, TestTreeAligned)
				want := ""
				if treeAligned(tt.first+rg.start, rg.end-rg.start, total) {
					want = treeHex(out[rg.start:rg.end])
				}
				if h := aws.ToString(got.Checksum); h != want {
					t.Errorf("%s: x-amz-sha256-tree-hash %q, want %q", rg.header, h, want)
				}
				sent, partHash := rg.end-rg.start, want != "" && rg.header != ""
				wantRead, wantLeaves := sent, int64(0)
				switch {
				case partHash && tt.leaves:
					wantLeaves = leafCount(sent) * leafSize
				case partHash:
					wantRead += sent // hashed, then sent
				}
				if n := rc.take(key); n != wantRead {
					t.Errorf("%s: read %d output bytes to send %d, want %d", rg.header, n, sent, wantRead)
				}
				if n := rc.take(leavesKey(id)); n != wantLeaves {
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

// TestDeleteVaultPages: DeleteVault finds a vault empty when it holds no
// archive however many of the gateway's own records (jobs, their leaf
// hashes and outputs) it holds, more than one listing page of them too,
// and deletes them all; an archive listed after a full page of records
// still makes it "Vault not empty" (Glacier's DeleteVault: "succeeds only
// if there are no archives in the vault", InvalidParameterValueException
// otherwise), and then nothing is deleted.
func TestDeleteVaultPages(t *testing.T) {
	c, rc := newCountingGateway(t)
	ctx := context.Background()
	for _, tt := range []struct {
		vault   string
		archive bool
	}{{"records-only", false}, {"records-and-archive", true}} {
		t.Run(tt.vault, func(t *testing.T) {
			vault := aws.String(tt.vault)
			if _, err := c.CreateVault(ctx, &glacier.CreateVaultInput{VaultName: vault}); err != nil {
				t.Fatal(err)
			}
			bucket := rc.vaultBucket(tt.vault)
			// records sorting before "archives/", more than a page of them
			for i := range 1001 {
				key := fmt.Sprintf("%sjob%04d.leaves", jobsPrefix, i)
				if _, err := rc.PutObject(ctx, bucket, key, translate.BytesBody([]byte("x")), translate.Metadata{}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.archive {
				if _, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{VaultName: vault, Body: bytes.NewReader([]byte("kept"))}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := c.DeleteVault(ctx, &glacier.DeleteVaultInput{VaultName: vault})
			if tt.archive {
				var inv *types.InvalidParameterValueException
				if !errors.As(err, &inv) || !strings.Contains(aws.ToString(inv.Message), "Vault not empty") {
					t.Fatalf("DeleteVault of a vault with an archive: %v, want InvalidParameterValueException, Vault not empty", err)
				}
				if !rc.exists(t, tt.vault, jobsPrefix+"job1000.leaves") || !rc.exists(t, tt.vault, vaultRecordKey) {
					t.Error("a refused DeleteVault deleted the vault's records")
				}
				return
			}
			if err != nil {
				t.Fatalf("DeleteVault of a vault with 1001 job records and no archive: %v", err)
			}
			if _, err := c.DescribeVault(ctx, &glacier.DescribeVaultInput{VaultName: vault}); err == nil {
				t.Error("the vault is still there after DeleteVault")
			}
			if _, err := rc.HeadBucket(ctx, bucket); translate.CodeOf(err) != translate.ErrNoSuchBucket {
				t.Errorf("HEAD of the vault's bucket after DeleteVault: %v, want NoSuchBucket", err)
			}
		})
	}
}
