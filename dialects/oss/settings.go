package oss

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate/policy"
)

// putBucketPolicy is PutBucketPolicy: a RAM policy document (Version
// "1"), answered 200 (help.aliyun.com/en/oss/developer-reference/putbucketpolicy).
func (d *Dialect) putBucketPolicy(w http.ResponseWriter, r *dialects.Request) error {
	doc, err := d.h.ReadSmall(r, policy.MaxSize+1)
	if err != nil {
		return err
	}
	if err := d.cfg.Engine.PutBucketPolicy(r.HTTP.Context(), r.Caller, r.Bucket, policy.OSS, doc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketCors is GetBucketCors: OSS's CORSConfiguration, without a
// namespace, ending in ResponseVary (help.aliyun.com/en/oss/developer-reference/getbucketcors).
func (d *Dialect) getBucketCors(w http.ResponseWriter, r *dialects.Request) error {
	c, err := d.cfg.Engine.GetBucketCORS(r.HTTP.Context(), r.Caller, r.Bucket)
	if err != nil {
		return err
	}
	doc := s3wire.CORSDocument(c, "")
	for i := range doc.Rules {
		doc.Rules[i].ID = "" // OSS rules have no ID
	}
	vary := false
	doc.ResponseVary = &vary
	return s3wire.WriteXML(w, http.StatusOK, doc)
}
