package azure

import (
	"fmt"

	"github.com/babelgate/babelgate/backends/storekit"
)

func init() { storekit.Register("azure", DefaultOptions, New) }

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
