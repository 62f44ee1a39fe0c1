package oss

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// accessControlPolicy is GetBucketAcl's and GetObjectAcl's document
// (help.aliyun.com/en/oss/developer-reference/getbucketacl and
// .../getobjectacl): the owner and one Grant.
type accessControlPolicy struct {
	XMLName           xml.Name `xml:"AccessControlPolicy"`
	Owner             owner
	AccessControlList struct {
		Grant string
	}
}

// getBucketACL is GetBucketAcl: the canned ACL PutBucketAcl set
// (private, public-read or public-read-write), private when none was. A missing bucket is NoSuchBucket, which
// alibabacloud-oss-go-sdk-v2's IsBucketExist reads as "does not exist"
// (client_extension.go: any other answer means it exists).
func (d *Dialect) getBucketACL(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := d.cfg.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	acl, err := d.cfg.Engine.GetBucketACL(r.HTTP.Context(), r.Caller, r.Bucket)
	if err != nil {
		return err
	}
	doc := accessControlPolicy{Owner: d.owner(r)}
	doc.AccessControlList.Grant = acl
	return s3wire.WriteXML(w, http.StatusOK, doc)
}

// getObjectACL is GetObjectAcl: "default", OSS's answer for an object
// with no ACL of its own (it follows the bucket's, private). babelgate
// keeps no object ACLs and refuses to set any other (refuseHeaders).
func (d *Dialect) getObjectACL(w http.ResponseWriter, r *dialects.Request) error {
	if _, _, err := d.cfg.Engine.HeadObject(r.HTTP.Context(), r.Caller, translate.GetRequest{Bucket: r.Bucket, Key: r.Key}); err != nil {
		return err
	}
	doc := accessControlPolicy{Owner: d.owner(r)}
	doc.AccessControlList.Grant = "default"
	return s3wire.WriteXML(w, http.StatusOK, doc)
}

// refuseHeaders refuses, with OSS's NotImplemented, a request carrying a
// header whose feature babelgate does not implement, so that it is never
// silently ignored: an object ACL other than default or private (objects
// are private), object tags, and upload callbacks.
func refuseHeaders(h http.Header) error {
	if acl := h.Get("x-oss-object-acl"); acl != "" && acl != "default" && acl != "private" {
		return notImplementedHeader("x-oss-object-acl", acl)
	}
	for _, name := range []string{"x-oss-tagging", "x-oss-callback", "x-oss-callback-var"} {
		if v := h.Get(name); v != "" {
			return notImplementedHeader(name, v)
		}
	}
	return nil
}

func notImplementedHeader(name, value string) error {
	if len(value) > 64 {
		value = value[:64]
	}
	return &translate.Error{Code: translate.ErrNotImplemented, ArgName: name, ArgValue: strings.TrimSpace(value),
		Message: "The " + name + " header is not implemented by babelgate."}
}
