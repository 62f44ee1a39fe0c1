package translate

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// GetRequest reads an object, or part of it.
type GetRequest struct {
	Bucket, Key string
	// Range is the raw Range header ("" for none).
	Range string
	// PartNumber, when > 0, selects one part of a multipart object (or the
	// whole of a single-part object for 1).
	PartNumber int
	Conditions Conditions
}

// GetObject opens an object for reading after checking conditions and
// resolving the range. On success the caller must close the body.
func (e *Engine) GetObject(ctx context.Context, c Caller, req GetRequest) (*Object, error) {
	if req.Range == "" && req.PartNumber == 0 && req.Conditions == (Conditions{}) {
		// Nothing to check or resolve first: one call to the backend.
		if err := authorize(c, req.Bucket, AccessRead); err != nil {
			return nil, err
		}
		b, _ := e.route(req.Bucket)
		obj, err := b.GetObject(ctx, req.Bucket, req.Key, nil)
		return obj, withBucket(err, req.Bucket, req.Key)
	}
	info, rng, err := e.prepareRead(ctx, c, req)
	if err != nil {
		return nil, err
	}
	b, _ := e.route(req.Bucket)
	obj, err := b.GetObject(ctx, req.Bucket, req.Key, rng)
	if err != nil {
		return nil, withBucket(err, req.Bucket, req.Key)
	}
	if obj.Info.ETag != info.ETag || obj.Info.Size != info.Size {
		// Overwritten between the checks and the open: serve what was opened
		// only if it still satisfies the request.
		obj.Body.Close()
		return nil, &Error{Code: ErrServiceUnavailable, Bucket: req.Bucket, Key: req.Key, Message: "The object changed while it was being read; retry."}
	}
	if obj.Info.PartSizes == nil {
		obj.Info.PartSizes = info.PartSizes // what the part lookup learned
	}
	return obj, nil
}

// HeadObject describes an object after checking conditions; with a
// PartNumber or Range, Range on the result says which bytes a GET would
// return.
func (e *Engine) HeadObject(ctx context.Context, c Caller, req GetRequest) (ObjectInfo, *Range, error) {
	return e.prepareRead(ctx, c, req)
}

func (e *Engine) prepareRead(ctx context.Context, c Caller, req GetRequest) (ObjectInfo, *Range, error) {
	if err := authorize(c, req.Bucket, AccessRead); err != nil {
		return ObjectInfo{}, nil, err
	}
	b, _ := e.route(req.Bucket)
	info, err := b.HeadObject(ctx, req.Bucket, req.Key)
	if err != nil {
		return ObjectInfo{}, nil, withBucket(err, req.Bucket, req.Key)
	}
	if err := req.Conditions.Check(info, false); err != nil {
		return info, nil, err
	}
	if req.PartNumber != 0 {
		if pl, ok := b.(PartLocator); ok && len(info.PartSizes) == 0 && strings.Contains(info.ETag, "-") &&
			req.PartNumber >= c.Rules.MinPartNumber && req.PartNumber <= c.Rules.MaxPartNumber {
			rng, count, err := pl.PartRange(ctx, req.Bucket, req.Key, req.PartNumber)
			if CodeOf(err) == ErrInvalidRange {
				return info, nil, errPartNumber()
			}
			if err != nil {
				return info, nil, withBucket(err, req.Bucket, req.Key)
			}
			info.PartSizes = make([]int64, count) // only the count is known
			return info, rng, nil
		}
		rng, err := partRange(info, req.PartNumber, c.Rules)
		return info, rng, err
	}
	rng, err := ParseRange(req.Range, info.Size)
	return info, rng, err
}

// errPartNumber is a read by the number of a part the object does not
// have: S3's InvalidPartNumber (416), not InvalidRange.
func errPartNumber() error {
	return &Error{Code: ErrInvalidPartNumber, Message: "The requested partnumber is not satisfiable"}
}

// partRange returns the byte range of part n of an object.
func partRange(info ObjectInfo, n int, rules *Rules) (*Range, error) {
	if n < rules.MinPartNumber || n > rules.MaxPartNumber {
		return nil, &Error{Code: ErrInvalidArgument, ArgName: "partNumber", ArgValue: strconv.Itoa(n),
			Message: fmt.Sprintf("Part number must be an integer between %d and %d, inclusive", rules.MinPartNumber, rules.MaxPartNumber)}
	}
	if len(info.PartSizes) == 0 {
		if n != 1 {
			return nil, errPartNumber()
		}
		return &Range{Start: 0, Length: info.Size}, nil
	}
	if n > len(info.PartSizes) {
		return nil, errPartNumber()
	}
	var off int64
	for _, s := range info.PartSizes[:n-1] {
		off += s
	}
	return &Range{Start: off, Length: info.PartSizes[n-1]}, nil
}

// EngineChecksums are computed on every body the engine stores, whatever
// the dialect, so that any dialect reading the object later can return its
// own checksum: OSS clients check x-oss-hash-crc64ecma on every transfer.
var EngineChecksums = []ChecksumAlgorithm{CRC64ECMA}

// newBody wraps a dialect's body input with the checksums the engine, the
// rules and the operation require: for a part, upload is the checksum
// algorithm of its multipart upload. The rules' default (S3: CRC64NVME) is
// computed on a PutObject whose client chose no algorithm, and on every
// part of an upload created without one, whose object gets it as its
// FULL_OBJECT checksum at Complete whatever the parts carried.
func newBody(in BodyInput, rules *Rules, part bool, upload ChecksumAlgorithm) (*Body, error) {
	opts := in.Options
	algs := append([]ChecksumAlgorithm(nil), opts.Algorithms...)
	algs = append(append(algs, EngineChecksums...), rules.AlwaysChecksum...)
	switch {
	case upload != "":
		algs = append(algs, upload)
	case rules.DefaultChecksum == "":
	case part, opts.ClientAlgorithm == "" && len(opts.Expected) == 0:
		algs = append(algs, rules.DefaultChecksum)
	}
	opts.Algorithms = algs
	return NewBody(in.Reader, in.Size, opts)
}

// PutObjectRequest is a front PutObject.
type PutRequest struct {
	Bucket, Key string
	Metadata    Metadata
	Body        BodyInput
	// Cond is the client's precondition on the object the write replaces.
	Cond WriteCond
}

// PutObject stores an object whole.
func (e *Engine) PutObject(ctx context.Context, c Caller, req PutRequest) (ObjectInfo, error) {
	if err := authorize(c, req.Bucket, AccessWrite); err != nil {
		return ObjectInfo{}, err
	}
	if err := c.Rules.CheckKey(req.Bucket, req.Key); err != nil {
		return ObjectInfo{}, err
	}
	if req.Body.Size > c.Rules.MaxObjectSize {
		return ObjectInfo{}, &Error{Code: ErrEntityTooLarge, Bucket: req.Bucket, Key: req.Key,
			Message: "Your proposed upload exceeds the maximum allowed size",
			Extra:   map[string]string{"ProposedSize": strconv.FormatInt(req.Body.Size, 10), "MaxSizeAllowed": strconv.FormatInt(c.Rules.MaxObjectSize, 10)}}
	}
	req.Body.Options.MaxSize = c.Rules.MaxObjectSize
	b, _ := e.route(req.Bucket)
	if err := precheck(ctx, b, req.Bucket, req.Key, req.Cond); err != nil {
		return ObjectInfo{}, err
	}
	body, err := newBody(req.Body, c.Rules, false, "")
	if err != nil {
		return ObjectInfo{}, err
	}
	info, err := PutIf(ctx, b, req.Bucket, req.Key, body, req.Metadata, req.Cond)
	return info, withBucket(err, req.Bucket, req.Key)
}

// DeleteObject deletes a key; a missing key is not an error.
func (e *Engine) DeleteObject(ctx context.Context, c Caller, bucket, key string) error {
	if err := authorize(c, bucket, AccessWrite); err != nil {
		return err
	}
	if key == "" {
		return &Error{Code: ErrInvalidArgument, Bucket: bucket, Message: "Object key must not be empty."}
	}
	b, _ := e.route(bucket)
	return withBucket(b.DeleteObject(ctx, bucket, key), bucket, key)
}

// DeleteResult is the outcome for one key of DeleteObjects.
type DeleteResult struct {
	Key string
	Err error
}

// DeleteObjects deletes up to 1000 keys, reporting each.
func (e *Engine) DeleteObjects(ctx context.Context, c Caller, bucket string, keys []string) ([]DeleteResult, error) {
	if err := authorize(c, bucket, AccessWrite); err != nil {
		return nil, err
	}
	if len(keys) == 0 || len(keys) > 1000 {
		return nil, &Error{Code: ErrMalformedXML, Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	b, _ := e.route(bucket)
	if _, err := b.HeadBucket(ctx, bucket); err != nil {
		return nil, withBucket(err, bucket, "")
	}
	out := make([]DeleteResult, 0, len(keys))
	for _, k := range keys {
		var err error
		if k == "" {
			err = &Error{Code: ErrInvalidArgument, Message: "Object key must not be empty."}
		} else {
			err = withBucket(b.DeleteObject(ctx, bucket, k), bucket, k)
		}
		out = append(out, DeleteResult{Key: k, Err: err})
	}
	return out, nil
}

// CopyRequest is a front CopyObject.
type CopyRequest struct {
	SrcBucket, SrcKey string
	Bucket, Key       string
	ReplaceMetadata   bool
	Metadata          Metadata
	SrcConditions     Conditions
	// ChecksumAlgorithm is the checksum the copy must carry (S3's
	// x-amz-checksum-algorithm); "" keeps the source's.
	ChecksumAlgorithm ChecksumAlgorithm
	// Cond is the client's precondition on the destination object.
	Cond WriteCond
	// WebsiteRedirectLocation is the copy's redirect location when the
	// metadata is kept: S3 does not copy the source's ("unique to each
	// object and is not copied", CopyObject's x-amz-website-redirect-location),
	// the request may set one. With ReplaceMetadata, Metadata carries it.
	WebsiteRedirectLocation string
}

// CopyObject copies an object, keeping or replacing its metadata. The copy
// keeps the source's checksums; when an algorithm is asked for that the
// source has no FULL_OBJECT value of, the bytes pass through the gateway
// (verified against the source's MD5) and the copy gets that algorithm's
// FULL_OBJECT checksum, as S3 computes one on copy.
func (e *Engine) CopyObject(ctx context.Context, c Caller, req CopyRequest) (ObjectInfo, error) {
	if err := authorize(c, req.SrcBucket, AccessRead); err != nil {
		return ObjectInfo{}, err
	}
	if err := authorize(c, req.Bucket, AccessWrite); err != nil {
		return ObjectInfo{}, err
	}
	if err := c.Rules.CheckKey(req.Bucket, req.Key); err != nil {
		return ObjectInfo{}, err
	}
	src, _ := e.route(req.SrcBucket)
	info, err := src.HeadObject(ctx, req.SrcBucket, req.SrcKey)
	if err != nil {
		return ObjectInfo{}, withBucket(err, req.SrcBucket, req.SrcKey)
	}
	if err := req.SrcConditions.Check(info, true); err != nil {
		return ObjectInfo{}, err
	}
	if req.SrcBucket == req.Bucket && req.SrcKey == req.Key && !req.ReplaceMetadata && req.WebsiteRedirectLocation == "" {
		return ObjectInfo{}, &Error{Code: ErrInvalidRequest, Bucket: req.Bucket, Key: req.Key,
			Message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."}
	}
	meta := info.Metadata
	meta.WebsiteRedirectLocation = req.WebsiteRedirectLocation
	if req.ReplaceMetadata {
		meta = req.Metadata
	}
	dst, dstName := e.route(req.Bucket)
	srcName, srcBucket, srcKey := e.location(req.SrcBucket, req.SrcKey)
	recompute := req.ChecksumAlgorithm != "" && (info.Checksum[req.ChecksumAlgorithm] == "" || info.ChecksumType != ChecksumFullObject)
	if srcName == dstName && !recompute {
		out, err := CopyIf(ctx, dst, srcBucket, srcKey, req.Bucket, req.Key, meta, req.Cond)
		return out, withBucket(err, req.Bucket, req.Key)
	}
	// Across backends the bytes pass through the gateway, verified against
	// the source's MD5 as they go.
	obj, err := src.GetObject(ctx, req.SrcBucket, req.SrcKey, nil)
	if err != nil {
		return ObjectInfo{}, withBucket(err, req.SrcBucket, req.SrcKey)
	}
	defer obj.Body.Close()
	opts := BodyOptions{ContentMD5: md5Of(obj.Info.ETag)}
	if req.ChecksumAlgorithm != "" {
		opts.Algorithms, opts.ClientAlgorithm = []ChecksumAlgorithm{req.ChecksumAlgorithm}, req.ChecksumAlgorithm
	}
	body, err := newBody(BodyInput{Reader: obj.Body, Size: obj.Info.Size, Options: opts}, c.Rules, false, "")
	if err != nil {
		return ObjectInfo{}, err
	}
	out, err := PutIf(ctx, dst, req.Bucket, req.Key, body, meta, req.Cond)
	return out, withBucket(err, req.Bucket, req.Key)
}

// md5Of returns the MD5 an ETag states, or nil for a multipart ETag.
func md5Of(etag string) []byte {
	raw, err := hex.DecodeString(etag)
	if err != nil || len(raw) != md5.Size {
		return nil
	}
	return raw
}
