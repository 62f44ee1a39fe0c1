package s3wire

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// callerOwner is the Owner element naming the caller.
func (h *Handlers) callerOwner(r *dialects.Request) Owner {
	return h.Owner(r.Caller.Principal.AccessKey)
}

// maxBucketsLimit is the largest max-buckets S3 takes, and the page size of
// a ListBuckets that pages (names a prefix or continuation token) without
// max-buckets (aws-sdk-go-v2 ListBucketsInput.ContinuationToken).
const maxBucketsLimit = 10000

// ListBuckets answers with the caller's buckets. Since 2024 S3 pages them:
// prefix keeps the names that begin with it, continuation-token (opaque:
// the raw-URL base64 of the last name of the previous page; empty is none)
// starts after a name, and max-buckets (1 to 10000, else InvalidArgument
// "Argument max-buckets must be an integer between 1 and 10000.") bounds
// the page. A truncated page carries <ContinuationToken>; <Prefix> echoes
// the prefix sent. Without these parameters every bucket is listed, as
// before.
func (h *Handlers) ListBuckets(w http.ResponseWriter, r *dialects.Request) error {
	prefix, token := r.Query.Get("prefix"), r.Query.Get("continuation-token")
	limit := 0 // no paging
	if prefix != "" || token != "" {
		limit = maxBucketsLimit
	}
	if v := r.Query.Get("max-buckets"); v != "" || r.Query.Has("max-buckets") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxBucketsLimit {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "max-buckets", ArgValue: v,
				Message: "Argument max-buckets must be an integer between 1 and 10000."}
		}
		limit = n
	}
	after := ""
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw) == 0 {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "continuation-token", ArgValue: token,
				Message: "The continuation token provided is incorrect"}
		}
		after = string(raw)
	}
	bs, err := h.Engine.ListBuckets(r.HTTP.Context(), r.Caller)
	if err != nil {
		return err
	}
	res := ListAllMyBucketsResult{Xmlns: h.Xmlns, Owner: h.callerOwner(r)}
	if r.Query.Has("prefix") {
		res.Prefix = &prefix
	}
	for _, b := range bs {
		if !strings.HasPrefix(b.Name, prefix) || b.Name <= after {
			continue
		}
		if limit > 0 && len(res.Buckets.Bucket) == limit {
			res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(res.Buckets.Bucket[limit-1].Name))
			break
		}
		e := BucketEntry{Name: b.Name, CreationDate: Time(b.Created)}
		if h.ListBucketLocation {
			e.Location = h.Region
		}
		res.Buckets.Bucket = append(res.Buckets.Bucket, e)
	}
	return WriteXML(w, http.StatusOK, res)
}

// CreateBucket creates the bucket. The body, if any, is a
// CreateBucketConfiguration naming a region or location; babelgate serves
// one region, so it is read and checked only for form.
func (h *Handlers) CreateBucket(w http.ResponseWriter, r *dialects.Request) error {
	if err := h.ReadXML(r, 64<<10, &struct {
		XMLName xml.Name `xml:"CreateBucketConfiguration"`
	}{}, true); err != nil {
		return err
	}
	if err := h.Engine.CreateBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.Header().Set("Location", "/"+r.Bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

// HeadBucket answers 200 with the region in RegionHeader.
func (h *Handlers) HeadBucket(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := h.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.Header().Set(h.RegionHeader, h.Region)
	w.WriteHeader(http.StatusOK)
	return nil
}

// GetBucketLocation answers the profile's LocationElement document with
// the region (empty for UnnamedRegion).
func (h *Handlers) GetBucketLocation(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := h.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	loc := h.Region
	if loc == h.UnnamedRegion {
		loc = ""
	}
	return WriteXML(w, http.StatusOK, Location{XMLName: xml.Name{Local: h.LocationElement}, Xmlns: h.Xmlns, Value: loc})
}

// DeleteBucket deletes the (empty) bucket: 204.
func (h *Handlers) DeleteBucket(w http.ResponseWriter, r *dialects.Request) error {
	if err := h.Engine.DeleteBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// fillListing adds a listing page's objects and prefixes to res.
func (h *Handlers) fillListing(res *ListBucketResult, page translate.ListPage, encode func(string) string, fetchOwner bool, r *dialects.Request) {
	for _, o := range page.Objects {
		e := ObjectEntry{Key: encode(o.Key), LastModified: Time(o.LastModified), ETag: Quote(o.ETag), Size: o.Size,
			StorageClass: h.ListedStorageClass(o.Metadata), OwnerFirst: h.OwnerFirst}
		for _, a := range h.ChecksumAlgorithms {
			if _, ok := o.Checksum[a]; ok {
				e.ChecksumAlgorithm = append(e.ChecksumAlgorithm, string(a))
				e.ChecksumType = string(o.ChecksumType)
			}
		}
		if fetchOwner {
			ow := h.callerOwner(r)
			e.Owner = &ow
		}
		res.Contents = append(res.Contents, e)
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, CommonPrefix{Prefix: encode(p)})
	}
	res.IsTruncated = page.Truncated
}

// ListObjects is ListObjects v1 (marker paging; entries name their owner).
func (h *Handlers) ListObjects(w http.ResponseWriter, r *dialects.Request) error {
	q, encode, err := ListParams(r)
	if err != nil {
		return err
	}
	marker := r.Query.Get("marker")
	q.After = marker
	page, err := h.Engine.ListObjects(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	m := encode(marker)
	res := ListBucketResult{Xmlns: h.Xmlns, Name: r.Bucket, Prefix: encode(q.Prefix), Marker: &m,
		MaxKeys: q.MaxKeys, Delimiter: encode(q.Delimiter), EncodingType: r.Query.Get("encoding-type")}
	h.fillListing(&res, page, encode, true, r)
	if page.Truncated {
		res.NextMarker = encode(page.Next)
	}
	return WriteXML(w, http.StatusOK, res)
}

// ListObjectsV2 is ListObjects v2: list-type=2, start-after, and
// continuation tokens that are the raw-URL base64 of the last key.
func (h *Handlers) ListObjectsV2(w http.ResponseWriter, r *dialects.Request) error {
	if lt := r.Query.Get("list-type"); lt != "2" {
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "list-type", ArgValue: lt, Message: "Invalid List Type specified in Request"}
	}
	q, encode, err := ListParams(r)
	if err != nil {
		return err
	}
	startAfter := r.Query.Get("start-after")
	q.After = startAfter
	// An empty continuation-token is no token, as S3 treats it (the
	// SDKs' paginators send none on the first page, but hand-built
	// requests and some suites send "continuation-token=").
	var token *string
	if t := r.Query.Get("continuation-token"); t != "" {
		token = &t
		raw, derr := base64.RawURLEncoding.DecodeString(t)
		if derr != nil {
			return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: "continuation-token", ArgValue: t,
				Message: "The continuation token provided is incorrect"}
		}
		if string(raw) > q.After {
			q.After = string(raw)
		}
	}
	page, err := h.Engine.ListObjects(r.HTTP.Context(), r.Caller, r.Bucket, q)
	if err != nil {
		return err
	}
	res := ListBucketResult{Xmlns: h.Xmlns, Name: r.Bucket, Prefix: encode(q.Prefix), StartAfter: encode(startAfter),
		ContToken: token, MaxKeys: q.MaxKeys, Delimiter: encode(q.Delimiter), EncodingType: r.Query.Get("encoding-type")}
	h.fillListing(&res, page, encode, r.Query.Get("fetch-owner") == "true", r)
	n := len(res.Contents) + len(res.CommonPrefixes)
	res.KeyCount = &n
	if page.Truncated {
		res.NextContToken = base64.RawURLEncoding.EncodeToString([]byte(page.Next))
	}
	return WriteXML(w, http.StatusOK, res)
}

// hasChecksumHeader reports whether r carries a checksum the profile
// reports, as a header or an announced trailer.
func (h *Handlers) hasChecksumHeader(r *dialects.Request) bool {
	for k := range r.HTTP.Header {
		if strings.HasPrefix(strings.ToLower(k), h.Prefix+"checksum-") && !strings.EqualFold(k, h.Prefix+"checksum-mode") {
			return true
		}
	}
	return len(r.Payload.TrailerNames) > 0
}

// DeleteObjects deletes the listed keys. Content-MD5 is required (or, in a
// profile that reports checksums, a checksum header or trailer); per-key
// failures are listed in the dialect's error spelling, successes unless
// Quiet.
func (h *Handlers) DeleteObjects(w http.ResponseWriter, r *dialects.Request) error {
	if r.HTTP.Header.Get("Content-Md5") == "" {
		if len(h.ChecksumAlgorithms) == 0 {
			return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Missing required header for this request: Content-MD5"}
		}
		if !h.hasChecksumHeader(r) {
			return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Missing required header for this request: Content-MD5 or " + h.Prefix + "checksum-*"}
		}
	}
	var req DeleteRequest
	if err := h.ReadXML(r, 2<<20, &req, false); err != nil {
		return err
	}
	keys := make([]string, len(req.Objects))
	for i, o := range req.Objects {
		keys[i] = o.Key
	}
	results, err := h.Engine.DeleteObjects(r.HTTP.Context(), r.Caller, r.Bucket, keys)
	if err != nil {
		return err
	}
	res := DeleteResult{Xmlns: h.Xmlns}
	for _, dr := range results {
		if dr.Err != nil {
			we, _ := h.Errors.Wire(dr.Err)
			res.Errors = append(res.Errors, DeleteErrorEntry{Key: dr.Key, Code: we.Code, Message: we.Message})
		} else if !req.Quiet {
			res.Deleted = append(res.Deleted, DeletedEntry{Key: dr.Key})
		}
	}
	return WriteXML(w, http.StatusOK, res)
}
