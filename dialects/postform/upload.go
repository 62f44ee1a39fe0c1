package postform

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Upload is a form that passed every check: who signed it, the key to
// store (with ${filename} replaced) and the form itself, its file not yet
// read.
type Upload struct {
	*Form
	AccessKey string
	Key       string
}

// Prepare reads hr's form and checks it in scheme s for bucket: the
// signature over the policy, the policy's expiration and conditions
// (content-length-range against the file's size), and the key field.
// Nothing of the file has been read when it returns.
func Prepare(hr *http.Request, s Scheme, bucket string, lookup Lookup, now time.Time) (*Upload, error) {
	f, err := Read(hr)
	if err != nil {
		return nil, err
	}
	ak, err := Verify(s, f.Fields, lookup)
	if err != nil {
		return nil, err
	}
	if raw, ok := f.Fields["policy"]; ok {
		p, err := ParsePolicy(raw)
		if err != nil {
			return nil, err
		}
		if err := p.Check(f.Fields, bucket, f.Size, now); err != nil {
			return nil, err
		}
	}
	key, ok := f.Fields["key"]
	if !ok || key == "" {
		return nil, missing("key")
	}
	key = strings.ReplaceAll(key, "${filename}", f.FileName)
	return &Upload{Form: f, AccessKey: ak, Key: key}, nil
}

// Header returns the form's fields as request headers, for a dialect's
// metadata decoder (Content-Type, Cache-Control, x-amz-meta-*, ...): a
// Content-Type field wins, else the file part's own type.
func (u *Upload) Header() http.Header {
	h := http.Header{}
	for _, name := range u.Names {
		h.Set(name, u.Fields[strings.ToLower(name)])
	}
	if h.Get("Content-Type") == "" && u.FileType != "" {
		h.Set("Content-Type", u.FileType)
	}
	return h
}

// Status returns the success_action_status to answer (200, 201 or 204;
// any other value is 204, as S3 and OSS treat it) and the redirect URL,
// if success_action_redirect (or OBS's and S3's legacy "redirect") names
// one.
func (u *Upload) Status() (int, string) {
	redirect := u.Fields["success_action_redirect"]
	if redirect == "" {
		redirect = u.Fields["redirect"]
	}
	switch u.Fields["success_action_status"] {
	case "200":
		return http.StatusOK, redirect
	case "201":
		return http.StatusCreated, redirect
	}
	return http.StatusNoContent, redirect
}

// RedirectURL appends bucket, key and etag to a success_action_redirect
// URL, as S3 does.
func RedirectURL(base, bucket, key, etag string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "bucket=" + queryEscape(bucket) + "&key=" + queryEscape(key) + "&etag=" + queryEscape(`"`+etag+`"`)
}

func queryEscape(s string) string { return url.QueryEscape(s) }
