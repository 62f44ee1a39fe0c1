package metrics

import (
	"runtime/debug"
	"strconv"
	"time"
)

// durationBuckets are the upper bounds, in seconds, of the request and
// backend-call latency histograms: from a small HEAD to a 5 GiB part.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// Requests, as the data port's pipeline sees them. dialect is "s3", "oss",
// "obs", ...; operation is translate.Op's name ("PutObject", "UploadPart",
// "Unknown" before routing); status_class is "2xx" to "5xx".
var (
	Requests = newCounterVec("babelgate_requests_total",
		"Requests answered on the data port, by dialect, operation and HTTP status class.",
		"dialect", "operation", "status_class")
	RequestDuration = newDurationVec("babelgate_request_duration_seconds",
		"Time from a request's arrival to its last response byte, by dialect and operation.",
		"dialect", "operation")
	ReceivedBytes = newCounterVec("babelgate_received_bytes_total",
		"Request body bytes read from clients, by dialect and operation.",
		"dialect", "operation")
	SentBytes = newCounterVec("babelgate_sent_bytes_total",
		"Response body bytes written to clients, by dialect and operation.",
		"dialect", "operation")
	InFlight = newGauge("babelgate_requests_in_flight",
		"Requests being served on the data port now (not counting those refused by server.max_inflight).")
	Shed = newCounterVec("babelgate_requests_shed_total",
		"Requests answered at once with the dialect's SlowDown (503) because server.max_inflight requests were in flight, by dialect.",
		"dialect")
	BodyReadTimeouts = newCounterVec("babelgate_body_read_timeouts_total",
		"Request bodies ended because no byte arrived for server.body_read_timeout, by dialect.",
		"dialect")
)

// Backend calls, as the instrumented translate.Backend sees them. backend
// is the configured backend name; operation the translate.Backend method
// ("UploadPart"); outcome "ok" or the neutral error code ("NoSuchKey",
// "ServiceUnavailable", "Internal", ...).
var (
	BackendCalls = newCounterVec("babelgate_backend_calls_total",
		"Calls to storage backends, by backend, operation and outcome (ok or the neutral error code).",
		"backend", "operation", "outcome")
	BackendDuration = newDurationVec("babelgate_backend_call_duration_seconds",
		"Duration of calls to storage backends (for body-carrying calls, including the streaming of the body), by backend and operation.",
		"backend", "operation")
)

// Staging on object stores (backends/storekit): store is the backend's
// type ("s3", "oss").
var (
	StagedUploads = newCounterVec("babelgate_staged_uploads_total",
		"Multipart uploads created as staged uploads (parts kept as objects until Complete), by store type.",
		"store")
	StagedBytes = newCounterVec("babelgate_staged_bytes_total",
		"Bytes of parts written to staged-part objects, by store type.",
		"store")
	ReaperRuns = newCounterVec("babelgate_reaper_runs_total",
		"Sweeps of abandoned staged uploads by the background reaper, by store type and result (ok, error).",
		"store", "result")
	ReaperRemoved = newCounterVec("babelgate_reaper_removed_uploads_total",
		"Abandoned staged uploads the background reaper removed, by store type.",
		"store")
)

// BuildInfo is 1, with the build's version, VCS revision and Go version as
// labels; see SetBuildInfo.
var BuildInfo = newGaugeVec("babelgate_build_info",
	"Always 1; the labels name the running build: version, vcs revision (with -dirty when modified) and Go version.",
	"version", "revision", "goversion")

// StatusClass returns the label value for an HTTP status: "2xx" for 200 to
// 299, and so on; "other" outside 100 to 599.
func StatusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// ObserveRequest records one answered request.
func ObserveRequest(dialect, operation string, status int, in, out int64, d time.Duration) {
	Requests.WithLabelValues(dialect, operation, StatusClass(status)).Inc()
	RequestDuration.WithLabelValues(dialect, operation).Observe(d.Seconds())
	ReceivedBytes.WithLabelValues(dialect, operation).Add(float64(in))
	SentBytes.WithLabelValues(dialect, operation).Add(float64(out))
}

// SetBuildInfo sets BuildInfo from the binary's build information. version
// is what the build stamped (-ldflags -X); "" or "dev" falls back to the
// module version the Go tool recorded.
func SetBuildInfo(version string) {
	v, rev, gov := Build(version)
	BuildInfo.Reset()
	BuildInfo.WithLabelValues(v, rev, gov).Set(1)
}

// Build returns the version (see SetBuildInfo), the VCS revision with
// "-dirty" appended for a modified tree ("unknown" when not recorded) and
// the Go version of the running binary.
func Build(version string) (v, revision, goVersion string) {
	v, revision, goVersion = version, "unknown", "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if v == "" {
			v = "unknown"
		}
		return v, revision, goVersion
	}
	goVersion = bi.GoVersion
	if v == "" || v == "dev" {
		v = bi.Main.Version
	}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && revision != "unknown" {
		revision += "-dirty"
	}
	return v, revision, goVersion
}
