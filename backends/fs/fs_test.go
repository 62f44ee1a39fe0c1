package fs

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/backendtest"
	"github.com/babelgate/babelgate/translate"
)

func newTestBackend(t *testing.T, fsync bool) (*Backend, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := New(Options{Root: dir, Fsync: fsync})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, dir
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) translate.Backend {
		b, _ := newTestBackend(t, false)
		return b
	})
}

// TestConformanceFsync runs the suite again with fsync on (the default),
// through the sync paths, which TestConformance skips for speed.
func TestConformanceFsync(t *testing.T) {
	if testing.Short() {
		t.Skip("slower: syncs files and directories")
	}
	backendtest.Run(t, func(t *testing.T) translate.Backend {
		b, _ := newTestBackend(t, true)
		return b
	})
}

func TestRegistered(t *testing.T) {
	info, err := backends.Lookup("fs")
	if err != nil {
		t.Fatal(err)
	}
	opts, ok := info.NewOptions().(*Options)
	if !ok || !opts.Fsync || opts.Root != "" {
		t.Fatalf("NewOptions = %#v, want *Options with Fsync on", info.NewOptions())
	}
	opts.Root = filepath.Join(t.TempDir(), "created", "root")
	b, err := info.New(t.Context(), "local", opts)
	if err != nil {
		t.Fatal(err)
	}
	b.(*Backend).Close()
	if _, err := info.New(t.Context(), "local", &Options{}); err == nil || !strings.Contains(err.Error(), "local") {
		t.Fatalf("New without a root: %v, want an error naming the backend", err)
	}
	if _, err := info.New(t.Context(), "local", struct{}{}); err == nil {
		t.Fatal("New with foreign options succeeded")
	}
}

// TestContainment: bucket names and keys that look like paths never reach
// outside their bucket directory.
func TestContainment(t *testing.T) {
	b, dir := newTestBackend(t, false)
	ctx := t.Context()
	for _, name := range []string{"", ".", "..", "../x", "a/b", ".hidden", "x\x00y", `a\b`} {
		err := b.CreateBucket(ctx, name)
		if translate.CodeOf(err) != translate.ErrInvalidBucketName {
			t.Errorf("CreateBucket(%q) = %v, want InvalidBucketName", name, err)
		}
		_, err = b.HeadBucket(ctx, name)
		if translate.CodeOf(err) != translate.ErrInvalidBucketName {
			t.Errorf("HeadBucket(%q) = %v, want InvalidBucketName", name, err)
		}
	}
	if err := b.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	keys := []string{"../../escape", "/etc/passwd", "..", "a/../../b", "\xff\xfe invalid utf-8", "nul\x00"}
	for _, k := range keys {
		if _, err := b.PutObject(ctx, "bkt", k, translate.BytesBody([]byte(k)), translate.Metadata{}); err != nil {
			t.Fatalf("PutObject(%q): %v", k, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"bkt"}) {
		t.Fatalf("root holds %q, want only the bucket", names)
	}
	page, err := b.ListObjects(ctx, "bkt", translate.ListQuery{MaxKeys: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range page.Objects {
		got = append(got, o.Key)
	}
	if want := slices.Sorted(slices.Values(keys)); !slices.Equal(got, want) {
		t.Fatalf("listed %q, want %q", got, want)
	}
	_, err = b.PutObject(ctx, "bkt", "", translate.BytesBody(nil), translate.Metadata{})
	if translate.CodeOf(err) != translate.ErrInvalidKey {
		t.Errorf("PutObject with an empty key = %v", err)
	}
	_, err = b.PutObject(ctx, "bkt", strings.Repeat("k", 1025), translate.BytesBody(nil), translate.Metadata{})
	if translate.CodeOf(err) != translate.ErrKeyTooLong {
		t.Errorf("PutObject with a 1025-byte key = %v", err)
	}
}

// TestForeignEntries: files and directories the backend did not write,
// and empty directories left behind, never show up in listings.
func TestForeignEntries(t *testing.T) {
	b, dir := newTestBackend(t, false)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "bkt", "d/real", translate.BytesBody([]byte("x")), translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	// Directories without objects, and files where directories belong.
	for _, d := range []string{"empty%2F.d/deeper%2F.d", "stray.d", "e%2F.d"} {
		if err := os.MkdirAll(filepath.Join(dir, "bkt", d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"notes.txt", "file%2F.d", "e%2F.d/f%2F.d", "d%2F.d/.hidden.o"} {
		if err := os.WriteFile(filepath.Join(dir, "bkt", f), []byte("foreign"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	all, err := b.ListObjects(ctx, "bkt", translate.ListQuery{MaxKeys: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Objects) != 1 || all.Objects[0].Key != "d/real" || len(all.CommonPrefixes) != 0 {
		t.Fatalf("ListObjects = %+v, want only d/real", all)
	}
	page, err := b.ListObjects(ctx, "bkt", translate.ListQuery{Delimiter: "/", MaxKeys: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Objects) != 0 || !slices.Equal(page.CommonPrefixes, []string{"d/"}) {
		t.Fatalf("ListObjects = %+v, want only the prefix d/", page)
	}
	if err := b.DeleteBucket(ctx, "bkt"); translate.CodeOf(err) != translate.ErrBucketNotEmpty {
		t.Fatalf("DeleteBucket = %v, want BucketNotEmpty", err)
	}
	if err := b.DeleteObject(ctx, "bkt", "d/real"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "bkt", "d%2F.d/.hidden.o")); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteObject(ctx, "bkt", "e/f"); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatalf("DeleteBucket with only foreign entries: %v", err)
	}
}

// TestCorruptObject: a damaged object file is an internal error, not a
// panic or wrong data.
func TestCorruptObject(t *testing.T) {
	b, dir := newTestBackend(t, false)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "bkt", "k", translate.BytesBody([]byte("hello")), translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "bkt", "k.o")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"truncated data":   data[:len(data)-1],
		"extra data":       append(slices.Clip(data), 'x'),
		"bad magic":        append([]byte("X"), data[1:]...),
		"truncated header": data[:10],
		"empty":            nil,
		"huge length":      append([]byte(magic+"\xff\xff\xff\xff"), data[prefixLen:]...),
	} {
		if err := os.WriteFile(file, content, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := b.HeadObject(ctx, "bkt", "k")
		if translate.CodeOf(err) != translate.ErrInternal {
			t.Errorf("%s: HeadObject = %v, want an internal error", name, err)
		}
	}
}

// TestRangeOutside: ranges outside the object are InvalidRange.
func TestRangeOutside(t *testing.T) {
	b, _ := newTestBackend(t, false)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "bkt", "k", translate.BytesBody([]byte("0123456789")), translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []translate.Range{
		{Start: -1, Length: 2}, {Start: 0, Length: 11}, {Start: 11, Length: 0},
		{Start: 5, Length: -1}, {Start: 9, Length: 1 << 62},
	} {
		_, err := b.GetObject(ctx, "bkt", "k", &r)
		if translate.CodeOf(err) != translate.ErrInvalidRange {
			t.Errorf("GetObject(%+v) = %v, want InvalidRange", r, err)
		}
	}
	obj, err := b.GetObject(ctx, "bkt", "k", &translate.Range{Start: 10, Length: 0})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if len(got) != 0 {
		t.Errorf("empty range read %q", got)
	}
}

// TestDeepKeyDisk: a key of 1024 slashes is a 1023-deep chain on disk,
// beyond PATH_MAX, and deleting it removes the whole chain.
func TestDeepKeyDisk(t *testing.T) {
	b, dir := newTestBackend(t, false)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	key := strings.Repeat("/", 1024)
	if _, err := b.PutObject(ctx, "bkt", key, translate.BytesBody([]byte("deep")), translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.HeadObject(ctx, "bkt", key); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteObject(ctx, "bkt", key); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bkt", "%2F.d")); !os.IsNotExist(err) {
		t.Errorf("deep chain left behind: %v", err)
	}
}

func TestCancelledList(t *testing.T) {
	b, _ := newTestBackend(t, false)
	if err := b.CreateBucket(t.Context(), "bkt"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.ListObjects(ctx, "bkt", translate.ListQuery{MaxKeys: 10}); err == nil {
		t.Fatal("ListObjects with a cancelled context succeeded")
	}
}

// TestSweepTemp: files a crash left in .tmp and interrupted bucket
// deletions are removed when they are old, and recent ones are kept.
func TestSweepTemp(t *testing.T) {
	root := t.TempDir()
	b, err := New(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket(t.Context(), "bkt"); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	for _, p := range []string{"bkt/.tmp/old.tmp", "bkt/.tmp/new.tmp", ".trash-abc/x"} {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o700)
		if err := os.WriteFile(full, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Chtimes(filepath.Join(root, "bkt/.tmp/old.tmp"), old, old)
	os.Chtimes(filepath.Join(root, ".trash-abc"), old, old)
	b.Close()
	b, err = New(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for p, want := range map[string]bool{"bkt/.tmp/old.tmp": false, "bkt/.tmp/new.tmp": true, ".trash-abc": false} {
		if _, err := os.Stat(filepath.Join(root, p)); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", p, err == nil, want)
		}
	}
}
