package azure

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/test/azurite"
	"github.com/babelgate/babelgate/translate"
)

func TestOptionsValidate(t *testing.T) {
	base := func() *Options {
		o := DefaultOptions()
		o.Endpoint, o.AccountName, o.AccountKey = "http://127.0.0.1:10000/devstoreaccount1", "a", "a2V5"
		return o
	}
	tests := []struct {
		name   string
		mut    func(*Options)
		option string // "" = valid
	}{
		{"shared key", func(o *Options) {}, ""},
		{"sas", func(o *Options) { o.AccountKey, o.SASToken = "", "?sv=2024&sig=x" }, ""},
		{"no endpoint", func(o *Options) { o.Endpoint = "" }, "endpoint"},
		{"no credentials", func(o *Options) { o.AccountKey = "" }, "account_key"},
		{"both", func(o *Options) { o.SASToken = "sv=1" }, "sas_token"},
		{"block too big", func(o *Options) { o.MaxBlockSize = MaxBlockSize + 1 }, "max_block_size"},
		{"block zero", func(o *Options) { o.MaxBlockSize = 0 }, "max_block_size"},
		{"prefix with dot", func(o *Options) { o.ContainerPrefix = "a.b" }, "container_prefix"},
		{"timeout", func(o *Options) { o.RequestTimeout = 0 }, "request_timeout"},
		{"retries", func(o *Options) { o.Retries = -1 }, "retries"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base()
			tc.mut(o)
			err := o.Validate()
			if (err == nil) != (tc.option == "") || (err != nil && !strings.Contains(err.Error(), tc.option)) {
				t.Fatalf("Validate() = %v, want an error naming %q", err, tc.option)
			}
		})
	}
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
