package dialects

import (
	"testing"

	"github.com/babelgate/babelgate/translate"
)

func TestTableProblems(t *testing.T) {
	full := func(translate.Code) (WireForm, bool) { return WireForm{"X", 400, "m"}, true }
	if p := TableProblems(full); len(p) != 0 {
		t.Fatalf("a complete table has problems: %v", p)
	}
	gaps := func(c translate.Code) (WireForm, bool) {
		switch c {
		case translate.ErrNoSuchKey:
			return WireForm{}, false
		case translate.ErrNoSuchBucket:
			return WireForm{"NoSuchBucket", 200, "m"}, true // not an error status
		}
		return WireForm{"X", 400, "m"}, true
	}
	if p := TableProblems(gaps); len(p) != 2 {
		t.Fatalf("want 2 problems (a missing code, a 200), got %v", p)
	}
}

func TestUnroutedOps(t *testing.T) {
	all := translate.AllOps()
	if u := UnroutedOps(all); len(u) != 0 {
		t.Fatalf("every op routed, yet %v reported", u)
	}
	if u := UnroutedOps(all[1:]); len(u) != 1 || u[0] != all[0] {
		t.Fatalf("UnroutedOps without %v = %v", all[0], u)
	}
}
