package s3wire

import (
	"net/http"
	"slices"
	"sort"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// Level is what a request addresses: the service, a bucket or an object.
type Level int

// The levels, from the request's bucket and key.
const (
	Service Level = iota
	Bucket
	Object
)

// String names the level for logs: "service", "bucket" or "object".
func (l Level) String() string {
	switch l {
	case Bucket:
		return "bucket"
	case Object:
		return "object"
	}
	return "service"
}

// LevelOf returns the level r addresses: Object when it names a key, Bucket
// when it names only a bucket, else Service.
func LevelOf(r *dialects.Request) Level {
	switch {
	case r.Key != "":
		return Object
	case r.Bucket != "":
		return Bucket
	}
	return Service
}

// Route is one row of a routing table.
type Route struct {
	Level  Level
	Method string
	// Query are the query keys that must be present.
	Query []string
	// Header, if set, is a header that must be present and non-empty.
	Header string
	Op     translate.Op
	// Name is the dialect's own name for the operation, where it has one
	// that differs from the neutral op (documentation only).
	Name   string
	Handle func(w http.ResponseWriter, r *dialects.Request) error
}

// Row returns a Route; it keeps routing tables one row a line.
func Row(level Level, method string, query []string, header string, op translate.Op,
	handle func(w http.ResponseWriter, r *dialects.Request) error) Route {
	return Route{Level: level, Method: method, Query: query, Header: header, Op: op, Handle: handle}
}

// Named returns rt with the dialect's own name for its operation.
func (rt Route) Named(name string) Route {
	rt.Name = name
	return rt
}

// Router resolves requests through a routing table. It is read-only after
// construction and safe for concurrent use.
type Router struct {
	// Routes are tried in order, most specific first; the first whose
	// level, method, query keys and header match wins.
	Routes []Route
	// Unsupported are sub-resources the dialect does not implement, in its
	// own spelling: a request naming one is answered NotImplemented rather
	// than served as a plainer operation it does not mean, unless a row of
	// its level and method names it (GET ?acl served, PUT ?acl not).
	Unsupported []string
	// Refuse, when set, runs before the resolved operation's handler (so
	// after authentication) and refuses the request with its error, e.g.
	// [RefuseUnimplemented].
	Refuse func(*dialects.Request, translate.Op) error
}

// Resolve maps r to its route. When it finds none it sets r.OpName for the
// request log ("unsupported ?acl", "unsupported POST object"). It fails
// NotImplemented for an unsupported
// sub-resource or a versionId other than "null", MethodNotAllowed when no
// row has r's level and method (and for any unmatched POST on an object),
// and NotImplemented when rows have the method but none matches.
func (t *Router) Resolve(r *dialects.Request) (dialects.Route, error) {
	lvl := LevelOf(r)
	for _, name := range t.Unsupported {
		if r.Query.Has(name) && !t.names(lvl, r.HTTP.Method, name) {
			r.OpName = "unsupported ?" + name
			return dialects.Route{}, translate.Errorf(translate.ErrNotImplemented, "The %s sub-resource is not implemented by babelgate.", name)
		}
	}
	if v := r.Query.Get("versionId"); v != "" && v != "null" {
		r.OpName = "unsupported ?versionId"
		return dialects.Route{}, translate.Errorf(translate.ErrNotImplemented, "Versioning is not implemented by babelgate.")
	}
	method := r.HTTP.Method
	allowed := false
	for _, rt := range t.Routes {
		if rt.Level != lvl || rt.Method != method {
			continue
		}
		allowed = true
		if !hasAll(r, rt.Query) || (rt.Header != "" && r.HTTP.Header.Get(rt.Header) == "") {
			continue
		}
		handle := rt.Handle
		if refuse, op := t.Refuse, rt.Op; refuse != nil {
			handle = func(w http.ResponseWriter, r *dialects.Request) error {
				if err := refuse(r, op); err != nil {
					return err
				}
				return rt.Handle(w, r)
			}
		}
		return dialects.Route{Op: rt.Op, Handle: handle}, nil
	}
	r.OpName = "unsupported " + method + " " + lvl.String()
	if !allowed || (lvl == Object && method == http.MethodPost) {
		return dialects.Route{}, &translate.Error{Code: translate.ErrMethodNotAllowed,
			Message: "The specified method is not allowed against this resource."}
	}
	return dialects.Route{}, translate.Errorf(translate.ErrNotImplemented, "This operation is not implemented by babelgate.")
}

// names reports whether a row of level lvl and method names the query key.
func (t *Router) names(lvl Level, method, key string) bool {
	for _, rt := range t.Routes {
		if rt.Level == lvl && rt.Method == method && slices.Contains(rt.Query, key) {
			return true
		}
	}
	return false
}

func hasAll(r *dialects.Request, keys []string) bool {
	for _, k := range keys {
		if !r.Query.Has(k) {
			return false
		}
	}
	return true
}

// Ops lists the operations the table reaches, sorted, each once.
func (t *Router) Ops() []translate.Op {
	seen := map[translate.Op]bool{}
	var out []translate.Op
	for _, rt := range t.Routes {
		if !seen[rt.Op] {
			seen[rt.Op] = true
			out = append(out, rt.Op)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Handler serves one routed operation.
type Handler = func(w http.ResponseWriter, r *dialects.Request) error

// FamilyRoutes are what a dialect puts in the S3-family routing table
// besides the shared handlers.
type FamilyRoutes struct {
	// PostForm is the dialect's browser-form upload (POST to a bucket).
	PostForm PostForm
	// CreateUpload is CreateMultipartUpload; nil means h.CreateUpload.
	CreateUpload Handler
	// CompleteUpload is CompleteMultipartUpload (the dialect reads its
	// document, then calls [Handlers.Complete]).
	CompleteUpload Handler
	// ObjectAttributes routes GET ?attributes to GetObjectAttributes (S3).
	ObjectAttributes bool
	// Names are the dialect's own names of operations, where they differ
	// from the neutral ones (OBS's SetBucketPolicy).
	Names map[translate.Op]string
}

// Routes is the S3-family routing table (see [Router]) on h, the most
// specific rows first: the S3 operations, with copy-source headers under
// the profile's prefix, and the dialect's own rows from f.
func (h *Handlers) Routes(f FamilyRoutes) []Route {
	const service, bucket, object = Service, Bucket, Object
	createUpload := f.CreateUpload
	if createUpload == nil {
		createUpload = h.CreateUpload
	}
	copySource := h.Prefix + "copy-source"
	routes := []Route{
		Row(service, "GET", nil, "", translate.OpListBuckets, h.ListBuckets),

		Row(bucket, "PUT", []string{"policy"}, "", translate.OpPutBucketPolicy, h.PutBucketPolicy),
		Row(bucket, "GET", []string{"policy"}, "", translate.OpGetBucketPolicy, h.GetBucketPolicy),
		Row(bucket, "DELETE", []string{"policy"}, "", translate.OpDeleteBucketPolicy, h.DeleteBucketPolicy),
		Row(bucket, "PUT", []string{"cors"}, "", translate.OpPutBucketCors, h.PutBucketCors),
		Row(bucket, "GET", []string{"cors"}, "", translate.OpGetBucketCors, h.GetBucketCors),
		Row(bucket, "DELETE", []string{"cors"}, "", translate.OpDeleteBucketCors, h.DeleteBucketCors),
		Row(bucket, "PUT", []string{"acl"}, "", translate.OpPutBucketAcl, h.PutBucketAcl),
		Row(bucket, "PUT", nil, "", translate.OpCreateBucket, h.CreateBucket),
		Row(bucket, "HEAD", nil, "", translate.OpHeadBucket, h.HeadBucket),
		Row(bucket, "DELETE", nil, "", translate.OpDeleteBucket, h.DeleteBucket),
		Row(bucket, "GET", []string{"location"}, "", translate.OpGetBucketLocation, h.GetBucketLocation),
		Row(bucket, "GET", []string{"uploads"}, "", translate.OpListMultipartUploads, h.ListUploads),
		Row(bucket, "GET", []string{"list-type"}, "", translate.OpListObjectsV2, h.ListObjectsV2),
		Row(bucket, "GET", nil, "", translate.OpListObjects, h.ListObjects),
		Row(bucket, "POST", []string{"delete"}, "", translate.OpDeleteObjects, h.DeleteObjects),
		Row(bucket, "POST", nil, "", translate.OpPostObject, h.PostObject(f.PostForm)),

		Row(object, "PUT", []string{"uploadId"}, copySource, translate.OpUploadPartCopy, h.UploadPartCopy),
		Row(object, "PUT", []string{"uploadId"}, "", translate.OpUploadPart, h.UploadPart),
		Row(object, "PUT", nil, copySource, translate.OpCopyObject, h.CopyObject),
		Row(object, "PUT", nil, "", translate.OpPutObject, h.PutObject),
		Row(object, "GET", []string{"uploadId"}, "", translate.OpListParts, h.ListParts),
	}
	if f.ObjectAttributes {
		routes = append(routes, Row(object, "GET", []string{"attributes"}, "", translate.OpHeadObject, h.GetObjectAttributes).Named("GetObjectAttributes"))
	}
	routes = append(routes,
		Row(object, "GET", nil, "", translate.OpGetObject, h.GetObject),
		Row(object, "HEAD", nil, "", translate.OpHeadObject, h.HeadObject),
		Row(object, "DELETE", []string{"uploadId"}, "", translate.OpAbortMultipartUpload, h.AbortUpload),
		Row(object, "DELETE", nil, "", translate.OpDeleteObject, h.DeleteObject),
		Row(object, "POST", []string{"uploads"}, "", translate.OpCreateMultipartUpload, createUpload),
		Row(object, "POST", []string{"uploadId"}, "", translate.OpCompleteMultipartUpload, f.CompleteUpload),
	)
	for i, rt := range routes {
		if name, ok := f.Names[rt.Op]; ok && rt.Name == "" {
			routes[i].Name = name
		}
	}
	return routes
}
