package azure

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Driver is storekit.Driver over Azure Blob Storage. It is safe for
// concurrent use.
type Driver struct {
	svc  *service.Client
	opts Options
}

// NewDriver builds the driver; it does not call the store.
func NewDriver(o Options) (*Driver, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("azure backend: %w", err)
	}
	svc, err := newClient(o)
	if err != nil {
		return nil, fmt.Errorf("azure backend: %w", err)
	}
	return &Driver{svc: svc, opts: o}, nil
}

var (
	_ storekit.Driver        = (*Driver)(nil)
	_ storekit.BlockStore    = (*Driver)(nil)
	_ storekit.BucketChecker = (*Driver)(nil)
	_ storekit.KeyChecker    = (*Driver)(nil)
)

// Abilities implements storekit.Driver. Copy Blob copies server-side and
// takes destination conditions; Put Block From URL (server-side part copy)
// is not used: Azurite, the emulator the driver is tested on, answers it
// 501, so staged parts are assembled by streaming. Azure keeps no S3
// checksum (its own are MD5 and its CRC-64 variant). It has no multipart
// uploads: the kit runs them over its blocks (storekit.BlockStore).
func (d *Driver) Abilities() storekit.Abilities {
	both := storekit.CondAbility{IfAbsent: true, IfMatch: true}
	return storekit.Abilities{Name: "azure", Copy: true, CondPut: both, CondCopy: both, CondComplete: both,
		// Azure has no minimum block: no client's part is too small for it
		// (the kit's rule wants a positive minimum; 1 byte stages nothing).
		MaxMetadataSize: 8 << 10, MinPartSize: 1, MaxPartSize: 5 << 30, MaxParts: 10000, SlashDelimiterOnly: true,
		MaxBlockSize: d.opts.MaxBlockSize, MaxBlocks: MaxBlocks, MetadataUpdate: true}
}

// storeCodes maps Azure's error codes
// (https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes,
// .../common-rest-api-error-codes) to neutral codes.
var storeCodes = map[string]translate.Code{
	"ContainerNotFound":      translate.ErrNoSuchBucket,
	"ContainerBeingDeleted":  translate.ErrServiceUnavailable,
	"BlobNotFound":           translate.ErrNoSuchKey,
	"ContainerAlreadyExists": translate.ErrBucketAlreadyOwnedByYou,
	"InvalidBlockList":       translate.ErrInvalidPart,
	"ConditionNotMet":        translate.ErrPreconditionFailed,
	"BlobAlreadyExists":      translate.ErrObjectExists,
	"TargetConditionNotMet":  translate.ErrPreconditionFailed,
	"InvalidRange":           translate.ErrInvalidRange,
	"Md5Mismatch":            translate.ErrBadDigest,
	"InvalidMd5":             translate.ErrInvalidDigest,
	"RequestBodyTooLarge":    translate.ErrEntityTooLarge,
	"MetadataTooLarge":       translate.ErrMetadataTooLarge,
	"ServerBusy":             translate.ErrSlowDown,
	"InternalError":          translate.ErrServiceUnavailable,
	"OperationTimedOut":      translate.ErrServiceUnavailable,
	"InvalidBlobOrBlock":     translate.ErrInvalidPart,
	"InvalidResourceName":    translate.ErrInvalidBucketName,
	"OutOfRangeInput":        translate.ErrInvalidKey,
	"PendingCopyOperation":   translate.ErrConditionalRequestConflict,
	"LeaseIdMissing":         translate.ErrConditionalRequestConflict,
	"AccountIsDisabled":      translate.ErrServiceUnavailable,
}

// Classify implements storekit.Driver.
func (d *Driver) Classify(err error) translate.Code {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return 0
	}
	return storekit.StoreCode(re.ErrorCode, re.StatusCode, storeCodes)
}

// container is bucket's container (the kit calls the driver only with
// names CheckBucket accepts).
func (d *Driver) container(bucket string) *container.Client {
	return d.svc.NewContainerClient(d.opts.ContainerPrefix + bucket)
}

func (d *Driver) blob(bucket, key string) *blockblob.Client {
	return d.container(bucket).NewBlockBlobClient(key)
}

// ListBuckets implements storekit.Driver: the containers with the prefix.
func (d *Driver) ListBuckets(ctx context.Context) ([]translate.BucketInfo, error) {
	var out []translate.BucketInfo
	p := d.svc.NewListContainersPager(&service.ListContainersOptions{Prefix: storekit.NonEmpty(d.opts.ContainerPrefix)})
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range page.ContainerItems {
			bi := translate.BucketInfo{Name: strings.TrimPrefix(val(c.Name), d.opts.ContainerPrefix)}
			if c.Properties != nil {
				bi.Created = val(c.Properties.LastModified).UTC()
			}
			out = append(out, bi)
		}
	}
	return out, nil
}

// CreateBucket implements storekit.Driver.
func (d *Driver) CreateBucket(ctx context.Context, bucket string) error {
	_, err := d.container(bucket).Create(ctx, nil)
	return err
}

// HeadBucket implements storekit.Driver: Azure reports a container's last
// modification, not its creation; it is the nearest it has.
func (d *Driver) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	resp, err := d.container(bucket).GetProperties(ctx, nil)
	if err != nil {
		return translate.BucketInfo{}, err
	}
	return translate.BucketInfo{Name: bucket, Created: val(resp.LastModified).UTC()}, nil
}

// DeleteBucket implements storekit.Driver.
func (d *Driver) DeleteBucket(ctx context.Context, bucket string) error {
	_, err := d.container(bucket).Delete(ctx, nil)
	return err
}

// etag is an Azure ETag as the kit takes it: unquoted, lowercase.
func etag(e *azcore.ETag) string {
	if e == nil {
		return ""
	}
	return strings.ToLower(strings.Trim(string(*e), `"`))
}

// headers are the blob's content headers for m.
func headers(m translate.Metadata) *blob.HTTPHeaders {
	return &blob.HTTPHeaders{BlobContentType: storekit.NonEmpty(m.ContentType), BlobContentEncoding: storekit.NonEmpty(m.ContentEncoding),
		BlobContentDisposition: storekit.NonEmpty(m.ContentDisposition), BlobContentLanguage: storekit.NonEmpty(m.ContentLanguage),
		BlobCacheControl: storekit.NonEmpty(m.CacheControl)}
}

// objectETag is the ETag the driver reports for a blob: the hex of its
// Content-MD5 when it has one (Azure computes it on Put Blob; the driver
// sets it on a Put it commits from blocks, and Copy Blob keeps it), so
// that an object written whole reports the MD5 ETag S3-like clients
// expect, as on S3; else Azure's own ETag ("0x..."), as for an object
// committed by a Copy of one. A multipart object carries its S3-style ETag
// ("<md5 of the parts' MD5s>-<parts>") in its metadata, and reports it.
func objectETag(meta map[string]*string, md5 []byte, e *azcore.ETag) string {
	if mp := storekit.MetaValue(meta, metaETag); mp != "" {
		return mp
	}
	if len(md5) == 16 {
		return hex.EncodeToString(md5)
	}
	return etag(e)
}

// describe builds the neutral description of a blob from its properties.
func describe(key string, size int64, md5 []byte, e *azcore.ETag, lm *time.Time, ct, ce, cd, cl, cc *string, meta map[string]*string) translate.ObjectInfo {
	info := translate.ObjectInfo{Key: key, Size: size, ETag: objectETag(meta, md5, e), LastModified: val(lm).UTC(),
		Metadata: translate.Metadata{ContentType: val(ct), ContentEncoding: val(ce), ContentDisposition: val(cd),
			ContentLanguage: val(cl), CacheControl: val(cc)}}
	metaMap.FromStore(meta, &info.Metadata)
	return info
}

// Head implements storekit.Driver.
func (d *Driver) Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	b := d.blob(bucket, key)
	r, err := b.GetProperties(ctx, nil)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	return describe(key, val(r.ContentLength), r.ContentMD5, r.ETag, r.LastModified, r.ContentType, r.ContentEncoding,
		r.ContentDisposition, r.ContentLanguage, r.CacheControl, r.Metadata), nil
}

// Get implements storekit.Driver.
func (d *Driver) Get(ctx context.Context, bucket, key string, rng *translate.Range) (io.ReadCloser, translate.ObjectInfo, error) {
	b := d.blob(bucket, key)
	// A whole read asks for the range 0- too: with a range Azure returns the
	// blob's stored MD5 (x-ms-blob-content-md5), which Head reports, while
	// Azurite answers a plain read of a committed block list with an MD5
	// it computes on the fly. An empty blob has no range 0-: read plainly.
	o := blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 0, Count: 1 << 62}}
	if rng != nil {
		o.Range = blob.HTTPRange{Offset: rng.Start, Count: rng.Length}
	}
	r, err := b.DownloadStream(ctx, &o)
	if rng == nil && d.Classify(err) == translate.ErrInvalidRange {
		r, err = b.DownloadStream(ctx, nil)
	}
	if err != nil {
		return nil, translate.ObjectInfo{}, err
	}
	size, md5 := val(r.ContentLength), r.BlobContentMD5
	if r.ContentRange != nil {
		if _, size, err = storekit.ContentRange(val(r.ContentRange)); err != nil {
			r.Body.Close()
			return nil, translate.ObjectInfo{}, err
		}
	} else {
		md5 = r.ContentMD5 // the empty blob's, read plainly
	}
	return r.Body, describe(key, size, md5, r.ETag, r.LastModified, r.ContentType, r.ContentEncoding,
		r.ContentDisposition, r.ContentLanguage, r.CacheControl, r.Metadata), nil
}

// access is cond as Azure's access conditions on b. cond.IfMatch is an
// ETag the driver reported (objectETag): Azure's own ("0x" and hex, which
// the kit has lowercased) is sent as Azure gave it; an MD5 one is checked
// against the blob's Content-MD5 now, and the blob's Azure ETag at that
// moment is sent, so that a write racing in between still fails the
// condition.
func (d *Driver) access(ctx context.Context, b *blockblob.Client, bucket, key string, cond translate.WriteCond) (*blob.AccessConditions, error) {
	if cond.IsZero() {
		return nil, nil
	}
	m := &blob.ModifiedAccessConditions{}
	if cond.IfAbsent {
		m.IfNoneMatch = to.Ptr(azcore.ETagAny)
	}
	if cond.IfMatch != "" {
		digits, azure := strings.CutPrefix(cond.IfMatch, "0x")
		e := "0x" + strings.ToUpper(digits)
		if !azure {
			p, err := b.GetProperties(ctx, nil)
			if err != nil {
				return nil, err
			}
			if objectETag(p.Metadata, p.ContentMD5, p.ETag) != cond.IfMatch {
				return nil, &translate.Error{Code: translate.ErrPreconditionFailed, Bucket: bucket, Key: key}
			}
			e = strings.Trim(string(val(p.ETag)), `"`)
		}
		m.IfMatch = to.Ptr(azcore.ETag(`"` + e + `"`))
	}
	return &blob.AccessConditions{ModifiedAccessConditions: m}, nil
}

// Put implements storekit.Driver with one Put Blob (the kit stages an
// object larger than the largest block as blocks: Put Blob takes at most
// 5000 MiB; S3 objects reach 5 GiB).
func (d *Driver) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts storekit.PutOptions) (string, error) {
	b := d.blob(bucket, key)
	ac, err := d.access(ctx, b, bucket, key, opts.Cond)
	if err != nil {
		return "", err
	}
	uo := &blockblob.UploadOptions{HTTPHeaders: headers(opts.Metadata), Metadata: metaMap.ToStore(opts.Metadata), AccessConditions: ac}
	if opts.ContentMD5 != nil {
		uo.TransactionalValidation = blob.TransferValidationTypeMD5(opts.ContentMD5)
	}
	r, err := b.Upload(ctx, &storekit.OnceSeeker{R: body, Size: size}, uo)
	return objectETag(nil, r.ContentMD5, r.ETag), err
}

// Copy implements storekit.Driver with Copy Blob, which keeps the source's
// content headers: they are set after the copy, on the copy only (If-Match
// its ETag). A multipart source's ETag goes with the copy, from the source
// seen (the copy is made only from that source). A copy Azure runs
// asynchronously (across accounts; within one it is synchronous) is
// waited for.
func (d *Driver) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts storekit.PutOptions) (string, error) {
	src := d.blob(srcBucket, srcKey)
	dst := d.blob(dstBucket, dstKey)
	sp, err := src.GetProperties(ctx, nil)
	if err != nil {
		return "", err
	}
	ac, err := d.access(ctx, dst, dstBucket, dstKey, opts.Cond)
	if err != nil {
		return "", err
	}
	meta := metaMap.ToStore(opts.Metadata)
	if mp := storekit.MetaValue(sp.Metadata, metaETag); mp != "" {
		meta[metaETag] = &mp
	}
	r, err := dst.StartCopyFromURL(ctx, src.URL(), &blob.StartCopyFromURLOptions{Metadata: meta,
		AccessConditions: ac, SourceModifiedAccessConditions: &blob.SourceModifiedAccessConditions{SourceIfMatch: sp.ETag}})
	if err != nil {
		return "", err
	}
	var p blob.GetPropertiesResponse
	for status := blob.CopyStatusTypePending; status == blob.CopyStatusTypePending; {
		if p, err = dst.GetProperties(ctx, nil); err != nil {
			return "", err
		}
		if val(p.CopyID) != val(r.CopyID) {
			break // overwritten since: the copy is done
		}
		if status = val(p.CopyStatus); status == blob.CopyStatusTypePending {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	if s := val(p.CopyStatus); s != "" && s != blob.CopyStatusTypeSuccess {
		return "", translate.Wrap(translate.ErrInternal, nil, "azure backend: copy ended "+string(s))
	}
	// Set Blob Properties clears what it is not given: the MD5 goes too.
	h := headers(opts.Metadata)
	h.BlobContentMD5 = p.ContentMD5
	hr, err := dst.SetHTTPHeaders(ctx, *h, &blob.SetHTTPHeadersOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: p.ETag}}})
	if err != nil {
		return "", err
	}
	return objectETag(p.Metadata, p.ContentMD5, hr.ETag), nil
}

// Delete implements storekit.Driver, one Delete Blob per key (Azurite has
// no blob batch).
func (d *Driver) Delete(ctx context.Context, bucket string, keys []string) error {
	for _, k := range keys {
		if _, err := d.blob(bucket, k).Delete(ctx, nil); err != nil && d.Classify(err) != translate.ErrNoSuchKey {
			return err
		}
	}
	return nil
}

// List implements storekit.Driver, with the delimiter "/" or none
// (Abilities: SlashDelimiterOnly). Azure pages by opaque markers; the
// first page asks to start from StartAfter (startFrom, which Azure honours
// and Azurite ignores: the kit drops what is not after it).
func (d *Driver) List(ctx context.Context, bucket string, req storekit.ListRequest) (storekit.ListResult, error) {
	var start *string
	if req.Token == "" {
		start = storekit.NonEmpty(req.StartAfter)
	}
	c, prefix, marker, most := d.container(bucket), storekit.NonEmpty(req.Prefix), storekit.NonEmpty(req.Token), to.Ptr(int32(req.Max))
	include := container.ListBlobsInclude{Metadata: true}
	var res storekit.ListResult
	var items []*container.BlobItem
	var next *string
	if req.Delimiter == "/" {
		p, err := c.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: prefix, Marker: marker, MaxResults: most,
			Include: include, StartFrom: start}).NextPage(ctx)
		if err != nil {
			return res, err
		}
		for _, bp := range p.Segment.BlobPrefixes {
			res.Prefixes = append(res.Prefixes, val(bp.Name))
		}
		items, next = p.Segment.BlobItems, p.NextMarker
	} else {
		p, err := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: prefix, Marker: marker, MaxResults: most,
			Include: include, StartFrom: start}).NextPage(ctx)
		if err != nil {
			return res, err
		}
		items, next = p.Segment.BlobItems, p.NextMarker
	}
	for _, it := range items {
		if p := it.Properties; p != nil {
			res.Objects = append(res.Objects, translate.ObjectInfo{Key: val(it.Name), Size: val(p.ContentLength),
				ETag: objectETag(it.Metadata, p.ContentMD5, p.ETag), LastModified: val(p.LastModified).UTC()})
		}
	}
	res.NextToken = val(next)
	res.Truncated = res.NextToken != ""
	return res, nil
}

// val is *p, or T's zero value for nil.
func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
