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
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const carolAK, carolSK = "CAROLKEYEXAMPLE00001", "carolSecretKeyExample0000000000000000001"

// TestReloadOnSIGHUP reloads the config of a running gateway with SIGHUP
// four times: a new user and a route (then usable), a removed user (now
// InvalidAccessKeyId), a changed grant (access changes at once), and an
// invalid file (refused with its line-numbered message; the config in
// force keeps serving). Across every reload a multipart upload goes on and
// a streaming PUT is held open half sent; both finish afterwards with the
// right bytes. The log says what changed and never shows a secret.
func TestReloadOnSIGHUP(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	alice := g.s3Client(t, aliceAK, aliceSK, false)
	bob := g.s3Client(t, bobAK, bobSK, false)
	carol := g.s3Client(t, carolAK, carolSK, false)
	for _, b := range []string{"shared", "alice-data", "bob-data", "inflight"} {
		if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("CreateBucket %s: %v", b, err)
		}
	}
	put := func(c *s3.Client, bucket, key, body string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		return err
	}
	if err := put(admin, "shared", "doc", "shared doc"); err != nil {
		t.Fatal(err)
	}
	// Before any reload: carol is unknown, bob and alice work.
	mustCode(t, put(carol, "carol-x", "k", "v"), "InvalidAccessKeyId")
	if err := put(bob, "bob-data", "k", "bob's"); err != nil {
		t.Fatal(err)
	}
	if err := put(alice, "alice-data", "k", "alice's"); err != nil {
		t.Fatal(err)
	}

	// A multipart upload that goes on across every reload, one part
	// between each.
	const partSize = 5 << 20
	mp, err := admin.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("inflight"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	var whole []byte
	var parts []types.CompletedPart
	uploadPart := func() {
		t.Helper()
		n := int32(len(parts) + 1)
		data := randomBytes(partSize, uint64(n))
		out, err := admin.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("inflight"), Key: aws.String("mp"),
			UploadId: mp.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		whole = append(whole, data...)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	uploadPart()

	cfgPath := filepath.Join(g.Dir, "config.yaml")
	original, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(original)
	bobLine := fmt.Sprintf("  - {access_key: %s, secret_key: %s, buckets: [{name: \"bob-*\", access: readwrite}, {name: shared, access: read}]}\n", bobAK, bobSK)
	aliceGrant := `buckets: [{name: "alice-*", access: readwrite}, {name: shared, access: read}]`
	carolLine := fmt.Sprintf("  - {access_key: %s, secret_key: %s, buckets: [{name: \"carol-*\", access: readwrite}]}\n", carolAK, carolSK)
	if !strings.Contains(cfg, bobLine) || !strings.Contains(cfg, aliceGrant) {
		t.Fatalf("the harness's config changed shape:\n%s", cfg)
	}
	reloads := 0
	reload := func(newCfg, wantMsg string, want ...string) {
		t.Helper()
		if err := os.WriteFile(cfgPath, []byte(newCfg), 0o600); err != nil {
			t.Fatal(err)
		}
		reloads++
		if err := g.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		line := waitReloadLine(t, g, reloads)
		if !strings.Contains(line, wantMsg) {
			t.Fatalf("reload %d logged %s, want %q", reloads, line, wantMsg)
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Fatalf("reload %d logged %s, want it to contain %q", reloads, line, w)
			}
		}
	}

	// 1. A new user (carol) and a route; bob removed while his PUT is in
	// flight.
	held := startReloadPut(t, g, bobAK, bobSK, "bob-data", "held", 4<<20)
	cfg = strings.Replace(cfg, bobLine, carolLine, 1)
	cfg = strings.Replace(cfg, "\nbackends:", "\nroutes:\n  - {bucket: alias, backend: local, backend_bucket: shared}\nbackends:", 1)
	reload(cfg, `"msg":"config reloaded"`, `"users_added":["`+carolAK+` [carol-*:readwrite]"]`, `"users_removed":["`+bobAK+`"]`,
		`"routes_added":["alias -> local:shared/"]`)
	held.finish(t, admin)
	if _, err := carol.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("carol-x")}); err != nil {
		t.Fatalf("the new user cannot create its bucket: %v", err)
	}
	if err := put(carol, "carol-x", "k", "carol's"); err != nil {
		t.Fatalf("the new user cannot write: %v", err)
	}
	mustCode(t, put(carol, "bob-data", "k", "v"), "AccessDenied")
	mustCode(t, put(bob, "bob-data", "k2", "v"), "InvalidAccessKeyId")
	if got := getString(t, admin, "alias", "doc"); got != "shared doc" {
		t.Fatalf("the new route reads %q", got)
	}
	uploadPart()

	// 2. A changed grant: alice's own buckets become read-only, while her
	// PUT is in flight; a setting that needs a restart is reported, not
	// applied.
	held = startReloadPut(t, g, aliceAK, aliceSK, "alice-data", "held", 4<<20)
	cfg = strings.Replace(cfg, aliceGrant, `buckets: [{name: "alice-*", access: read}, {name: shared, access: read}]`, 1)
	cfg = strings.Replace(cfg, "  shutdown_timeout: 10s\n", "  shutdown_timeout: 10s\n  idle_timeout: 119s\n", 1)
	reload(cfg, `"msg":"config reloaded"`, `"users_changed":["`+aliceAK+`: grants [alice-*:read shared:read]"]`)
	if !logHas(g.Log(), `need a restart`, `"settings":[`, `"server.idle_timeout"`) {
		t.Fatalf("no restart notice for server.idle_timeout; log:\n%s", g.Log())
	}
	held.finish(t, admin)
	mustCode(t, put(alice, "alice-data", "k2", "v"), "AccessDenied")
	if got := getString(t, alice, "alice-data", "k"); got != "alice's" {
		t.Fatalf("alice reads %q after her grant became read", got)
	}
	uploadPart()

	// 3. An invalid file: refused with file, line and path; everything
	// above stays in force.
	held = startReloadPut(t, g, adminAK, adminSK, "inflight", "held", 4<<20)
	bad := strings.Replace(cfg, `{name: "carol-*", access: readwrite}`, `{name: "carol-*", access: rw}`, 1)
	badLine := 1 + strings.Count(bad[:strings.Index(bad, "access: rw")], "\n")
	reload(bad, `"msg":"config reload refused; the config in force stays"`,
		fmt.Sprintf(`config.yaml:%d: users[`, badLine), `unknown access \"rw\", want read, write or readwrite`)
	held.finish(t, admin)
	if err := put(carol, "carol-x", "k3", "still"); err != nil {
		t.Fatalf("carol lost access after a refused reload: %v", err)
	}
	mustCode(t, put(bob, "bob-data", "k3", "v"), "InvalidAccessKeyId")
	mustCode(t, put(alice, "alice-data", "k3", "v"), "AccessDenied")
	uploadPart()

	// 4. The file fixed again: applied, and it says nothing changed.
	reload(cfg, `"msg":"config reloaded"`, `"changes":"none to users or routes"`)

	out, err := admin.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("inflight"), Key: aws.String("mp"),
		UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("completing the upload that spanned the reloads: %v", err)
	}
	if got := getString(t, admin, "inflight", "mp"); got != string(whole) {
		t.Fatalf("the completed object (%s) has %d bytes, want the %d uploaded", aws.ToString(out.ETag), len(got), len(whole))
	}
	for _, secret := range []string{adminSK, aliceSK, bobSK, carolSK, "e2e-upload-id-secret"} {
		if strings.Contains(g.Log(), secret) {
			t.Fatalf("the log shows a secret (%.6s...)", secret)
		}
	}
}

// waitReloadLine waits for the n-th reload outcome in the log (applied or
// refused) and returns its line.
func waitReloadLine(t *testing.T, g *gateway, n int) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var outcomes []string
		for _, line := range strings.Split(g.Log(), "\n") {
			if strings.Contains(line, `"msg":"config reloaded"`) || strings.Contains(line, `"msg":"config reload refused`) {
				outcomes = append(outcomes, line)
			}
		}
		if len(outcomes) >= n {
			return outcomes[n-1]
		}
		select {
		case <-deadline:
			t.Fatalf("no outcome for reload %d in 30s; log:\n%s", n, g.Log())
		case <-tick.C:
		}
	}
}

// reloadPut is a streaming PutObject whose body is half sent.
type reloadPut struct {
	*heldPut
	bucket, key string
}

// startReloadPut starts a PUT of size bytes as ak/sk, sends half its body
// (see holdPutAs), and returns once the gateway is writing it: a temp file
// exists in the fs backend's <bucket>/.tmp, which is after authentication
// and the access check.
func startReloadPut(t *testing.T, g *gateway, ak, sk, bucket, key string, size int) *reloadPut {
	t.Helper()
	h := &reloadPut{holdPutAs(t, g, ak, sk, bucket, key, randomBytes(size, uint64(size)+uint64(len(ak)))), bucket, key}
	tmp := filepath.Join(g.Dir, "data", bucket, ".tmp")
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".tmp") {
				return h
			}
		}
		select {
		case r := <-h.result:
			t.Fatalf("the held PUT ended early: %d %v %s", r.status, r.err, r.body)
		case <-deadline:
			t.Fatalf("the held PUT never reached the backend; log:\n%s", g.Log())
		case <-tick.C:
		}
	}
}

// finish sends the rest of the body and checks that the PUT succeeded and
// stored the whole body (read back through c).
func (h *reloadPut) finish(t *testing.T, c *s3.Client) {
	t.Helper()
	if r := h.heldPut.finish(t); r.err != nil || r.status != http.StatusOK {
		t.Fatalf("the PUT held open across the reload failed: %d %v %s", r.status, r.err, r.body)
	}
	if got := getString(t, c, h.bucket, h.key); got != string(h.data) {
		t.Fatalf("the PUT held open across the reload stored %d bytes, not the %d sent", len(got), len(h.data))
	}
}

func getString(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	o, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer o.Body.Close()
	b, err := io.ReadAll(o.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
