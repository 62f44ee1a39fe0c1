package oss

import (
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/postform"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// routes is OSS's routing table (see s3wire.Router), the most specific rows
// first, each named as OSS's API reference names the operation.
func (d *Dialect) routes() []s3wire.Route {
	const service, bucket, object = s3wire.Service, s3wire.Bucket, s3wire.Object
	row := s3wire.Row
	return []s3wire.Route{
		row(service, "GET", nil, "", translate.OpListBuckets, d.listBuckets).Named("ListBuckets"),

		row(bucket, "PUT", []string{"policy"}, "", translate.OpPutBucketPolicy, d.putBucketPolicy).Named("PutBucketPolicy"),
		row(bucket, "GET", []string{"policy"}, "", translate.OpGetBucketPolicy, d.h.GetBucketPolicy).Named("GetBucketPolicy"),
		row(bucket, "DELETE", []string{"policy"}, "", translate.OpDeleteBucketPolicy, d.h.DeleteBucketPolicy).Named("DeleteBucketPolicy"),
		row(bucket, "PUT", []string{"cors"}, "", translate.OpPutBucketCors, d.h.StoreBucketCors).Named("PutBucketCors"),
		row(bucket, "GET", []string{"cors"}, "", translate.OpGetBucketCors, d.getBucketCors).Named("GetBucketCors"),
		row(bucket, "DELETE", []string{"cors"}, "", translate.OpDeleteBucketCors, d.h.DeleteBucketCors).Named("DeleteBucketCors"),
		row(bucket, "PUT", []string{"acl"}, "", translate.OpPutBucketAcl, d.h.PutBucketAcl).Named("PutBucketAcl"),
		row(bucket, "PUT", nil, "", translate.OpCreateBucket, d.createBucket).Named("PutBucket"),
		row(bucket, "DELETE", nil, "", translate.OpDeleteBucket, d.deleteBucket).Named("DeleteBucket"),
		row(bucket, "GET", []string{"bucketInfo"}, "", translate.OpHeadBucket, d.getBucketInfo).Named("GetBucketInfo"),
		row(bucket, "HEAD", nil, "", translate.OpHeadBucket, d.headBucket).Named("HeadBucket"),
		row(bucket, "GET", []string{"location"}, "", translate.OpGetBucketLocation, d.getBucketLocation).Named("GetBucketLocation"),
		row(bucket, "GET", []string{"acl"}, "", translate.OpHeadBucket, d.getBucketACL).Named("GetBucketAcl"),
		row(bucket, "GET", []string{"uploads"}, "", translate.OpListMultipartUploads, d.listUploads).Named("ListMultipartUploads"),
		row(bucket, "GET", []string{"list-type"}, "", translate.OpListObjectsV2, d.listObjectsV2).Named("ListObjectsV2"),
		row(bucket, "GET", nil, "", translate.OpListObjects, d.listObjects).Named("ListObjects"),
		row(bucket, "POST", []string{"delete"}, "", translate.OpDeleteObjects, d.deleteObjects).Named("DeleteMultipleObjects"),
		row(bucket, "POST", nil, "", translate.OpPostObject, d.h.PostObject(s3wire.PostForm{Scheme: postform.OSS,
			Credentials: d.cfg.Credentials, Now: d.cfg.Now, ETag: etag})).Named("PostObject"),

		row(object, "PUT", []string{"uploadId"}, "x-oss-copy-source", translate.OpUploadPartCopy, d.uploadPartCopy).Named("UploadPartCopy"),
		row(object, "PUT", []string{"uploadId"}, "", translate.OpUploadPart, d.uploadPart).Named("UploadPart"),
		row(object, "PUT", nil, "x-oss-copy-source", translate.OpCopyObject, d.copyObject).Named("CopyObject"),
		row(object, "PUT", nil, "", translate.OpPutObject, d.putObject).Named("PutObject"),
		row(object, "GET", []string{"uploadId"}, "", translate.OpListParts, d.listParts).Named("ListParts"),
		row(object, "GET", []string{"acl"}, "", translate.OpHeadObject, d.getObjectACL).Named("GetObjectAcl"),
		row(object, "GET", nil, "", translate.OpGetObject, d.getObject).Named("GetObject"),
		row(object, "HEAD", []string{"objectMeta"}, "", translate.OpHeadObject, d.getObjectMeta).Named("GetObjectMeta"),
		row(object, "HEAD", nil, "", translate.OpHeadObject, d.headObject).Named("HeadObject"),
		row(object, "DELETE", []string{"uploadId"}, "", translate.OpAbortMultipartUpload, d.abortUpload).Named("AbortMultipartUpload"),
		row(object, "DELETE", nil, "", translate.OpDeleteObject, d.deleteObject).Named("DeleteObject"),
		row(object, "POST", []string{"uploads"}, "", translate.OpCreateMultipartUpload, d.h.CreateUpload).Named("InitiateMultipartUpload"),
		row(object, "POST", []string{"uploadId"}, "", translate.OpCompleteMultipartUpload, d.completeUpload).Named("CompleteMultipartUpload"),
	}
}

// unsupported are OSS sub-resources babelgate does not implement; a request
// naming one is answered NotImplemented rather than served as a plainer
// operation it does not mean (PUT ?acl must not create the bucket); GET
// ?acl is routed above.
var unsupported = []string{
	"acl", "append", "asyncFetch", "bucketArchiveDirectRead", "callback", "cloudboxes", "cname", "comp", "cors",
	"encryption", "img", "inventory", "lifecycle", "live", "logging", "metaQuery", "policy", "policyStatus",
	"publicAccessBlock", "qos", "qosInfo", "referer", "regionList", "replication", "replicationLocation",
	"replicationProgress", "requestPayment", "resourceGroup", "restore", "rtc", "select", "stat", "style",
	"symlink", "tagging", "transferAcceleration", "versioning", "versions", "website", "worm", "wormExtend",
	"wormId", "x-oss-async-process", "x-oss-process",
}

// Resolve implements dialects.Dialect.
// A request carrying a header babelgate does not implement is refused
// (refuseHeaders) rather than served without it.
func (d *Dialect) Resolve(r *dialects.Request) (dialects.Route, error) {
	rt, err := d.router.Resolve(r)
	if err != nil {
		return rt, err
	}
	return rt, refuseHeaders(r.HTTP.Header)
}

// RoutedOps lists the operations the routing table reaches, sorted.
func RoutedOps() []translate.Op { return New(Config{}).router.Ops() }
