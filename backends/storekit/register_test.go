package storekit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/backends"
)

// TestRegister: the registered type's options start from the defaults,
// a build error comes back as it is, and options of another type are an
// error, not a panic.
func TestRegister(t *testing.T) {
	type opts struct{ N int }
	built := errors.New("built")
	var got opts
	Register("storekit-register-test", func() *opts { return &opts{N: 7} }, func(o opts) (*Backend, error) {
		got = o
		return nil, built
	})
	info, err := backends.Lookup("storekit-register-test")
	if err != nil {
		t.Fatal(err)
	}
	o := info.NewOptions()
	if p, ok := o.(*opts); !ok || p.N != 7 {
		t.Fatalf("NewOptions() = %#v", o)
	}
	if _, err := info.New(context.Background(), "b", o); err != built || got.N != 7 {
		t.Fatalf("New = %v (built from %+v); want the build error", err, got)
	}
	if _, err := info.New(context.Background(), "b", &struct{}{}); err == nil || !strings.Contains(err.Error(), `storekit-register-test backend "b": options are *struct {}`) {
		t.Fatalf("New with foreign options = %v", err)
	}
}
