package azure

import (
	"context"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/babelgate/babelgate/backends/storekit"
)

// StageBlock implements storekit.BlockStore with Put Block.
func (d *Driver) StageBlock(ctx context.Context, bucket, key, id string, body io.Reader, size int64, md5 []byte) error {
	o := &blockblob.StageBlockOptions{}
	if md5 != nil {
		o.TransactionalValidation = blob.TransferValidationTypeMD5(md5)
	}
	_, err := d.blob(bucket, key).StageBlock(ctx, id, &storekit.OnceSeeker{R: body, Size: size}, o)
	return err
}

// Blocks implements storekit.BlockStore with Get Block List.
func (d *Driver) Blocks(ctx context.Context, bucket, key string) ([]storekit.Block, error) {
	r, err := d.blob(bucket, key).GetBlockList(ctx, blockblob.BlockListTypeUncommitted, nil)
	if err != nil {
		return nil, err
	}
	blocks := make([]storekit.Block, 0, len(r.UncommittedBlocks))
	for _, blk := range r.UncommittedBlocks {
		blocks = append(blocks, storekit.Block{ID: val(blk.Name), Size: val(blk.Size)})
	}
	return blocks, nil
}

// CommitBlocks implements storekit.BlockStore with Put Block List. A
// multipart ETag is kept in the blob's metadata (metaETag), which
// objectETag reports.
func (d *Driver) CommitBlocks(ctx context.Context, bucket, key string, ids []string, opts storekit.PutOptions, etag string) (string, error) {
	b := d.blob(bucket, key)
	ac, err := d.access(ctx, b, bucket, key, opts.Cond)
	if err != nil {
		return "", err
	}
	h, meta := headers(opts.Metadata), metaMap.ToStore(opts.Metadata)
	h.BlobContentMD5 = opts.ContentMD5
	if etag != "" {
		meta[metaETag] = &etag
	}
	r, err := b.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{HTTPHeaders: h, Metadata: meta, AccessConditions: ac})
	if err != nil {
		return "", err
	}
	return objectETag(meta, h.BlobContentMD5, r.ETag), nil
}
