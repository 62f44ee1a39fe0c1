package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The external clients this file and boto3_test.go drive: Debian's packages,
// installed by test/scripts/install-clients.sh. The pyenv aws-cli v1 and
// python that may come first on PATH are deliberately not used.
const (
	defaultAWSCLI  = "/usr/bin/aws"
	defaultPython3 = "/usr/bin/python3"
	clientTimeout  = 3 * time.Minute
)

// externalClient returns the path of a client program: the value of env if
// set, else def. A missing client fails the test: the suite must not pass
// silently on a machine without the clients.
func externalClient(t *testing.T, env, def string) string {
	t.Helper()
	path := def
	if v := os.Getenv(env); v != "" {
		path = v
	}
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		t.Fatalf("client %s not usable (%v); run test/scripts/install-clients.sh or set %s", path, err, env)
	}
	return path
}

func awsCLIPath(t *testing.T) string { return externalClient(t, "BABELGATE_AWS", defaultAWSCLI) }

// clientEnv returns a clean environment for a client process talking to g
// as ak/sk: nothing inherited (no AWS_*, proxy or pyenv variables), empty
// config and credentials files, a private HOME, and the test CA bundle when
// g serves TLS.
func clientEnv(t *testing.T, g *gateway, ak, sk string) []string {
	t.Helper()
	home := t.TempDir()
	cfg, creds := filepath.Join(home, "aws-config"), filepath.Join(home, "aws-credentials")
	for _, f := range []string{cfg, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + home,
		"LANG=C.UTF-8",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONNOUSERSITE=1",
		"AWS_ACCESS_KEY_ID=" + ak,
		"AWS_SECRET_ACCESS_KEY=" + sk,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_DEFAULT_OUTPUT=json",
	}
	if g.TLS {
		env = append(env, "AWS_CA_BUNDLE="+certFile)
	}
	return env
}

// clientResult is what a client process did.
type clientResult struct {
	Stdout, Stderr string
	Err            error // nil, or the *exec.ExitError
}

// ExitCode returns the process's exit status (0 on success).
func (r clientResult) ExitCode() int {
	var ee *exec.ExitError
	if errors.As(r.Err, &ee) {
		return ee.ExitCode()
	}
	if r.Err != nil {
		return -1
	}
	return 0
}

// runClient runs a client program with env and args under clientTimeout.
// Failing to start it or running out of time fails the test; the exit
// status is the caller's to judge.
func runClient(t *testing.T, env []string, prog string, args ...string) clientResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = env
	cmd.Dir = t.TempDir()
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := clientResult{Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
	if ctx.Err() != nil {
		t.Fatalf("%s %s: timed out after %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(prog),
			strings.Join(args, " "), clientTimeout, res.Stdout, res.Stderr)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running %s: %v (run test/scripts/install-clients.sh?)", prog, err)
	}
	return res
}

// mustRunClient is runClient for a command that must succeed.
func mustRunClient(t *testing.T, env []string, prog string, args ...string) clientResult {
	t.Helper()
	res := runClient(t, env, prog, args...)
	if res.Err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(prog), strings.Join(args, " "),
			res.Err, res.Stdout, res.Stderr)
	}
	return res
}

// awsCLI runs the aws CLI against g's endpoint.
type awsCLI struct {
	t    *testing.T
	path string
	env  []string
	url  string
}

// newAWSCLI returns the aws CLI at path (from awsCLIPath) for g as ak/sk.
func newAWSCLI(t *testing.T, g *gateway, path, ak, sk string) *awsCLI {
	t.Helper()
	return &awsCLI{t: t, path: path, env: clientEnv(t, g, ak, sk), url: g.URL}
}

func (c *awsCLI) args(args []string) []string {
	return append([]string{"--endpoint-url", c.url}, args...)
}

// Run runs one aws command; it need not succeed.
func (c *awsCLI) Run(args ...string) clientResult {
	c.t.Helper()
	return runClient(c.t, c.env, c.path, c.args(args)...)
}

// Must runs one aws command that must succeed.
func (c *awsCLI) Must(args ...string) clientResult {
	c.t.Helper()
	return mustRunClient(c.t, c.env, c.path, c.args(args)...)
}

// JSON runs one aws command that must succeed and decodes its output.
func (c *awsCLI) JSON(v any, args ...string) {
	c.t.Helper()
	res := c.Must(args...)
	if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
		c.t.Fatalf("aws %s: output is not the expected JSON (%v):\n%s", strings.Join(args, " "), err, res.Stdout)
	}
}

// dumpLogOnFailure logs g's request log lines when the test fails.
func dumpLogOnFailure(t *testing.T, g *gateway) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gateway log:\n%s", g.Log())
		}
	})
}

// loggedRequest is one JSON "request" line of the gateway's log.
type loggedRequest struct {
	Msg    string `json:"msg"`
	Op     string `json:"op"`
	Method string `json:"method"`
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Status int    `json:"status"`
	Auth   string `json:"auth"`
	Error  string `json:"error"`
}

// loggedRequests returns the request lines g has logged so far.
func loggedRequests(t *testing.T, g *gateway) []loggedRequest {
	t.Helper()
	var out []loggedRequest
	sc := bufio.NewScanner(strings.NewReader(g.Log()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var l loggedRequest
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "request" {
			out = append(out, l)
		}
	}
	return out
}

// expectedMultipartETag is S3's ETag for an object uploaded in parts of partSize:
// the MD5 of the parts' binary MD5s, "-", the part count; quoted.
func expectedMultipartETag(data []byte, partSize int) string {
	var sums []byte
	n := 0
	for off := 0; off < len(data); off += partSize {
		s := md5.Sum(data[off:min(off+partSize, len(data))])
		sums = append(sums, s[:]...)
		n++
	}
	s := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(s[:]), n)
}

func writeClientFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCLICopy copies a 40 MiB file up with `aws s3 cp` (multipart: the CLI's
// threshold and chunk size are 8 MiB, so five parts) and down again (ranged
// GETs), lists it with `aws s3 ls` and removes it with `aws s3 rm`, over
// plain HTTP and over TLS (the CLI trusting the test CA via AWS_CA_BUNDLE).
func TestCLICopy(t *testing.T) {
	awsPath := awsCLIPath(t)
	overHTTPAndTLS(t, func(t *testing.T, name string, g *gateway) {
		dumpLogOnFailure(t, g)
		cli := newAWSCLI(t, g, awsPath, adminAK, adminSK)
		sdk := g.s3Client(t, adminAK, adminSK, false)
		ctx := context.Background()
		const bucket, key = "cli-bucket", "dir/big file.bin"
		dir := t.TempDir()

		cli.Must("s3", "mb", "s3://"+bucket)
		if _, err := sdk.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatalf("HeadBucket after aws s3 mb: %v", err)
		}

		data := randomBytes(40<<20, 4040)
		src := writeClientFile(t, dir, "src.bin", data)
		cli.Must("s3", "cp", "--no-progress", src, "s3://"+bucket+"/"+key)

		head, err := sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("HeadObject after aws s3 cp: %v", err)
		}
		etag := aws.ToString(head.ETag)
		if !strings.HasSuffix(etag, `-5"`) {
			t.Fatalf("ETag %s: want a 5-part multipart ETag (aws s3 cp of 40 MiB in 8 MiB parts)", etag)
		}
		if want := expectedMultipartETag(data, 8<<20); etag != want {
			t.Errorf("ETag %s, want %s (MD5 of the five 8 MiB parts' MD5s)", etag, want)
		}
		if n := aws.ToInt64(head.ContentLength); n != int64(len(data)) {
			t.Errorf("HeadObject Content-Length %d, want %d", n, len(data))
		}
		if n := countLoggedOps(loggedRequests(t, g), "UploadPart", 200); n != 5 {
			t.Errorf("gateway logged %d successful UploadPart requests, want 5", n)
		}

		// `aws s3 ls` at the root shows the common prefix; recursively, the
		// key and its size.
		ls := cli.Must("s3", "ls", "s3://"+bucket)
		if !anyOutputLine(ls.Stdout, func(f []string) bool { return len(f) == 2 && f[0] == "PRE" && f[1] == "dir/" }) {
			t.Errorf("aws s3 ls s3://%s: no \"PRE dir/\" line:\n%s", bucket, ls.Stdout)
		}
		ls = cli.Must("s3", "ls", "--recursive", "s3://"+bucket)
		if !anyOutputLine(ls.Stdout, func(f []string) bool {
			return len(f) >= 4 && f[2] == strconv.Itoa(len(data)) && strings.Join(f[3:], " ") == key
		}) {
			t.Errorf("aws s3 ls --recursive s3://%s: no line with size %d and key %q:\n%s", bucket, len(data), key, ls.Stdout)
		}

		dst := filepath.Join(dir, "dst.bin")
		cli.Must("s3", "cp", "--no-progress", "s3://"+bucket+"/"+key, dst)
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("downloaded %d bytes (md5 %s), uploaded %d (md5 %s)", len(got), md5hex(got), len(data), md5hex(data))
		}

		rm := cli.Must("s3", "rm", "s3://"+bucket+"/"+key)
		if !strings.Contains(rm.Stdout, "delete: s3://"+bucket+"/"+key) {
			t.Errorf("aws s3 rm output %q, want a delete line", rm.Stdout)
		}
		_, err = sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		mustCode(t, err, "NotFound")
		// An empty listing: the CLI may exit 1 for "nothing listed", but it
		// must not be an error from the gateway.
		ls = cli.Run("s3", "ls", "--recursive", "s3://"+bucket)
		if code := ls.ExitCode(); code > 1 || strings.Contains(ls.Stdout, "big file.bin") ||
			strings.Contains(ls.Stderr, "An error occurred") {
			t.Errorf("aws s3 ls after rm:\nstdout:\n%s\nstderr:\n%s", ls.Stdout, ls.Stderr)
		}
	})
}

// countLoggedOps counts the logged requests of op that answered status.
func countLoggedOps(lines []loggedRequest, op string, status int) int {
	n := 0
	for _, l := range lines {
		if l.Op == op && l.Status == status {
			n++
		}
	}
	return n
}

// anyOutputLine reports whether some line of out, split into fields, satisfies
// match.
func anyOutputLine(out string, match func(fields []string) bool) bool {
	for line := range strings.SplitSeq(out, "\n") {
		if match(strings.Fields(line)) {
			return true
		}
	}
	return false
}

// cliPart and friends are the parts of the aws s3api JSON outputs we read.
type cliPart struct {
	PartNumber int
	ETag       string
	Size       int64
}

type cliListParts struct {
	Bucket, Key, UploadId string
	Parts                 []cliPart
}

type cliUpload struct{ Key, UploadId string }

type cliListUploads struct {
	Bucket  string
	Uploads []cliUpload
}

// TestCLIMultipartAPI drives the multipart API one call at a time with
// `aws s3api`: create, two upload-parts from files, list-parts,
// list-multipart-uploads, abort (then list-parts must fail NoSuchUpload);
// and a second upload that is completed from a parts file.
func TestCLIMultipartAPI(t *testing.T) {
	awsPath := awsCLIPath(t)
	g := startGateway(t)
	dumpLogOnFailure(t, g)
	cli := newAWSCLI(t, g, awsPath, adminAK, adminSK)
	sdk := g.s3Client(t, adminAK, adminSK, false)
	ctx := context.Background()
	const bucket, key = "cli-mpu", "parts/object.bin"
	dir := t.TempDir()
	cli.Must("s3api", "create-bucket", "--bucket", bucket)

	p1 := randomBytes(5<<20, 501)
	p2 := randomBytes(1<<20+12345, 502)
	f1, f2 := writeClientFile(t, dir, "p1", p1), writeClientFile(t, dir, "p2", p2)

	var created struct{ Bucket, Key, UploadId string }
	cli.JSON(&created, "s3api", "create-multipart-upload", "--bucket", bucket, "--key", key)
	if created.Bucket != bucket || created.Key != key || created.UploadId == "" {
		t.Fatalf("create-multipart-upload: %+v", created)
	}
	id := created.UploadId

	for i, f := range []string{f1, f2} {
		var up struct{ ETag string }
		cli.JSON(&up, "s3api", "upload-part", "--bucket", bucket, "--key", key, "--upload-id="+id,
			"--part-number", strconv.Itoa(i+1), "--body", f)
		want := `"` + md5hex([][]byte{p1, p2}[i]) + `"`
		if up.ETag != want {
			t.Errorf("upload-part %d: ETag %s, want %s", i+1, up.ETag, want)
		}
	}

	var lp cliListParts
	// --no-paginate: the paginated output keeps only Parts (and the
	// paginator's non-aggregate keys), not Bucket, Key and UploadId.
	cli.JSON(&lp, "s3api", "list-parts", "--no-paginate", "--bucket", bucket, "--key", key, "--upload-id="+id)
	if lp.Bucket != bucket || lp.Key != key || lp.UploadId != id {
		t.Errorf("list-parts: bucket %q key %q upload %q", lp.Bucket, lp.Key, lp.UploadId)
	}
	wantParts := []cliPart{{1, `"` + md5hex(p1) + `"`, int64(len(p1))}, {2, `"` + md5hex(p2) + `"`, int64(len(p2))}}
	if len(lp.Parts) != 2 || lp.Parts[0] != wantParts[0] || lp.Parts[1] != wantParts[1] {
		t.Fatalf("list-parts: parts %+v, want %+v", lp.Parts, wantParts)
	}

	var lu cliListUploads
	cli.JSON(&lu, "s3api", "list-multipart-uploads", "--no-paginate", "--bucket", bucket)
	if lu.Bucket != bucket || len(lu.Uploads) != 1 || lu.Uploads[0] != (cliUpload{key, id}) {
		t.Fatalf("list-multipart-uploads: %+v, want one upload %s of %s", lu, id, key)
	}

	cli.Must("s3api", "abort-multipart-upload", "--bucket", bucket, "--key", key, "--upload-id="+id)
	res := cli.Run("s3api", "list-parts", "--bucket", bucket, "--key", key, "--upload-id="+id)
	if res.Err == nil || !strings.Contains(res.Stderr, "An error occurred (NoSuchUpload)") {
		t.Fatalf("list-parts after abort: exit %d, want failure with NoSuchUpload\nstdout:\n%s\nstderr:\n%s",
			res.ExitCode(), res.Stdout, res.Stderr)
	}
	lu = cliListUploads{}
	cli.JSON(&lu, "s3api", "list-multipart-uploads", "--no-paginate", "--bucket", bucket)
	if len(lu.Uploads) != 0 {
		t.Errorf("list-multipart-uploads after abort: %+v", lu.Uploads)
	}

	// A second upload, completed with --multipart-upload file://...
	cli.JSON(&created, "s3api", "create-multipart-upload", "--bucket", bucket, "--key", key)
	id = created.UploadId
	type completedPart struct {
		PartNumber int
		ETag       string
	}
	var parts []completedPart
	for i, f := range []string{f1, f2} {
		var up struct{ ETag string }
		cli.JSON(&up, "s3api", "upload-part", "--bucket", bucket, "--key", key, "--upload-id="+id,
			"--part-number", strconv.Itoa(i+1), "--body", f)
		parts = append(parts, completedPart{i + 1, up.ETag})
	}
	spec, _ := json.Marshal(map[string]any{"Parts": parts})
	specFile := writeClientFile(t, dir, "parts.json", spec)
	var done struct{ Bucket, Key, ETag string }
	cli.JSON(&done, "s3api", "complete-multipart-upload", "--bucket", bucket, "--key", key, "--upload-id="+id,
		"--multipart-upload", "file://"+specFile)
	whole := append(append([]byte{}, p1...), p2...)
	if want := expectedMultipartETag(whole, len(p1)); done.ETag != want || done.Key != key {
		t.Errorf("complete-multipart-upload: %+v, want ETag %s", done, want)
	}
	out := filepath.Join(dir, "out")
	var get struct {
		ContentLength int64
		ETag          string
	}
	cli.JSON(&get, "s3api", "get-object", "--bucket", bucket, "--key", key, out)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, whole) || get.ContentLength != int64(len(whole)) || get.ETag != done.ETag {
		t.Errorf("get-object: %d bytes (equal: %v), reported length %d ETag %s; want %d bytes, ETag %s",
			len(got), bytes.Equal(got, whole), get.ContentLength, get.ETag, len(whole), done.ETag)
	}
	head, err := sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if aws.ToString(head.ETag) != done.ETag {
		t.Errorf("HeadObject ETag %s, want %s", aws.ToString(head.ETag), done.ETag)
	}
}
