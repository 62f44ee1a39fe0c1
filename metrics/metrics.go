// Package metrics holds babelgate's Prometheus collectors, registered on one
// registry that the admin listener serves. It is a leaf: the dialects, the
// backends and cmd import it; it imports only the Prometheus client.
//
// Label values are always bounded sets (dialect, operation, status class,
// backend name, outcome, kind): never a bucket, a key or an access key.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry is what the admin listener's /metrics serves.
var Registry = prometheus.NewRegistry()

// Fs crash litter: temporary files and trash directories that a crash left
// behind, removed at start-up or by the running sweep.
var (
	// FSLitterRemoved counts removed litter entries by kind ("tmp",
	// "trash").
	FSLitterRemoved = newCounterVec("babelgate_fs_litter_removed_total",
		"Temporary files and trash directories left by crashes that the fs backend removed, by kind (tmp, trash).",
		"kind")
	// FSLitterRemovedBytes counts the bytes those entries held.
	FSLitterRemovedBytes = newCounterVec("babelgate_fs_litter_removed_bytes_total",
		"Bytes held by the crash litter the fs backend removed, by kind (tmp, trash).",
		"kind")
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
}

// The constructors below declare one of the package's collectors and
// register it on Registry, so that a collector declared is a collector
// served. labels are the variable labels, in WithLabelValues order.

func newCounterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return register(prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels))
}

func newGaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	return register(prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels))
}

func newGauge(name, help string) prometheus.Gauge {
	return register(prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help}))
}

// newDurationVec is a latency histogram with durationBuckets.
func newDurationVec(name, help string, labels ...string) *prometheus.HistogramVec {
	return register(prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: durationBuckets}, labels))
}

func register[C prometheus.Collector](c C) C {
	Registry.MustRegister(c)
	return c
}
