package storekit

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

func TestStagedRecords(t *testing.T) {
	p := StagedPart{Number: 7, Begin: 1700000000123456789, Rand: "0a1b2c3d", ETag: "d41d8cd98f00b204e9800998ecf8427e", Size: 102400,
		Checksum: translate.Checksums{translate.CRC64ECMA: "123"}}
	if got, want := p.Record("upload-1"), dir1+"p00007.1700000000123456789.0a1b2c3d.d41d8cd98f00b204e9800998ecf8427e.102400.eyJDUkM2NEVDTUEiOiIxMjMifQ"; got != want {
		t.Errorf("Record = %q, want %q", got, want)
	}
	if got, want := p.Object("upload-1"), dir1+"s00007.1700000000123456789.0a1b2c3d"; got != want {
		t.Errorf("Object = %q, want %q", got, want)
	}
	back, ok := ParseStagedRecord("upload-1", p.Record("upload-1"))
	if !ok || !reflect.DeepEqual(back, p) {
		t.Errorf("ParseStagedRecord(Record) = %+v, %v", back, ok)
	}
	// The two record forms never read as each other.
	plain := PartRecord("upload-1", 7, "e", nil)
	if _, ok := ParseStagedRecord("upload-1", plain); ok {
		t.Errorf("a plain record parses as a staged one")
	}
	if _, _, _, ok := ParsePartRecord("upload-1", p.Record("upload-1")); ok {
		t.Errorf("a staged record parses as a plain one")
	}
	// The last-begun record of a number wins, whatever the listing order.
	older, newer := p, p
	older.Begin, older.ETag = 5, "aa"
	newer.Begin, newer.ETag = 9, "bb"
	got := StagedParts("upload-1", []string{newer.Record("upload-1"), older.Record("upload-1"), plain, dir1 + "state"})
	if len(got) != 1 || got[7].ETag != "bb" {
		t.Errorf("StagedParts = %+v, want part 7 with ETag bb", got)
	}
	page := StagedPartsPage(map[int]StagedPart{1: {Number: 1}, 2: {Number: 2}, 3: {Number: 3}}, 1, 1)
	if len(page.Parts) != 1 || page.Parts[0].Number != 2 || !page.Truncated || page.NextMarker != 2 {
		t.Errorf("StagedPartsPage = %+v", page)
	}
	if id := NewStagedID(); !IsStagedID(id) || ValidUploadID("b", id) != nil {
		t.Errorf("NewStagedID = %q", id)
	} else if got, ok := ParseStagedMarker(StagedMarker(id)); !ok || got != id {
		t.Errorf("ParseStagedMarker(StagedMarker(%q)) = %q, %v", id, got, ok)
	}
}

func TestPlanGroups(t *testing.T) {
	const min = 100
	parts := func(sizes ...int64) []StagedPart {
		var out []StagedPart
		for i, s := range sizes {
			out = append(out, StagedPart{Number: i + 1, Size: s})
		}
		return out
	}
	shape := func(gs []Group) string {
		var b strings.Builder
		for _, g := range gs {
			if g.Copy {
				b.WriteString("c")
			}
			b.WriteString("[")
			for _, p := range g.Parts {
				b.WriteString(string(rune('0' + p.Number)))
			}
			b.WriteString("]")
		}
		return b.String()
	}
	for _, tc := range []struct {
		sizes []int64
		want  string
	}{
		{[]int64{100, 30, 30, 40, 10}, "c[1][234][5]"},
		{[]int64{30, 100, 100}, "[12]c[3]"},
		{[]int64{10}, "[1]"},
		{[]int64{150, 150}, "c[1]c[2]"},
		{[]int64{60, 60, 60, 60}, "[12][34]"},
	} {
		gs := PlanGroups(parts(tc.sizes...), min)
		if got := shape(gs); got != tc.want {
			t.Errorf("PlanGroups(%v) = %s, want %s", tc.sizes, got, tc.want)
		}
		var total, want int64
		for i, g := range gs {
			var sum int64
			for _, p := range g.Parts {
				sum += p.Size
			}
			if sum != g.Size || (i < len(gs)-1 && g.Size < min) {
				t.Errorf("PlanGroups(%v): group %d = %+v", tc.sizes, i, g)
			}
			total += g.Size
		}
		for _, s := range tc.sizes {
			want += s
		}
		if total != want {
			t.Errorf("PlanGroups(%v) covers %d bytes, want %d", tc.sizes, total, want)
		}
	}
}

func TestAnnex(t *testing.T) {
	info := translate.ObjectInfo{Key: "k", Size: 10, ETag: "client-3", Checksum: translate.Checksums{translate.CRC64ECMA: "1"},
		ChecksumType: translate.ChecksumFullObject, PartSizes: []int64{4, 4, 2}}
	data := NewAnnex(info, `"STORE-1"`).Marshal()
	store := translate.ObjectInfo{Key: "k", Size: 10, ETag: "store-1"}
	if !ApplyAnnex(data, &store) || store.ETag != "client-3" || store.Checksum[translate.CRC64ECMA] != "1" ||
		store.ChecksumType != translate.ChecksumFullObject || len(store.PartSizes) != 3 {
		t.Errorf("ApplyAnnex = %+v", store)
	}
	for _, other := range []translate.ObjectInfo{
		{Key: "k", Size: 10, ETag: "store-2"}, // overwritten
		{Key: "k", Size: 11, ETag: "store-1"},
		{Key: "j", Size: 10, ETag: "store-1"},
	} {
		before := other
		if ApplyAnnex(data, &other) || !reflect.DeepEqual(other, before) {
			t.Errorf("a stale annex applied to %+v", before)
		}
	}
	if ApplyAnnex([]byte("not json"), &translate.ObjectInfo{}) {
		t.Error("garbage applied")
	}
	if AnnexKey("a") == AnnexKey("b") || !Reserved(AnnexKey("a")) || !MayHaveAnnex("x-2") || MayHaveAnnex("abc") {
		t.Error("annex naming")
	}
}

// TestBeginStampIncreasing: stamps handed out in one process never repeat
// and never go back, even when the clock stands behind the last one, so a
// part begun after another has begun always wins.
func TestBeginStampIncreasing(t *testing.T) {
	const goroutines, each = 4, 1000
	seen := make(chan int64, goroutines*each)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			prev := int64(0)
			for range each {
				p := NewStagedPart(1)
				if p.Begin <= prev {
					t.Errorf("Begin %d after %d", p.Begin, prev)
				}
				prev = p.Begin
				seen <- p.Begin
			}
		})
	}
	wg.Wait()
	close(seen)
	distinct := map[int64]bool{}
	for b := range seen {
		distinct[b] = true
	}
	if len(distinct) != goroutines*each {
		t.Errorf("%d distinct stamps of %d", len(distinct), goroutines*each)
	}
	// A clock behind the last stamp (stepped back) still moves forward.
	ahead := NewStagedPart(1).Begin
	stamps.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	defer func() { stamps.Now = nil }()
	if a, b := NewStagedPart(1).Begin, NewStagedPart(1).Begin; a != ahead+1 || b != ahead+2 {
		t.Errorf("stamps after a clock step back = %d, %d, want %d, %d", a, b, ahead+1, ahead+2)
	}
}
