package dialects

import (
	"fmt"

	"github.com/babelgate/babelgate/translate"
)

// WireForm is one neutral code as a dialect spells it on the wire.
type WireForm struct {
	Code    string
	Status  int
	Message string
}

// TableProblems lists what is wrong with a dialect's error table, which
// lookup reads: every code in translate.AllCodes must map to a wire form
// with a code, an error status (3xx and up) and a default message. Each
// dialect's tests call it; an empty result means the table is complete.
func TableProblems(lookup func(translate.Code) (WireForm, bool)) []string {
	var out []string
	for _, c := range translate.AllCodes() {
		w, ok := lookup(c)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%v has no mapping", c))
		case w.Code == "" || w.Status < 300 || w.Message == "":
			out = append(out, fmt.Sprintf("%v maps to an incomplete entry %+v", c, w))
		}
	}
	return out
}

// UnroutedOps lists the operations in translate.AllOps that a dialect's
// routing table (the ops it routes) does not reach.
func UnroutedOps(routed []translate.Op) []translate.Op {
	has := map[translate.Op]bool{}
	for _, op := range routed {
		has[op] = true
	}
	var out []translate.Op
	for _, op := range translate.AllOps() {
		if !has[op] {
			out = append(out, op)
		}
	}
	return out
}
