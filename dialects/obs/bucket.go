package obs

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

func (d *Dialect) owner(r *dialects.Request) owner {
	ak := r.Caller.Principal.AccessKey
	return owner{ID: ak, DisplayName: ak}
}

func (d *Dialect) listBuckets(w http.ResponseWriter, r *dialects.Request) error {
	bs, err := d.cfg.Engine.ListBuckets(r.HTTP.Context(), r.Caller)
	if err != nil {
		return err
	}
	res := listAllMyBucketsResult{Xmlns: xmlns, Owner: d.owner(r)}
	for _, b := range bs {
		res.Buckets.Bucket = append(res.Buckets.Bucket, bucketEntry{Name: b.Name, CreationDate: obsTime(b.Created), Location: d.cfg.Region})
	}
	return writeXML(w, http.StatusOK, res)
}

func (d *Dialect) createBucket(w http.ResponseWriter, r *dialects.Request) error {
	// The body, if any, is a CreateBucketConfiguration naming a location;
	// babelgate serves one region, so it is checked only for form.
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
	w.Header().Set("x-obs-bucket-location", d.cfg.Region)
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

func (d *Dialect) getBucketLocation(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := d.cfg.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, locationResult{Xmlns: xmlns, Value: d.cfg.Region})
}

// listParams reads the parameters ListObjects v1 and v2 share.
func listParams(r *dialects.Request) (q translate.ListQuery, encode func(string) string, err error) {
	q.Prefix = r.Query.Get("prefix")
	q.Delimiter = r.Query.Get("delimiter")
	q.MaxKeys = 1000
	if v := r.Query.Get("max-keys"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			return q, nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "max-keys", ArgValue: v,
				Message: "Provided max-keys not an integer or within integer range"}
		}
		q.MaxKeys = n
	}
	encode, err = encoder(r)
	return q, encode, err
}

// encoder returns the encoding-type=url encoder, or the identity.
func encoder(r *dialects.Request) (func(string) string, error) {
	switch et := r.Query.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, nil
	case "url":
		return urlEncode, nil
	default:
		return nil, &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "encoding-type", ArgValue: et,
			Message: "Invalid Encoding Method specified in Request"}
	}
}

// urlEncode is the encoding-type=url form: query escaping, with '/' kept.
func urlEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

func (d *Dialect) fillListing(res *listBucketResult, page translate.ListPage, encode func(string) string, fetchOwner bool, r *dialects.Request) {
	for _, o := range page.Objects {
		e := objectEntry{Key: encode(o.Key), LastModified: obsTime(o.LastModified), ETag: quote(o.ETag), Size: o.Size,
			StorageClass: "STANDARD"}
		if sc := obsStorageClass(o.Metadata.StorageClass); sc != "" {
			e.StorageClass = sc
		}
		if fetchOwner {
			ow := d.owner(r)
			e.Owner = &ow
		}
		res.Contents = append(res.Contents, e)
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encode(p)})
	}
	res.IsTruncated = page.Truncated
}

func (d *Dialect) listObjects(w http.ResponseWriter, r *dialects.Request) error {
	q, encode, err := listParams(r)
	if err != nil {
		return err
	}
	marker := r.Query.Get("marker")
	q.After = marker
	page, err := d.cfg.Engine.ListObjects(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	m := encode(marker)
	res := listBucketResult{Xmlns: xmlns, Name: r.Bucket, Prefix: encode(q.Prefix), Marker: &m,
		MaxKeys: q.MaxKeys, Delimiter: encode(q.Delimiter), EncodingType: r.Query.Get("encoding-type")}
	d.fillListing(&res, page, encode, true, r)
	if page.Truncated {
		res.NextMarker = encode(page.Next)
	}
	return writeXML(w, http.StatusOK, res)
}

func (d *Dialect) listObjectsV2(w http.ResponseWriter, r *dialects.Request) error {
	if lt := r.Query.Get("list-type"); lt != "2" {
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "list-type", ArgValue: lt, Message: "Invalid List Type specified in Request"}
	}
	q, encode, err := listParams(r)
	if err != nil {
		return err
	}
	startAfter := r.Query.Get("start-after")
	q.After = startAfter
	var token *string
	if r.Query.Has("continuation-token") {
		t := r.Query.Get("continuation-token")
		token = &t
		raw, derr := base64.RawURLEncoding.DecodeString(t)
		if derr != nil || t == "" {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "continuation-token", ArgValue: t,
				Message: "The continuation token provided is incorrect"}
		}
		if string(raw) > q.After {
			q.After = string(raw)
		}
	}
	page, err := d.cfg.Engine.ListObjects(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	res := listBucketResult{Xmlns: xmlns, Name: r.Bucket, Prefix: encode(q.Prefix), StartAfter: encode(startAfter),
		ContToken: token, MaxKeys: q.MaxKeys, Delimiter: encode(q.Delimiter), EncodingType: r.Query.Get("encoding-type")}
	d.fillListing(&res, page, encode, r.Query.Get("fetch-owner") == "true", r)
	n := len(res.Contents) + len(res.CommonPrefixes)
	res.KeyCount = &n
	if page.Truncated {
		res.NextContToken = base64.RawURLEncoding.EncodeToString([]byte(page.Next))
	}
	return writeXML(w, http.StatusOK, res)
}

func (d *Dialect) deleteObjects(w http.ResponseWriter, r *dialects.Request) error {
	if r.HTTP.Header.Get("Content-Md5") == "" {
		return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Missing required header for this request: Content-MD5"}
	}
	var req deleteRequest
	if err := readXML(r, 2<<20, &req, false); err != nil {
		return err
	}
	keys := make([]string, len(req.Objects))
	for i, o := range req.Objects {
		keys[i] = o.Key
	}
	results, err := d.cfg.Engine.DeleteObjects(r.HTTP.Context(), r.Caller, r.Bucket, keys)
	if err != nil {
		return err
	}
	res := deleteResult{Xmlns: xmlns}
	for _, dr := range results {
		if dr.Err != nil {
			we, _ := wire(dr.Err)
			res.Errors = append(res.Errors, deleteErrorEntry{Key: dr.Key, Code: we.Code, Message: we.Message})
		} else if !req.Quiet {
			res.Deleted = append(res.Deleted, deletedEntry{Key: dr.Key})
		}
	}
	return writeXML(w, http.StatusOK, res)
}

// readXML reads a small XML request body through the engine's body checks
// (Content-MD5) and decodes it into v. An empty body is allowed only when
// optional is set. At most limit bytes are read.
func readXML(r *dialects.Request, limit int64, v any, optional bool) error {
	in, err := bodyInput(r)
	if err != nil {
		if translate.CodeOf(err) != translate.ErrMissingContentLength {
			return err
		}
		in = translate.BodyInput{Reader: io.LimitReader(r.Payload.Reader, limit+1), Size: -1}
		if r.Payload.Reader == nil {
			in.Reader = http.NoBody
		}
	}
	if in.Size > limit {
		return &translate.Error{Code: translate.ErrMalformedXML, Message: "The XML you provided was too large."}
	}
	body, err := translate.NewBody(in.Reader, in.Size, in.Options)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > limit {
		return &translate.Error{Code: translate.ErrMalformedXML, Message: "The XML you provided was too large."}
	}
	if len(data) == 0 {
		if optional {
			return nil
		}
		return &translate.Error{Code: translate.ErrMalformedXML, Message: "The XML you provided was not well-formed or did not validate against our published schema."}
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return &translate.Error{Code: translate.ErrMalformedXML, Err: err,
			Message: "The XML you provided was not well-formed or did not validate against our published schema."}
	}
	return nil
}
