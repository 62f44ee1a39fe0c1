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
	FSLitterRemoved = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "babelgate_fs_litter_removed_total",
		Help: "Temporary files and trash directories left by crashes that the fs backend removed, by kind (tmp, trash).",
	}, []string{"kind"})
	// FSLitterRemovedBytes counts the bytes those entries held.
	FSLitterRemovedBytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "babelgate_fs_litter_removed_bytes_total",
		Help: "Bytes held by the crash litter the fs backend removed, by kind (tmp, trash).",
	}, []string{"kind"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		FSLitterRemoved, FSLitterRemovedBytes,
	)
}
