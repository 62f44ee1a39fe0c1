package s3wire

import (
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// NotImplementedMessage is S3's NotImplemented text for a header that asks
// for a feature the service does not have (the S3 API reference's error
// code list).
const NotImplementedMessage = "A header you provided implies functionality that is not implemented."

// unimplemented is one header babelgate does not implement: its name after
// the vendor prefix, the operations it is refused on, and the values that
// are harmless (what babelgate does anyway) and so accepted.
type unimplemented struct {
	suffix string
	ops    []translate.Op
	allow  []string
}

var (
	objectWrites = []translate.Op{translate.OpPutObject, translate.OpCreateMultipartUpload, translate.OpCopyObject}
	aclWrites    = []translate.Op{translate.OpPutObject, translate.OpCreateMultipartUpload, translate.OpCopyObject, translate.OpCreateBucket}
)

// unimplementedHeaders are the S3-family request headers babelgate does not
// implement. Ignoring them would do silently less than asked (an object
// meant to be retained could be deleted at once, a grant would not hold),
// so a request carrying one is refused NotImplemented. A canned ACL of
// "private" (and, on objects, "bucket-owner-full-control") is what every
// babelgate bucket and object has, so it is accepted.
var unimplementedHeaders = []unimplemented{
	{suffix: "tagging", ops: objectWrites},
	{suffix: "object-lock-mode", ops: objectWrites},
	{suffix: "object-lock-retain-until-date", ops: objectWrites},
	{suffix: "object-lock-legal-hold", ops: objectWrites},
	{suffix: "bucket-object-lock-enabled", ops: []translate.Op{translate.OpCreateBucket}, allow: []string{"false"}},
	{suffix: "grant-read", ops: aclWrites},
	{suffix: "grant-write", ops: aclWrites},
	{suffix: "grant-read-acp", ops: aclWrites},
	{suffix: "grant-write-acp", ops: aclWrites},
	{suffix: "grant-full-control", ops: aclWrites},
	{suffix: "acl", ops: []translate.Op{translate.OpCreateBucket}, allow: []string{"private"}},
	{suffix: "acl", ops: objectWrites, allow: []string{"private", "bucket-owner-full-control"}},
}

// RefuseUnimplemented returns the check a [Router] runs before an
// operation's handler: NotImplemented (S3's message, the header named in a
// <Header> element) for the first header of unimplementedHeaders under
// prefix, or of extra (full lowercase names, refused on any value), that
// op carries.
func RefuseUnimplemented(prefix string, extra map[translate.Op][]string) func(*dialects.Request, translate.Op) error {
	return func(r *dialects.Request, op translate.Op) error {
		h := r.HTTP.Header
		for _, u := range unimplementedHeaders {
			name := prefix + u.suffix
			if !hasOp(u.ops, op) {
				continue
			}
			if vs, ok := h[http.CanonicalHeaderKey(name)]; ok && !allowed(u.allow, vs) {
				return notImplementedHeader(name)
			}
		}
		for _, name := range extra[op] {
			if _, ok := h[http.CanonicalHeaderKey(name)]; ok {
				return notImplementedHeader(name)
			}
		}
		return nil
	}
}

func notImplementedHeader(name string) error {
	return &translate.Error{Code: translate.ErrNotImplemented, Message: NotImplementedMessage,
		Extra: map[string]string{"Header": name}}
}

func hasOp(ops []translate.Op, op translate.Op) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// allowed reports whether every value sent is one of allow
// (case-insensitively).
func allowed(allow, values []string) bool {
	for _, v := range values {
		ok := false
		for _, a := range allow {
			if strings.EqualFold(strings.TrimSpace(v), a) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
