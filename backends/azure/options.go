// Package azure is the driver of Azure Blob Storage (type "azure") for the
// store kit (backends/storekit), on the official SDK
// (github.com/Azure/azure-sdk-for-go/sdk/storage/azblob).
//
// Buckets are containers (names.go: the S3 names Azure also accepts, else
// InvalidBucketName), objects are block blobs with their content headers
// and metadata (names Azure refuses are encoded reversibly,
// storekit.IdentMeta), and a multipart upload is blocks staged on the
// destination blob itself, with block IDs derived from the upload, the
// part and the part's attempt (storekit's blocks.go), so that Complete is
// one Put Block List: no byte is copied again. Azure has no multipart
// uploads: the kit runs them over the blob's blocks (storekit.BlockStore)
// and keeps their list itself.
package azure

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/storekit"
)

// MaxBlockSize is Azure's largest block (Put Block, API 2019-12-12 and
// later: 4000 MiB). https://learn.microsoft.com/rest/api/storageservices/put-block
const MaxBlockSize = 4000 << 20

// MaxBlocks is the most blocks a committed block blob may have.
// https://learn.microsoft.com/rest/api/storageservices/put-block-list
const MaxBlocks = 50000

// Options configure an Azure Blob Storage backend.
type Options struct {
	// Endpoint is the account's blob service URL:
	// https://<account>.blob.core.windows.net, or Azurite's
	// http://127.0.0.1:10000/devstoreaccount1.
	Endpoint string `yaml:"endpoint"`
	// AccountName and AccountKey are shared-key credentials; SASToken
	// (an account SAS, with or without its leading '?') is the
	// alternative. Use ${ENV} references in config.
	AccountName string `yaml:"account_name"`
	AccountKey  string `yaml:"account_key"`
	SASToken    string `yaml:"sas_token"`
	// ContainerPrefix is put before every bucket name to make its
	// container name (a gateway sharing an account with others); the
	// gateway lists only containers that carry it.
	ContainerPrefix string `yaml:"container_prefix"`
	// MaxBlockSize is the largest block a part is staged as (a larger part
	// becomes several blocks); at most MaxBlockSize.
	MaxBlockSize int64 `yaml:"max_block_size"`
	// CallOptions are the kit's timeouts, retries and staging_max_age
	// (storekit.CallOptions); Azure itself drops uncommitted blocks after
	// 7 days.
	storekit.CallOptions `yaml:",inline"`
}

// DefaultOptions are the defaults for Azure Blob Storage.
func DefaultOptions() *Options {
	return &Options{MaxBlockSize: MaxBlockSize, CallOptions: storekit.DefaultCallOptions()}
}

// Validate implements backends.Validator: an http(s) endpoint, either a
// shared key (name and key) or a SAS token, a block size within Azure's,
// a container prefix of container-name characters, and the kit's
// CallOptions.Check.
func (o *Options) Validate() error {
	errs := []error{storekit.CheckEndpoint(o.Endpoint, true)}
	add := func(opt, msg string) { errs = append(errs, &backends.OptionError{Option: opt, Msg: msg}) }
	switch {
	case o.SASToken != "" && (o.AccountKey != ""):
		add("sas_token", "give either account_key or sas_token, not both")
	case o.SASToken == "" && (o.AccountName == "" || o.AccountKey == ""):
		add("account_key", "required (with account_name), or sas_token")
	}
	if o.MaxBlockSize <= 0 || o.MaxBlockSize > MaxBlockSize {
		add("max_block_size", fmt.Sprintf("must be in 1..%d", int64(MaxBlockSize)))
	}
	if strings.Trim(o.ContainerPrefix, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || len(o.ContainerPrefix) > 20 {
		add("container_prefix", "lowercase letters, digits and hyphens, at most 20")
	}
	return errors.Join(append(errs, o.CallOptions.Check())...)
}

// newClient builds the SDK's service client. The SDK retries nothing:
// the kit retries calls without a client body (storekit.Driver), and a
// streamed body cannot be replayed.
func newClient(o Options) (*service.Client, error) {
	opts := &service.ClientOptions{ClientOptions: azcore.ClientOptions{
		Transport: &http.Client{Transport: o.Transport()},
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}}
	endpoint := strings.TrimRight(o.Endpoint, "/")
	if o.SASToken != "" {
		return service.NewClientWithNoCredential(endpoint+"/?"+strings.TrimPrefix(o.SASToken, "?"), opts)
	}
	cred, err := service.NewSharedKeyCredential(o.AccountName, o.AccountKey)
	if err != nil {
		return nil, err
	}
	return service.NewClientWithSharedKeyCredential(endpoint+"/", cred, opts)
}
