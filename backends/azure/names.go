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
// case-insensitive; user metadata names are encoded by metaNames
// (storekit.IdentMeta) with encodedMeta. metaExpires and metaRedirect hold Expires and the
// website redirect location, which Azure has no property for.
const (
	encodedMeta  = "bgx_"
	metaExpires  = "bgexpires"
	metaRedirect = "bgredirect"
	metaETag     = "bgetag" // a multipart object's ETag (see CommitBlocks)
)

// metaNames encodes user metadata names Azure cannot hold.
var metaNames = storekit.IdentMeta{Prefix: encodedMeta, Own: []string{metaExpires, metaRedirect, metaETag}}

// metaValue is the value of the metadata entry name (any case), "" if none.
func metaValue(meta map[string]*string, name string) string {
	for k, v := range meta {
		if strings.EqualFold(k, name) && v != nil {
			return *v
		}
	}
	return ""
}

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

// toAzureMeta is the blob metadata for m: user metadata under Azure names,
// Expires and the website redirect location.
func toAzureMeta(m translate.Metadata) map[string]*string {
	out := make(map[string]*string, len(m.User)+1)
	for k, v := range m.User {
		v := v
		out[metaNames.Encode(strings.ToLower(k))] = &v
	}
	for name, v := range map[string]string{metaExpires: m.Expires, metaRedirect: m.WebsiteRedirectLocation} {
		if v != "" {
			out[name] = &v
		}
	}
	return out
}

// fromAzureMeta reads toAzureMeta's metadata back into m.
func fromAzureMeta(az map[string]*string, m *translate.Metadata) {
	for k, v := range az {
		if v == nil {
			continue
		}
		switch strings.ToLower(k) {
		case metaExpires:
			m.Expires = *v
			continue
		case metaRedirect:
			m.WebsiteRedirectLocation = *v
			continue
		}
		if n, ok := metaNames.Decode(k); ok {
			if m.User == nil {
				m.User = map[string]string{}
			}
			m.User[n] = *v
		}
	}
}
