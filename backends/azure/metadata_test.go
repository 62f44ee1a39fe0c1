package azure

import (
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/storekit/storekittest"
	"github.com/babelgate/babelgate/test/azurite"
)

// TestKeptAzurite checks, against a real Azurite, that a PutObject keeps
// its computed checksums in the blob's own metadata (Set Blob Metadata
// If-Match) and that HEAD and GET then make one store call, while annexes
// still apply (RunKept).
func TestKeptAzurite(t *testing.T) {
	s := azurite.Start(t)
	d := newTestDriver(t, s, nil)
	o := DefaultOptions()
	o.RequestTimeout = 30 * time.Second
	storekittest.RunKept(t, d, o.Kit())
}
