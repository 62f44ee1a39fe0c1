package metrics

import "github.com/prometheus/client_golang/prometheus"

// Migration progress, as `babelgate migrate` sees it (served on its admin
// listener, --metrics-listen). bucket is the migrating route's front
// bucket; state is "done" (copied, already present or deleted meanwhile)
// or "left".
var (
	MigrationObjects = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "babelgate_migration_objects",
		Help: "Objects of a migrating bucket's bulk copy, by bucket and state (done or left).",
	}, []string{"bucket", "state"})
	MigrationBytes = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "babelgate_migration_bytes",
		Help: "Bytes of a migrating bucket's bulk copy, by bucket and state (done or left).",
	}, []string{"bucket", "state"})
	MigrationCopied = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "babelgate_migration_copied_bytes_total",
		Help: "Bytes the bulk copy wrote to a migrating bucket's destination, by bucket (its rate is the copy's rate).",
	}, []string{"bucket"})
)

func init() {
	Registry.MustRegister(MigrationObjects, MigrationBytes, MigrationCopied)
}
