package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/babelgate/babelgate/test/minio"
)

// The admin listener (server.metrics_listen): Prometheus metrics scraped
// during a mixed S3/OSS/OBS workload, /readyz following the store and the
// SIGTERM drain.

// withServer adds YAML lines (indented two spaces) to the server section.
func withServer(lines string) gatewayOption { return func(g *gateway) { g.server += lines } }

// freeAddr returns a loopback address free at the time of the call.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startAdminGateway starts a gateway whose admin listener is on a free
// port, with serverLines added to its server section, and returns the
// admin base URL.
func startAdminGateway(t *testing.T, serverLines string, opts ...gatewayOption) (*gateway, string) {
	t.Helper()
	addr := freeAddr(t)
	opts = append(opts, withServer("  metrics_listen: "+addr+"\n"+serverLines))
	g := startGateway(t, opts...)
	dumpLogOnFailure(t, g)
	return g, "http://" + addr
}

// adminGet fetches path from the admin listener.
func adminGet(t testing.TB, admin, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(admin + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds, failing the test after a minute: a
// bound for a broken gateway, never what decides the outcome.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrape is one parse of /metrics, in the text exposition format.
type scrape map[string]*dto.MetricFamily

func scrapeMetrics(t testing.TB, admin string) scrape {
	t.Helper()
	status, body := adminGet(t, admin, "/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics = %d: %s", status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return mfs
}

// scrapeSettled scrapes once no request is in flight: a request is
// counted (and logged) after its response is sent, so a client that has
// its answer must wait for this before it reads the counters.
func scrapeSettled(t testing.TB, admin string) scrape {
	t.Helper()
	var s scrape
	waitFor(t, "no request in flight", func() bool {
		s = scrapeMetrics(t, admin)
		return s.value("babelgate_requests_in_flight") == 0
	})
	return s
}

// metric returns the series of name whose labels include every
// "name=value" pair, or nil.
func (s scrape) metric(name string, labels ...string) *dto.Metric {
	mf := s[name]
	if mf == nil {
		return nil
	}
series:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			if have[k] != v {
				continue series
			}
		}
		return m
	}
	return nil
}

// value is a counter's or gauge's value (0 for a series not yet exposed).
func (s scrape) value(name string, labels ...string) float64 {
	m := s.metric(name, labels...)
	switch {
	case m == nil:
		return 0
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return 0
}

// count is a histogram's observation count.
func (s scrape) count(name string, labels ...string) uint64 {
	if m := s.metric(name, labels...); m != nil && m.Histogram != nil {
		return m.Histogram.GetSampleCount()
	}
	return 0
}

// TestAdminMetricsMixedWorkload scrapes /metrics before and after a
// workload of the S3, OSS and OBS SDKs and checks that each counter and
// histogram moved by exactly what the workload did.
func TestAdminMetricsMixedWorkload(t *testing.T) {
	g, admin := startAdminGateway(t, "", withOBSDomain())
	ctx := context.Background()
	before := scrapeSettled(t, admin)
	data := randomBytes(300_000, 71)
	part1 := randomBytes(5<<20, 72)

	// S3: bucket, object up and down, a missing key, a two-part upload.
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("metrics-s3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("metrics-s3"), Key: aws.String("k"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("metrics-s3"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("S3 GetObject returned other bytes")
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("metrics-s3"), Key: aws.String("missing")}); err == nil {
		t.Fatal("HeadObject of a missing key succeeded")
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("metrics-s3"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, p := range [][]byte{part1, data[:1000]} {
		n := int32(i + 1)
		r, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("metrics-s3"), Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("metrics-s3"), Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}

	// OSS: bucket, object up and down.
	ob := ossBucket(t, ossLegacyClient(t, g, alioss.HTTPClient(g.HTTPClient(false))), "metrics-oss")
	if err := ob.PutObject("k", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	rc, err := ob.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("OSS GetObject returned other bytes")
	}

	// OBS, native signature: bucket and object up.
	oc := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	if _, err := oc.CreateBucket(&obs.CreateBucketInput{Bucket: "metrics-obs"}); err != nil {
		t.Fatal(err)
	}
	in := &obs.PutObjectInput{}
	in.Bucket, in.Key, in.Body = "metrics-obs", "k", bytes.NewReader(data)
	if _, err := oc.PutObject(in); err != nil {
		t.Fatal(err)
	}

	after := scrapeSettled(t, admin)
	if !adminLogLine(g, admin) {
		t.Error("the gateway did not log its admin listener's address")
	}
	delta := func(name string, labels ...string) float64 {
		return after.value(name, labels...) - before.value(name, labels...)
	}
	n := float64(len(data))
	for _, tc := range []struct {
		dialect, op, class string
		want               float64
	}{
		{"s3", "CreateBucket", "2xx", 1}, {"s3", "PutObject", "2xx", 1}, {"s3", "GetObject", "2xx", 1},
		{"s3", "HeadObject", "4xx", 1}, {"s3", "CreateMultipartUpload", "2xx", 1}, {"s3", "UploadPart", "2xx", 2},
		{"s3", "CompleteMultipartUpload", "2xx", 1},
		{"oss", "CreateBucket", "2xx", 1}, {"oss", "PutObject", "2xx", 1}, {"oss", "GetObject", "2xx", 1},
		{"obs", "CreateBucket", "2xx", 1}, {"obs", "PutObject", "2xx", 1},
		{"s3", "PutObject", "4xx", 0}, {"oss", "PutObject", "5xx", 0},
	} {
		if d := delta("babelgate_requests_total", "dialect="+tc.dialect, "operation="+tc.op, "status_class="+tc.class); d != tc.want {
			t.Errorf("babelgate_requests_total{%s,%s,%s} moved by %v, want %v", tc.dialect, tc.op, tc.class, d, tc.want)
		}
	}
	for _, tc := range []struct {
		dialect, op string
		want        uint64
	}{{"s3", "PutObject", 1}, {"s3", "UploadPart", 2}, {"oss", "GetObject", 1}, {"obs", "PutObject", 1}} {
		labels := []string{"dialect=" + tc.dialect, "operation=" + tc.op}
		if d := after.count("babelgate_request_duration_seconds", labels...) - before.count("babelgate_request_duration_seconds", labels...); d != tc.want {
			t.Errorf("babelgate_request_duration_seconds{%s,%s} got %d observations, want %d", tc.dialect, tc.op, d, tc.want)
		}
	}
	// Bytes: what crossed the wire as body. OSS and OBS send the plain
	// body; the S3 SDK frames its body (aws-chunked with a CRC32
	// trailer), and the counter must equal what the request log says.
	for _, tc := range []struct {
		name, dialect, op string
		want              float64
	}{
		{"babelgate_sent_bytes_total", "s3", "GetObject", n},
		{"babelgate_sent_bytes_total", "oss", "GetObject", n},
		{"babelgate_received_bytes_total", "oss", "PutObject", n},
		{"babelgate_received_bytes_total", "obs", "PutObject", n},
		{"babelgate_received_bytes_total", "s3", "PutObject", loggedBytesIn(t, g, "s3", "PutObject")},
		{"babelgate_received_bytes_total", "s3", "UploadPart", loggedBytesIn(t, g, "s3", "UploadPart")},
	} {
		if d := delta(tc.name, "dialect="+tc.dialect, "operation="+tc.op); d != tc.want {
			t.Errorf("%s{%s,%s} moved by %v, want %v", tc.name, tc.dialect, tc.op, d, tc.want)
		}
	}
	if s3in := delta("babelgate_received_bytes_total", "dialect=s3", "operation=PutObject"); s3in < n {
		t.Errorf("S3 PutObject received %v bytes, fewer than its %v-byte body", s3in, n)
	}
	// The backend saw one PutObject per dialect, both parts and the
	// Complete; the S3 HeadObject found no key.
	for _, tc := range []struct {
		op, outcome string
		want        float64
	}{
		{"PutObject", "ok", 3}, {"UploadPart", "ok", 2}, {"CompleteMultipartUpload", "ok", 1},
		{"CreateBucket", "ok", 3}, {"PutObject", "Internal", 0},
	} {
		if d := delta("babelgate_backend_calls_total", "backend=local", "operation="+tc.op, "outcome="+tc.outcome); d != tc.want {
			t.Errorf("babelgate_backend_calls_total{local,%s,%s} moved by %v, want %v", tc.op, tc.outcome, d, tc.want)
		}
	}
	if d := delta("babelgate_backend_calls_total", "backend=local", "operation=HeadObject", "outcome=NoSuchKey"); d < 1 {
		t.Errorf("no backend HeadObject ended in NoSuchKey (moved by %v)", d)
	}
	if d := after.count("babelgate_backend_call_duration_seconds", "backend=local", "operation=PutObject") -
		before.count("babelgate_backend_call_duration_seconds", "backend=local", "operation=PutObject"); d != 3 {
		t.Errorf("backend PutObject latency got %d observations, want 3", d)
	}
	if v := after.value("babelgate_requests_in_flight"); v != 0 {
		t.Errorf("babelgate_requests_in_flight = %v with nothing in flight", v)
	}
	if m := after.metric("babelgate_build_info"); m == nil || m.Gauge.GetValue() != 1 {
		t.Errorf("babelgate_build_info = %v", m)
	}
	// Labels are bounded: no bucket, key or access key in any of them.
	for name, mf := range after {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if v := l.GetValue(); strings.Contains(v, "metrics-") || v == "k" || v == "mp" || v == adminAK {
					t.Errorf("%s has the label %s=%q", name, l.GetName(), v)
				}
			}
		}
	}
}

// loggedBytesIn sums bytes_in over g's request log lines of dialect and op.
func loggedBytesIn(t *testing.T, g *gateway, dialect, op string) float64 {
	t.Helper()
	var sum float64
	sc := bufio.NewScanner(strings.NewReader(g.Log()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var l struct {
			Msg, Dialect, Op string
			BytesIn          float64 `json:"bytes_in"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "request" && l.Dialect == dialect && l.Op == op {
			sum += l.BytesIn
		}
	}
	return sum
}

// TestAdminReadyzFollowsMinIO: /readyz is 200 while MinIO answers, 503
// naming the backend once it is stopped, and 200 again when it is back.
func TestAdminReadyzFollowsMinIO(t *testing.T) {
	m := minio.Start(t)
	_, admin := startAdminGateway(t, "", withBackends(minioBackend(m, "")))
	ready := func() (int, string) { return adminGet(t, admin, "/readyz") }
	if status, body := ready(); status != http.StatusOK || !strings.Contains(body, "ready") {
		t.Fatalf("readyz with MinIO up = %d %q", status, body)
	}
	m.Stop()
	var body string
	waitFor(t, "readyz to fail with MinIO stopped", func() bool {
		var status int
		status, body = ready()
		return status == http.StatusServiceUnavailable
	})
	if !strings.Contains(body, "backend minio: ") {
		t.Errorf("readyz body does not name the failed backend:\n%s", body)
	}
	if status, _ := adminGet(t, admin, "/healthz"); status != http.StatusOK {
		t.Errorf("healthz = %d with the store down; the process still serves", status)
	}
	m.Restart()
	waitFor(t, "readyz to pass with MinIO back", func() bool {
		status, _ := ready()
		return status == http.StatusOK
	})
}

// heldPut is a signed PUT whose body the test sends piecemeal, so the
// request stays in flight until the test lets it end.
type heldPut struct {
	pw     *io.PipeWriter
	data   []byte
	result chan heldResult
}

type heldResult struct {
	status int
	body   string
	err    error
}

// holdPut starts PUT /bucket/key of size bytes as the admin and sends the
// first half.
func holdPut(t *testing.T, g *gateway, bucket, key string, size int) *heldPut {
	t.Helper()
	return holdPutAs(t, g, adminAK, adminSK, bucket, key, randomBytes(size, 81))
}

// holdPutAs starts PUT /bucket/key of data, signed as ak/sk with
// UNSIGNED-PAYLOAD (so the body streams), sends the first half of data and
// returns: the request stays in flight until finish.
func holdPutAs(t *testing.T, g *gateway, ak, sk, bucket, key string, data []byte) *heldPut {
	t.Helper()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("PUT", g.URL+"/"+bucket+"/"+key, pr)
	req.ContentLength = int64(len(data))
	req.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}, req,
		"UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	h := &heldPut{pw: pw, data: data, result: make(chan heldResult, 1)}
	go func() {
		resp, err := g.HTTPClient(false).Do(req)
		if err != nil {
			h.result <- heldResult{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h.result <- heldResult{status: resp.StatusCode, body: string(b)}
	}()
	if _, err := pw.Write(data[:len(data)/2]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pw.CloseWithError(io.ErrClosedPipe) })
	return h
}

// finish sends the rest of the body and returns the response. Should the
// gateway have stopped reading, the response tells why.
func (h *heldPut) finish(t *testing.T) heldResult {
	t.Helper()
	if _, err := h.pw.Write(h.data[len(h.data)/2:]); err != nil {
		h.pw.CloseWithError(err)
	} else {
		h.pw.Close()
	}
	return <-h.result
}

// TestAdminReadinessFalseDuringDrain: with a request held in flight,
// SIGTERM turns /readyz to 503 at once while the admin listener and the
// request go on; the request then completes and the process exits.
func TestAdminReadinessFalseDuringDrain(t *testing.T) {
	g, admin := startAdminGateway(t, "")
	c := g.s3Client(t, adminAK, adminSK, false)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("drain-ready")}); err != nil {
		t.Fatal(err)
	}
	if status, _ := adminGet(t, admin, "/readyz"); status != http.StatusOK {
		t.Fatalf("readyz before SIGTERM = %d", status)
	}
	scrapeSettled(t, admin) // so that the one in flight below is the held PUT
	held := holdPut(t, g, "drain-ready", "obj", 2<<20)
	waitFor(t, "the held PUT to be in flight", func() bool {
		return scrapeMetrics(t, admin).value("babelgate_requests_in_flight") == 1
	})
	cmd := g.cmd
	exited := make(chan error, 1)
	cmd.Process.Signal(syscall.SIGTERM)
	go func() { exited <- cmd.Wait() }()
	var body string
	waitFor(t, "readyz to fail while draining", func() bool {
		var status int
		status, body = adminGet(t, admin, "/readyz")
		return status == http.StatusServiceUnavailable
	})
	if !strings.Contains(body, "draining") {
		t.Errorf("readyz body while draining: %q", body)
	}
	if status, _ := adminGet(t, admin, "/healthz"); status != http.StatusOK {
		t.Errorf("healthz while draining = %d, want 200: the process still serves", status)
	}
	select {
	case err := <-exited:
		t.Fatalf("gateway exited with a request in flight: %v", err)
	default:
	}
	if r := held.finish(t); r.err != nil || r.status != http.StatusOK {
		t.Fatalf("held PUT during the drain: %d %v %s", r.status, r.err, r.body)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("gateway did not exit after draining")
	}
	g.cmd = nil
	if _, err := http.Get(admin + "/healthz"); err == nil {
		t.Error("the admin listener still answers after exit")
	}
}

// adminLogLine reports whether the gateway logged that its admin listener
// serves addr.
func adminLogLine(g *gateway, admin string) bool {
	return logHas(g.Log(), "admin listener", fmt.Sprintf("%q", strings.TrimPrefix(admin, "http://")))
}

// TestAdminStagingAndReaperMetricsMinIO: OSS-sized parts on MinIO are
// staged, and the staging counters move by exactly the uploads and bytes
// staged; a second gateway with a short staging_max_age reaps the
// abandoned one, and its reaper counters say so.
func TestAdminStagingAndReaperMetricsMinIO(t *testing.T) {
	m := minio.Start(t)
	backend := func(maxAge string) string {
		return fmt.Sprintf(`backends:
  - name: minio
    type: s3
    options: {endpoint: %q, access_key: %q, secret_key: %q, path_style: true, region: us-east-1,
              request_timeout: 60s, connect_timeout: 10s, retries: 3%s}
`, m.Endpoint, minio.AccessKey, minio.SecretKey, maxAge)
	}
	g, admin := startAdminGateway(t, "", withBackends(backend("")))
	before := scrapeSettled(t, admin)
	b := ossBucket(t, ossLegacyClient(t, g, alioss.HTTPClient(g.HTTPClient(false))), "staged-metrics")
	part := func(id, key string, n int, seed uint64) alioss.UploadPart {
		p, err := b.UploadPart(alioss.InitiateMultipartUploadResult{Bucket: "staged-metrics", Key: key, UploadID: id},
			bytes.NewReader(randomBytes(ossPart, seed)), ossPart, n)
		if err != nil {
			t.Fatalf("UploadPart %s %d: %v", key, n, err)
		}
		return p
	}
	done, err := b.InitiateMultipartUpload("done")
	if err != nil {
		t.Fatal(err)
	}
	parts := []alioss.UploadPart{part(done.UploadID, "done", 1, 1), part(done.UploadID, "done", 2, 2), part(done.UploadID, "done", 3, 3)}
	if _, err := b.CompleteMultipartUpload(done, parts); err != nil {
		t.Fatal(err)
	}
	left, err := b.InitiateMultipartUpload("left")
	if err != nil {
		t.Fatal(err)
	}
	part(left.UploadID, "left", 1, 4)
	after := scrapeSettled(t, admin)
	for _, tc := range []struct {
		name string
		want float64
	}{{"babelgate_staged_uploads_total", 2}, {"babelgate_staged_bytes_total", 4 * ossPart}} {
		if d := after.value(tc.name, "store=s3") - before.value(tc.name, "store=s3"); d != tc.want {
			t.Errorf("%s{s3} moved by %v, want %v", tc.name, d, tc.want)
		}
	}
	g.Stop()

	// A gateway that reaps staged uploads older than a second.
	g2, admin2 := startAdminGateway(t, "", withBackends(backend(", staging_max_age: 1s")))
	waitFor(t, "the reaper to remove the abandoned upload", func() bool {
		return scrapeMetrics(t, admin2).value("babelgate_reaper_removed_uploads_total", "store=s3") >= 1
	})
	s := scrapeMetrics(t, admin2)
	if v := s.value("babelgate_reaper_removed_uploads_total", "store=s3"); v != 1 {
		t.Errorf("babelgate_reaper_removed_uploads_total{s3} = %v, want 1", v)
	}
	if v := s.value("babelgate_reaper_runs_total", "store=s3", "result=ok"); v < 1 {
		t.Errorf("babelgate_reaper_runs_total{s3,ok} = %v after a removal", v)
	}
	b2 := ossOpenBucket(t, g2, "staged-metrics")
	ups, err := b2.ListMultipartUploads()
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("uploads left after the reaper: %+v, %v", ups.Uploads, err)
	}
}

// ossOpenBucket opens an existing bucket through g's OSS dialect.
func ossOpenBucket(t *testing.T, g *gateway, name string) *alioss.Bucket {
	t.Helper()
	b, err := ossLegacyClient(t, g, alioss.HTTPClient(g.HTTPClient(false))).Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAdminPprofOnlyOnAdmin: with server.pprof, pprof is served on the
// admin listener; the data port serves neither pprof nor metrics, only
// the dialects (an unsigned request there is S3's AccessDenied).
func TestAdminPprofOnlyOnAdmin(t *testing.T) {
	g, admin := startAdminGateway(t, "  pprof: true\n")
	if status, body := adminGet(t, admin, "/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("admin /debug/pprof/ = %d:\n%.300s", status, body)
	}
	for _, path := range []string{"/debug/pprof/", "/metrics", "/healthz", "/readyz"} {
		resp, err := g.HTTPClient(false).Get(g.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e rawErrorBody
		if resp.StatusCode != http.StatusForbidden || xml.Unmarshal(body, &e) != nil || e.Code != "AccessDenied" {
			t.Errorf("data port %s = %d, want S3's 403 AccessDenied:\n%.300s", path, resp.StatusCode, body)
		}
	}
}
