package oss_test

import (
	"testing"
	"time"

	ossbackend "github.com/babelgate/babelgate/backends/oss"
	"github.com/babelgate/babelgate/backends/storekit/storekittest"
)

// TestKept checks, against the gateway's OSS dialect (whose CopyObject
// honours x-oss-metadata-directive: REPLACE and
// x-oss-copy-source-if-match, as OSS does), that a PutObject keeps its
// computed checksums in the object's own metadata and that HEAD and GET
// then make one store call, while annexes still apply (RunKept).
func TestKept(t *testing.T) {
	endpoint := startOSS(t, nil)
	o := ossbackend.DefaultOptions()
	o.Endpoint, o.AccessKey, o.SecretKey, o.PathStyle, o.AuthV4 = endpoint, accessKey, secretKey, true, true
	o.RequestTimeout = 30 * time.Second
	d, err := ossbackend.NewDriver(*o)
	if err != nil {
		t.Fatal(err)
	}
	storekittest.RunKept(t, d, o.Kit())
}
