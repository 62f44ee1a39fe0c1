package oss

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// Name is the OSS dialect's registered name and its config section
// (dialects.oss).
const Name = "oss"

// The OSS dialect registers itself: its section is the standard limits
// section over translate.OSSRules (regions unused: V4 scopes of any region
// verify); its rows are its signatures, its x-oss-* headers and its
// domains.
func init() {
	dialects.Register(dialects.Plugin{
		Name:  Name,
		Order: 20,
		Rules: &translate.OSSRules,
		Rows: []dialects.DetectRow{
			{Name: "OSS V4 Authorization", Match: dialects.AuthPrefix("OSS4-HMAC-SHA256 "), Order: dialects.OrderVendorSignature},
			{Name: "OSS V1 Authorization", Match: dialects.AuthPrefix("OSS "), Order: dialects.OrderVendorSignature + 10},
			{Name: "OSS V1 presigned query", Match: dialects.QueryHas("OSSAccessKeyId", "Signature"), Order: dialects.OrderVendorSignature + 30},
			{Name: "OSS V4 presigned query", Match: dialects.QueryHas("x-oss-signature-version"), Order: dialects.OrderVendorSignature + 40},
			{Name: "x-oss-* header", Match: dialects.HeaderPrefix("x-oss-"), Order: dialects.OrderVendorHeader},
		},
		DomainRowOrder: dialects.OrderDomain,
		Build: func(env dialects.Env, _ any) (dialects.Dialect, error) {
			return New(env.Settings()), nil
		},
	})
}
