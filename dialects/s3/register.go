package s3

import (
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// Name is the S3 dialect's registered name and its config section
// (dialects.s3).
const Name = "s3"

// The S3 dialect registers itself: its section is the standard limits
// section over translate.S3Rules (regions default to us-east-1, the first
// being the region reported); it is the fallback dialect and owns the
// AWS-signature row, so it also serves the AWS-mode dialects' clients
// (OBS SDKs signing the AWS way) under their domains and regions. Its
// virtual-host domains are server.domains and dialects.s3.domains.
func init() {
	dialects.Register(dialects.Plugin{
		Name:     Name,
		Order:    10,
		Rules:    &translate.S3Rules,
		Fallback: true,
		Rows: []dialects.DetectRow{
			{Name: "AWS signature (S3, or OSS/OBS SDKs in S3 mode)", Match: awsSigned, Order: dialects.OrderAWSSignature},
		},
		Build: func(env dialects.Env, _ any) (dialects.Dialect, error) {
			return New(Config{Settings: env.Settings(), Regions: env.Regions, AWSModes: env.AWSModes}), nil
		},
	})
}

// awsSigned recognises an AWS signature, SigV4 or SigV2, in the header or
// the query.
func awsSigned(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	q := r.URL.Query()
	return strings.HasPrefix(a, "AWS4-") || strings.HasPrefix(a, "AWS ") ||
		q.Has("X-Amz-Algorithm") || q.Has("AWSAccessKeyId")
}
