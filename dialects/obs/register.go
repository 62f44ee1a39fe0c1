package obs

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// Name is the OBS dialect's registered name and its config section
// (dialects.obs).
const Name = "obs"

// The OBS native dialect registers itself: its section is the standard
// limits section over translate.OBSRules; its rows are its signatures,
// its x-obs-* headers and its domains. OBS SDKs also sign the AWS way
// (AWSMode): those requests are the S3 dialect's, which checks their
// scopes against dialects.obs.regions (any region when unset) under
// dialects.obs.domains.
func init() {
	dialects.Register(dialects.Plugin{
		Name:    Name,
		Order:   30,
		Rules:   &translate.OBSRules,
		AWSMode: true,
		Rows: []dialects.DetectRow{
			{Name: "OBS Authorization", Match: dialects.AuthPrefix("OBS "), Order: dialects.OrderVendorSignature + 20},
			{Name: "OBS presigned query", Match: dialects.QueryHas("AccessKeyId", "Signature"), Order: dialects.OrderVendorSignature + 50},
			{Name: "x-obs-* header", Match: dialects.HeaderPrefix("x-obs-"), Order: dialects.OrderVendorHeader + 10},
		},
		DomainRowOrder: dialects.OrderDomain + 10,
		Build: func(env dialects.Env, _ any) (dialects.Dialect, error) {
			return New(env.Settings()), nil
		},
	})
}
