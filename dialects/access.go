package dialects

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/babelgate/babelgate/translate"
	"github.com/babelgate/babelgate/translate/cors"
)

// ErrAnonymous is the cause a dialect's Authenticate gives the error it
// returns for an unsigned request (with the caller's Rules set), so that
// the pipeline may still let the request through where a bucket policy, a
// canned ACL or the config grants anonymous access. Where nothing does,
// the dialect's own error stands, exactly as it was.
var ErrAnonymous = errors.New("an unsigned request")

// BucketAccess is what the pipeline asks of the engine about buckets:
// bucket policies, ACLs and anonymous grants (Authorize) and CORS rules
// (BucketSettings). *translate.Engine implements it.
type BucketAccess interface {
	Authorize(ctx context.Context, c translate.Caller, q translate.AccessRequest) (translate.Caller, error)
	BucketSettings(ctx context.Context, bucket string) (translate.BucketSettings, error)
}

// The messages of S3's answers to preflights it refuses (403
// AccessForbidden), which OSS and OBS answer alike.
const (
	corsNotEnabled = "CORSResponse: CORS is not enabled for this bucket."
	corsNotAllowed = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, " +
		"request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
)

// authorize applies p.Access after authentication: err is Authenticate's.
// An unsigned POST to a bucket (a browser form upload) passes anonymous:
// its handler verifies the form's own signature and authorizes then.
func (p *Pipeline) authorize(r *Request, caller translate.Caller, err error) (translate.Caller, error) {
	anonymous := errors.Is(err, ErrAnonymous)
	if p.Access == nil || (err != nil && !anonymous) || r.Op == 0 {
		return caller, err
	}
	if anonymous && r.Op == translate.OpPostObject {
		return caller, nil
	}
	c, aerr := p.Access.Authorize(r.HTTP.Context(), caller, AccessRequestOf(r, r.Op))
	switch {
	case aerr != nil:
		return caller, aerr
	case anonymous && c.Principal == nil:
		return caller, err
	}
	return c, nil
}

// AccessRequestOf describes r for Authorize as operation op.
func AccessRequestOf(r *Request, op translate.Op) translate.AccessRequest {
	hr := r.HTTP
	q := translate.AccessRequest{Op: op, Bucket: r.Bucket, Key: r.Key, Secure: hr.TLS != nil,
		ListPrefix: r.Query.Get("prefix"), Context: map[string]string{}}
	host, _, err := net.SplitHostPort(hr.RemoteAddr)
	if err != nil {
		host = hr.RemoteAddr
	}
	q.SourceIP = net.ParseIP(host)
	for param, key := range map[string]string{"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys"} {
		if r.Query.Has(param) {
			q.Context[key] = r.Query.Get(param)
		}
	}
	for header, key := range map[string]string{"Referer": "aws:referer", "User-Agent": "aws:useragent"} {
		if v := hr.Header.Get(header); v != "" {
			q.Context[key] = v
		}
	}
	return q
}

// corsActual sets the CORS headers of an actual request that carries an
// Origin, before it is served, so that errors carry them too: those of the
// first matching rule, or only Vary when the bucket has rules but none
// matches; nothing when the bucket has none.
func (p *Pipeline) corsActual(w http.ResponseWriter, r *Request) {
	origin := r.HTTP.Header.Get("Origin")
	if origin == "" || r.Bucket == "" || p.Access == nil {
		return
	}
	s, err := p.Access.BucketSettings(r.HTTP.Context(), r.Bucket)
	if err != nil || s.CORS == nil {
		return
	}
	if rule := s.CORS.Match(origin, r.HTTP.Method, nil); rule != nil {
		rule.SetActual(w.Header(), origin)
		return
	}
	cors.VaryOnly(w.Header())
}

// preflight answers an OPTIONS request from the bucket's CORS rules. It
// needs no signature.
func (p *Pipeline) preflight(w http.ResponseWriter, r *Request) error {
	hr := r.HTTP
	origin := hr.Header.Get("Origin")
	method := hr.Header.Get("Access-Control-Request-Method")
	switch {
	case origin == "":
		return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Insufficient information. Origin request header needed."}
	case method == "":
		return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Invalid Access-Control-Request-Method: null"}
	case r.Bucket == "" || p.Access == nil:
		return &translate.Error{Code: translate.ErrCORSForbidden, Message: corsNotEnabled}
	}
	s, err := p.Access.BucketSettings(hr.Context(), r.Bucket)
	if err != nil {
		return err
	}
	if s.CORS == nil {
		return &translate.Error{Code: translate.ErrCORSForbidden, Bucket: r.Bucket, Message: corsNotEnabled}
	}
	headers := cors.SplitHeaders(hr.Header.Get("Access-Control-Request-Headers"))
	rule := s.CORS.Match(origin, method, headers)
	if rule == nil {
		cors.VaryOnly(w.Header())
		return &translate.Error{Code: translate.ErrCORSForbidden, Bucket: r.Bucket, Message: corsNotAllowed}
	}
	rule.SetPreflight(w.Header(), origin, headers)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}
