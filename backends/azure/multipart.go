package azure

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// uploadsPrefix holds one empty record blob per upload in progress, named
// by its ID, carrying the object's content headers and metadata (applied
// at Complete) and its key (metaUpload, base64url): Azure has no list of
// uploads. It lies under the kit's reserved prefix.
const uploadsPrefix = storekit.Prefix + "azure-uploads/"

// lastAttempt makes attempts strictly increasing within the process.
var lastAttempt atomic.Int64

// newAttempt names one upload of one part: 16 hex digits of the time it
// began (strictly increasing in this process) and 4 random ones, so that
// a later attempt sorts after an earlier one.
func newAttempt() string {
	for {
		last, now := lastAttempt.Load(), time.Now().UnixNano()
		if now <= last {
			now = last + 1
		}
		if lastAttempt.CompareAndSwap(last, now) {
			r := make([]byte, 2)
			rand.Read(r)
			return fmt.Sprintf("%016x%s", now, hex.EncodeToString(r))
		}
	}
}

// CreateUpload implements storekit.Driver: a fresh ID and its record blob.
func (d *Driver) CreateUpload(ctx context.Context, bucket, key string, opts storekit.PutOptions) (string, error) {
	c, err := d.container(bucket)
	if err != nil {
		return "", notFoundBucket(bucket, err)
	}
	r := make([]byte, 16)
	rand.Read(r)
	id := hex.EncodeToString(r)
	meta := toAzureMeta(opts.Metadata)
	meta[metaUpload] = to.Ptr(base64.RawURLEncoding.EncodeToString([]byte(key)))
	_, err = c.NewBlockBlobClient(uploadsPrefix+id).Upload(ctx, &seeker{r: strings.NewReader("")},
		&blockblob.UploadOptions{HTTPHeaders: headers(opts.Metadata), Metadata: meta})
	return id, err
}

// stage streams size bytes of body as part n's attempt: blocks of at most
// MaxBlockSize, one empty block for an empty part. md5 (the client's
// Content-MD5) is sent when the part is one block. It returns the block IDs.
func (d *Driver) stage(ctx context.Context, b *blockblob.Client, id string, n int, attempt string, body io.Reader, size int64, md5 []byte) ([]string, error) {
	var ids []string
	for i := 0; i == 0 || size > 0; i++ {
		chunk := min(size, d.opts.MaxBlockSize)
		bid := blockID(id, n, attempt, i)
		o := &blockblob.StageBlockOptions{}
		if md5 != nil && chunk == size && i == 0 {
			o.TransactionalValidation = blob.TransferValidationTypeMD5(md5)
		}
		if _, err := b.StageBlock(ctx, bid, &seeker{r: io.LimitReader(body, chunk), size: chunk}, o); err != nil {
			return nil, err
		}
		ids = append(ids, bid)
		size -= chunk
	}
	return ids, nil
}

// UploadPart implements storekit.Driver: the part's blocks, staged on the
// destination blob. Its store ETag is the attempt (see blockID).
func (d *Driver) UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, opts storekit.PutOptions) (string, error) {
	b, err := d.blob(bucket, key)
	if err != nil {
		return "", notFoundBucket(bucket, err)
	}
	attempt := newAttempt()
	_, err = d.stage(ctx, b, id, n, attempt, body, size, opts.ContentMD5)
	return attempt, err
}

// CopyPart implements storekit.Driver; never called (Abilities: no
// CopyPart).
func (d *Driver) CopyPart(ctx context.Context, bucket, key, id string, n int, srcBucket, srcKey string, rng *translate.Range) (string, error) {
	return "", &translate.Error{Code: translate.ErrNotImplemented, Bucket: bucket, Key: key}
}

// stagedPart is one attempt of a part as the blob's block list shows it.
type stagedPart struct {
	attempt string
	size    int64
	ids     []string // by block index
}

// parts reads upload id's staged blocks on key's blob: by part number, the
// attempt that began last, and all attempts by (number, attempt).
func (d *Driver) parts(ctx context.Context, b *blockblob.Client, id string) (map[int]*stagedPart, map[string]*stagedPart, error) {
	r, err := b.GetBlockList(ctx, blockblob.BlockListTypeUncommitted, nil)
	if d.Classify(err) == translate.ErrNoSuchKey {
		return map[int]*stagedPart{}, map[string]*stagedPart{}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	all := map[string]*stagedPart{}
	latest := map[int]*stagedPart{}
	for _, blk := range r.UncommittedBlocks {
		n, attempt, i, ok := parseBlockID(id, val(blk.Name))
		if !ok {
			continue
		}
		k := fmt.Sprint(n, ".", attempt)
		p := all[k]
		if p == nil {
			p = &stagedPart{attempt: attempt}
			all[k] = p
		}
		for len(p.ids) <= i {
			p.ids = append(p.ids, "")
		}
		p.ids[i] = val(blk.Name)
		p.size += val(blk.Size)
		if l := latest[n]; l == nil || attempt > l.attempt {
			latest[n] = p
		}
	}
	return latest, all, nil
}

// ListParts implements storekit.Driver from the blob's uncommitted blocks.
func (d *Driver) ListParts(ctx context.Context, bucket, key, id string, after, max int) (storekit.PartsResult, error) {
	b, err := d.blob(bucket, key)
	if err != nil {
		return storekit.PartsResult{}, notFoundBucket(bucket, err)
	}
	latest, _, err := d.parts(ctx, b, id)
	if err != nil {
		return storekit.PartsResult{}, err
	}
	var nums []int
	for n := range latest {
		if n > after {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	var res storekit.PartsResult
	for _, n := range nums {
		if len(res.Parts) == max {
			res.Truncated = true
			break
		}
		p := latest[n]
		var ns int64
		fmt.Sscanf(p.attempt[:16], "%x", &ns)
		res.Parts = append(res.Parts, translate.PartInfo{Number: n, Size: p.size, ETag: p.attempt, LastModified: time.Unix(0, ns).UTC()})
	}
	return res, nil
}

// CompleteUpload implements storekit.Driver: one Put Block List of the
// named parts' blocks, with the record's headers and metadata, under cond.
func (d *Driver) CompleteUpload(ctx context.Context, bucket, key, id string, parts []storekit.Part, cond translate.WriteCond) (string, error) {
	c, err := d.container(bucket)
	if err != nil {
		return "", notFoundBucket(bucket, err)
	}
	b, rec := c.NewBlockBlobClient(key), c.NewBlockBlobClient(uploadsPrefix+id)
	props, err := rec.GetProperties(ctx, nil)
	if d.Classify(err) == translate.ErrNoSuchKey {
		return "", &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Key: key, Err: err}
	}
	if err != nil {
		return "", err
	}
	_, all, err := d.parts(ctx, b, id)
	if err != nil {
		return "", err
	}
	var ids []string
	for _, p := range parts {
		sp := all[fmt.Sprint(p.Number, ".", p.ETag)]
		if sp == nil || slices.Contains(sp.ids, "") {
			return "", &translate.Error{Code: translate.ErrInvalidPart, Bucket: bucket, Key: key,
				Message: fmt.Sprintf("One or more of the specified parts could not be found (part %d).", p.Number)}
		}
		ids = append(ids, sp.ids...)
	}
	if len(ids) > MaxBlocks {
		return "", &translate.Error{Code: translate.ErrEntityTooLarge, Bucket: bucket, Key: key,
			Message: fmt.Sprintf("The object would have %d blocks; Azure allows %d.", len(ids), MaxBlocks)}
	}
	meta := props.Metadata
	for k := range meta {
		if strings.EqualFold(k, metaUpload) {
			delete(meta, k)
		}
	}
	h := &blob.HTTPHeaders{BlobContentType: props.ContentType, BlobContentEncoding: props.ContentEncoding,
		BlobContentDisposition: props.ContentDisposition, BlobContentLanguage: props.ContentLanguage, BlobCacheControl: props.CacheControl}
	ac, err := d.access(ctx, b, bucket, key, cond)
	if err != nil {
		return "", err
	}
	r, err := b.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{HTTPHeaders: h, Metadata: meta, AccessConditions: ac})
	if err != nil {
		return "", err
	}
	// The object is complete; a record left by a failure here only lists
	// an upload whose state the kit has removed, which is left out.
	rec.Delete(ctx, nil)
	// The ETag Head will report: Azurite computes a Content-MD5 for a
	// committed block list, Azure does not (and the commit's Content-MD5
	// header is the MD5 of the block list sent).
	if p, err := b.GetProperties(ctx, nil); err == nil && val(p.ETag) == val(r.ETag) {
		return objectETag(p.ContentMD5, p.ETag), nil
	}
	return etag(r.ETag), nil
}

// AbortUpload implements storekit.Driver: the record goes; Azure has no
// call to drop uncommitted blocks, which it discards at the blob's next
// commit or after 7 days.
func (d *Driver) AbortUpload(ctx context.Context, bucket, key, id string) error {
	c, err := d.container(bucket)
	if err != nil {
		return notFoundBucket(bucket, err)
	}
	_, err = c.NewBlockBlobClient(uploadsPrefix+id).Delete(ctx, nil)
	if d.Classify(err) == translate.ErrNoSuchKey {
		return &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Key: key, Err: err}
	}
	return err
}

// ListUploads implements storekit.Driver from the record blobs; the
// markers are Azure's opaque list marker (keyMarker) only.
func (d *Driver) ListUploads(ctx context.Context, bucket, keyMarker, idMarker string) (storekit.UploadsResult, error) {
	c, err := d.container(bucket)
	if err != nil {
		return storekit.UploadsResult{}, notFoundBucket(bucket, err)
	}
	p, err := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr(uploadsPrefix), Marker: nonEmpty(keyMarker),
		Include: container.ListBlobsInclude{Metadata: true}}).NextPage(ctx)
	if err != nil {
		return storekit.UploadsResult{}, err
	}
	var res storekit.UploadsResult
	for _, it := range p.Segment.BlobItems {
		var enc string
		for k, v := range it.Metadata {
			if strings.EqualFold(k, metaUpload) {
				enc = val(v)
			}
		}
		key, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil || enc == "" || it.Properties == nil {
			continue
		}
		res.Uploads = append(res.Uploads, storekit.StoreUpload{Key: string(key), ID: strings.TrimPrefix(val(it.Name), uploadsPrefix),
			Initiated: val(it.Properties.LastModified).UTC()})
	}
	res.NextKeyMarker = val(p.NextMarker)
	res.Truncated = res.NextKeyMarker != ""
	return res, nil
}
