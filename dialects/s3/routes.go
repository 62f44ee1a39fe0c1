package s3

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/postform"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// routes is S3's routing table (see s3wire.Handlers.Routes), with
// GetObjectAttributes; CreateMultipartUpload reports a missing bucket
// before its own argument errors, as S3 does.
func (d *Dialect) routes() []s3wire.Route {
	return d.h.Routes(s3wire.FamilyRoutes{
		PostForm:         s3wire.PostForm{Scheme: postform.S3, Credentials: d.cfg.Credentials, Now: d.cfg.Now},
		CreateUpload:     d.h.MissingBucketFirst(d.h.CreateUpload),
		CompleteUpload:   d.completeUpload,
		ObjectAttributes: true,
	})
}

// unsupported are S3 sub-resources babelgate does not implement; a request
// naming one is answered NotImplemented rather than served as a plainer
// operation it does not mean.
var unsupported = []string{
	"accelerate", "acl", "analytics", "cors", "encryption", "intelligent-tiering", "inventory",
	"legal-hold", "lifecycle", "logging", "metadataConfiguration", "metrics", "notification", "object-lock",
	"ownershipControls", "policy", "policyStatus", "publicAccessBlock", "renameObject", "replication",
	"requestPayment", "restore", "retention", "select", "session", "tagging", "torrent", "versioning",
	"versions", "website",
}

// Resolve implements dialects.Dialect.
func (d *Dialect) Resolve(r *dialects.Request) (dialects.Route, error) { return d.router.Resolve(r) }

// RoutedOps lists the operations the routing table reaches, sorted.
func RoutedOps() []translate.Op { return New(Config{}).router.Ops() }
