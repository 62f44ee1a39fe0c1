package dialects

import (
	"testing"

	"github.com/babelgate/babelgate/translate"
)

func TestRegisterRefusesMistakes(t *testing.T) {
	build := func(Env, any) (Dialect, error) { return nil, nil }
	Register(Plugin{Name: "refusals-dup", Build: build})
	fallback := false // the S3 dialect is registered in this binary (dialects_test imports it)
	for _, p := range Registered() {
		fallback = fallback || p.Fallback
	}
	if !fallback {
		Register(Plugin{Name: "refusals-fallback", Fallback: true, Build: build})
	}
	for _, p := range []Plugin{
		{Name: "refusals-dup", Build: build},                    // a duplicate name
		{Name: "refusals-second", Fallback: true, Build: build}, // a second fallback
		{Name: "refusals-both", Rules: &translate.S3Rules, NewOptions: func() any { return nil }, Build: build},
		{Name: "nobuild"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", p.Name)
				}
			}()
			Register(p)
		}()
	}
	if _, ok := Lookup("nobuild"); ok {
		t.Error("a refused plugin was registered")
	}
}
