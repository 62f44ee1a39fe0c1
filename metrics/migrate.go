package metrics

// Migration progress, as `babelgate migrate` sees it (served on its admin
// listener, --metrics-listen). bucket is the migrating route's front
// bucket; state is "done" (copied, already present or deleted meanwhile)
// or "left".
var (
	MigrationObjects = newGaugeVec("babelgate_migration_objects",
		"Objects of a migrating bucket's bulk copy, by bucket and state (done or left).",
		"bucket", "state")
	MigrationBytes = newGaugeVec("babelgate_migration_bytes",
		"Bytes of a migrating bucket's bulk copy, by bucket and state (done or left).",
		"bucket", "state")
	MigrationCopied = newCounterVec("babelgate_migration_copied_bytes_total",
		"Bytes the bulk copy wrote to a migrating bucket's destination, by bucket (its rate is the copy's rate).",
		"bucket")
)
