package azure

import "github.com/babelgate/babelgate/backends/storekit"

func init() { storekit.Register("azure", DefaultOptions, New) }

// New builds the backend: the store kit over the Azure driver. It does not
// call the store; it starts the kit's reaper, which Close stops.
func New(o Options) (*storekit.Backend, error) {
	return storekit.Open(NewDriver, o)
}
