package oss

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

func (d *Dialect) owner(r *dialects.Request) owner {
	ak := r.Caller.Principal.AccessKey
	return owner{ID: ak, DisplayName: ak}
}

func (d *Dialect) location() string { return "oss-" + d.cfg.Region }

func (d *Dialect) bucketEntry(r *dialects.Request, b translate.BucketInfo) bucketEntry {
	return bucketEntry{Name: b.Name, CreationDate: s3wire.Time(b.Created), Location: d.location(), Region: d.cfg.Region,
		ExtranetEndpoint: r.HTTP.Host, IntranetEndpoint: r.HTTP.Host, StorageClass: "Standard"}
}

// listBuckets is GetService (ListBuckets).
func (d *Dialect) listBuckets(w http.ResponseWriter, r *dialects.Request) error {
	bs, err := d.cfg.Engine.ListBuckets(r.HTTP.Context(), r.Caller)
	if err != nil {
		return err
	}
	res := listAllMyBucketsResult{Owner: d.owner(r)}
	for _, b := range bs {
		res.Buckets = append(res.Buckets, d.bucketEntry(r, b))
	}
	return s3wire.WriteXML(w, http.StatusOK, res)
}

// createBucket is PutBucket; the optional CreateBucketConfiguration body
// (storage class, redundancy) is checked for form only.
func (d *Dialect) createBucket(w http.ResponseWriter, r *dialects.Request) error {
	if err := readXML(r, 64<<10, &struct {
		XMLName xml.Name `xml:"CreateBucketConfiguration"`
	}{}, true); err != nil {
		return err
	}
	if err := d.cfg.Engine.CreateBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.Header().Set("Location", "/"+r.Bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (d *Dialect) headBucket(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := d.cfg.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.Header().Set("x-oss-bucket-region", d.cfg.Region)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (d *Dialect) deleteBucket(w http.ResponseWriter, r *dialects.Request) error {
	if err := d.cfg.Engine.DeleteBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getBucketInfo is GET ?bucketInfo.
func (d *Dialect) getBucketInfo(w http.ResponseWriter, r *dialects.Request) error {
	info, err := d.cfg.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket)
	if err != nil {
		return err
	}
	var res bucketInfoResult
	b := &res.Bucket
	b.bucketEntry = d.bucketEntry(r, translate.BucketInfo{Name: r.Bucket, Created: info.Created})
	b.Owner = d.owner(r)
	b.AccessControlList.Grant = "private"
	return s3wire.WriteXML(w, http.StatusOK, res)
}

func (d *Dialect) getBucketLocation(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := d.cfg.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	return s3wire.WriteXML(w, http.StatusOK, locationConstraint{Value: d.location()})
}

// listParams reads what ListObjects and ListObjectsV2 share.
func listParams(r *dialects.Request) (translate.ListQuery, func(string) string, string, error) {
	q := translate.ListQuery{Prefix: r.Query.Get("prefix"), Delimiter: r.Query.Get("delimiter")}
	max, err := intParam(r, "max-keys", 100) // OSS's default page is 100 keys
	if err != nil {
		return q, nil, "", err
	}
	q.MaxKeys = max
	if q.MaxKeys > 1000 {
		q.MaxKeys = 1000
	}
	enc, et, err := encoder(r)
	return q, enc, et, err
}

func (d *Dialect) fill(res *listBucketResult, page translate.ListPage, enc func(string) string, withOwner bool, r *dialects.Request) {
	for _, o := range page.Objects {
		e := objectEntry{Key: enc(o.Key), LastModified: s3wire.Time(o.LastModified), ETag: etag(o.ETag), Type: objectType(o),
			Size: o.Size, StorageClass: ossStorageClass(o.Metadata.StorageClass)}
		if withOwner {
			ow := d.owner(r)
			e.Owner = &ow
		}
		res.Contents = append(res.Contents, e)
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
	res.IsTruncated = page.Truncated
}

// listObjects is GetBucket (ListObjects, marker paging).
func (d *Dialect) listObjects(w http.ResponseWriter, r *dialects.Request) error {
	q, enc, et, err := listParams(r)
	if err != nil {
		return err
	}
	marker := r.Query.Get("marker")
	q.After = marker
	page, err := d.cfg.Engine.ListObjects(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	m := enc(marker)
	res := listBucketResult{Name: r.Bucket, Prefix: enc(q.Prefix), Marker: &m, MaxKeys: q.MaxKeys,
		Delimiter: enc(q.Delimiter), EncodingType: et}
	d.fill(&res, page, enc, true, r)
	if page.Truncated {
		res.NextMarker = enc(page.Next)
	}
	return s3wire.WriteXML(w, http.StatusOK, res)
}

// listObjectsV2 is ListObjectsV2 (list-type=2, continuation tokens).
func (d *Dialect) listObjectsV2(w http.ResponseWriter, r *dialects.Request) error {
	if lt := r.Query.Get("list-type"); lt != "2" {
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "list-type", ArgValue: lt, Message: "The list-type parameter must be 2."}
	}
	q, enc, et, err := listParams(r)
	if err != nil {
		return err
	}
	startAfter := r.Query.Get("start-after")
	q.After = startAfter
	var token *string
	if r.Query.Has("continuation-token") {
		t := r.Query.Get("continuation-token")
		raw, derr := base64.RawURLEncoding.DecodeString(t)
		if derr != nil || t == "" {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "continuation-token", ArgValue: t,
				Message: "The continuation-token is not valid."}
		}
		token = &t
		if string(raw) > q.After {
			q.After = string(raw)
		}
	}
	page, err := d.cfg.Engine.ListObjects(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	res := listBucketResult{Name: r.Bucket, Prefix: enc(q.Prefix), ContToken: token, MaxKeys: q.MaxKeys,
		Delimiter: enc(q.Delimiter), EncodingType: et}
	if startAfter != "" {
		sa := enc(startAfter)
		res.StartAfter = &sa
	}
	d.fill(&res, page, enc, r.Query.Get("fetch-owner") == "true", r)
	n := len(res.Contents) + len(res.CommonPrefixes)
	res.KeyCount = &n
	if page.Truncated {
		res.NextContToken = base64.RawURLEncoding.EncodeToString([]byte(page.Next))
	}
	return s3wire.WriteXML(w, http.StatusOK, res)
}

// deleteObjects is DeleteMultipleObjects: Content-MD5 is required
// (MissingArgument, EC 0016-00000606) and verified; with Quiet only
// failures would be listed, and OSS reports none for missing keys.
func (d *Dialect) deleteObjects(w http.ResponseWriter, r *dialects.Request) error {
	if r.HTTP.Header.Get("Content-Md5") == "" {
		return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Missing Some Required Arguments: Content-MD5.",
			Extra: map[string]string{codeKey: "MissingArgument", ecKey: "0016-00000606"}}
	}
	var req deleteRequest
	if err := readXML(r, 2<<20, &req, false); err != nil {
		return err
	}
	enc, et, err := encoder(r)
	if err != nil {
		return err
	}
	keys := make([]string, len(req.Objects))
	for i, o := range req.Objects {
		if o.Key == "" {
			return &translate.Error{Code: translate.ErrMalformedXML, Message: "The Key element of an Object is missing.",
				Extra: map[string]string{ecKey: "0016-00000613", codeKey: "MissingArgument"}}
		}
		keys[i] = o.Key
	}
	results, err := d.cfg.Engine.DeleteObjects(r.HTTP.Context(), r.Caller, r.Bucket, keys)
	if err != nil {
		return err
	}
	res := deleteResult{EncodingType: et}
	for _, dr := range results {
		if dr.Err != nil {
			return dr.Err
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, struct{ Key string }{enc(dr.Key)})
		}
	}
	return s3wire.WriteXML(w, http.StatusOK, res)
}
