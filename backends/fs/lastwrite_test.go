package fs

import (
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// TestPartHeaderOrder: a part header stamped after another is after it,
// even in the same nanosecond or with the clock stepped back.
func TestPartHeaderOrder(t *testing.T) {
	prev := newPartHeader(translate.PartInfo{Number: 1})
	for range 10000 {
		h := newPartHeader(translate.PartInfo{Number: 1})
		if !h.after(prev) || prev.after(h) {
			t.Fatalf("header began %d is not after one began %d", h.Began, prev.Began)
		}
		prev = h
	}
	// A clock stepped back an hour still moves the stamps forward.
	ahead := newPartHeader(translate.PartInfo{Number: 1}).Began
	stamps.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	defer func() { stamps.Now = nil }()
	if h := newPartHeader(translate.PartInfo{Number: 1}); h.Began != ahead+1 {
		t.Fatalf("Began after a clock step back = %d, want %d", h.Began, ahead+1)
	}
	// Ties of Began are broken by Tiebreak, one way only.
	a, b := partHeader{Began: 5, Tiebreak: 1}, partHeader{Began: 5, Tiebreak: 2}
	if !b.after(a) || a.after(b) {
		t.Fatal("Tiebreak does not order headers that began together")
	}
}
