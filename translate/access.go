package translate

import (
	"context"
	"net"
	"strings"

	"github.com/babelgate/babelgate/translate/policy"
)

// AnonymousGrant lets unsigned requests read the keys of Bucket that begin
// with Prefix ("" is every key): GET and HEAD of such objects, and listings
// whose prefix begins with Prefix. Anonymous writes are never granted by
// config, only by a bucket policy's explicit Allow.
type AnonymousGrant struct {
	Bucket string
	Prefix string
}

// SetAnonymous replaces the anonymous grants at once (config reload).
func (e *Engine) SetAnonymous(grants []AnonymousGrant) {
	g := append([]AnonymousGrant(nil), grants...)
	e.anonymous.Store(&g)
}

// AccessRequest is what a request asks, for Authorize.
type AccessRequest struct {
	Op          Op
	Bucket, Key string
	// ListPrefix is the prefix of a listing (s3:prefix).
	ListPrefix string
	// SourceIP is the client's address; Secure reports TLS.
	SourceIP net.IP
	Secure   bool
	// Context holds further condition keys, lower-case (s3:prefix,
	// s3:delimiter, s3:max-keys, aws:referer, aws:useragent); absent keys
	// are not in the request.
	Context map[string]string
}

// Action returns the S3 policy action of op.
func Action(op Op) string {
	switch op {
	case OpListBuckets:
		return "s3:ListAllMyBuckets"
	case OpCreateBucket:
		return "s3:CreateBucket"
	case OpDeleteBucket:
		return "s3:DeleteBucket"
	case OpHeadBucket, OpListObjects, OpListObjectsV2:
		return "s3:ListBucket"
	case OpGetBucketLocation:
		return "s3:GetBucketLocation"
	case OpGetObject, OpHeadObject:
		return "s3:GetObject"
	case OpDeleteObject, OpDeleteObjects:
		return "s3:DeleteObject"
	case OpListParts:
		return "s3:ListMultipartUploadParts"
	case OpListMultipartUploads:
		return "s3:ListBucketMultipartUploads"
	case OpAbortMultipartUpload:
		return "s3:AbortMultipartUpload"
	case OpPutBucketPolicy:
		return "s3:PutBucketPolicy"
	case OpGetBucketPolicy:
		return "s3:GetBucketPolicy"
	case OpDeleteBucketPolicy:
		return "s3:DeleteBucketPolicy"
	case OpPutBucketCors, OpDeleteBucketCors:
		return "s3:PutBucketCORS"
	case OpGetBucketCors:
		return "s3:GetBucketCORS"
	case OpPutBucketAcl:
		return "s3:PutBucketAcl"
	}
	return "s3:PutObject" // every write of an object
}

// objectOp reports whether op acts on one object (its ARN is bucket/key).
func objectOp(op Op) bool {
	switch op {
	case OpPutObject, OpGetObject, OpHeadObject, OpDeleteObject, OpCopyObject, OpCreateMultipartUpload,
		OpUploadPart, OpUploadPartCopy, OpListParts, OpCompleteMultipartUpload, OpAbortMultipartUpload, OpPostObject:
		return true
	}
	return false
}

// Authorize applies the bucket's policy and ACL and the anonymous grants to
// a request whose caller c was authenticated (or is anonymous: Principal
// nil), as AWS combines an identity policy and a resource policy:
//
//   - a statement that denies it: ErrAccessDenied;
//   - a statement, the ACL or an anonymous grant that allows it: the
//     caller returned carries a grant for the request's bucket, so the
//     engine's own checks pass;
//   - nothing applies: c unchanged (the caller's own grants decide, and an
//     anonymous caller stays anonymous: Principal nil).
//
// Anonymous requests never reach the reserved key prefix. A policy never
// grants CopyObject or UploadPartCopy (their source is not evaluated
// here), only denies them. DeleteObjects is
// evaluated on the resource "arn:aws:s3:::<bucket>/*": only a statement
// covering every key allows it.
func (e *Engine) Authorize(ctx context.Context, c Caller, q AccessRequest) (Caller, error) {
	anonymous := c.Principal == nil
	if q.Bucket == "" {
		return c, nil
	}
	if anonymous && ReservedKey(q.Key) {
		return c, nil
	}
	s, err := e.BucketSettings(ctx, q.Bucket)
	if err != nil {
		return c, err
	}
	access := q.Op.Access()
	if q.Op == OpPostObject {
		access = AccessWrite
	}
	granted := !anonymous && c.Principal.Allowed(q.Bucket, access)
	if anonymous {
		granted = e.anonymousAllows(q, s.ACL, access)
	}
	resource := "arn:aws:s3:::" + q.Bucket
	switch {
	case objectOp(q.Op):
		resource += "/" + q.Key
	case q.Op == OpDeleteObjects:
		resource += "/*"
	}
	r := policy.Request{Action: Action(q.Op), Resource: resource, SourceIP: q.SourceIP, Secure: q.Secure, Context: q.Context}
	if !anonymous {
		r.AccessKey = c.Principal.AccessKey
	}
	switch s.Policy.Evaluate(r) {
	case policy.Denied:
		return c, &Error{Code: ErrAccessDenied, Bucket: q.Bucket, Key: q.Key, Message: "Access Denied"}
	case policy.Allowed:
		// A copy also reads its source, which this request does not name
		// here: a policy may deny copies but never grants one.
		granted = granted || (q.Op != OpCopyObject && q.Op != OpUploadPartCopy)
	}
	if !granted || (!anonymous && c.Principal.Allowed(q.Bucket, access)) {
		return c, nil
	}
	p := &Principal{Grants: []Grant{{Pattern: q.Bucket, Access: access}}}
	if !anonymous {
		p.AccessKey = c.Principal.AccessKey
		p.Grants = append(p.Grants, c.Principal.Grants...)
	}
	c.Principal = p
	return c, nil
}

// anonymousAllows reports whether the config's grants or the bucket's
// canned ACL let an unsigned request have access for q.
func (e *Engine) anonymousAllows(q AccessRequest, acl string, access Access) bool {
	switch {
	case acl == ACLPublicReadWrite && q.Op != OpPutBucketAcl && q.Op != OpPutBucketPolicy && q.Op != OpPutBucketCors &&
		q.Op != OpDeleteBucketPolicy && q.Op != OpDeleteBucketCors && q.Op != OpDeleteBucket:
		return true
	case access != AccessRead:
		return false
	case acl == ACLPublicRead || acl == ACLPublicReadWrite:
		return true
	}
	for _, g := range *e.anonymous.Load() {
		if g.Bucket != q.Bucket {
			continue
		}
		switch q.Op {
		case OpGetObject, OpHeadObject:
			if strings.HasPrefix(q.Key, g.Prefix) {
				return true
			}
		case OpListObjects, OpListObjectsV2:
			if strings.HasPrefix(q.ListPrefix, g.Prefix) {
				return true
			}
		case OpHeadBucket, OpGetBucketLocation:
			return true
		}
	}
	return false
}
