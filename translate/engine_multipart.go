package translate

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CreateUploadRequest starts a multipart upload.
type CreateUploadRequest struct {
	Bucket, Key       string
	Metadata          Metadata
	ChecksumAlgorithm ChecksumAlgorithm // "" for none
	ChecksumType      ChecksumType      // "" picks the algorithm's default
}

// CreateMultipartUpload starts an upload and returns the client's upload ID.
func (e *Engine) CreateMultipartUpload(ctx context.Context, c Caller, req CreateUploadRequest) (string, UploadInfo, error) {
	if err := authorize(c, req.Bucket, AccessWrite); err != nil {
		return "", UploadInfo{}, err
	}
	if err := c.Rules.CheckKey(req.Bucket, req.Key); err != nil {
		return "", UploadInfo{}, err
	}
	if req.ChecksumAlgorithm != "" {
		switch {
		case req.ChecksumAlgorithm == SHA256Tree:
			req.ChecksumType = "" // a tree hash is neither composite nor a CRC
		case req.ChecksumType == "":
			req.ChecksumType = req.ChecksumAlgorithm.DefaultType()
		case !req.ChecksumAlgorithm.AllowsType(req.ChecksumType):
			return "", UploadInfo{}, &Error{Code: ErrInvalidRequest,
				Message: fmt.Sprintf("The %s checksum type cannot be used with the %s checksum algorithm.", req.ChecksumType, strings.ToLower(string(req.ChecksumAlgorithm)))}
		}
	} else if req.ChecksumType != "" {
		return "", UploadInfo{}, &Error{Code: ErrInvalidRequest, Message: "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."}
	}
	b, name := e.route(req.Bucket)
	info := UploadInfo{Bucket: req.Bucket, Key: req.Key, Initiator: c.Principal.AccessKey, Initiated: e.now().UTC(),
		Metadata: req.Metadata, ChecksumAlgorithm: req.ChecksumAlgorithm, ChecksumType: req.ChecksumType,
		FrontMinPartSize: c.Rules.MinPartSize}
	id, err := b.CreateMultipartUpload(ctx, info)
	if err != nil {
		return "", UploadInfo{}, withBucket(err, req.Bucket, req.Key)
	}
	info.ID = id
	return e.sealer.Seal(req.Bucket, req.Key, UploadRef{Backend: name, ID: id}), info, nil
}

// openUpload resolves a client upload ID to its backend and state.
// A missing bucket is NoSuchBucket, before any NoSuchUpload, as S3 answers.
func (e *Engine) openUpload(ctx context.Context, bucket, key, uploadID string) (Backend, UploadInfo, error) {
	b, info, err := e.openUploadOf(ctx, bucket, key, uploadID)
	if err != nil {
		return nil, UploadInfo{}, e.bucketFirst(ctx, bucket, err)
	}
	return b, info, nil
}

// bucketFirst returns NoSuchBucket instead of err when the bucket does not
// exist: S3 reports a missing bucket before a missing upload or a bad
// argument on every multipart call. It asks the backend only on this
// failure path.
func (e *Engine) bucketFirst(ctx context.Context, bucket string, err error) error {
	if err == nil || CodeOf(err) == ErrNoSuchBucket {
		return err
	}
	b, _ := e.route(bucket)
	if _, herr := b.HeadBucket(ctx, bucket); CodeOf(herr) == ErrNoSuchBucket {
		return withBucket(herr, bucket, "")
	}
	return err
}

func (e *Engine) openUploadOf(ctx context.Context, bucket, key, uploadID string) (Backend, UploadInfo, error) {
	ref, err := e.sealer.Open(bucket, key, uploadID)
	if err != nil {
		return nil, UploadInfo{}, err
	}
	b, info, err := e.uploadBackend(ctx, bucket, key, ref)
	if b == nil {
		return nil, UploadInfo{}, &Error{Code: ErrNoSuchUpload, Bucket: bucket, Key: key, UploadID: uploadID,
			Message: "The specified multipart upload does not exist."}
	}
	if err != nil {
		err = withBucket(err, bucket, key)
		if te := AsError(err); te.Code == ErrNoSuchUpload {
			te.UploadID = uploadID
		}
		return nil, UploadInfo{}, err
	}
	return b, info, nil
}

// checkInitiator enforces Rules.InitiatorOnly.
func checkInitiator(c Caller, info UploadInfo) error {
	if c.Rules.InitiatorOnly && info.Initiator != c.Principal.AccessKey {
		return &Error{Code: ErrAccessDenied, Bucket: info.Bucket, Key: info.Key,
			Message: "Access Denied: only the initiator of a multipart upload may use it."}
	}
	return nil
}

// checkAbort enforces Rules.AbortByInitiatorOrOwner.
func checkAbort(c Caller, bucket string, info UploadInfo) error {
	if c.Rules.AbortByInitiatorOrOwner && info.Initiator != c.Principal.AccessKey && !c.Principal.OwnsBucket(bucket) {
		return &Error{Code: ErrAccessDenied, Bucket: bucket, Key: info.Key,
			Message: "Access Denied: only the initiator of a multipart upload or the bucket owner may abort it."}
	}
	return nil
}

// checkPartNumber enforces the front rules' part-number range.
func checkPartNumber(rules *Rules, n int, raw string) error {
	if n < rules.MinPartNumber || n > rules.MaxPartNumber {
		return &Error{Code: ErrInvalidArgument, ArgName: "partNumber", ArgValue: raw,
			Message: fmt.Sprintf("Part number must be an integer between %d and %d, inclusive", rules.MinPartNumber, rules.MaxPartNumber)}
	}
	return nil
}

// UploadPartRequest uploads one part.
type UploadPartRequest struct {
	Bucket, Key, UploadID string
	PartNumber            int
	// RawPartNumber is the part number as sent, for error messages.
	RawPartNumber string
	Body          BodyInput
}

// UploadPart stores one part, verifying the body's digests on the way.
// The returned part carries the upload's checksum algorithm's value.
func (e *Engine) UploadPart(ctx context.Context, c Caller, req UploadPartRequest) (PartInfo, UploadInfo, error) {
	if err := authorize(c, req.Bucket, AccessWrite); err != nil {
		return PartInfo{}, UploadInfo{}, err
	}
	if err := checkPartNumber(c.Rules, req.PartNumber, req.RawPartNumber); err != nil {
		return PartInfo{}, UploadInfo{}, e.bucketFirst(ctx, req.Bucket, err)
	}
	if req.Body.Size > c.Rules.MaxPartSize {
		return PartInfo{}, UploadInfo{}, &Error{Code: ErrEntityTooLarge, Bucket: req.Bucket, Key: req.Key,
			Message: "Your proposed upload exceeds the maximum allowed size",
			Extra:   map[string]string{"ProposedSize": strconv.FormatInt(req.Body.Size, 10), "MaxSizeAllowed": strconv.FormatInt(c.Rules.MaxPartSize, 10)}}
	}
	b, info, err := e.openUpload(ctx, req.Bucket, req.Key, req.UploadID)
	if err != nil {
		return PartInfo{}, UploadInfo{}, err
	}
	if err := checkInitiator(c, info); err != nil {
		return PartInfo{}, UploadInfo{}, err
	}
	if err := checkPartAlgorithm(info, req.Body.Options.ClientAlgorithm); err != nil {
		return PartInfo{}, UploadInfo{}, err
	}
	req.Body.Options.MaxSize = c.Rules.MaxPartSize
	body, err := newBody(req.Body, c.Rules, true, info.ChecksumAlgorithm)
	if err != nil {
		return PartInfo{}, UploadInfo{}, err
	}
	part, err := b.UploadPart(ctx, req.Bucket, req.Key, info.ID, req.PartNumber, body)
	if sums, ok := body.Sums(); err == nil && ok && info.ChecksumAlgorithm == "" && req.Body.Options.ClientAlgorithm != "" {
		// The default kept for Complete is not this part's checksum: the
		// client hears only of the one it chose.
		part.Checksum = part.Checksum.Clone()
		delete(part.Checksum, c.Rules.DefaultChecksum)
		part.Checksum[req.Body.Options.ClientAlgorithm] = sums.Checksum[req.Body.Options.ClientAlgorithm]
	}
	return part, info, withBucket(err, req.Bucket, req.Key)
}

// checkPartAlgorithm checks a part's checksum algorithm (client, "" for
// none) against the one chosen at Create, as S3 does: another algorithm is
// InvalidRequest "Checksum Type mismatch occurred, expected checksum Type:
// sha1, actual checksum Type: crc32c." (S3 API reference, PutObject and
// UploadPart errors), and so is none on a COMPOSITE upload ("actual checksum
// Type: null", as OpenStack Swift's s3api tests record AWS answering); a
// FULL_OBJECT upload's part without one gets it computed.
func checkPartAlgorithm(upload UploadInfo, client ChecksumAlgorithm) error {
	want := upload.ChecksumAlgorithm
	if want == "" || client == want || (client == "" && upload.ChecksumType == ChecksumFullObject) {
		return nil
	}
	actual := "null"
	if client != "" {
		actual = strings.ToLower(string(client))
	}
	return &Error{Code: ErrInvalidRequest, Bucket: upload.Bucket, Key: upload.Key,
		Message: fmt.Sprintf("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", strings.ToLower(string(want)), actual)}
}

// UploadPartCopyRequest copies a range of an object into a part.
type UploadPartCopyRequest struct {
	Bucket, Key, UploadID string
	PartNumber            int
	RawPartNumber         string
	SrcBucket, SrcKey     string
	// SrcRange is the raw x-amz-copy-source-range ("" for the whole source).
	SrcRange      string
	SrcConditions Conditions
}

// UploadPartCopy stores a range of an existing object as a part and returns
// it with the source's description.
func (e *Engine) UploadPartCopy(ctx context.Context, c Caller, req UploadPartCopyRequest) (PartInfo, ObjectInfo, error) {
	if err := authorize(c, req.SrcBucket, AccessRead); err != nil {
		return PartInfo{}, ObjectInfo{}, err
	}
	if err := authorize(c, req.Bucket, AccessWrite); err != nil {
		return PartInfo{}, ObjectInfo{}, err
	}
	if err := checkPartNumber(c.Rules, req.PartNumber, req.RawPartNumber); err != nil {
		return PartInfo{}, ObjectInfo{}, e.bucketFirst(ctx, req.Bucket, err)
	}
	b, info, err := e.openUpload(ctx, req.Bucket, req.Key, req.UploadID)
	if err != nil {
		return PartInfo{}, ObjectInfo{}, err
	}
	if err := checkInitiator(c, info); err != nil {
		return PartInfo{}, ObjectInfo{}, err
	}
	src, _ := e.route(req.SrcBucket)
	srcInfo, err := src.HeadObject(ctx, req.SrcBucket, req.SrcKey)
	if err != nil {
		return PartInfo{}, ObjectInfo{}, withBucket(err, req.SrcBucket, req.SrcKey)
	}
	if err := req.SrcConditions.Check(srcInfo, true); err != nil {
		return PartInfo{}, ObjectInfo{}, err
	}
	rng, err := ParseCopyRange(req.SrcRange, srcInfo.Size)
	if err != nil {
		return PartInfo{}, ObjectInfo{}, err
	}
	size := srcInfo.Size
	if rng != nil {
		size = rng.Length
	}
	if size > c.Rules.MaxPartSize {
		return PartInfo{}, ObjectInfo{}, &Error{Code: ErrEntityTooLarge, Message: "Your proposed upload exceeds the maximum allowed size"}
	}
	algs := append(append([]ChecksumAlgorithm(nil), EngineChecksums...), c.Rules.AlwaysChecksum...)
	if info.ChecksumAlgorithm != "" {
		algs = append(algs, info.ChecksumAlgorithm)
	} else if c.Rules.DefaultChecksum != "" {
		algs = append(algs, c.Rules.DefaultChecksum)
	}
	_, dstName := e.route(req.Bucket)
	if s, ok := b.(sourceUploads); ok {
		dstName = s.m.srcName
	}
	srcName, srcBucket, srcKey := e.location(req.SrcBucket, req.SrcKey)
	if srcName == dstName {
		part, err := b.UploadPartCopy(ctx, req.Bucket, req.Key, info.ID, req.PartNumber, srcBucket, srcKey, rng, algs)
		return part, srcInfo, withBucket(err, req.Bucket, req.Key)
	}
	part, err := StreamPartCopy(ctx, src, b, req.Bucket, req.Key, info.ID, req.PartNumber, req.SrcBucket, req.SrcKey, rng, algs)
	return part, srcInfo, withBucket(err, req.Bucket, req.Key)
}

// StreamPartCopy is UploadPartCopy through the gateway, the one place it
// is written: bytes rng (nil: all) of srcKey in srcBucket, read from src,
// are uploaded to dst as part number of upload id of key in bucket, so
// that the part's MD5 and the checksums algs are computed as for any
// other part. The engine uses it between backends; a store backend whose
// store cannot copy a part with those sums uses it within itself. A
// source that ends short is ErrServiceUnavailable (the source, not a
// client, came up short); source errors are the source's.
func StreamPartCopy(ctx context.Context, src Backend, dst Multipart, bucket, key, id string, number int,
	srcBucket, srcKey string, rng *Range, algs []ChecksumAlgorithm) (PartInfo, error) {
	obj, err := src.GetObject(ctx, srcBucket, srcKey, rng)
	if err != nil {
		return PartInfo{}, withBucket(err, srcBucket, srcKey)
	}
	defer obj.Body.Close()
	size := obj.Info.Size
	if rng != nil {
		size = rng.Length
	}
	body, err := NewBody(obj.Body, size, BodyOptions{Algorithms: algs})
	if err != nil {
		return PartInfo{}, err
	}
	part, err := dst.UploadPart(ctx, bucket, key, id, number, body)
	if CodeOf(err) == ErrIncompleteBody {
		return part, &Error{Code: ErrServiceUnavailable, Bucket: srcBucket, Key: srcKey, Err: err,
			Message: "The copy source could not be read whole; please retry."}
	}
	return part, err
}

// ListParts returns one page of an upload's parts and the upload itself.
func (e *Engine) ListParts(ctx context.Context, c Caller, bucket, key, uploadID string, after, max int) (PartsPage, UploadInfo, error) {
	if err := authorize(c, bucket, AccessRead); err != nil {
		return PartsPage{}, UploadInfo{}, err
	}
	b, info, err := e.openUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return PartsPage{}, UploadInfo{}, err
	}
	if err := checkInitiator(c, info); err != nil {
		return PartsPage{}, UploadInfo{}, err
	}
	if max <= 0 || max > 1000 {
		max = 1000
	}
	page, err := b.ListParts(ctx, bucket, key, info.ID, after, max)
	return page, info, withBucket(err, bucket, key)
}

// UploadListing is a page of uploads with the client upload IDs.
type UploadListing struct {
	UploadsPage
	// IDs[i] is the client upload ID of Uploads[i].
	IDs []string
}

// ListMultipartUploads lists in-progress uploads. IDAfter in q is a client
// upload ID (upload-id-marker); one that does not open is ignored.
func (e *Engine) ListMultipartUploads(ctx context.Context, c Caller, bucket string, q UploadsQuery) (UploadListing, error) {
	if err := authorize(c, bucket, AccessRead); err != nil {
		return UploadListing{}, err
	}
	idSide := ""
	if raw := q.IDAfter; raw != "" {
		q.IDAfter = ""
		if ref, err := e.sealer.Open(bucket, q.KeyAfter, raw); err == nil {
			q.IDAfter, idSide = ref.ID, ref.Backend
		}
	}
	if q.MaxUploads <= 0 || q.MaxUploads > 1000 {
		q.MaxUploads = 1000
	}
	b, name := e.route(bucket)
	var page UploadsPage
	var names []string
	var err error
	if m, ok := b.(*migrating); ok {
		page, names, err = m.listUploads(ctx, bucket, q, idSide)
	} else {
		page, err = b.ListMultipartUploads(ctx, bucket, q)
	}
	if err != nil {
		return UploadListing{}, withBucket(err, bucket, "")
	}
	out := UploadListing{UploadsPage: page}
	for i, u := range page.Uploads {
		if names != nil {
			name = names[i]
		}
		out.IDs = append(out.IDs, e.sealer.Seal(bucket, u.Key, UploadRef{Backend: name, ID: u.ID}))
	}
	return out, nil
}

// AbortMultipartUpload frees an upload and its parts. Under
// Rules.AbortByInitiatorOrOwner only the initiator or the bucket's owner
// may; anyone else gets AccessDenied and the upload stays.
func (e *Engine) AbortMultipartUpload(ctx context.Context, c Caller, bucket, key, uploadID string) error {
	return e.AbortMultipartUploadIf(ctx, c, bucket, key, uploadID, time.Time{})
}

// AbortMultipartUploadIf is AbortMultipartUpload with S3's
// x-amz-if-match-initiated-time (zero: none): it aborts only an upload
// initiated at that time (to the second) and answers 412 otherwise; a
// missing upload is then success, as AWS documents ("If the initiated
// timestamp matches or if the multipart upload doesn't exist, the
// operation returns a 204 Success (No Content) response").
func (e *Engine) AbortMultipartUploadIf(ctx context.Context, c Caller, bucket, key, uploadID string, initiated time.Time) error {
	if err := authorize(c, bucket, AccessWrite); err != nil {
		return err
	}
	b, info, err := e.openUpload(ctx, bucket, key, uploadID)
	if err != nil {
		if !initiated.IsZero() && CodeOf(err) == ErrNoSuchUpload {
			return nil
		}
		return err
	}
	if err := checkAbort(c, bucket, info); err != nil {
		return err
	}
	if !initiated.IsZero() && !info.Initiated.Truncate(time.Second).Equal(initiated.Truncate(time.Second)) {
		return &Error{Code: ErrPreconditionFailed, Bucket: bucket, Key: key}
	}
	return withBucket(b.AbortMultipartUpload(ctx, bucket, key, info.ID), bucket, key)
}

// ClientPart is one entry of a client's Complete request.
type ClientPart struct {
	Number   int
	ETag     string // as sent, quotes allowed
	Checksum Checksums
}

// CompleteUploadRequest completes an upload.
type CompleteUploadRequest struct {
	Bucket, Key, UploadID string
	Parts                 []ClientPart
	// Checksum is a whole-object checksum the client sent (header), if any.
	Checksum Checksums
	// ChecksumType is the type the client says the upload has (S3's
	// x-amz-checksum-type), "" when it said none.
	ChecksumType ChecksumType
	// ObjectSize is x-amz-mp-object-size, or -1.
	ObjectSize int64
	// AllParts completes with every uploaded part in number order, ignoring
	// Parts (OSS's x-oss-complete-all: yes).
	AllParts bool
	// Cond is the client's precondition on the object the upload would
	// replace.
	Cond WriteCond
}

// CompleteMultipartUpload validates the client's part list against the
// stored parts under the front rules, computes the multipart ETag and
// checksums, and has the backend assemble the object.
func (e *Engine) CompleteMultipartUpload(ctx context.Context, c Caller, req CompleteUploadRequest) (ObjectInfo, error) {
	if err := authorize(c, req.Bucket, AccessWrite); err != nil {
		return ObjectInfo{}, err
	}
	b, upload, err := e.openUpload(ctx, req.Bucket, req.Key, req.UploadID)
	if err != nil {
		if out, ok := e.completedAgain(ctx, req, err); ok {
			return out, nil
		}
		return ObjectInfo{}, err
	}
	if err := checkInitiator(c, upload); err != nil {
		return ObjectInfo{}, err
	}
	if req.ChecksumType != "" && upload.ChecksumAlgorithm != "" && req.ChecksumType != upload.ChecksumType {
		// "If the checksum type doesn't match the checksum type that was
		// specified for the object during the CreateMultipartUpload request,
		// it'll result in a BadDigest error" (S3 API reference,
		// CompleteMultipartUpload, x-amz-checksum-type).
		return ObjectInfo{}, &Error{Code: ErrChecksumMismatch, UploadID: req.UploadID,
			Message: fmt.Sprintf("The checksum type you specified (%s) did not match the checksum type of the multipart upload (%s).", req.ChecksumType, upload.ChecksumType)}
	}
	completedBy := completionDigest(upload.ID, req.Parts, req.AllParts)
	stored, err := e.allParts(ctx, b, req.Bucket, req.Key, upload.ID)
	if err != nil {
		return ObjectInfo{}, err
	}
	if req.AllParts {
		req.Parts = req.Parts[:0]
		for _, n := range sortedPartNumbers(stored) {
			req.Parts = append(req.Parts, ClientPart{Number: n, ETag: stored[n].ETag})
		}
	}
	if len(req.Parts) == 0 {
		return ObjectInfo{}, &Error{Code: ErrMalformedXML, Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	if len(req.Parts) > c.Rules.MaxPartNumber {
		return ObjectInfo{}, &Error{Code: ErrTooManyParts, Message: "You have attempted to upload more parts than allowed."}
	}
	for i, p := range req.Parts {
		if err := checkPartNumber(c.Rules, p.Number, strconv.Itoa(p.Number)); err != nil {
			return ObjectInfo{}, err
		}
		if i > 0 && p.Number <= req.Parts[i-1].Number {
			return ObjectInfo{}, &Error{Code: ErrInvalidPartOrder, UploadID: req.UploadID,
				Message: "The list of parts was not in ascending order. The parts list must be specified in order by part number."}
		}
	}
	parts := make([]CompletePart, 0, len(req.Parts))
	md5s := md5.New()
	var sizes []int64
	var total int64
	var algValues, crc64Values []string
	var partSums []Checksums
	for i, p := range req.Parts {
		sp, ok := stored[p.Number]
		if !ok || !strings.EqualFold(strings.Trim(p.ETag, `" `), sp.ETag) || !checksumsAgree(p.Checksum, sp.Checksum) {
			return ObjectInfo{}, &Error{Code: ErrInvalidPart, UploadID: req.UploadID,
				Extra:   map[string]string{"PartNumber": strconv.Itoa(p.Number), "ETag": p.ETag},
				Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag."}
		}
		if i < len(req.Parts)-1 && sp.Size < c.Rules.MinPartSize {
			return ObjectInfo{}, &Error{Code: ErrEntityTooSmall, UploadID: req.UploadID,
				Extra: map[string]string{"ProposedSize": strconv.FormatInt(sp.Size, 10), "MinSizeAllowed": strconv.FormatInt(c.Rules.MinPartSize, 10),
					"PartNumber": strconv.Itoa(p.Number), "ETag": sp.ETag},
				Message: "Your proposed upload is smaller than the minimum allowed size"}
		}
		raw, err := hex.DecodeString(sp.ETag)
		if err != nil {
			return ObjectInfo{}, Wrap(ErrInternal, err, "stored part ETag is not hex")
		}
		md5s.Write(raw)
		parts = append(parts, CompletePart{Number: p.Number, Size: sp.Size, ETag: sp.ETag})
		sizes = append(sizes, sp.Size)
		total += sp.Size
		if alg := partAlgorithm(upload, c.Rules); alg != "" {
			algValues = append(algValues, sp.Checksum[alg])
		}
		if upload.ChecksumAlgorithm != "" {
			partSums = append(partSums, Checksums{upload.ChecksumAlgorithm: sp.Checksum[upload.ChecksumAlgorithm]})
		}
		crc64Values = append(crc64Values, sp.Checksum[CRC64ECMA])
	}
	if req.ObjectSize >= 0 && req.ObjectSize != total {
		return ObjectInfo{}, &Error{Code: ErrInvalidRequest,
			Message: fmt.Sprintf("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", req.ObjectSize, total)}
	}
	info := ObjectInfo{Key: req.Key, Size: total, Metadata: upload.Metadata, PartSizes: sizes,
		ETag: fmt.Sprintf("%s-%d", hex.EncodeToString(md5s.Sum(nil)), len(parts)), Checksum: Checksums{}, PartChecksums: partSums}
	if err := objectChecksum(&info, upload, c.Rules, algValues, sizes); err != nil {
		return ObjectInfo{}, err
	}
	if sum, err := FullObjectCRC(CRC64ECMA, crc64Values, sizes); err == nil {
		info.Checksum[CRC64ECMA] = sum
		if info.ChecksumType == "" {
			info.ChecksumType = ChecksumFullObject
		}
	}
	if err := checkWholeChecksum(req.Checksum, info, upload, len(parts)); err != nil {
		return ObjectInfo{}, err
	}
	info.CompletedBy = completedBy
	out, err := b.CompleteMultipartUpload(ctx, CompleteRequest{Bucket: req.Bucket, Key: req.Key, UploadID: upload.ID, Parts: parts, Info: info, Cond: req.Cond})
	return out, withBucket(err, req.Bucket, req.Key)
}

// partAlgorithm is the algorithm whose part values form the object's
// checksum: the upload's, else the rules' default (S3 gives an upload
// created without one a FULL_OBJECT CRC64NVME).
func partAlgorithm(upload UploadInfo, rules *Rules) ChecksumAlgorithm {
	if upload.ChecksumAlgorithm != "" {
		return upload.ChecksumAlgorithm
	}
	return rules.DefaultChecksum
}

// objectChecksum sets the object checksum of a completed upload from its
// parts' values of the upload's algorithm: FULL_OBJECT CRCs are combined
// from the part CRCs and sizes (no data is re-read), COMPOSITE is the
// checksum of the part checksums with "-N". An upload without an algorithm
// gets the rules' default as FULL_OBJECT when every part has it, and no
// checksum otherwise (parts stored before the default existed).
func objectChecksum(info *ObjectInfo, upload UploadInfo, rules *Rules, values []string, sizes []int64) error {
	alg, typ := upload.ChecksumAlgorithm, upload.ChecksumType
	if alg == "" {
		alg, typ = rules.DefaultChecksum, ChecksumFullObject
		if alg == "" || slices.Contains(values, "") {
			return nil
		}
	}
	var sum string
	var err error
	if alg == SHA256Tree {
		sum, err = combineTreeValues(values)
	} else if typ == ChecksumFullObject {
		sum, err = FullObjectCRC(alg, values, sizes)
	} else {
		sum, err = CompositeChecksum(alg, values)
	}
	if err != nil {
		return &Error{Code: ErrInvalidPart, UploadID: upload.ID, Err: err,
			Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag."}
	}
	info.Checksum[alg] = sum
	info.ChecksumType = typ
	return nil
}

// checkWholeChecksum verifies the whole-object checksum a client sent with
// CompleteMultipartUpload (x-amz-checksum-<alg>) against the object's, as
// combined from its parts: a COMPOSITE value may be sent with or without
// its "-N" suffix. A mismatch is BadDigest with S3's per-algorithm text. An
// algorithm other than the upload's is InvalidRequest "Checksum Type
// mismatch occurred, …"; on an upload created without one, the algorithms
// older than 2025 are accepted and ignored and the newer ones refused
// (expected checksum Type: null), as AWS answers.
func checkWholeChecksum(sent Checksums, info ObjectInfo, upload UploadInfo, parts int) error {
	for alg, want := range sent {
		got, ok := info.Checksum[alg]
		if !ok {
			expected := "null"
			if upload.ChecksumAlgorithm != "" {
				expected = strings.ToLower(string(upload.ChecksumAlgorithm))
			} else if alg == CRC32 || alg == CRC32C || alg == SHA1 || alg == SHA256 {
				continue
			}
			return &Error{Code: ErrInvalidRequest,
				Message: fmt.Sprintf("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", expected, strings.ToLower(string(alg)))}
		}
		if got == want || (info.ChecksumType == ChecksumComposite && strings.TrimSuffix(got, fmt.Sprintf("-%d", parts)) == want) {
			continue
		}
		return &Error{Code: ErrChecksumMismatch, Extra: map[string]string{"Algorithm": string(alg)}, Message: ChecksumMismatchMessage(alg)}
	}
	return nil
}

// combineTreeValues is CombineTreeHashes over SHA256Tree Checksums values.
func combineTreeValues(values []string) (string, error) {
	raws := make([][]byte, len(values))
	for i, v := range values {
		raw, err := DecodeChecksum(SHA256Tree, v)
		if err != nil {
			return "", fmt.Errorf("part %d: %w", i+1, err)
		}
		raws[i] = raw
	}
	root, err := CombineTreeHashes(raws)
	if err != nil {
		return "", err
	}
	return EncodeChecksum(root), nil
}

// checksumsAgree reports whether every checksum the client sent for a part
// equals the stored one.
func checksumsAgree(sent, stored Checksums) bool {
	for a, v := range sent {
		if stored[a] != v {
			return false
		}
	}
	return true
}

// allParts reads every stored part of an upload, by number.
func (e *Engine) allParts(ctx context.Context, b Backend, bucket, key, id string) (map[int]PartInfo, error) {
	out := map[int]PartInfo{}
	after := 0
	for {
		page, err := b.ListParts(ctx, bucket, key, id, after, 1000)
		if err != nil {
			return nil, withBucket(err, bucket, key)
		}
		for _, p := range page.Parts {
			out[p.Number] = p
		}
		if !page.Truncated || len(page.Parts) == 0 {
			return out, nil
		}
		after = page.NextMarker
	}
}

func sortedPartNumbers(parts map[int]PartInfo) []int {
	out := make([]int, 0, len(parts))
	for n := range parts {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// completedAgain answers a Complete whose upload is gone (openErr is
// NoSuchUpload) when it repeats the request that completed it: the key's
// object records the same upload and part list (ObjectInfo.CompletedBy)
// and was completed within CompleteRetryWindow. ok is false otherwise,
// and the caller returns openErr.
func (e *Engine) completedAgain(ctx context.Context, req CompleteUploadRequest, openErr error) (ObjectInfo, bool) {
	if CodeOf(openErr) != ErrNoSuchUpload {
		return ObjectInfo{}, false
	}
	ref, err := e.sealer.Open(req.Bucket, req.Key, req.UploadID)
	if err != nil {
		return ObjectInfo{}, false
	}
	b, name := e.route(req.Bucket)
	if ref.Backend != name {
		m, ok := b.(*migrating)
		if !ok || ref.Backend != m.srcName {
			return ObjectInfo{}, false
		}
		b = m.src // an upload begun before the migration completed there
	}
	info, err := b.HeadObject(ctx, req.Bucket, req.Key)
	if err != nil || info.CompletedBy == "" || info.CompletedBy != completionDigest(ref.ID, req.Parts, req.AllParts) ||
		e.now().Sub(info.LastModified) > CompleteRetryWindow {
		return ObjectInfo{}, false
	}
	return info, true
}

// uploadBackend returns the backend that holds the upload ref names and
// the upload's state, or a nil Backend when ref names a backend the
// bucket is not on. On a migrating route an upload lives on the
// destination when it began during the migration and on the source when
// it began before: the side whose backend ref names, the destination
// first when both sides are on one backend.
func (e *Engine) uploadBackend(ctx context.Context, bucket, key string, ref UploadRef) (Backend, UploadInfo, error) {
	b, name := e.route(bucket)
	m, ok := b.(*migrating)
	if !ok {
		if ref.Backend != name {
			return nil, UploadInfo{}, nil
		}
		info, err := b.GetMultipartUpload(ctx, bucket, key, ref.ID)
		return b, info, err
	}
	var err error = &Error{Code: ErrNoSuchUpload}
	if ref.Backend == m.dstName {
		var info UploadInfo
		if info, err = m.GetMultipartUpload(ctx, bucket, key, ref.ID); err == nil || CodeOf(err) != ErrNoSuchUpload {
			return m, info, err
		}
	}
	if ref.Backend == m.srcName {
		src := sourceUploads{routed: m.src, m: m}
		info, err := src.GetMultipartUpload(ctx, bucket, key, ref.ID)
		return src, info, err
	}
	if ref.Backend != m.dstName {
		return nil, UploadInfo{}, nil
	}
	return m, UploadInfo{}, err
}
