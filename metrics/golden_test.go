package metrics

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

var update = flag.Bool("update", false, "rewrite testdata/collectors.golden")

// exported is every collector the package declares, by its Go name: the
// golden file below pins each one's metric name, type, labels, help and
// buckets, so that how they are declared may change but what they expose
// may not.
var exported = []struct {
	name string
	c    prometheus.Collector
}{
	{"Requests", Requests}, {"RequestDuration", RequestDuration}, {"ReceivedBytes", ReceivedBytes},
	{"SentBytes", SentBytes}, {"InFlight", InFlight}, {"Shed", Shed}, {"BodyReadTimeouts", BodyReadTimeouts},
	{"BackendCalls", BackendCalls}, {"BackendDuration", BackendDuration},
	{"StagedUploads", StagedUploads}, {"StagedBytes", StagedBytes}, {"ReaperRuns", ReaperRuns},
	{"ReaperRemoved", ReaperRemoved}, {"BuildInfo", BuildInfo},
	{"MigrationObjects", MigrationObjects}, {"MigrationBytes", MigrationBytes}, {"MigrationCopied", MigrationCopied},
	{"FSLitterRemoved", FSLitterRemoved}, {"FSLitterRemovedBytes", FSLitterRemovedBytes},
}

// touch makes a vector expose one series (label values golden0, golden1,
// … in the declared order of its labels) and returns a function that
// removes it again.
func touch(t *testing.T, c prometheus.Collector) func() {
	t.Helper()
	for n := 0; n <= 6; n++ {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = fmt.Sprintf("golden%d", i)
		}
		var err error
		var del func([]string) bool
		switch v := c.(type) {
		case *prometheus.CounterVec:
			_, err = v.GetMetricWithLabelValues(vals...)
			del = func(l []string) bool { return v.DeleteLabelValues(l...) }
		case *prometheus.GaugeVec:
			_, err = v.GetMetricWithLabelValues(vals...)
			del = func(l []string) bool { return v.DeleteLabelValues(l...) }
		case *prometheus.HistogramVec:
			_, err = v.GetMetricWithLabelValues(vals...)
			del = func(l []string) bool { return v.DeleteLabelValues(l...) }
		default:
			return func() {} // a plain metric is always exposed
		}
		if err == nil {
			return func() { del(vals) }
		}
	}
	t.Fatalf("%T: no label count from 0 to 6 fits", c)
	return nil
}

// TestCollectorsGolden: every exported collector's name, type, label names,
// help text and histogram buckets are those of testdata/collectors.golden
// (update with -update); every babelgate_ family the registry serves is one
// of them; and the README's metrics table lists each with the same type and
// labels.
func TestCollectorsGolden(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	for _, e := range exported {
		reg.MustRegister(e.c)
		defer touch(t, e.c)()
		// each is on the served registry too
		if err := Registry.Register(e.c); err == nil {
			Registry.Unregister(e.c)
			t.Errorf("%s is not registered on Registry", e.name)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != len(exported) {
		t.Errorf("%d families for %d collectors", len(mfs), len(exported))
	}
	var b strings.Builder
	ours := map[string]string{}
	for _, mf := range mfs {
		var labels []string
		if ms := mf.GetMetric(); len(ms) > 0 {
			// in declared order: the exposition sorts labels by name
			labels = make([]string, len(ms[0].GetLabel()))
			for _, l := range ms[0].GetLabel() {
				var i int
				if _, err := fmt.Sscanf(l.GetValue(), "golden%d", &i); err != nil || i >= len(labels) {
					t.Fatalf("%s: label %s=%q", mf.GetName(), l.GetName(), l.GetValue())
				}
				labels[i] = l.GetName()
			}
			if h := ms[0].GetHistogram(); h != nil {
				var bounds []string
				for _, bk := range h.GetBucket() {
					bounds = append(bounds, fmt.Sprint(bk.GetUpperBound()))
				}
				labels = append(labels, "buckets="+strings.Join(bounds, ","))
			}
		}
		typ := strings.ToLower(mf.GetType().String())
		fmt.Fprintf(&b, "%s %s [%s]\n\t%s\n", mf.GetName(), typ, strings.Join(labels, " "), mf.GetHelp())
		ours[mf.GetName()] = typ + " | " + strings.Join(withoutBuckets(labels), ", ")
	}
	path := filepath.Join("testdata", "collectors.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("collectors changed:\n got:\n%s\nwant:\n%s", b.String(), want)
	}

	served, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range served {
		if _, ok := ours[mf.GetName()]; strings.HasPrefix(mf.GetName(), "babelgate_") && !ok {
			t.Errorf("%s is served but not in the golden table", mf.GetName())
		}
	}

	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(babelgate_[a-z_]+)` \\| ([a-z]+) \\|([a-z_, ]*)\\|")
	listed := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		listed[m[1]] = true
		if got, want := m[2]+" | "+strings.TrimSpace(m[3]), ours[m[1]]; got != want {
			t.Errorf("README lists %s as %q, the collector is %q", m[1], got, want)
		}
	}
	for name := range ours {
		if !listed[name] {
			t.Errorf("README's metrics table does not list %s", name)
		}
	}
}

func withoutBuckets(labels []string) []string {
	var out []string
	for _, l := range labels {
		if !strings.HasPrefix(l, "buckets=") {
			out = append(out, l)
		}
	}
	return out
}
