package azure

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"

	"github.com/babelgate/babelgate/translate"
)

// UpdateMetadata implements storekit.MetadataUpdater with Set Blob
// Metadata, which replaces a blob's metadata and leaves its content and
// properties (the Content-MD5 the driver's ETag is) as they are, under
// If-Match: the blob's Azure ETag, seen when its driver ETag was checked
// to be storeETag (access), so that a blob written over it meanwhile is
// left alone (412 ConditionNotMet).
// https://learn.microsoft.com/rest/api/storageservices/set-blob-metadata
func (d *Driver) UpdateMetadata(ctx context.Context, bucket, key, storeETag string, m translate.Metadata) error {
	b := d.blob(bucket, key)
	ac, err := d.access(ctx, b, bucket, key, translate.WriteCond{IfMatch: storeETag})
	if err != nil {
		return err
	}
	_, err = b.SetMetadata(ctx, metaMap.ToStore(m), &blob.SetMetadataOptions{AccessConditions: ac})
	return err
}
