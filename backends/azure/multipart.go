package azure

import (
	"context"
	cryptomd5 "crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
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

// CreateUpload implements storekit.Driver: a fresh ID and its record blob.
func (d *Driver) CreateUpload(ctx context.Context, bucket, key string, opts storekit.PutOptions) (string, error) {
	if err := writableKey(bucket, key); err != nil {
		return "", err
	}
	c, err := d.container(bucket)
	if err != nil {
		return "", err
	}
	r := make([]byte, 16)
	rand.Read(r)
	id := hex.EncodeToString(r)
	meta := toAzureMeta(opts.Metadata)
	meta[metaUpload] = to.Ptr(base64.RawURLEncoding.EncodeToString([]byte(key)))
	meta[metaInit] = to.Ptr(time.Now().UTC().Format(time.RFC3339Nano))
	_, err = c.NewBlockBlobClient(uploadsPrefix+id).Upload(ctx, &storekit.OnceSeeker{R: strings.NewReader("")},
		&blockblob.UploadOptions{HTTPHeaders: headers(opts.Metadata), Metadata: meta})
	return id, err
}

// stage streams size bytes of body as the data blocks of part n's
// attempt att, blocks of at most MaxBlockSize (none for an empty part),
// and returns their IDs and the bytes' MD5. md5 (the client's
// Content-MD5) is sent when the part is one block.
func (d *Driver) stage(ctx context.Context, b *blockblob.Client, id string, n int, att storekit.Attempt, body io.Reader, size int64, md5 []byte) ([]string, []byte, error) {
	if (size+d.opts.MaxBlockSize-1)/d.opts.MaxBlockSize >= storekit.TagIndex {
		return nil, nil, &translate.Error{Code: translate.ErrEntityTooLarge, Message: "The part needs more blocks than the driver numbers."}
	}
	sum := cryptomd5.New()
	body = io.TeeReader(body, sum)
	var ids []string
	for i := 0; size > 0; i++ {
		chunk := min(size, d.opts.MaxBlockSize)
		bid := storekit.BlockID(id, storekit.BlockRef{Part: n, Attempt: att, Index: i})
		o := &blockblob.StageBlockOptions{}
		if md5 != nil && i == 0 && chunk == size {
			o.TransactionalValidation = blob.TransferValidationTypeMD5(md5)
		}
		if _, err := b.StageBlock(ctx, bid, &storekit.OnceSeeker{R: io.LimitReader(body, chunk), Size: chunk}, o); err != nil {
			return nil, nil, err
		}
		ids = append(ids, bid)
		size -= chunk
	}
	return ids, sum.Sum(nil), nil
}

// record returns upload id's record blob, checking that it is key's:
// ErrNoSuchUpload otherwise.
func (d *Driver) record(ctx context.Context, c *container.Client, bucket, key, id string) (blob.GetPropertiesResponse, error) {
	p, err := c.NewBlockBlobClient(uploadsPrefix+id).GetProperties(ctx, nil)
	if d.Classify(err) == translate.ErrNoSuchKey {
		return p, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Key: key, Err: err}
	}
	if err != nil {
		return p, err
	}
	if metaValue(p.Metadata, metaUpload) == base64.RawURLEncoding.EncodeToString([]byte(key)) {
		return p, nil
	}
	return p, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Key: key}
}

// UploadPart implements storekit.Driver: the part's data blocks, staged
// on the destination blob, then its tag block. Its store ETag is its MD5.
func (d *Driver) UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, opts storekit.PutOptions) (string, error) {
	c, err := d.container(bucket)
	if err != nil {
		return "", err
	}
	if _, err := d.record(ctx, c, bucket, key, id); err != nil {
		return "", err
	}
	b, att := c.NewBlockBlobClient(key), storekit.NewAttempt()
	_, sum, err := d.stage(ctx, b, id, n, att, body, size, opts.ContentMD5)
	if err != nil {
		return "", err
	}
	tag := storekit.BlockRef{Part: n, Attempt: att, Index: storekit.TagIndex}
	copy(tag.MD5[:], sum)
	if _, err := b.StageBlock(ctx, storekit.BlockID(id, tag), &storekit.OnceSeeker{R: strings.NewReader("t"), Size: 1}, nil); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum), nil
}

// CopyPart implements storekit.Driver; never called (Abilities: no
// CopyPart).
func (d *Driver) CopyPart(ctx context.Context, bucket, key, id string, n int, srcBucket, srcKey string, rng *translate.Range) (string, error) {
	return "", &translate.Error{Code: translate.ErrNotImplemented, Bucket: bucket, Key: key}
}

// parts reads upload id's parts from key's uncommitted blocks
// (storekit.LatestParts).
func (d *Driver) parts(ctx context.Context, b *blockblob.Client, id string) (map[int]*storekit.BlockPart, error) {
	r, err := b.GetBlockList(ctx, blockblob.BlockListTypeUncommitted, nil)
	if d.Classify(err) == translate.ErrNoSuchKey {
		return map[int]*storekit.BlockPart{}, nil
	}
	if err != nil {
		return nil, err
	}
	blocks := make([]storekit.Block, 0, len(r.UncommittedBlocks))
	for _, blk := range r.UncommittedBlocks {
		blocks = append(blocks, storekit.Block{ID: val(blk.Name), Size: val(blk.Size)})
	}
	return storekit.LatestParts(id, blocks), nil
}

// ListParts implements storekit.Driver from the blob's uncommitted blocks.
func (d *Driver) ListParts(ctx context.Context, bucket, key, id string, after, max int) (storekit.PartsResult, error) {
	b, err := d.blob(bucket, key)
	if err != nil {
		return storekit.PartsResult{}, err
	}
	latest, err := d.parts(ctx, b, id)
	if err != nil {
		return storekit.PartsResult{}, err
	}
	return storekit.PartsPage(latest, after, max), nil
}

// CompleteUpload implements storekit.Driver: one Put Block List of the
// named parts' data blocks, with the record's headers and metadata, under
// cond. A part whose ETag is not its winning attempt's is InvalidPart.
func (d *Driver) CompleteUpload(ctx context.Context, bucket, key, id string, parts []storekit.Part, cond translate.WriteCond) (string, error) {
	c, err := d.container(bucket)
	if err != nil {
		return "", err
	}
	props, err := d.record(ctx, c, bucket, key, id)
	if err != nil {
		return "", err
	}
	b := c.NewBlockBlobClient(key)
	latest, err := d.parts(ctx, b, id)
	if err != nil {
		return "", err
	}
	var ids []string
	sums := cryptomd5.New()
	for _, p := range parts {
		sp := latest[p.Number]
		if sp == nil || sp.MD5 != p.ETag || slices.Contains(sp.IDs, "") {
			// Another upload of the key committed first, discarding these
			// blocks: a condition that now fails says so.
			if err := d.precheck(ctx, b, cond); err != nil {
				return "", err
			}
			return "", &translate.Error{Code: translate.ErrInvalidPart, Bucket: bucket, Key: key,
				Message: fmt.Sprintf("One or more of the specified parts could not be found (part %d).", p.Number)}
		}
		ids = append(ids, sp.IDs...)
		raw, _ := hex.DecodeString(sp.MD5)
		sums.Write(raw)
	}
	if len(ids) > MaxBlocks {
		return "", &translate.Error{Code: translate.ErrEntityTooLarge, Bucket: bucket, Key: key,
			Message: fmt.Sprintf("The object would have %d blocks; Azure allows %d.", len(ids), MaxBlocks)}
	}
	meta := props.Metadata
	for k := range meta {
		if strings.EqualFold(k, metaUpload) || strings.EqualFold(k, metaInit) {
			delete(meta, k)
		}
	}
	meta[metaETag] = to.Ptr(fmt.Sprintf("%x-%d", sums.Sum(nil), len(parts)))
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
	c.NewBlockBlobClient(uploadsPrefix+id).Delete(ctx, nil)
	return objectETag(meta, nil, r.ETag), nil
}

// precheck evaluates cond against key's blob as it is now.
func (d *Driver) precheck(ctx context.Context, b *blockblob.Client, cond translate.WriteCond) error {
	if cond.IsZero() {
		return nil
	}
	p, err := b.GetProperties(ctx, nil)
	exists := err == nil
	if err != nil && d.Classify(err) != translate.ErrNoSuchKey {
		return err
	}
	return cond.Check(exists, objectETag(p.Metadata, p.ContentMD5, p.ETag))
}

// AbortUpload implements storekit.Driver: the record goes; Azure has no
// call to drop uncommitted blocks, which it discards at the blob's next
// commit or after 7 days.
func (d *Driver) AbortUpload(ctx context.Context, bucket, key, id string) error {
	c, err := d.container(bucket)
	if err != nil {
		return err
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
		return storekit.UploadsResult{}, err
	}
	p, err := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr(uploadsPrefix), Marker: nonEmpty(keyMarker),
		Include: container.ListBlobsInclude{Metadata: true}}).NextPage(ctx)
	if err != nil {
		return storekit.UploadsResult{}, err
	}
	var res storekit.UploadsResult
	for _, it := range p.Segment.BlobItems {
		enc := metaValue(it.Metadata, metaUpload)
		key, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil || enc == "" || it.Properties == nil {
			continue
		}
		began, err := time.Parse(time.RFC3339Nano, metaValue(it.Metadata, metaInit))
		if err != nil {
			began = val(it.Properties.LastModified).UTC()
		}
		res.Uploads = append(res.Uploads, storekit.StoreUpload{Key: string(key), ID: strings.TrimPrefix(val(it.Name), uploadsPrefix),
			Initiated: began})
	}
	res.NextKeyMarker = val(p.NextMarker)
	res.Truncated = res.NextKeyMarker != ""
	return res, nil
}
