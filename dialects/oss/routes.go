package oss

import (
	"net/http"
	"sort"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

type level int

const (
	service level = iota
	bucket
	object
)

// route is one row of the routing table: the most specific rows come
// first, and the first whose level, method, query keys and header match
// wins.
type route struct {
	level  level
	method string
	query  []string // query keys that must be present
	header string   // header that must be present
	op     translate.Op
	name   string // OSS's name for the operation
	handle func(d *Dialect, w http.ResponseWriter, r *dialects.Request) error
}

var routes = []route{
	{service, "GET", nil, "", translate.OpListBuckets, "ListBuckets", (*Dialect).listBuckets},

	{bucket, "PUT", nil, "", translate.OpCreateBucket, "PutBucket", (*Dialect).createBucket},
	{bucket, "DELETE", nil, "", translate.OpDeleteBucket, "DeleteBucket", (*Dialect).deleteBucket},
	{bucket, "GET", []string{"bucketInfo"}, "", translate.OpHeadBucket, "GetBucketInfo", (*Dialect).getBucketInfo},
	{bucket, "HEAD", nil, "", translate.OpHeadBucket, "HeadBucket", (*Dialect).headBucket},
	{bucket, "GET", []string{"location"}, "", translate.OpGetBucketLocation, "GetBucketLocation", (*Dialect).getBucketLocation},
	{bucket, "GET", []string{"uploads"}, "", translate.OpListMultipartUploads, "ListMultipartUploads", (*Dialect).listUploads},
	{bucket, "GET", []string{"list-type"}, "", translate.OpListObjectsV2, "ListObjectsV2", (*Dialect).listObjectsV2},
	{bucket, "GET", nil, "", translate.OpListObjects, "ListObjects", (*Dialect).listObjects},
	{bucket, "POST", []string{"delete"}, "", translate.OpDeleteObjects, "DeleteMultipleObjects", (*Dialect).deleteObjects},

	{object, "PUT", []string{"uploadId"}, "x-oss-copy-source", translate.OpUploadPartCopy, "UploadPartCopy", (*Dialect).uploadPartCopy},
	{object, "PUT", []string{"uploadId"}, "", translate.OpUploadPart, "UploadPart", (*Dialect).uploadPart},
	{object, "PUT", nil, "x-oss-copy-source", translate.OpCopyObject, "CopyObject", (*Dialect).copyObject},
	{object, "PUT", nil, "", translate.OpPutObject, "PutObject", (*Dialect).putObject},
	{object, "GET", []string{"uploadId"}, "", translate.OpListParts, "ListParts", (*Dialect).listParts},
	{object, "GET", nil, "", translate.OpGetObject, "GetObject", (*Dialect).getObject},
	{object, "HEAD", []string{"objectMeta"}, "", translate.OpHeadObject, "GetObjectMeta", (*Dialect).getObjectMeta},
	{object, "HEAD", nil, "", translate.OpHeadObject, "HeadObject", (*Dialect).headObject},
	{object, "DELETE", []string{"uploadId"}, "", translate.OpAbortMultipartUpload, "AbortMultipartUpload", (*Dialect).abortUpload},
	{object, "DELETE", nil, "", translate.OpDeleteObject, "DeleteObject", (*Dialect).deleteObject},
	{object, "POST", []string{"uploads"}, "", translate.OpCreateMultipartUpload, "InitiateMultipartUpload", (*Dialect).createUpload},
	{object, "POST", []string{"uploadId"}, "", translate.OpCompleteMultipartUpload, "CompleteMultipartUpload", (*Dialect).completeUpload},
}

// unsupported are OSS sub-resources babelgate does not implement; a request
// naming one is answered NotImplemented rather than served as a plainer
// operation it does not mean (GET ?acl must not list the bucket).
var unsupported = []string{
	"acl", "append", "asyncFetch", "bucketArchiveDirectRead", "callback", "cloudboxes", "cname", "comp", "cors",
	"encryption", "img", "inventory", "lifecycle", "live", "logging", "metaQuery", "policy", "policyStatus",
	"publicAccessBlock", "qos", "qosInfo", "referer", "regionList", "replication", "replicationLocation",
	"replicationProgress", "requestPayment", "resourceGroup", "restore", "rtc", "select", "stat", "style",
	"symlink", "tagging", "transferAcceleration", "versioning", "versions", "website", "worm", "wormExtend",
	"wormId", "x-oss-async-process", "x-oss-process",
}

// Resolve implements dialects.Dialect.
func (d *Dialect) Resolve(r *dialects.Request) (dialects.Route, error) {
	lvl := service
	switch {
	case r.Key != "":
		lvl = object
	case r.Bucket != "":
		lvl = bucket
	}
	for _, name := range unsupported {
		if r.Query.Has(name) {
			return dialects.Route{}, translate.Errorf(translate.ErrNotImplemented, "The %s sub-resource is not implemented by babelgate.", name)
		}
	}
	if v := r.Query.Get("versionId"); v != "" && v != "null" {
		return dialects.Route{}, translate.Errorf(translate.ErrNotImplemented, "Versioning is not implemented by babelgate.")
	}
	method := r.HTTP.Method
	allowed := false
	for _, rt := range routes {
		if rt.level != lvl || rt.method != method {
			continue
		}
		allowed = true
		if !hasAll(r, rt.query) || (rt.header != "" && r.HTTP.Header.Get(rt.header) == "") {
			continue
		}
		rt := rt
		return dialects.Route{Op: rt.op, Handle: func(w http.ResponseWriter, r *dialects.Request) error {
			return rt.handle(d, w, r)
		}}, nil
	}
	if !allowed || (lvl == object && method == "POST") {
		return dialects.Route{}, &translate.Error{Code: translate.ErrMethodNotAllowed,
			Message: "The specified method is not allowed against this resource."}
	}
	return dialects.Route{}, translate.Errorf(translate.ErrNotImplemented, "This operation is not implemented by babelgate.")
}

func hasAll(r *dialects.Request, keys []string) bool {
	for _, k := range keys {
		if !r.Query.Has(k) {
			return false
		}
	}
	return true
}

// RoutedOps lists the operations the routing table reaches, sorted.
func RoutedOps() []translate.Op {
	seen := map[translate.Op]bool{}
	var out []translate.Op
	for _, rt := range routes {
		if !seen[rt.op] {
			seen[rt.op] = true
			out = append(out, rt.op)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
