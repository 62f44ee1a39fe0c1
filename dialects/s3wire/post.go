package s3wire

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/postform"
	"github.com/babelgate/babelgate/translate"
)

// PostResponse is S3's answer to a POST Object with
// success_action_status 201 (OBS answers the same document).
type PostResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string
	Bucket   string
	Key      string
	ETag     string
}

// PostForm configures the browser-form upload of a dialect.
type PostForm struct {
	Scheme      postform.Scheme
	Credentials dialects.Credentials
	Now         func() time.Time
	// ETag spells an ETag in the dialect's form; nil is Quote.
	ETag func(string) string
}

// PostObject returns the handler of POST to a bucket URL with a
// multipart/form-data body (a browser form upload): the form's signature,
// policy and conditions are checked, then the caller is authorized as a
// PutObject of the form's key (bucket policy, ACL and grants), all before
// the first byte of the file is read; the file is streamed to the store.
// The answer is success_action_redirect (303), or success_action_status
// 200, 201 (PostResponse) or 204 (the default).
func (h *Handlers) PostObject(pf PostForm) func(http.ResponseWriter, *dialects.Request) error {
	secret := func(ak string) (string, bool) {
		s, _, ok := pf.Credentials.Lookup(ak)
		return s, ok
	}
	return func(w http.ResponseWriter, r *dialects.Request) error {
		ctx := r.HTTP.Context()
		u, err := postform.Prepare(r.HTTP, pf.Scheme, r.Bucket, secret, pf.Now())
		if err != nil {
			return err
		}
		caller := r.Caller
		if u.AccessKey != "" {
			_, p, ok := pf.Credentials.Lookup(u.AccessKey)
			if !ok || p == nil {
				return &translate.Error{Code: translate.ErrInvalidAccessKeyID}
			}
			caller.Principal = p
		}
		q := dialects.AccessRequestOf(r, translate.OpPostObject)
		q.Key = u.Key
		if caller, err = h.Engine.Authorize(ctx, caller, q); err != nil {
			return err
		}
		if caller.Principal == nil {
			return &translate.Error{Code: translate.ErrAccessDenied, Bucket: r.Bucket, Key: u.Key, Message: "Access Denied"}
		}
		meta, err := h.DecodeMetadata(u.Header())
		if err != nil {
			return err
		}
		info, err := h.Engine.PutObject(ctx, caller, translate.PutRequest{Bucket: r.Bucket, Key: u.Key, Metadata: meta,
			Body: translate.BodyInput{Reader: u.File, Size: u.Size}})
		if err != nil {
			return err
		}
		etag := Quote(info.ETag)
		if pf.ETag != nil {
			etag = pf.ETag(info.ETag)
		}
		location := "/" + r.Bucket + "/" + (&url.URL{Path: u.Key}).EscapedPath()
		if r.HTTP.Host != "" {
			location = "http://" + r.HTTP.Host + location
			if r.HTTP.TLS != nil {
				location = "https" + location[4:]
			}
		}
		hd := w.Header()
		hd.Set("ETag", etag)
		hd.Set("Location", location)
		status, redirect := u.Status()
		if redirect != "" {
			if target, err := url.Parse(redirect); err == nil && (target.Scheme == "http" || target.Scheme == "https") {
				hd.Set("Location", postform.RedirectURL(redirect, r.Bucket, u.Key, info.ETag))
				w.WriteHeader(http.StatusSeeOther)
				return nil
			}
		}
		if status == http.StatusCreated {
			return WriteXML(w, status, PostResponse{Location: location, Bucket: r.Bucket, Key: u.Key, ETag: etag})
		}
		w.WriteHeader(status)
		return nil
	}
}
