package azure

import (
	"strings"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// CheckBucket implements storekit.BucketChecker: a bucket's container is
// ContainerPrefix and its name. Azure's container names
// are 3-63 lowercase letters, digits and single hyphens, beginning and
// ending with a letter or digit
// (https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata);
// S3 also allows dots and double hyphens. Those names are refused with
// InvalidBucketName rather than encoded: an encoding would have to take
// names from the same space and could collide with a bucket a client
// names directly.
func (d *Driver) CheckBucket(bucket string) error {
	name := d.opts.ContainerPrefix + bucket
	ok := len(name) >= 3 && len(name) <= 63 && !strings.Contains(name, "--") &&
		strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" &&
		name[0] != '-' && name[len(name)-1] != '-'
	if !ok {
		return &translate.Error{Code: translate.ErrInvalidBucketName, Bucket: bucket,
			Message: "The specified bucket is not valid on this backend: Azure container names take lowercase letters, digits and single hyphens only."}
	}
	return nil
}

// Metadata names: Azure's must be C# identifiers and are
// case-insensitive; user metadata names are encoded by metaMap
// (storekit.IdentMeta) with encodedMeta. metaExpires and metaRedirect hold
// Expires and the website redirect location, which Azure has no property
// for.
const (
	encodedMeta  = "bgx_"
	metaExpires  = "bgexpires"
	metaRedirect = "bgredirect"
	metaETag     = "bgetag" // a multipart object's ETag (see CommitBlocks)
)

// metaMap maps an object's metadata to the blob's: user metadata names
// Azure cannot hold are encoded.
var metaMap = storekit.MetaMap{Names: storekit.IdentMeta{Prefix: encodedMeta, Own: []string{metaExpires, metaRedirect, metaETag}},
	Expires: metaExpires, Redirect: metaRedirect}

// CheckKey implements storekit.KeyChecker: it refuses, with InvalidKey, a
// key Azure would store under another name: Azure takes '\' in a blob
// name for '/'.
func (d *Driver) CheckKey(bucket, key string) error {
	if strings.Contains(key, `\`) {
		return &translate.Error{Code: translate.ErrInvalidKey, Bucket: bucket, Key: key,
			Message: "Object keys with a backslash are not supported on this backend: Azure stores '\\' as '/'."}
	}
	return nil
}
