package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"
)

// TestGlacierAWSCLI: the aws CLI's glacier commands (which need
// --account-id, protocols.md §4.x.3) for a small archive: create and
// describe the vault, upload, retrieve through a job into a file, delete.
func TestGlacierAWSCLI(t *testing.T) {
	g := startGateway(t)
	dumpLogOnFailure(t, g)
	cli := newAWSCLI(t, g, awsCLIPath(t), adminAK, adminSK)
	dir := t.TempDir()
	data := randomBytes(1<<20+333, 81)
	in := filepath.Join(dir, "in")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cli.Must("glacier", "create-vault", "--account-id", "-", "--vault-name", "cli")
	var desc struct{ VaultName string }
	cli.JSON(&desc, "glacier", "describe-vault", "--account-id", "-", "--vault-name", "cli")
	if desc.VaultName != "cli" {
		t.Fatalf("describe-vault: %+v", desc)
	}
	var up struct{ ArchiveId, Checksum string }
	cli.JSON(&up, "glacier", "upload-archive", "--account-id", "-", "--vault-name", "cli", "--body", in, "--archive-description", "from the cli")
	if up.ArchiveId == "" || up.Checksum != treeHex(data) {
		t.Fatalf("upload-archive: %+v, want the tree hash %s", up, treeHex(data))
	}
	var job struct{ JobId string }
	cli.JSON(&job, "glacier", "initiate-job", "--account-id", "-", "--vault-name", "cli",
		"--job-parameters", fmt.Sprintf(`{"Type":"archive-retrieval","ArchiveId":%q}`, up.ArchiveId))
	out := filepath.Join(dir, "out")
	var got struct {
		Checksum           string
		Status             int
		ArchiveDescription string
	}
	cli.JSON(&got, "glacier", "get-job-output", "--account-id", "-", "--vault-name", "cli", "--job-id="+job.JobId, out) // an id may begin with "-"
	back, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(back, data) || got.Checksum != treeHex(data) || got.Status != 200 || got.ArchiveDescription != "from the cli" {
		t.Fatalf("get-job-output: %+v, %d bytes (equal %v), %v", got, len(back), bytes.Equal(back, data), err)
	}
	cli.Must("glacier", "delete-archive", "--account-id", "-", "--vault-name", "cli", "--archive-id="+up.ArchiveId) // an id may begin with "-"
	cli.Must("glacier", "delete-vault", "--account-id", "-", "--vault-name", "cli")
	res := cli.Run("glacier", "describe-vault", "--account-id", "-", "--vault-name", "cli")
	if res.Err == nil || !bytes.Contains([]byte(res.Stderr), []byte("ResourceNotFoundException")) {
		t.Fatalf("describe-vault after delete: %v %s", res.Err, res.Stderr)
	}
}

// glacierClient is aws-sdk-go-v2's glacier client at its defaults, on g.
func (g *gateway) glacierClient(t *testing.T) *glacier.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(adminAK, adminSK, "")),
		config.WithHTTPClient(g.HTTPClient(false)),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
	if err != nil {
		t.Fatal(err)
	}
	return glacier.NewFromConfig(cfg, func(o *glacier.Options) { o.BaseEndpoint = aws.String(g.URL) })
}

// TestGlacierGoSDK runs the lifecycle with aws-sdk-go-v2/service/glacier,
// whose tree-hash and linear-hash customisations need seekable bodies
// (internal/customizations/treehash.go): vaults, UploadArchive, a 24 MiB
// multipart archive in 4 MiB parts sent out of order with one part sent
// twice, ListParts paged, Complete, a retrieval job read whole and as an
// aligned range, an inventory, and the deletes. AccountId is left unset:
// the SDK sends "-".
func TestGlacierGoSDK(t *testing.T) {
	g := startGateway(t)
	dumpLogOnFailure(t, g)
	c := g.glacierClient(t)
	ctx := context.Background()
	const M = 1 << 20
	vault := aws.String("gosdk")
	if _, err := c.CreateVault(ctx, &glacier.CreateVaultInput{VaultName: vault}); err != nil {
		t.Fatal(err)
	}
	small := randomBytes(5*M+1, 91)
	up, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{VaultName: vault, Body: bytes.NewReader(small), ArchiveDescription: aws.String("small")})
	if err != nil || aws.ToString(up.Checksum) != treeHex(small) {
		t.Fatalf("UploadArchive: %+v, %v", up, err)
	}

	data := randomBytes(24*M, 92)
	init, err := c.InitiateMultipartUpload(ctx, &glacier.InitiateMultipartUploadInput{VaultName: vault, PartSize: aws.String("4194304"), ArchiveDescription: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	send := func(i int, body []byte) {
		t.Helper()
		out, err := c.UploadMultipartPart(ctx, &glacier.UploadMultipartPartInput{VaultName: vault, UploadId: init.UploadId,
			Range: aws.String(fmt.Sprintf("bytes %d-%d/*", i*4*M, i*4*M+len(body)-1)), Body: bytes.NewReader(body)})
		if err != nil || aws.ToString(out.Checksum) != treeHex(body) {
			t.Fatalf("UploadMultipartPart %d: %+v, %v", i, out, err)
		}
	}
	send(2, randomBytes(4*M, 93)) // overwritten below
	for _, i := range []int{5, 2, 0, 3, 1, 4} {
		send(i, data[i*4*M:(i+1)*4*M])
	}
	var ranges []string
	var marker *string
	for {
		page, err := c.ListParts(ctx, &glacier.ListPartsInput{VaultName: vault, UploadId: init.UploadId, Limit: aws.Int32(4), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Parts {
			ranges = append(ranges, aws.ToString(p.RangeInBytes))
		}
		if marker = page.Marker; marker == nil {
			break
		}
	}
	if len(ranges) != 6 || ranges[5] != fmt.Sprintf("%d-%d", 20*M, 24*M-1) {
		t.Fatalf("ListParts pages: %v", ranges)
	}
	done, err := c.CompleteMultipartUpload(ctx, &glacier.CompleteMultipartUploadInput{VaultName: vault, UploadId: init.UploadId,
		ArchiveSize: aws.String(fmt.Sprint(len(data))), Checksum: aws.String(treeHex(data))})
	if err != nil || aws.ToString(done.Checksum) != treeHex(data) {
		t.Fatalf("CompleteMultipartUpload: %+v, %v", done, err)
	}

	job, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{VaultName: vault, JobParameters: &types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: done.ArchiveId}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeJob(ctx, &glacier.DescribeJobInput{VaultName: vault, JobId: job.JobId})
	if err != nil || !d.Completed || d.StatusCode != types.StatusCodeSucceeded || aws.ToString(d.SHA256TreeHash) != treeHex(data) {
		t.Fatalf("DescribeJob: %+v, %v", d, err)
	}
	whole, err := c.GetJobOutput(ctx, &glacier.GetJobOutputInput{VaultName: vault, JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(whole.Body)
	whole.Body.Close()
	if !bytes.Equal(got, data) || aws.ToString(whole.Checksum) != treeHex(data) || whole.Status != 200 {
		t.Fatalf("GetJobOutput: %d bytes (equal %v), checksum %s, status %d", len(got), bytes.Equal(got, data), aws.ToString(whole.Checksum), whole.Status)
	}
	part, err := c.GetJobOutput(ctx, &glacier.GetJobOutputInput{VaultName: vault, JobId: job.JobId, Range: aws.String(fmt.Sprintf("bytes=%d-%d", 16*M, 24*M-1))})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(part.Body)
	part.Body.Close()
	if !bytes.Equal(got, data[16*M:]) || aws.ToString(part.Checksum) != treeHex(data[16*M:]) || part.Status != 206 {
		t.Fatalf("GetJobOutput range: %d bytes, checksum %s, status %d", len(got), aws.ToString(part.Checksum), part.Status)
	}

	inv, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{VaultName: vault, JobParameters: &types.JobParameters{Type: aws.String("inventory-retrieval")}})
	if err != nil {
		t.Fatal(err)
	}
	invOut, err := c.GetJobOutput(ctx, &glacier.GetJobOutputInput{VaultName: vault, JobId: inv.JobId})
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ ArchiveList []struct{ ArchiveId string } }
	json.NewDecoder(invOut.Body).Decode(&list)
	invOut.Body.Close()
	var ids []string
	for _, a := range list.ArchiveList {
		ids = append(ids, a.ArchiveId)
	}
	want := []string{aws.ToString(up.ArchiveId), aws.ToString(done.ArchiveId)}
	sort.Strings(ids)
	sort.Strings(want)
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("inventory %v, want %v", ids, want)
	}

	for _, id := range want {
		if _, err := c.DeleteArchive(ctx, &glacier.DeleteArchiveInput{VaultName: vault, ArchiveId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteVault(ctx, &glacier.DeleteVaultInput{VaultName: vault}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeVault(ctx, &glacier.DescribeVaultInput{VaultName: vault})
	var nf *types.ResourceNotFoundException
	var ae smithy.APIError
	if !errors.As(err, &nf) || !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("DescribeVault after delete: %v", err)
	}
}
