package s3

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/postform"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// routes is S3's routing table (see s3wire.Router): the most specific rows
// first.
func (d *Dialect) routes() []s3wire.Route {
	const service, bucket, object = s3wire.Service, s3wire.Bucket, s3wire.Object
	h, row := d.h, s3wire.Row
	return []s3wire.Route{
		row(service, "GET", nil, "", translate.OpListBuckets, h.ListBuckets),

		row(bucket, "PUT", []string{"policy"}, "", translate.OpPutBucketPolicy, h.PutBucketPolicy),
		row(bucket, "GET", []string{"policy"}, "", translate.OpGetBucketPolicy, h.GetBucketPolicy),
		row(bucket, "DELETE", []string{"policy"}, "", translate.OpDeleteBucketPolicy, h.DeleteBucketPolicy),
		row(bucket, "PUT", []string{"cors"}, "", translate.OpPutBucketCors, h.PutBucketCors),
		row(bucket, "GET", []string{"cors"}, "", translate.OpGetBucketCors, h.GetBucketCors),
		row(bucket, "DELETE", []string{"cors"}, "", translate.OpDeleteBucketCors, h.DeleteBucketCors),
		row(bucket, "PUT", []string{"acl"}, "", translate.OpPutBucketAcl, h.PutBucketAcl),
		row(bucket, "PUT", nil, "", translate.OpCreateBucket, h.CreateBucket),
		row(bucket, "HEAD", nil, "", translate.OpHeadBucket, h.HeadBucket),
		row(bucket, "DELETE", nil, "", translate.OpDeleteBucket, h.DeleteBucket),
		row(bucket, "GET", []string{"location"}, "", translate.OpGetBucketLocation, d.getBucketLocation),
		row(bucket, "GET", []string{"uploads"}, "", translate.OpListMultipartUploads, h.ListUploads),
		row(bucket, "GET", []string{"list-type"}, "", translate.OpListObjectsV2, h.ListObjectsV2),
		row(bucket, "GET", nil, "", translate.OpListObjects, h.ListObjects),
		row(bucket, "POST", []string{"delete"}, "", translate.OpDeleteObjects, h.DeleteObjects),
		row(bucket, "POST", nil, "", translate.OpPostObject, h.PostObject(s3wire.PostForm{Scheme: postform.S3, Credentials: d.cfg.Credentials, Now: d.cfg.Now})),

		row(object, "PUT", []string{"uploadId"}, "x-amz-copy-source", translate.OpUploadPartCopy, h.UploadPartCopy),
		row(object, "PUT", []string{"uploadId"}, "", translate.OpUploadPart, h.UploadPart),
		row(object, "PUT", nil, "x-amz-copy-source", translate.OpCopyObject, h.CopyObject),
		row(object, "PUT", nil, "", translate.OpPutObject, d.putObject),
		row(object, "GET", []string{"uploadId"}, "", translate.OpListParts, h.ListParts),
		row(object, "GET", []string{"attributes"}, "", translate.OpHeadObject, h.GetObjectAttributes).Named("GetObjectAttributes"),
		row(object, "GET", nil, "", translate.OpGetObject, h.GetObject),
		row(object, "HEAD", nil, "", translate.OpHeadObject, h.HeadObject),
		row(object, "DELETE", []string{"uploadId"}, "", translate.OpAbortMultipartUpload, h.AbortUpload),
		row(object, "DELETE", nil, "", translate.OpDeleteObject, h.DeleteObject),
		row(object, "POST", []string{"uploads"}, "", translate.OpCreateMultipartUpload, h.MissingBucketFirst(d.createUpload)),
		row(object, "POST", []string{"uploadId"}, "", translate.OpCompleteMultipartUpload, d.completeUpload),
	}
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
