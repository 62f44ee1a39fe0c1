package storekit

import (
	"context"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// checkWrite is the guard of every write path: a client key under the
// reserved prefix is ErrAccessDenied, a key the driver refuses
// (KeyChecker) its error, user metadata over the store's limit
// ErrMetadataTooLarge.
func (b *Backend) checkWrite(bucket, key string, meta translate.Metadata) error {
	if err := CheckKey(bucket, key); err != nil {
		return err
	}
	if b.keys != nil {
		if err := b.keys.CheckKey(bucket, key); err != nil {
			return err
		}
	}
	if b.ab.MaxMetadataSize > 0 {
		n := 0
		for k, v := range meta.User {
			n += len(k) + len(v)
		}
		if n > b.ab.MaxMetadataSize {
			return &translate.Error{Code: translate.ErrMetadataTooLarge, Bucket: bucket, Key: key,
				Message: "Your metadata headers exceed the maximum allowed metadata size."}
		}
	}
	return nil
}

// noSuchKey is what a read of a reserved key gets: the key does not exist
// for clients.
func noSuchKey(bucket, key string) error {
	return &translate.Error{Code: translate.ErrNoSuchKey, Bucket: bucket, Key: key}
}

// HeadObject implements translate.Backend: the store's description with
// what the kit keeps applied (Stager.ApplyKept): one store call unless the
// object's entry says an annex may exist, or it has none.
func (b *Backend) HeadObject(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	if Reserved(key) {
		return translate.ObjectInfo{}, noSuchKey(bucket, key)
	}
	info, err := b.storeHead(ctx, bucket, key)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if err := b.stager.ApplyKept(ctx, bucket, &info); err != nil {
		return translate.ObjectInfo{}, err
	}
	return info, nil
}

// GetObject implements translate.Backend.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, rng *translate.Range) (*translate.Object, error) {
	if Reserved(key) {
		return nil, noSuchKey(bucket, key)
	}
	body, info, err := b.open(ctx, bucket, key, rng)
	if err != nil {
		return nil, err
	}
	info.Key = key
	if err := b.stager.ApplyKept(ctx, bucket, &info); err != nil {
		body.Close()
		return nil, err
	}
	return &translate.Object{Info: info, Range: rng, Body: body}, nil
}

// PutObject implements translate.Backend, streaming Body to the store.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata) (translate.ObjectInfo, error) {
	if err := b.checkWrite(bucket, key, meta); err != nil {
		return translate.ObjectInfo{}, err
	}
	return b.put(ctx, bucket, key, body, meta, translate.WriteCond{})
}

// forward returns the checksums of body the store takes and verifies: the
// values the client sent, of the algorithms the driver declared.
func (b *Backend) forward(body *translate.Body) translate.Checksums {
	var out translate.Checksums
	for a, v := range body.Expected() {
		if b.taken[a] {
			if out == nil {
				out = translate.Checksums{}
			}
			out[a] = v
		}
	}
	return out
}

// put streams body to key with cond (in the store's terms), never retried,
// then keeps the checksums the store does not keep itself: in the object's
// own metadata by a conditioned update when the driver can (see planPut),
// else in an annex.
func (b *Backend) put(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	b.storeETag(body)
	r, tb, err := streamBody(body)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	fwd := b.forward(body)
	plan, entry := b.planPut(body, meta, fwd)
	opts := PutOptions{Metadata: b.toStore(meta, entry), ContentMD5: body.ContentMD5(), Checksums: fwd, Cond: cond}
	storeETag, err := b.d.Put(ctx, bucket, key, r, body.Size(), opts)
	if err != nil {
		return translate.ObjectInfo{}, b.bodyError(tb, err, bucket, key)
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.ObjectInfo{}, b.errf(nil, "store accepted %s/%s before the body ended", bucket, key)
	}
	// The client is promised the MD5 ETag: the store's when it computed it
	// (storeETag), else the body's, whatever a store that encrypts says.
	info := translate.ObjectInfo{Key: key, Size: sums.Size, ETag: etagOf(sums, storeETag), LastModified: time.Now().UTC(),
		Metadata: meta.Clone(), Checksum: sums.Checksum}
	if len(sums.Checksum) > 0 {
		info.ChecksumType = translate.ChecksumFullObject
	}
	kept := func(a translate.ChecksumAlgorithm) bool { return b.computed[a] || opts.Checksums[a] != "" }
	if !Unkept(sums.Checksum, kept) {
		return info, nil
	}
	if plan == keepUpdate {
		err = b.keepAfterPut(ctx, bucket, key, storeETag, meta, info)
	} else {
		err = b.writeAnnex(ctx, bucket, key, storeETag, SingleAnnex(info, ""))
	}
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	return info, nil
}

// storeETag lets body skip MD5 when the store computes it from the same
// bytes (Abilities.MD5ETag).
func (b *Backend) storeETag(body *translate.Body) {
	if b.ab.MD5ETag {
		body.StoreETag()
	}
}

// etagOf is the client's ETag of a body the store accepted with storeETag:
// the body's MD5 if it computed one, else the store's.
func etagOf(sums translate.Sums, storeETag string) string {
	if sums.MD5 == nil {
		return normETag(storeETag)
	}
	return sums.ETag()
}

// writeAnnex writes a (whose StoreETag is set here) as key's annex, for an
// object the store holds with storeETag; "" asks the store.
func (b *Backend) writeAnnex(ctx context.Context, bucket, key, storeETag string, a Annex) error {
	if storeETag == "" {
		info, err := b.storeHead(ctx, bucket, key)
		if err != nil {
			return err
		}
		storeETag = info.ETag
	}
	a.StoreETag = normETag(storeETag)
	return b.putSmall(ctx, bucket, AnnexKey(key), a.Marshal())
}

// CopyObject implements translate.Backend with the store's server-side
// copy, or a copy streamed through the gateway when the store has none. A
// source with an annex gives the copy one too, so that it reports the
// client's ETag, checksums and part sizes as the source does.
func (b *Backend) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata) (translate.ObjectInfo, error) {
	if err := b.checkWrite(dstBucket, dstKey, meta); err != nil {
		return translate.ObjectInfo{}, err
	}
	return b.copy(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, translate.WriteCond{})
}

// copy is CopyObject with cond, in the store's terms.
func (b *Backend) copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if Reserved(srcKey) {
		return translate.ObjectInfo{}, noSuchKey(srcBucket, srcKey)
	}
	if !b.ab.Copy {
		return b.streamCopy(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, cond)
	}
	src, err := b.storeHead(ctx, srcBucket, srcKey)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	// The copy carries the source's entry; its annex, when it has one, is
	// copied after the copy (whose store ETag it names).
	k, hasEntry := TakeKept(&src.Metadata)
	var annex Annex
	hasAnnex := false
	if !hasEntry || k.Annex {
		if annex, hasAnnex, err = b.stager.AnnexFor(ctx, srcBucket, src); err != nil {
			return translate.ObjectInfo{}, err
		}
	}
	k.Annex = hasAnnex
	entry := b.entry(meta, k)
	err = b.do(ctx, srcBucket, srcKey, func(ctx context.Context) error {
		_, err := b.d.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey, PutOptions{Metadata: b.toStore(meta, entry), Cond: cond})
		return err
	})
	if err != nil {
		return translate.ObjectInfo{}, b.notFound(ctx, err, srcBucket)
	}
	if !hasAnnex && entry == "" && len(k.Checksums)+len(k.ETag) > 0 {
		// The entry's values do not fit beside the copy's metadata: an
		// annex keeps them.
		held := src
		k.Apply(&held)
		annex, hasAnnex = SingleAnnex(held, src.ETag), true
	}
	if hasAnnex {
		info, err := b.storeHead(ctx, dstBucket, dstKey)
		if err != nil {
			return translate.ObjectInfo{}, err
		}
		if a, ok := CopyAnnex(annex, info); ok {
			if err := b.putSmall(ctx, dstBucket, AnnexKey(dstKey), a.Marshal()); err != nil {
				return translate.ObjectInfo{}, err
			}
		}
	}
	return b.HeadObject(ctx, dstBucket, dstKey)
}

// streamCopy copies through the gateway: the source's bytes are put as
// the destination, which reports the source's ETag, checksums and part
// sizes from its entry or an annex.
func (b *Backend) streamCopy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	obj, err := b.GetObject(ctx, srcBucket, srcKey, nil)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	defer obj.Body.Close()
	src := obj.Info
	body, err := translate.NewBody(obj.Body, src.Size, translate.BodyOptions{})
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	r, tb, err := streamBody(body)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	// The copy reports the source's ETag and checksums, known before its
	// bytes: they go in the copy's entry, when they fit and the source
	// has no part layout to keep; else in an annex, as the entry says.
	entry := ""
	if len(src.PartSizes) == 0 && len(src.PartChecksums) == 0 {
		entry = b.entry(meta, Kept{ETag: src.ETag, Checksums: src.Checksum, ChecksumType: src.ChecksumType})
	}
	annex := entry == ""
	if annex {
		entry = b.entry(meta, Kept{Annex: true})
	}
	storeETag, err := b.d.Put(ctx, dstBucket, dstKey, r, src.Size, PutOptions{Metadata: b.toStore(meta, entry), Cond: cond})
	if err != nil {
		return translate.ObjectInfo{}, b.bodyError(tb, err, dstBucket, dstKey)
	}
	info := src
	info.Key, info.Metadata, info.LastModified = dstKey, meta.Clone(), time.Now().UTC()
	if annex {
		if err := b.writeAnnex(ctx, dstBucket, dstKey, storeETag, NewAnnex(info, "")); err != nil {
			return translate.ObjectInfo{}, err
		}
	}
	return info, nil
}

// DeleteObject implements translate.Backend. Deleting a reserved key
// succeeds and does nothing. The object's annex goes with it, best effort:
// a stale annex is inert (its store ETag no longer matches).
func (b *Backend) DeleteObject(ctx context.Context, bucket, key string) error {
	if _, err := b.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	if Reserved(key) {
		return nil
	}
	err := b.do(ctx, bucket, key, func(ctx context.Context) error { return b.d.Delete(ctx, bucket, []string{key}) })
	if err == nil {
		kitStore{b}.Delete(ctx, bucket, AnnexKey(key))
	}
	return err
}

// ListObjects implements translate.Backend: Lister over the driver's
// pages, with the prefix and delimiter the lister asks the store for. Objects assembled from staged parts are listed with the client's
// ETag, from their annex (ApplyListedAnnexes).
func (b *Backend) ListObjects(ctx context.Context, bucket string, q translate.ListQuery) (translate.ListPage, error) {
	if q.MaxKeys == 0 {
		_, err := b.HeadBucket(ctx, bucket)
		return translate.ListPage{}, err
	}
	l := NewLister(q)
	if b.ab.SlashDelimiterOnly && q.Delimiter != "" && q.Delimiter != "/" {
		l.GroupLocally()
	}
	token := ""
	for {
		req := ListRequest{Prefix: l.StorePrefix(), Delimiter: l.StoreDelimiter(), StartAfter: l.StartAfter(), Token: token, Max: l.PageSize()}
		var res ListResult
		err := b.do(ctx, bucket, "", func(ctx context.Context) (err error) {
			res, err = b.d.List(ctx, bucket, req)
			return err
		})
		if req.Prefix != "" && translate.CodeOf(err) == translate.ErrInvalidKey {
			// The store refuses the prefix as a name (MinIO: ".", "..")
			// where S3 takes it: the lister lists it from its place in
			// key order.
			l.PrefixRefused()
			token = ""
			continue
		}
		if err != nil {
			return translate.ListPage{}, err
		}
		done, err := l.Add(res.Objects, res.Prefixes, res.Truncated)
		if err != nil {
			return translate.ListPage{}, b.errf(err, "listing %s", bucket)
		}
		if done {
			page := l.Page()
			if err := ApplyListedAnnexes(ctx, page.Objects, func(ctx context.Context, key string) ([]byte, error) {
				return b.getSmall(ctx, bucket, key)
			}); err != nil {
				return translate.ListPage{}, err
			}
			return page, nil
		}
		token = ""
		if l.Resumed() {
			token = res.NextToken
		}
	}
}
