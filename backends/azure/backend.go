package azure

import (
	"context"
	"fmt"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

func init() {
	backends.Register(backends.Info{
		Type:       "azure",
		NewOptions: func() any { return DefaultOptions() },
		New: func(ctx context.Context, name string, options any) (translate.Backend, error) {
			b, err := New(*options.(*Options))
			if err != nil {
				return nil, err
			}
			return b.AsBackend(), nil
		},
	})
}

// New builds the backend: the store kit over the Azure driver. It does not
// call the store; it starts the kit's reaper, which Close stops.
func New(o Options) (*storekit.Backend, error) {
	d, err := NewDriver(o)
	if err != nil {
		return nil, err
	}
	b, err := storekit.New(d, o.Kit())
	if err != nil {
		return nil, fmt.Errorf("azure backend: %w", err)
	}
	return b, nil
}
