package obs

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
// wins. The operations are the S3 dialect's, in OBS's wire form.
type route struct {
	level  level
	method string
	query  []string // query keys that must be present
	header string   // header that must be present
	op     translate.Op
	handle func(d *Dialect, w http.ResponseWriter, r *dialects.Request) error
}

var routes = []route{
	{service, "GET", nil, "", translate.OpListBuckets, (*Dialect).listBuckets},

	{bucket, "PUT", nil, "", translate.OpCreateBucket, (*Dialect).createBucket},
	{bucket, "HEAD", nil, "", translate.OpHeadBucket, (*Dialect).headBucket},
	{bucket, "DELETE", nil, "", translate.OpDeleteBucket, (*Dialect).deleteBucket},
	{bucket, "GET", []string{"location"}, "", translate.OpGetBucketLocation, (*Dialect).getBucketLocation},
	{bucket, "GET", []string{"uploads"}, "", translate.OpListMultipartUploads, (*Dialect).listUploads},
	{bucket, "GET", []string{"list-type"}, "", translate.OpListObjectsV2, (*Dialect).listObjectsV2},
	{bucket, "GET", nil, "", translate.OpListObjects, (*Dialect).listObjects},
	{bucket, "POST", []string{"delete"}, "", translate.OpDeleteObjects, (*Dialect).deleteObjects},

	{object, "PUT", []string{"uploadId"}, copySourceHeader, translate.OpUploadPartCopy, (*Dialect).uploadPartCopy},
	{object, "PUT", []string{"uploadId"}, "", translate.OpUploadPart, (*Dialect).uploadPart},
	{object, "PUT", nil, copySourceHeader, translate.OpCopyObject, (*Dialect).copyObject},
	{object, "PUT", nil, "", translate.OpPutObject, (*Dialect).putObject},
	{object, "GET", []string{"uploadId"}, "", translate.OpListParts, (*Dialect).listParts},
	{object, "GET", nil, "", translate.OpGetObject, (*Dialect).getObject},
	{object, "HEAD", nil, "", translate.OpHeadObject, (*Dialect).headObject},
	{object, "DELETE", []string{"uploadId"}, "", translate.OpAbortMultipartUpload, (*Dialect).abortUpload},
	{object, "DELETE", nil, "", translate.OpDeleteObject, (*Dialect).deleteObject},
	{object, "POST", []string{"uploads"}, "", translate.OpCreateMultipartUpload, (*Dialect).createUpload},
	{object, "POST", []string{"uploadId"}, "", translate.OpCompleteMultipartUpload, (*Dialect).completeUpload},
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
