package storekit

import (
	"context"
	"fmt"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/translate"
)

// Open builds the backend of the driver that newDriver makes from o, with
// o's kit options: a store type's New.
func Open[O interface{ Kit() Options }, D Driver](newDriver func(O) (D, error), o O) (*Backend, error) {
	d, err := newDriver(o)
	if err != nil {
		return nil, err
	}
	return New(d, o.Kit())
}

// Register registers the store type typ (`type: typ` in config) with the
// backends registry: its options start from defaults() and decode into
// *O, and build makes the kit's backend from them. A build error is
// returned as it is (the caller names the backend).
func Register[O any](typ string, defaults func() *O, build func(O) (*Backend, error)) {
	backends.Register(backends.Info{
		Type:       typ,
		NewOptions: func() any { return defaults() },
		New: func(_ context.Context, name string, options any) (translate.Backend, error) {
			o, ok := options.(*O)
			if !ok || o == nil {
				return nil, fmt.Errorf("%s backend %q: options are %T, want %T", typ, name, options, o)
			}
			b, err := build(*o)
			if err != nil {
				return nil, err
			}
			return b.AsBackend(), nil
		},
	})
}
