package fs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// fakeClock is a settable clock for the sweep.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// litterCounters reads the two fs litter counters for kind.
func litterCounters(t *testing.T, kind string) (n, bytes float64) {
	t.Helper()
	var m dto.Metric
	if err := metrics.FSLitterRemoved.WithLabelValues(kind).Write(&m); err != nil {
		t.Fatal(err)
	}
	n = m.GetCounter().GetValue()
	if err := metrics.FSLitterRemovedBytes.WithLabelValues(kind).Write(&m); err != nil {
		t.Fatal(err)
	}
	return n, m.GetCounter().GetValue()
}

func writeFile(t *testing.T, name string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
}

func exists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}

// TestStartRemovesTrash: New removes every trash entry, however fresh,
// and counts it; a fresh temporary file stays.
func TestStartRemovesTrash(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, ".trash-0123/.tmp/x"), 1000)
	writeFile(t, filepath.Join(root, ".trash-0123/.uploads/u/part-00001"), 500)
	writeFile(t, filepath.Join(root, "bkt/.tmp/trash-4567/part-00001"), 300)
	writeFile(t, filepath.Join(root, "bkt/.tmp/fresh.tmp"), 7)
	n0, b0 := litterCounters(t, kindTrash)
	b, err := New(Options{Root: root, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for p, want := range map[string]bool{".trash-0123": false, "bkt/.tmp/trash-4567": false, "bkt/.tmp/fresh.tmp": true} {
		if got := exists(filepath.Join(root, p)); got != want {
			t.Errorf("%s exists = %v, want %v", p, got, want)
		}
	}
	n1, b1 := litterCounters(t, kindTrash)
	if n1-n0 != 2 || b1-b0 != 1800 {
		t.Errorf("trash counters moved by %v entries, %v bytes; want 2, 1800", n1-n0, b1-b0)
	}
}

// TestSweep drives the running sweep's rule with an injected clock: a
// temporary file older than the sweep age goes, a fresh one stays, one an
// in-progress write holds stays however old, trash always goes, and the
// counters move by what was removed.
func TestSweep(t *testing.T) {
	root := t.TempDir()
	clock := &fakeClock{now: time.Now()}
	b, err := New(Options{Root: root, SweepInterval: -1, SweepAge: time.Hour, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.CreateBucket(t.Context(), "bkt"); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(root, "bkt", tmpDir)

	// A write in progress: its temporary file exists once the first bytes
	// were taken from the pipe.
	pr, pw := io.Pipe()
	body, err := translate.NewBody(pr, 10, translate.BodyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.PutObject(t.Context(), "bkt", "held", body, translate.Metadata{})
		done <- err
	}()
	if _, err := pw.Write([]byte("01234")); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(tmp)
	if err != nil || len(ents) != 1 {
		t.Fatalf("in-progress write: %d temporary files (%v), want 1", len(ents), err)
	}
	held := filepath.Join(tmp, ents[0].Name())

	writeFile(t, filepath.Join(tmp, "old.tmp"), 100)
	writeFile(t, filepath.Join(tmp, "upload-abc/upload.json"), 20)
	writeFile(t, filepath.Join(root, ".trash-89ab/f"), 30)
	start := time.Now()

	tn0, tb0 := litterCounters(t, kindTmp)
	rn0, rb0 := litterCounters(t, kindTrash)
	clock.Set(start.Add(30 * time.Minute)) // nothing temporary is an hour old yet
	if got := b.Sweep(); got != (Swept{Trash: 1, TrashBytes: 30}) {
		t.Errorf("first sweep = %+v, want only the trash", got)
	}
	writeFile(t, filepath.Join(tmp, "fresh.tmp"), 5)
	os.Chtimes(filepath.Join(tmp, "fresh.tmp"), start.Add(45*time.Minute), start.Add(45*time.Minute))
	clock.Set(start.Add(90 * time.Minute))
	if got := b.Sweep(); got != (Swept{Tmp: 2, TmpBytes: 120}) {
		t.Errorf("second sweep = %+v, want old.tmp and upload-abc (120 bytes)", got)
	}
	for p, want := range map[string]bool{"old.tmp": false, "upload-abc": false, "fresh.tmp": true} {
		if got := exists(filepath.Join(tmp, p)); got != want {
			t.Errorf("%s exists = %v, want %v", p, got, want)
		}
	}
	if !exists(held) {
		t.Fatal("the sweep removed the temporary file of a write in progress")
	}
	tn1, tb1 := litterCounters(t, kindTmp)
	rn1, rb1 := litterCounters(t, kindTrash)
	if tn1-tn0 != 2 || tb1-tb0 != 120 || rn1-rn0 != 1 || rb1-rb0 != 30 {
		t.Errorf("counters moved tmp %v/%vB trash %v/%vB; want 2/120B, 1/30B", tn1-tn0, tb1-tb0, rn1-rn0, rb1-rb0)
	}

	// The held write completes, and its temporary file is gone with it.
	if _, err := pw.Write([]byte("56789")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("the held write failed: %v", err)
	}
	obj, err := b.GetObject(t.Context(), "bkt", "held", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(data) != "0123456789" {
		t.Errorf("held object = %q", data)
	}
	if exists(held) {
		t.Error("the committed write's temporary file is still there")
	}
}

// TestSweeperRuns: the running sweep removes trash on its own.
func TestSweeperRuns(t *testing.T) {
	root := t.TempDir()
	b, err := New(Options{Root: root, SweepInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Built aside and renamed in whole, as DeleteBucket does, so that the
	// sweep cannot catch it half made.
	aside := filepath.Join(t.TempDir(), "trash")
	writeFile(t, filepath.Join(aside, "f"), 1)
	if err := os.Rename(aside, filepath.Join(root, ".trash-cdef")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for exists(filepath.Join(root, ".trash-cdef")) {
		if time.Now().After(deadline) {
			t.Fatal("the running sweep did not remove the trash within 10s")
		}
		time.Sleep(time.Millisecond) // polling a condition, not deciding it
	}
}

func TestIOErrorDiskFull(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want translate.Code
	}{
		{&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, translate.ErrInsufficientStorage},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, translate.ErrInsufficientStorage},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.ENOSPC}, translate.ErrInsufficientStorage},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EIO}, translate.ErrInternal},
		{errors.New("other"), translate.ErrInternal},
	} {
		err := ioError(tc.err, "fs: writing")
		if err.Code != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ioError(%v) = %v, want code %v wrapping the cause", tc.err, err, tc.want)
		}
		if tc.want == translate.ErrInsufficientStorage && (err.Message != "" || !strings.Contains(err.Error(), "fs: writing")) {
			t.Errorf("ioError(%v) = %q: want no client message (the dialect's names the cause) and the context in the log text", tc.err, err)
		}
	}
}
