package e2e

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/babelgate/babelgate/test/azurite"
)

// azuriteBackend is the backends section of a gateway in front of Azurite
// (the azure backend, shared-key auth), plus extra.
func azuriteBackend(s *azurite.Server, extra string) string {
	return fmt.Sprintf(`backends:
  - name: azure
    type: azure
    options: {endpoint: %q, account_name: %q, account_key: %q,
              request_timeout: 60s, connect_timeout: 10s, retries: 3}
%s`, s.Endpoint, azurite.Account, azurite.Key, extra)
}

// azuriteGet reads a blob straight from Azurite with the Azure SDK, to
// check that the bytes landed on the store.
func azuriteGet(t *testing.T, s *azurite.Server, container, blob string) []byte {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(azurite.Account, azurite.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(s.Endpoint+"/", cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.DownloadStream(context.Background(), container, blob, nil)
	if err != nil {
		t.Fatalf("GET from Azurite: %v", err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("GET from Azurite: %v", err)
	}
	return b
}

// TestAzuriteStoreFailure stops Azurite in the middle of an upload: the
// client gets a retryable error in its own dialect (503) within the
// configured timeout, and after Azurite is back (same port, same data) the
// same upload completes whole.
func TestAzuriteStoreFailure(t *testing.T) {
	s := azurite.Start(t)
	g := startGateway(t, withBackends(azuriteBackend(s, "")))
	testStoreOutage(t, g, s, func(container, blob string) []byte { return azuriteGet(t, s, container, blob) })
}
