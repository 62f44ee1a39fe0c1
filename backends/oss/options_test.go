package oss_test

import (
	"testing"

	"github.com/babelgate/babelgate/backends/backendtest"
	ossbackend "github.com/babelgate/babelgate/backends/oss"
)

// TestValidate: the oss options are storekit.StoreOptions' (checked in
// storekit's tests) with the endpoint required, and auth_v4 wants a
// region.
func TestValidate(t *testing.T) {
	good := func() *ossbackend.Options {
		o := ossbackend.DefaultOptions()
		o.Endpoint, o.AccessKey, o.SecretKey = "http://127.0.0.1:9000", "ak", "sk"
		return o
	}
	type c = backendtest.OptionCase[ossbackend.Options]
	backendtest.CheckOptions(t, good, (*ossbackend.Options).Validate, ossbackend.New, []c{
		{Name: "valid", Edit: func(*ossbackend.Options) {}, Want: ""},
		{Name: "no endpoint", Edit: func(o *ossbackend.Options) { o.Endpoint = "" }, Want: "endpoint: required"},
		{Name: "host without scheme", Edit: func(o *ossbackend.Options) { o.Endpoint = "oss-cn-hangzhou.aliyuncs.com" }, Want: `endpoint: "oss-cn-hangzhou.aliyuncs.com" is not an http:// or https:// URL`},
		{Name: "auth_v4", Edit: func(o *ossbackend.Options) { o.AuthV4 = true }, Want: ""},
		{Name: "auth_v4 without region", Edit: func(o *ossbackend.Options) { o.AuthV4, o.Region = true, "" }, Want: "region: required with auth_v4"},
		{Name: "no secret", Edit: func(o *ossbackend.Options) { o.SecretKey = "" }, Want: "secret_key: required"},
	})
}
