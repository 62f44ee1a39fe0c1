package azure_test

import (
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/azure"
	"github.com/babelgate/babelgate/backends/backendtest"
	"github.com/babelgate/babelgate/test/azurite"
	"github.com/babelgate/babelgate/translate"
)

// TestConformanceAzurite runs the backend conformance suite against a real
// Azurite (Microsoft's Azure Storage emulator, test/azurite).
func TestConformanceAzurite(t *testing.T) {
	s := azurite.Start(t)
	backendtest.RunWith(t, func(t *testing.T) translate.Backend {
		o := azure.DefaultOptions()
		o.Endpoint, o.AccountName, o.AccountKey = s.Endpoint, azurite.Account, azurite.Key
		o.RequestTimeout = 30 * time.Second
		b, err := azure.New(*o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b.AsBackend()
	}, azuriteQuirks)
}

// azuriteQuirks are Azure's (and Azurite's) documented differences.
var azuriteQuirks = backendtest.Quirks{
	// Azure stores a blob without a Content-Type as
	// application/octet-stream (Put Blob: "the default content type is
	// application/octet-stream").
	DefaultContentType: "application/octet-stream",
	// Azure takes a backslash in a blob name for '/'; the driver refuses such
	// keys (InvalidKey) rather than store them under another name.
	KeyUnsupported: func(key string) bool { return strings.Contains(key, "\\") },
}
