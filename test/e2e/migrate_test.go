package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"

	"github.com/babelgate/babelgate/test/minio"
)

// migWant is what one key must read back as at the end.
type migWant struct {
	data  []byte
	etag  string // unquoted
	crc32 string // S3 checksum when an S3 client wrote it, else ""
}

// migrationCase is one move: backends YAML (with both backends, named
// src and dst, and default_backend) and whether to check the progress
// display in a pseudo-terminal.
type migrationCase struct {
	name     string
	backends string
	pty      bool
}

// TestMigration moves a bucket between backends while S3, OSS and OBS
// clients keep using it: fs → MinIO, MinIO → fs, and an OSS backend (a
// second gateway serving as the OSS store) → MinIO. The bulk copy is
// SIGKILLed twice midway and resumed; an upload begun on the source
// before the migration completes during it; at the end every key reads
// back the same through every dialect, deleted keys stay deleted, verify
// finds no difference, and the cut-over (SIGHUP) loses nothing.
func TestMigration(t *testing.T) {
	m := minio.Start(t)
	minioYAML := fmt.Sprintf(`{endpoint: %q, access_key: %q, secret_key: %q, path_style: true, region: us-east-1,
              request_timeout: 60s, connect_timeout: 10s, retries: 3}`, m.Endpoint, minio.AccessKey, minio.SecretKey)
	store := startGateway(t) // the OSS store: a gateway over fs
	cases := []migrationCase{
		{"fs-to-minio", fmt.Sprintf(`backends:
  - {name: src, type: fs, options: {root: %q}}
  - {name: dst, type: s3, options: %s}
default_backend: src
`, t.TempDir(), minioYAML), true},
		{"minio-to-fs", fmt.Sprintf(`backends:
  - {name: src, type: s3, options: %s}
  - {name: dst, type: fs, options: {root: %q}}
default_backend: dst
`, minioYAML, t.TempDir()), false},
		{"oss-to-minio", fmt.Sprintf(`backends:
  - name: src
    type: oss
    options: {endpoint: %q, access_key: %q, secret_key: %q, path_style: true,
              request_timeout: 60s, connect_timeout: 10s, retries: 3}
  - {name: dst, type: s3, options: %s}
default_backend: dst
`, store.URL, adminAK, adminSK, minioYAML), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runMigrationCase(t, tc) })
	}
}

// migrationEnv holds one case's gateway and clients.
type migrationEnv struct {
	t       *testing.T
	g       *gateway
	base    string // the backends YAML of the case
	name    string // the case's name
	reloads int
	s3c     *s3.Client
	ossb    *alioss.Bucket
	obsc    *obs.ObsClient
	want    map[string]*migWant
	deleted map[string]bool
	// racing: a copy runs; check compares bytes only (see check).
	racing bool
}

// setRoute writes the config with the given routes section and reloads
// it with SIGHUP, waiting for the outcome.
func (e *migrationEnv) setRoute(routes string) {
	e.t.Helper()
	e.g.backends = e.base + fmt.Sprintf(routes, e.name)
	e.g.writeConfig(e.g.Addr)
	e.reloads++
	if err := e.g.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		e.t.Fatal(err)
	}
	if line := waitReloadLine(e.t, e.g, e.reloads); !strings.Contains(line, `"msg":"config reloaded"`) {
		e.t.Fatalf("reload refused: %s", line)
	}
}

// The routes of a case's three phases; %[1]s is the case's name, which
// names its buckets on the stores (the MinIO server is shared).
const (
	plainRoute     = "routes:\n  - {bucket: app, backend: src, backend_bucket: %[1]s-src}\n"
	migratingRoute = "routes:\n  - {bucket: app, from: {backend: src, bucket: %[1]s-src}, to: {backend: dst, bucket: %[1]s-dst}}\n"
	cutOverRoute   = "routes:\n  - {bucket: app, backend: dst, backend_bucket: %[1]s-dst}\n"
)

// putS3 writes through the S3 SDK (CRC32 checksum, metadata).
func (e *migrationEnv) putS3(key string, data []byte) {
	e.t.Helper()
	out, err := e.s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("app"), Key: aws.String(key),
		Body: bytes.NewReader(data), ContentType: aws.String("text/x-mig"), Metadata: map[string]string{"by": "s3"},
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		e.t.Fatalf("S3 PutObject %s: %v", key, err)
	}
	e.want[key] = &migWant{data: data, etag: strings.Trim(aws.ToString(out.ETag), `"`), crc32: aws.ToString(out.ChecksumCRC32)}
	delete(e.deleted, key)
}

func (e *migrationEnv) putOSS(key string, data []byte) {
	e.t.Helper()
	if err := e.ossb.PutObject(key, bytes.NewReader(data), alioss.Meta("by", "oss")); err != nil {
		e.t.Fatalf("OSS PutObject %s: %v", key, err)
	}
	h, err := e.ossb.GetObjectDetailedMeta(key)
	if err != nil {
		e.t.Fatal(err)
	}
	e.want[key] = &migWant{data: data, etag: strings.ToLower(strings.Trim(h.Get("ETag"), `"`))}
	delete(e.deleted, key)
}

func (e *migrationEnv) putOBS(key string, data []byte) {
	e.t.Helper()
	in := &obs.PutObjectInput{}
	in.Bucket, in.Key, in.Body = "app", key, bytes.NewReader(data)
	in.Metadata = map[string]string{"by": "obs"}
	out, err := e.obsc.PutObject(in)
	if err != nil {
		e.t.Fatalf("OBS PutObject %s: %v", key, err)
	}
	e.want[key] = &migWant{data: data, etag: strings.Trim(out.ETag, `"`)}
	delete(e.deleted, key)
}

func (e *migrationEnv) del(client, key string) {
	e.t.Helper()
	var err error
	switch client {
	case "s3":
		_, err = e.s3c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String("app"), Key: aws.String(key)})
	case "oss":
		err = e.ossb.DeleteObject(key)
	case "obs":
		_, err = e.obsc.DeleteObject(&obs.DeleteObjectInput{Bucket: "app", Key: key})
	}
	if err != nil {
		e.t.Fatalf("%s DeleteObject %s: %v", client, key, err)
	}
	delete(e.want, key)
	e.deleted[key] = true
}

// check reads every wanted key through every dialect and every deleted
// one, and lists the bucket through S3. While a copy runs (racing) only
// the bytes are compared: a store backend writes an object's annex (the
// client's ETag for a re-chunked multipart object, CRC-64 on S3 stores)
// after the store took the object, so a read in between sees the store's
// own ETag and no CRC-64 (README, Known limits).
func (e *migrationEnv) check(when string) {
	e.t.Helper()
	ctx := context.Background()
	for key, w := range e.want {
		out, err := e.s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("app"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			e.t.Fatalf("%s: S3 GET %s: %v", when, key, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, w.data) || (!e.racing && strings.Trim(aws.ToString(out.ETag), `"`) != w.etag) {
			e.t.Errorf("%s: S3 GET %s: %d bytes, ETag %s; want %d bytes, ETag %s", when, key, len(got), aws.ToString(out.ETag), len(w.data), w.etag)
		}
		if w.crc32 != "" && !e.racing && aws.ToString(out.ChecksumCRC32) != w.crc32 {
			e.t.Errorf("%s: S3 GET %s: CRC32 %q, want %q", when, key, aws.ToString(out.ChecksumCRC32), w.crc32)
		}
		// The OSS SDK checks x-oss-hash-crc64ecma against the bytes itself
		// (CRC checks on by default); compare the header with ours too.
		body, err := e.ossb.GetObject(key)
		if err != nil {
			e.t.Fatalf("%s: OSS GET %s: %v", when, key, err)
		}
		got, err = io.ReadAll(body)
		body.Close()
		if err != nil || !bytes.Equal(got, w.data) {
			e.t.Errorf("%s: OSS GET %s: %d bytes, %v", when, key, len(got), err)
		}
		h, err := e.ossb.GetObjectDetailedMeta(key)
		if err != nil || (!e.racing && (strings.ToLower(strings.Trim(h.Get("ETag"), `"`)) != w.etag || h.Get("X-Oss-Hash-Crc64ecma") != strconv.FormatUint(crc64Of(w.data), 10))) {
			e.t.Errorf("%s: OSS HEAD %s: ETag %s crc64 %s, %v; want %s %d", when, key, h.Get("ETag"), h.Get("X-Oss-Hash-Crc64ecma"), err, w.etag, crc64Of(w.data))
		}
		oo, err := e.obsc.GetObject(&obs.GetObjectInput{GetObjectMetadataInput: obs.GetObjectMetadataInput{Bucket: "app", Key: key}})
		if err != nil {
			e.t.Fatalf("%s: OBS GET %s: %v", when, key, err)
		}
		got, _ = io.ReadAll(oo.Body)
		oo.Body.Close()
		if !bytes.Equal(got, w.data) || (!e.racing && strings.Trim(oo.ETag, `"`) != w.etag) {
			e.t.Errorf("%s: OBS GET %s: %d bytes, ETag %s", when, key, len(got), oo.ETag)
		}
	}
	for key := range e.deleted {
		_, err := e.s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("app"), Key: aws.String(key)})
		if apiCode(err) != "NotFound" {
			e.t.Errorf("%s: deleted key %s: S3 HEAD %v, want NotFound", when, key, err)
		}
		if _, err := e.ossb.GetObject(key); err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
			e.t.Errorf("%s: deleted key %s: OSS GET %v, want NoSuchKey", when, key, err)
		}
	}
	var listed []string
	// One page per side: MinIO's ListObjectsV2 answers a start-after
	// inside a nested "directory" (the store backends' .babelgate/annex/)
	// with a short page marked not truncated, so a small max-keys loses
	// keys on a MinIO side whatever the gateway does (seen with the
	// pinned MinIO; the merged paging is unit-tested in translate).
	p := s3.NewListObjectsV2Paginator(e.s3c, &s3.ListObjectsV2Input{Bucket: aws.String("app")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			e.t.Fatalf("%s: listing: %v", when, err)
		}
		for _, o := range page.Contents {
			listed = append(listed, aws.ToString(o.Key))
		}
	}
	var want []string
	for k := range e.want {
		want = append(want, k)
	}
	sort.Strings(want)
	if strings.Join(listed, ",") != strings.Join(want, ",") {
		e.t.Errorf("%s: listing\n got %v\nwant %v", when, listed, want)
	}
}

// migrate runs `babelgate migrate` against the gateway's config to its end
// and returns stdout; it fails the test on a non-zero exit unless
// wantFail.
func (e *migrationEnv) migrate(wantFail bool, args ...string) string {
	e.t.Helper()
	cmd := exec.Command(binary, append([]string{"migrate", "--config", filepath.Join(e.g.Dir, "config.yaml")}, args...)...)
	cmd.Env = append(os.Environ(), "E2E_ALICE_SECRET="+aliceSK)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if (err != nil) != wantFail {
		e.t.Fatalf("migrate %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// migrateUntilPaused runs the bulk copy until it has copied n objects
// (the --test-pause-after hook: checkpoint saved, then it waits), checks
// its progress on the admin listener, and SIGKILLs it.
func (e *migrationEnv) migrateUntilPaused(n int) {
	e.t.Helper()
	cmd := exec.Command(binary, "migrate", "--config", filepath.Join(e.g.Dir, "config.yaml"), "--concurrency", "1",
		"--test-pause-after", strconv.Itoa(n), "--metrics-listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "E2E_ALICE_SECRET="+aliceSK)
	out, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	logPath := filepath.Join(e.t.TempDir(), "migrate.log")
	logf, err := os.Create(logPath)
	if err != nil {
		e.t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	stderr := stringer(func() string { b, _ := os.ReadFile(logPath); return string(b) })
	defer cmd.Wait()
	defer cmd.Process.Kill()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(120 * time.Second)
	var seen []string
	for paused := false; !paused; {
		select {
		case l, ok := <-lines:
			if !ok {
				e.t.Fatalf("migrate exited before pausing: %v\nstdout:\n%s\nstderr:\n%s", cmd.Wait(), strings.Join(seen, "\n"), stderr.String())
			}
			seen = append(seen, l)
			paused = strings.Contains(l, fmt.Sprintf("app: paused after %d copied objects", n))
		case <-timeout:
			e.t.Fatalf("migrate did not pause in 120s:\n%s\nstderr:\n%s", strings.Join(seen, "\n"), stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	// The progress as metrics, while it waits.
	addr := regexp.MustCompile(`"addr":"([^"]+)"`).FindStringSubmatch(stderr.String())
	if addr == nil {
		e.t.Fatalf("no admin listener address in the log:\n%s", stderr.String())
	}
	resp, err := http.Get("http://" + addr[1] + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`babelgate_migration_objects\{bucket="app",state="done"\} [1-9]`).Match(body) ||
		!regexp.MustCompile(`babelgate_migration_objects\{bucket="app",state="left"\} [1-9]`).Match(body) {
		e.t.Errorf("metrics while paused lack the progress:\n%s", grepLines(string(body), "babelgate_migration"))
	}
	cmd.Process.Signal(syscall.SIGKILL)
}

// stringer reads a log file on demand.
type stringer func() string

func (s stringer) String() string { return s() }

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// copiedCount reads "N copied" from a run's summary line.
func copiedCount(t *testing.T, out string) int {
	t.Helper()
	mm := regexp.MustCompile(`app: done: (\d+) copied`).FindStringSubmatch(out)
	if mm == nil {
		t.Fatalf("no summary line in:\n%s", out)
	}
	n, _ := strconv.Atoi(mm[1])
	return n
}

func runMigrationCase(t *testing.T, tc migrationCase) {
	ctx := context.Background()
	g := startGateway(t, withBackends(tc.base()+fmt.Sprintf(plainRoute, tc.name)), withOBSDomain())
	e := &migrationEnv{t: t, g: g, base: tc.base(), name: tc.name, s3c: g.s3Client(t, adminAK, adminSK, false),
		obsc: g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil), want: map[string]*migWant{}, deleted: map[string]bool{}}
	if _, err := e.s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	ossc := ossLegacyClient(t, g)
	var err error
	if e.ossb, err = ossc.Bucket("app"); err != nil {
		t.Fatal(err)
	}
	// Before the migration: 24 objects on the source from all three
	// clients, one multipart object (OSS, 100 KB parts), and an S3 upload
	// left open.
	for i := 0; i < 24; i++ {
		key, data := fmt.Sprintf("k%02d", i), randomBytes(1000+i*997, uint64(900+i))
		switch i % 3 {
		case 0:
			e.putS3(key, data)
		case 1:
			e.putOSS(key, data)
		default:
			e.putOBS(key, data)
		}
	}
	big := randomBytes(2*ossPart+5000, 77)
	imur, err := e.ossb.InitiateMultipartUpload("m-big")
	if err != nil {
		t.Fatal(err)
	}
	var parts []alioss.UploadPart
	for n, off := 1, 0; off < len(big); n++ {
		end := min(off+ossPart, len(big))
		p, err := e.ossb.UploadPart(imur, bytes.NewReader(big[off:end]), int64(end-off), n)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
		off = end
	}
	if _, err := e.ossb.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatal(err)
	}
	h, _ := e.ossb.GetObjectDetailedMeta("m-big")
	e.want["m-big"] = &migWant{data: big, etag: strings.ToLower(strings.Trim(h.Get("ETag"), `"`))}
	early, err := e.s3c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("app"), Key: aws.String("z-early")})
	if err != nil {
		t.Fatal(err)
	}
	earlyData := randomBytes(3000, 5)
	earlyPart, err := e.s3c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("app"), Key: aws.String("z-early"), UploadId: early.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(earlyData)})
	if err != nil {
		t.Fatal(err)
	}
	e.check("before the migration")

	e.setRoute(migratingRoute)
	e.check("at the switch")
	if out := e.migrate(false, "--dry-run"); !strings.Contains(out, "dry run app: would copy 25 of 25 objects") {
		t.Fatalf("dry run:\n%s", out)
	}
	if out := e.migrate(false, "--dry-run", "--prefix", "k1"); !strings.Contains(out, "would copy 10 of 10 objects") {
		t.Fatalf("dry run of a prefix:\n%s", out)
	}

	// Run 1 copies k00..k04 and is killed. Meanwhile: overwrites of a
	// copied and an uncopied key, deletes of both kinds, new keys, all
	// three clients.
	e.migrateUntilPaused(5)
	e.putOSS("k01", randomBytes(4321, 1001)) // copied, overwritten
	e.putOBS("k10", randomBytes(555, 1002))  // not yet copied, overwritten
	e.del("s3", "k02")                       // copied, deleted
	e.del("oss", "k11")                      // not yet copied, deleted
	e.del("obs", "k12")
	e.putS3("new-1", randomBytes(2222, 1003))
	e.check("after run 1")

	// Run 2 copies five more (k05..k09) and is killed; the early upload
	// completes on the source meanwhile.
	e.migrateUntilPaused(5)
	if _, err := e.s3c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("app"), Key: aws.String("z-early"),
		UploadId: early.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: earlyPart.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatalf("completing the upload begun before the migration: %v", err)
	}
	hz, err := e.s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("app"), Key: aws.String("z-early")})
	if err != nil {
		t.Fatal(err)
	}
	e.want["z-early"] = &migWant{data: earlyData, etag: strings.Trim(aws.ToString(hz.ETag), `"`)}
	e.del("oss", "k20")
	e.putS3("k21", randomBytes(777, 1004))
	e.check("after run 2")

	// Run 3 to the end, slowed by --rate so that S3, OSS and OBS clients
	// delete, overwrite and read keys it has not reached yet while it
	// runs. Left for it at its start: k13..k23 less k20 and k21 (9 keys)
	// and m-big; z-early was copied at its completion, the overwritten
	// keys are on the destination. Of the 10, the 4 the clients touch
	// may or may not be copied before they are (timing decides only
	// that), so 6 to 10 are copied, and every outcome must read back
	// right.
	run3 := startMigrate(t, e, tc.pty, "--rate", "256KiB")
	run3.waitFor(t, "app: copying 13 objects")
	e.del("s3", "k14")
	e.putOSS("k16", randomBytes(6543, 1005))
	e.del("obs", "k22")
	e.putOBS("k23", randomBytes(3456, 1006))
	e.racing = true
	e.check("during run 3")
	e.racing = false
	out := run3.wait(t)
	if tc.pty {
		if !regexp.MustCompile(`\rapp: (\d+)/(\d+) objects \(0 left\), [^\r\n]*ETA 0s\x1b\[K\r?\n`).MatchString(out) {
			t.Errorf("no redrawn final progress line in the pty output:\n%q", out)
		}
	} else if strings.Contains(out, "\r") || !regexp.MustCompile(`(?m)^app: (\d+)/(\d+) objects \(0 left\)`).MatchString(out) {
		t.Errorf("progress on a pipe is not plain lines:\n%q", out)
	}
	n := copiedCount(t, out)
	t.Logf("run 3 copied %d objects while the clients worked", n)
	if n < 6 || n > 10 {
		t.Errorf("run 3 copied %d objects, want 6 to 10 (k13..k19, k22, k23, m-big less what the clients got to first):\n%s", n, out)
	}
	e.check("after the copy")
	if out := e.migrate(false, "--verify"); !strings.Contains(out, "0 differences") {
		t.Fatalf("verify:\n%s", out)
	}
	// Once more: everything is there; nothing is copied again.
	if out := e.migrate(false); copiedCount(t, out) != 0 {
		t.Errorf("a run after the end copied again:\n%s", out)
	}

	// Cut over: the destination alone, while a reader keeps reading (no
	// request may fail across the reload); then drop the migration's
	// state.
	stop, readerDone := make(chan struct{}), make(chan []error)
	go func() {
		var errs []error
		reads := 0
		for {
			select {
			case <-stop:
				if reads == 0 {
					errs = append(errs, fmt.Errorf("no read during the cut-over"))
				}
				readerDone <- errs
				return
			default:
			}
			for _, k := range []string{"k00", "k13", "m-big", "z-early"} {
				out, err := e.s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("app"), Key: aws.String(k)})
				if err == nil {
					got, rerr := io.ReadAll(out.Body)
					out.Body.Close()
					if rerr != nil || !bytes.Equal(got, e.want[k].data) {
						err = fmt.Errorf("%s: %d bytes, %v", k, len(got), rerr)
					}
				}
				if err != nil {
					errs = append(errs, err)
				}
				reads++
			}
		}
	}()
	e.setRoute(cutOverRoute)
	close(stop)
	if errs := <-readerDone; len(errs) > 0 {
		t.Errorf("reads failed across the cut-over: %v", errs)
	}
	if out := e.migrate(false, "--cleanup", "--bucket", "app"); !regexp.MustCompile(`app: deleted [1-9]\d* migration objects`).MatchString(out) {
		t.Errorf("cleanup: %s", out)
	}
	e.check("after the cut-over")
}

// base is the case's backends section.
func (tc migrationCase) base() string { return tc.backends }

// migrateRun is a `babelgate migrate` running in the background, its
// stdout collected.
type migrateRun struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan error
}

func (r *migrateRun) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.Write(p)
}

func (r *migrateRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// startMigrate starts the bulk copy, on a pipe or, with pty, in a
// pseudo-terminal (script(1)), where the progress redraws one line with
// carriage returns.
func startMigrate(t *testing.T, e *migrationEnv, pty bool, args ...string) *migrateRun {
	t.Helper()
	argv := append([]string{binary, "migrate", "--config", filepath.Join(e.g.Dir, "config.yaml")}, args...)
	var cmd *exec.Cmd
	if pty {
		cmd = exec.Command("script", "-q", "-e", "-c", strings.Join(argv, " "), "/dev/null")
	} else {
		cmd = exec.Command(argv[0], argv[1:]...)
	}
	cmd.Env = append(os.Environ(), "E2E_ALICE_SECRET="+aliceSK)
	r := &migrateRun{cmd: cmd, done: make(chan error, 1)}
	cmd.Stdout = r
	if !pty {
		cmd.Stderr = io.Discard
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return r
}

// waitFor waits until the output holds s.
func (r *migrateRun) waitFor(t *testing.T, s string) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(120 * time.Second)
	for !strings.Contains(r.output(), s) {
		select {
		case err := <-r.done:
			r.done <- err
			if !strings.Contains(r.output(), s) {
				t.Fatalf("migrate exited (%v) without printing %q:\n%s", err, s, r.output())
			}
		case <-timeout:
			t.Fatalf("migrate did not print %q in 120s:\n%s", s, r.output())
		case <-tick.C:
		}
	}
}

// wait waits for the run's successful end and returns its output.
func (r *migrateRun) wait(t *testing.T) string {
	t.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("migrate: %v\n%s", err, r.output())
		}
	case <-time.After(300 * time.Second):
		t.Fatalf("migrate did not end in 300s:\n%s", r.output())
	}
	return r.output()
}
