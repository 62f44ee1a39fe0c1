package storestate

// BucketDocKey is where a store backend keeps the bucket document name
// (translate.BucketDocs): .babelgate/bucket/<name>, under the reserved
// prefix, so listings hide it and DeleteBucket removes it with the rest of
// the gateway's state.
func BucketDocKey(name string) string { return Prefix + "bucket/" + name }
