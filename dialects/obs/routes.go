package obs

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/postform"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// routes is OBS's routing table (see s3wire.Router), the most specific rows
// first: the operations are the S3 dialect's, in OBS's wire form.
func (d *Dialect) routes() []s3wire.Route {
	const service, bucket, object = s3wire.Service, s3wire.Bucket, s3wire.Object
	h, row := d.h, s3wire.Row
	return []s3wire.Route{
		row(service, "GET", nil, "", translate.OpListBuckets, h.ListBuckets),

		row(bucket, "PUT", []string{"policy"}, "", translate.OpPutBucketPolicy, h.PutBucketPolicy).Named("SetBucketPolicy"),
		row(bucket, "GET", []string{"policy"}, "", translate.OpGetBucketPolicy, h.GetBucketPolicy),
		row(bucket, "DELETE", []string{"policy"}, "", translate.OpDeleteBucketPolicy, h.DeleteBucketPolicy),
		row(bucket, "PUT", []string{"cors"}, "", translate.OpPutBucketCors, h.PutBucketCors).Named("SetBucketCors"),
		row(bucket, "GET", []string{"cors"}, "", translate.OpGetBucketCors, h.GetBucketCors),
		row(bucket, "DELETE", []string{"cors"}, "", translate.OpDeleteBucketCors, h.DeleteBucketCors),
		row(bucket, "PUT", []string{"acl"}, "", translate.OpPutBucketAcl, h.PutBucketAcl).Named("SetBucketAcl"),
		row(bucket, "PUT", nil, "", translate.OpCreateBucket, h.CreateBucket),
		row(bucket, "HEAD", nil, "", translate.OpHeadBucket, h.HeadBucket),
		row(bucket, "DELETE", nil, "", translate.OpDeleteBucket, h.DeleteBucket),
		row(bucket, "GET", []string{"location"}, "", translate.OpGetBucketLocation, d.getBucketLocation),
		row(bucket, "GET", []string{"uploads"}, "", translate.OpListMultipartUploads, h.ListUploads),
		row(bucket, "GET", []string{"list-type"}, "", translate.OpListObjectsV2, h.ListObjectsV2),
		row(bucket, "GET", nil, "", translate.OpListObjects, h.ListObjects),
		row(bucket, "POST", []string{"delete"}, "", translate.OpDeleteObjects, h.DeleteObjects),
		row(bucket, "POST", nil, "", translate.OpPostObject, h.PostObject(s3wire.PostForm{Scheme: postform.OBS,
			Credentials: d.cfg.Credentials, Now: d.cfg.Now})),

		row(object, "PUT", []string{"uploadId"}, "x-obs-copy-source", translate.OpUploadPartCopy, h.UploadPartCopy),
		row(object, "PUT", []string{"uploadId"}, "", translate.OpUploadPart, h.UploadPart),
		row(object, "PUT", nil, "x-obs-copy-source", translate.OpCopyObject, h.CopyObject),
		row(object, "PUT", nil, "", translate.OpPutObject, d.putObject),
		row(object, "GET", []string{"uploadId"}, "", translate.OpListParts, h.ListParts),
		row(object, "GET", nil, "", translate.OpGetObject, h.GetObject),
		row(object, "HEAD", nil, "", translate.OpHeadObject, h.HeadObject),
		row(object, "DELETE", []string{"uploadId"}, "", translate.OpAbortMultipartUpload, h.AbortUpload),
		row(object, "DELETE", nil, "", translate.OpDeleteObject, h.DeleteObject),
		row(object, "POST", []string{"uploads"}, "", translate.OpCreateMultipartUpload, d.createUpload),
		row(object, "POST", []string{"uploadId"}, "", translate.OpCompleteMultipartUpload, d.completeUpload),
	}
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
