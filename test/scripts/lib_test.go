// Tests of lib.sh, the install scripts' shared cache and lock rules, run
// with bash on fake installs in temporary caches (never the real ones).
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pinnedScript is an install script as install-minio.sh is, whose
// "install" appends a line to $RUNS, writes the binary, and first waits,
// when $GATE is set, until the file $GATE exists (so a test can hold it
// in the middle of the install).
const pinnedScript = `set -euo pipefail
. "$LIB"
fake_install() {
  echo "noise on stdout"
  echo run >>"$RUNS"
  if [ -n "${GATE:-}" ]; then
    touch "$GATE.waiting"
    while [ ! -e "$GATE" ]; do sleep 0.02; done
  fi
  printf '#!/bin/sh\n' >"$1" && chmod +x "$1"
}
cache="$babelgate_cache/fake-bin"
pinned fake "$VERSION" "$cache" "$cache/fake" "installing fake@$VERSION" fake_install "$cache/fake"
`

type pinRun struct {
	t    *testing.T
	dir  string // the test's directory: the cache root, the runs file
	env  []string
	gate string
}

func newPinRun(t *testing.T, version string) *pinRun {
	dir := t.TempDir()
	lib, err := filepath.Abs("lib.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "install-fake.sh")
	if err := os.WriteFile(script, []byte(pinnedScript), 0o600); err != nil {
		t.Fatal(err)
	}
	return &pinRun{t: t, dir: dir, env: append(os.Environ(), "LIB="+lib, "VERSION="+version,
		"BABELGATE_CACHE="+filepath.Join(dir, "cache"), "RUNS="+filepath.Join(dir, "runs"))}
}

func (r *pinRun) cmd(extra ...string) *exec.Cmd {
	c := exec.Command("bash", filepath.Join(r.dir, "install-fake.sh"))
	c.Env = append(append([]string{}, r.env...), extra...)
	return c
}

// run runs the script and returns its stdout.
func (r *pinRun) run() string {
	r.t.Helper()
	out, err := r.cmd().Output()
	if err != nil {
		r.t.Fatalf("install-fake.sh: %v", err)
	}
	return string(out)
}

func (r *pinRun) installs() int {
	b, _ := os.ReadFile(filepath.Join(r.dir, "runs"))
	return strings.Count(string(b), "run\n")
}

func (r *pinRun) bin() string { return filepath.Join(r.dir, "cache", "fake-bin", "fake") }

// A cold cache installs once and prints only the path; a warm one prints
// the same path without installing or writing anything; a new pin
// installs again over the cache.
func TestPinnedCache(t *testing.T) {
	r := newPinRun(t, "v1")
	if got, want := r.run(), r.bin()+"\n"; got != want {
		t.Fatalf("cold run printed %q, want only %q", got, want)
	}
	if n := r.installs(); n != 1 {
		t.Fatalf("cold run installed %d times", n)
	}
	stamp := filepath.Join(filepath.Dir(r.bin()), "fake.version")
	if b, _ := os.ReadFile(stamp); string(b) != "v1\n" {
		t.Fatalf("stamp = %q", b)
	}
	before := listing(t, filepath.Dir(r.bin()))
	if got, want := r.run(), r.bin()+"\n"; got != want {
		t.Fatalf("warm run printed %q, want %q", got, want)
	}
	if n := r.installs(); n != 1 {
		t.Fatalf("warm run installed again (%d installs)", n)
	}
	if after := listing(t, filepath.Dir(r.bin())); after != before {
		t.Fatalf("warm run changed the cache:\n%s\nthen\n%s", before, after)
	}

	r.env = append(r.env, "VERSION=v2")
	r.run()
	if b, _ := os.ReadFile(stamp); string(b) != "v2\n" || r.installs() != 2 {
		t.Fatalf("after a new pin: stamp %q, %d installs; want v2, 2", b, r.installs())
	}
}

// An install that fails leaves no stamp, so the next run installs again.
func TestPinnedFailedInstall(t *testing.T) {
	r := newPinRun(t, "v1")
	c := r.cmd("GATE=/nonexistent/dir/gate") // touch fails: the install fails midway
	if out, err := c.Output(); err == nil {
		t.Fatalf("a failing install succeeded, printing %q", out)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(r.bin()), "fake.version")); !os.IsNotExist(err) {
		t.Fatalf("a failed install left a stamp (%v)", err)
	}
	r.run()
	if n := r.installs(); n != 2 {
		t.Fatalf("after a failed install the next run installed %d times in all, want 2", n)
	}
}

// Two runs at once install once: the second waits for the first's lock
// while it installs, then finds the work done.
func TestPinnedTwoAtOnce(t *testing.T) {
	r := newPinRun(t, "v1")
	gate := filepath.Join(r.dir, "gate")
	var out1, out2 strings.Builder
	first := r.cmd("GATE=" + gate)
	first.Stdout = &out1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	waitFor(t, "the first run to be inside its install", func() bool {
		_, err := os.Stat(gate + ".waiting")
		return err == nil
	})
	second := r.cmd()
	second.Stdout = &out2
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	defer second.Process.Kill()
	waitFor(t, "the second run to wait for the lock", func() bool { return hasChild(second.Process.Pid, "flock") })
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if err := second.Wait(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	for i, out := range []string{out1.String(), out2.String()} {
		if out != r.bin()+"\n" {
			t.Errorf("run %d printed %q, want %q", i+1, out, r.bin()+"\n")
		}
	}
	if n := r.installs(); n != 1 {
		t.Fatalf("two runs at once installed %d times, want 1", n)
	}
}

// listing describes the files of dir: names, sizes and times.
func listing(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(e.Name() + " " + strconv.FormatInt(fi.Size(), 10) + " " + fi.ModTime().String() + "\n")
	}
	return b.String()
}

// hasChild reports whether process pid has a child running the command
// name (from /proc/PID/stat: "pid (comm) state ppid ...").
func hasChild(pid int, name string) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		fields := strings.Fields(s[close+1:])
		if len(fields) > 1 && s[open+1:close] == name && fields[1] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
