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
