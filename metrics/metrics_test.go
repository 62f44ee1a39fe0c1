package metrics

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestStatusClass(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   string
	}{
		{100, "1xx"}, {200, "2xx"}, {204, "2xx"}, {304, "3xx"}, {404, "4xx"}, {499, "4xx"},
		{500, "5xx"}, {503, "5xx"}, {599, "5xx"}, {0, "other"}, {99, "other"}, {600, "other"},
	} {
		if got := StatusClass(tc.status); got != tc.want {
			t.Errorf("StatusClass(%d) = %q, want %q", tc.status, got, tc.want)
		}
	}
}

// TestObserveRequest: one request moves its counter by one, its byte
// counters by its sizes and its histogram by one observation, and touches
// no other label set.
func TestObserveRequest(t *testing.T) {
	req := Requests.WithLabelValues("s3", "PutObject", "2xx")
	other := Requests.WithLabelValues("oss", "PutObject", "2xx")
	in, out := ReceivedBytes.WithLabelValues("s3", "PutObject"), SentBytes.WithLabelValues("s3", "PutObject")
	r0, o0, in0, out0 := testutil.ToFloat64(req), testutil.ToFloat64(other), testutil.ToFloat64(in), testutil.ToFloat64(out)
	h0 := histogramCount(t, "babelgate_request_duration_seconds", `dialect="s3"`, `operation="PutObject"`)

	ObserveRequest("s3", "PutObject", 200, 1000, 17, 30*time.Millisecond)

	if d := testutil.ToFloat64(req) - r0; d != 1 {
		t.Errorf("requests moved by %v, want 1", d)
	}
	if d := testutil.ToFloat64(other) - o0; d != 0 {
		t.Errorf("another dialect's requests moved by %v", d)
	}
	if d := testutil.ToFloat64(in) - in0; d != 1000 {
		t.Errorf("received bytes moved by %v, want 1000", d)
	}
	if d := testutil.ToFloat64(out) - out0; d != 17 {
		t.Errorf("sent bytes moved by %v, want 17", d)
	}
	if d := histogramCount(t, "babelgate_request_duration_seconds", `dialect="s3"`, `operation="PutObject"`) - h0; d != 1 {
		t.Errorf("duration histogram count moved by %v, want 1", d)
	}
}

// histogramCount returns the _count sample of the histogram name whose
// labels include every fragment, from the text exposition.
func histogramCount(t *testing.T, name string, fragments ...string) float64 {
	t.Helper()
	mfs, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			joined := strings.Join(labels, ",")
			for _, f := range fragments {
				if !strings.Contains(joined, f) {
					continue metric
				}
			}
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}

// TestBuildInfo: the build-info gauge is 1 with the Go version of the
// test binary, the stamped version when there is one, and the Go tool's
// module version for "dev".
func TestBuildInfo(t *testing.T) {
	SetBuildInfo("v1.2.3")
	v, rev, gov := Build("v1.2.3")
	if v != "v1.2.3" || gov != runtime.Version() || rev == "" {
		t.Errorf("Build = %q %q %q", v, rev, gov)
	}
	if got := testutil.ToFloat64(BuildInfo.WithLabelValues(v, rev, gov)); got != 1 {
		t.Errorf("babelgate_build_info = %v, want 1", got)
	}
	if n := testutil.CollectAndCount(BuildInfo); n != 1 {
		t.Errorf("babelgate_build_info has %d series, want 1", n)
	}
	if dev, _, _ := Build("dev"); dev == "dev" || dev == "" {
		t.Errorf(`Build("dev") version = %q, want the module version`, dev)
	}
}

// TestNamesFollowConventions runs Prometheus's own linter over every
// babelgate collector (counters end in _total, units in the name, help
// present) after touching each so it is exposed.
func TestNamesFollowConventions(t *testing.T) {
	ObserveRequest("obs", "GetObject", 200, 0, 1, time.Millisecond)
	InFlight.Add(0)
	Shed.WithLabelValues("s3").Add(0)
	BodyReadTimeouts.WithLabelValues("s3").Add(0)
	BackendCalls.WithLabelValues("local", "HeadObject", "ok").Add(0)
	BackendDuration.WithLabelValues("local", "HeadObject").Observe(0.001)
	StagedUploads.WithLabelValues("s3").Add(0)
	StagedBytes.WithLabelValues("s3").Add(0)
	ReaperRuns.WithLabelValues("s3", "ok").Add(0)
	ReaperRemoved.WithLabelValues("s3").Add(0)
	FSLitterRemoved.WithLabelValues("tmp").Add(0)
	FSLitterRemovedBytes.WithLabelValues("tmp").Add(0)
	SetBuildInfo("dev")
	problems, err := testutil.GatherAndLint(Registry)
	if err != nil {
		t.Fatal(err)
	}
	mfs, _ := Registry.Gather()
	seen := map[string]bool{}
	for _, mf := range mfs {
		seen[mf.GetName()] = true
	}
	for _, name := range []string{
		"babelgate_requests_total", "babelgate_request_duration_seconds", "babelgate_received_bytes_total",
		"babelgate_sent_bytes_total", "babelgate_requests_in_flight", "babelgate_requests_shed_total",
		"babelgate_body_read_timeouts_total", "babelgate_backend_calls_total", "babelgate_backend_call_duration_seconds",
		"babelgate_staged_uploads_total", "babelgate_staged_bytes_total", "babelgate_reaper_runs_total",
		"babelgate_reaper_removed_uploads_total", "babelgate_fs_litter_removed_total",
		"babelgate_fs_litter_removed_bytes_total", "babelgate_build_info",
	} {
		if !seen[name] {
			t.Errorf("%s is not exposed", name)
		}
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "babelgate_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
}
