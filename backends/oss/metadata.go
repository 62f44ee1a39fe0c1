package oss

import (
	"context"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/translate"
)

// metadataUpdateMaxSize bounds the objects whose metadata the kit updates
// (storekit.Abilities.MetadataUpdateMaxSize): OSS documents the copy onto
// itself as a copy, not a metadata-only change, so its cost grows with
// the object while the client waits; above 128 KiB an annex is cheaper,
// as on S3 stores (backends/s3).
const metadataUpdateMaxSize = 128 << 10

// UpdateMetadata implements storekit.MetadataUpdater as OSS documents it:
// "OSS does not support modifying object metadata in place ... copy the
// object to itself" with x-oss-metadata-directive: REPLACE
// (https://www.alibabacloud.com/help/en/oss/developer-reference/modify-object-metadata),
// under x-oss-copy-source-if-match: the store's ETag (CopyObject: 412
// PreconditionFailed otherwise), so that an object written over it
// meanwhile is left alone. OSS ETags are uppercase hex.
func (d *driver) UpdateMetadata(ctx context.Context, bucket, key, storeETag string, m translate.Metadata) error {
	opts := append(metaOptions(m), oss.MetadataDirective(oss.MetaReplace),
		oss.CopySourceIfMatch(`"`+strings.ToUpper(storeETag)+`"`), oss.WithContext(ctx))
	_, err := d.bucket(bucket).CopyObject(key, key, opts...)
	return err
}
