package obs

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/postform"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// routes is OBS's routing table: the S3 dialect's operations (see
// s3wire.Handlers.Routes) in OBS's wire form, under OBS's names where they
// differ (the OBS Go SDK calls them SetBucketPolicy, SetBucketCors and
// SetBucketAcl).
func (d *Dialect) routes() []s3wire.Route {
	return d.h.Routes(s3wire.FamilyRoutes{
		PostForm:       s3wire.PostForm{Scheme: postform.OBS, Credentials: d.cfg.Credentials, Now: d.cfg.Now},
		CompleteUpload: d.completeUpload,
		Names: map[translate.Op]string{translate.OpPutBucketPolicy: "SetBucketPolicy",
			translate.OpPutBucketCors: "SetBucketCors", translate.OpPutBucketAcl: "SetBucketAcl"},
	})
}

// unsupported are OBS sub-resources (the SDK's signed resource names,
// protocols.md §3.2) that babelgate does not implement; a request naming
// one is answered NotImplemented rather than served as a plainer operation
// it does not mean. Names are compared as sent, in OBS's spelling.
var unsupported = []string{
	"acl", "append", "attname", "backtosource", "bucketstatus", "cdnnotifyconfiguration", "cors", "customdomain",
	"deletebucket", "directcoldaccess", "encryption", "inventory", "length", "lifecycle", "logging", "metadata",
	"mirrorBackToSource", "modify", "name", "notification", "object-lock", "policy", "policyStatus", "position",
	"publicAccessBlock", "quota", "rename", "replication", "requestPayment", "restore", "retention",
	"storageClass", "storageinfo", "storagePolicy", "tagging", "torrent", "truncate", "versioning", "versions",
	"website", "x-image-process", "x-image-save-bucket", "x-image-save-object",
}

// Resolve implements dialects.Dialect.
func (d *Dialect) Resolve(r *dialects.Request) (dialects.Route, error) { return d.router.Resolve(r) }

// RoutedOps lists the operations the routing table reaches, sorted.
func RoutedOps() []translate.Op { return New(Config{}).router.Ops() }
