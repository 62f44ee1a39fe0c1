package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nodeModules is the node_modules directory holding ali-oss:
// BABELGATE_NODE_MODULES (test/run sets it from
// test/scripts/install-npm.sh), else the script's default cache.
func nodeModules(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BABELGATE_NODE_MODULES")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "babelgate", "npm", "node_modules")
	}
	if _, err := os.Stat(filepath.Join(dir, "ali-oss", "package.json")); err != nil {
		t.Fatalf("ali-oss is not installed in %s (%v); run test/scripts/install-npm.sh or set BABELGATE_NODE_MODULES", dir, err)
	}
	return dir
}

// TestAliOSSNode drives ali-oss, the most used OSS JavaScript SDK, from
// npm, at its defaults: its V1 signing sends x-oss-date and no Date, which
// OSS accepts (the gateway used to answer 403). The script
// (testdata/alioss/basics.js) creates a bucket, puts, gets, heads, lists
// and deletes an object and uploads a 350 KB file in 100 KB parts.
func TestAliOSSNode(t *testing.T) {
	modules := nodeModules(t)
	g := startGateway(t)
	script, err := filepath.Abs(filepath.Join("testdata", "alioss", "basics.js"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "big.bin")
	data := randomBytes(350<<10, 4242)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "ENDPOINT="+g.URL, "AK="+adminAK, "SK="+adminSK,
		"BUCKET=alioss-node", "FILE="+file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s\ngateway log:\n%s", script, err, stderr.String(), mxTail(g.Log(), 10))
	}
	var out struct {
		PutStatus, GetStatus, HeadStatus, MultipartStatus int
		PutETag, GetBody, HeadLength                      string
		HeadMeta                                          map[string]string
		ListKeys                                          []string
		MultipartMD5, FileMD5, MultipartETag              string
		AfterDelete                                       any
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("script output %q: %v", stdout.String(), err)
	}
	if out.PutStatus != 200 || out.GetStatus != 200 || out.HeadStatus != 200 || out.GetBody != "hello from ali-oss" ||
		out.HeadLength != "18" || out.HeadMeta["color"] != "blue" || !strings.HasPrefix(out.PutETag, `"`) {
		t.Errorf("basics: %+v", out)
	}
	if len(out.ListKeys) != 1 || out.ListKeys[0] != "dir/hello.txt" {
		t.Errorf("list: %v", out.ListKeys)
	}
	if out.MultipartStatus != 200 || out.MultipartMD5 != out.FileMD5 || !strings.HasSuffix(out.MultipartETag, `-4"`) {
		t.Errorf("multipart: status %d, md5 %s (file %s), ETag %s", out.MultipartStatus, out.MultipartMD5, out.FileMD5, out.MultipartETag)
	}
	if out.AfterDelete != float64(404) {
		t.Errorf("HEAD after delete: %v", out.AfterDelete)
	}
	// The gateway served the SDK in the OSS dialect.
	if !logHas(g.Log(), `"dialect":"oss"`, `"op":"CompleteMultipartUpload"`, `"status":200`) {
		t.Errorf("the gateway logged no OSS CompleteMultipartUpload")
	}
}
