package azure

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/babelgate/babelgate/backends/backendtest"
	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/test/azurite"
	"github.com/babelgate/babelgate/translate"
)

// TestOptionsValidate: an endpoint, a shared key or a SAS (not both), a
// block size within Azure's, a container prefix, the kit's CallOptions.
func TestOptionsValidate(t *testing.T) {
	good := func() *Options {
		o := DefaultOptions()
		o.Endpoint, o.AccountName, o.AccountKey = "http://127.0.0.1:10000/devstoreaccount1", "a", "a2V5"
		return o
	}
	type c = backendtest.OptionCase[Options]
	backendtest.CheckOptions(t, good, (*Options).Validate, New, []c{
		{Name: "shared key", Edit: func(o *Options) {}, Want: ""},
		{Name: "sas", Edit: func(o *Options) { o.AccountKey, o.SASToken = "", "?sv=2024&sig=x" }, Want: ""},
		{Name: "no endpoint", Edit: func(o *Options) { o.Endpoint = "" }, Want: "endpoint: required"},
		{Name: "no credentials", Edit: func(o *Options) { o.AccountKey = "" }, Want: "account_key"},
		{Name: "both", Edit: func(o *Options) { o.SASToken = "sv=1" }, Want: "sas_token"},
		{Name: "block too big", Edit: func(o *Options) { o.MaxBlockSize = MaxBlockSize + 1 }, Want: "max_block_size"},
		{Name: "block zero", Edit: func(o *Options) { o.MaxBlockSize = 0 }, Want: "max_block_size"},
		{Name: "prefix with dot", Edit: func(o *Options) { o.ContainerPrefix = "a.b" }, Want: "container_prefix"},
		{Name: "timeout", Edit: func(o *Options) { o.RequestTimeout = 0 }, Want: "request_timeout"},
		{Name: "retries", Edit: func(o *Options) { o.Retries = -1 }, Want: "retries"},
	})
}

// The driver with an account SAS instead of the shared key: the same
// calls, the copy source authorised by the SAS too; a SAS with a bad
// signature is refused by the store (an error the kit makes ErrInternal).
func TestDriverSAS(t *testing.T) {
	s := azurite.Start(t)
	cred, err := azblob.NewSharedKeyCredential(azurite.Account, azurite.Key)
	if err != nil {
		t.Fatal(err)
	}
	qp, err := sas.AccountSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour).UTC(),
		Permissions:   (&sas.AccountPermissions{Read: true, Write: true, Delete: true, List: true, Add: true, Create: true}).String(),
		ResourceTypes: (&sas.AccountResourceTypes{Service: true, Container: true, Object: true}).String()}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	d := newTestDriver(t, s, func(o *Options) { o.AccountKey, o.SASToken = "", "?"+qp.Encode() })
	ctx := t.Context()
	if err := d.CreateBucket(ctx, "sas-bucket"); err != nil {
		t.Fatal(err)
	}
	data := randBytes(500)
	if e, err := d.Put(ctx, "sas-bucket", "k", bytes.NewReader(data), 500, storekit.PutOptions{}); err != nil || e != md5hex(data) {
		t.Fatalf("Put with SAS: %q, %v", e, err)
	}
	if _, err := d.Copy(ctx, "sas-bucket", "k", "sas-bucket", "k2", storekit.PutOptions{}); err != nil {
		t.Fatalf("Copy with SAS: %v", err)
	}
	body, info, err := d.Get(ctx, "sas-bucket", "k2", nil)
	if err != nil || !bytes.Equal(readAll(t, body), data) || info.ETag != md5hex(data) {
		t.Fatalf("Get of the copy: %+v, %v", info, err)
	}
	if all, err := d.ListBuckets(ctx); err != nil || len(all) != 1 || all[0].Name != "sas-bucket" {
		t.Fatalf("ListBuckets with SAS: %+v, %v", all, err)
	}
	bad := strings.Replace(qp.Encode(), "sig=", "sig=AAAA", 1)
	d2 := newTestDriver(t, s, func(o *Options) { o.AccountKey, o.SASToken = "", bad })
	_, err = d2.Head(ctx, "sas-bucket", "k")
	if err == nil || d2.Classify(err) != 0 {
		t.Fatalf("Head with a bad SAS: %v (class %v), want an unclassified refusal", err, d2.Classify(err))
	}
	if c := translate.CodeOf(err); c != 0 && c != translate.ErrInternal {
		t.Fatalf("Head with a bad SAS: code %v", c)
	}
}
