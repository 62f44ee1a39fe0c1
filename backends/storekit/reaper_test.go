package storekit

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// memStore is an in-memory store of buckets of keys for the sweeper's
// callbacks.
type memStore struct {
	mu      sync.Mutex
	buckets map[string]map[string][]byte
}

func (m *memStore) sweeper(maxAge time.Duration, now time.Time) *Sweeper {
	return &Sweeper{
		MaxAge: maxAge,
		Now:    func() time.Time { return now },
		Buckets: func(context.Context) ([]string, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			var out []string
			for b := range m.buckets {
				out = append(out, b)
			}
			sort.Strings(out)
			return out, nil
		},
		List: func(_ context.Context, bucket, prefix string, fn func(string)) error {
			m.mu.Lock()
			var keys []string
			for k := range m.buckets[bucket] {
				if strings.HasPrefix(k, prefix) {
					keys = append(keys, k)
				}
			}
			m.mu.Unlock()
			for _, k := range keys {
				fn(k)
			}
			return nil
		},
		ReadState: func(_ context.Context, bucket, id string) (Upload, error) {
			return Read(bucket, id, func(key string) ([]byte, error) {
				m.mu.Lock()
				defer m.mu.Unlock()
				data, ok := m.buckets[bucket][key]
				if !ok {
					return nil, &translate.Error{Code: translate.ErrNoSuchKey}
				}
				return data, nil
			})
		},
		DeletePrefix: func(_ context.Context, bucket, prefix string) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			for k := range m.buckets[bucket] {
				if strings.HasPrefix(k, prefix) {
					delete(m.buckets[bucket], k)
				}
			}
			return nil
		},
		Delete: func(_ context.Context, bucket, key string) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			delete(m.buckets[bucket], key)
			return nil
		},
	}
}

// stage adds a staged upload initiated at t, with one part, to bucket.
func (m *memStore) stage(t *testing.T, bucket, id string, initiated time.Time) {
	u := Upload{Key: "k", Initiated: initiated, Staged: true}
	if err := Write(id, u, func(key string, data []byte) error { m.buckets[bucket][key] = data; return nil }); err != nil {
		t.Fatal(err)
	}
	p := NewStagedPart(1)
	p.ETag, p.Size = "e", 1
	m.buckets[bucket][p.Object(id)] = []byte("x")
	m.buckets[bucket][p.Record(id)] = nil
	m.buckets[bucket][StagedMarker(id)] = nil
}

func (m *memStore) keys(bucket string) []string {
	var out []string
	for k := range m.buckets[bucket] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSweep(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	m := &memStore{buckets: map[string]map[string][]byte{"a": {"obj": []byte("o")}, "b": {}}}
	m.stage(t, "a", "st-old", now.Add(-8*24*time.Hour))
	m.stage(t, "a", "st-fresh", now.Add(-time.Hour))
	m.stage(t, "b", "st-old2", now.Add(-7*24*time.Hour-time.Second))
	// A marker whose state is gone: a removal cut short.
	m.buckets["b"][StagedMarker("st-orphan")] = nil
	// A plain object in the reserved prefix that is not a marker.
	m.buckets["b"][StagedMarkerPrefix+"not-staged"] = nil
	fresh := slices.Clone(m.keys("a"))

	n, err := m.sweeper(DefaultStagingMaxAge, now).Sweep(t.Context())
	if err != nil || n != 3 {
		t.Fatalf("Sweep = %d, %v; want 3 removed", n, err)
	}
	var wantA []string
	for _, k := range fresh {
		if !strings.Contains(k, "st-old") && !strings.HasPrefix(k, UploadDir("st-old")) {
			wantA = append(wantA, k)
		}
	}
	if got := m.keys("a"); !slices.Equal(got, wantA) || len(got) != 5 {
		t.Errorf("bucket a holds %q after a sweep, want %q", got, wantA)
	}
	if got := m.keys("b"); !slices.Equal(got, []string{StagedMarkerPrefix + "not-staged"}) {
		t.Errorf("bucket b holds %q after a sweep", got)
	}
	if n, err := m.sweeper(DefaultStagingMaxAge, now).Sweep(t.Context()); err != nil || n != 0 {
		t.Errorf("second Sweep = %d, %v", n, err)
	}
}

func TestSweepErrors(t *testing.T) {
	m := &memStore{buckets: map[string]map[string][]byte{"a": {}, "b": {}}}
	now := time.Now()
	m.stage(t, "a", "st-1", now.Add(-time.Hour))
	m.stage(t, "b", "st-2", now.Add(-time.Hour))
	s := m.sweeper(time.Minute, now)
	boom := errors.New("boom")
	list := s.List
	s.List = func(ctx context.Context, bucket, prefix string, fn func(string)) error {
		switch bucket {
		case "a":
			return boom
		case "gone":
			return &translate.Error{Code: translate.ErrNoSuchBucket}
		}
		return list(ctx, bucket, prefix, fn)
	}
	buckets := s.Buckets
	s.Buckets = func(ctx context.Context) ([]string, error) {
		b, err := buckets(ctx)
		return append(b, "gone"), err
	}
	n, err := s.Sweep(t.Context())
	if n != 1 || !errors.Is(err, boom) {
		t.Fatalf("Sweep = %d, %v; want 1 removed and bucket a's failure", n, err)
	}
	if translate.CodeOf(err) == translate.ErrNoSuchBucket {
		t.Errorf("a bucket deleted meanwhile is reported: %v", err)
	}
}

func TestReaperStops(t *testing.T) {
	if got := ReapInterval(DefaultStagingMaxAge); got != time.Hour {
		t.Errorf("ReapInterval(7d) = %v", got)
	}
	if got := ReapInterval(10 * time.Second); got != 5*time.Second {
		t.Errorf("ReapInterval(10s) = %v", got)
	}
	var mu sync.Mutex
	sweeps := 0
	s := &Sweeper{MaxAge: 20 * time.Millisecond, Buckets: func(context.Context) ([]string, error) {
		mu.Lock()
		sweeps++
		mu.Unlock()
		return nil, nil
	}}
	r := StartReaper("test", s)
	deadline := time.Now().Add(time.Minute) // a guard, never a result
	for {
		mu.Lock()
		n := sweeps
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reaper did not sweep")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.Stop()
	r.Stop()
	mu.Lock()
	n := sweeps
	mu.Unlock()
	// Stop has waited for the goroutine, so no sweep can follow; a
	// moment's wait gives a Stop that did not a chance to show it.
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if sweeps != n {
		t.Errorf("the reaper swept after Stop")
	}
	(*Reaper)(nil).Stop()
}

func TestApplyListedAnnexes(t *testing.T) {
	client := "0123456789abcdef0123456789abcdef-3"
	objs := []translate.ObjectInfo{
		{Key: "assembled", ETag: "aaaa-2", Size: 10},
		{Key: "stale", ETag: "bbbb-2", Size: 10},
		{Key: "plain", ETag: "cccc", Size: 10},
		{Key: "none", ETag: "dddd-2", Size: 10},
	}
	annexes := map[string][]byte{
		AnnexKey("assembled"): NewAnnex(translate.ObjectInfo{Key: "assembled", ETag: client, Size: 10}, `"AAAA-2"`).Marshal(),
		AnnexKey("stale"):     NewAnnex(translate.ObjectInfo{Key: "stale", ETag: client, Size: 10}, "old-2").Marshal(),
		AnnexKey("plain"):     NewAnnex(translate.ObjectInfo{Key: "plain", ETag: client, Size: 10}, "cccc").Marshal(),
	}
	var mu sync.Mutex
	var read []string
	err := ApplyListedAnnexes(t.Context(), objs, func(_ context.Context, key string) ([]byte, error) {
		mu.Lock()
		read = append(read, key)
		mu.Unlock()
		if data, ok := annexes[key]; ok {
			return data, nil
		}
		return nil, &translate.Error{Code: translate.ErrNoSuchKey}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{client, "bbbb-2", "cccc", "dddd-2"}
	for i, o := range objs {
		if o.ETag != want[i] {
			t.Errorf("%s listed with ETag %q, want %q", o.Key, o.ETag, want[i])
		}
	}
	if len(read) != 3 {
		t.Errorf("read %d annexes, want 3 (multipart store ETags only)", len(read))
	}
	boom := errors.New("boom")
	err = ApplyListedAnnexes(t.Context(), []translate.ObjectInfo{{Key: "x", ETag: "a-2"}},
		func(context.Context, string) ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Errorf("a failing read: %v", err)
	}
}

func TestCopyAnnex(t *testing.T) {
	src := NewAnnex(translate.ObjectInfo{Key: "src", ETag: "client-3", Size: 10, PartSizes: []int64{4, 3, 3},
		Checksum: translate.Checksums{translate.CRC64ECMA: "c"}, ChecksumType: translate.ChecksumFullObject}, "store-2")
	a, ok := CopyAnnex(src, translate.ObjectInfo{Key: "dst", ETag: `"NEWETAG"`, Size: 10})
	if !ok || a.Key != "dst" || a.StoreETag != "newetag" || a.ETag != "client-3" || !slices.Equal(a.PartSizes, src.PartSizes) {
		t.Fatalf("CopyAnnex = %+v, %v", a, ok)
	}
	info := translate.ObjectInfo{Key: "dst", ETag: "newetag", Size: 10}
	if !ApplyAnnex(a.Marshal(), &info) || info.ETag != "client-3" || info.Checksum[translate.CRC64ECMA] != "c" {
		t.Fatalf("the copy's annex does not apply: %+v", info)
	}
	if _, ok := CopyAnnex(src, translate.ObjectInfo{Key: "dst", ETag: "x", Size: 9}); ok {
		t.Errorf("CopyAnnex accepted a copy of another size")
	}
}
