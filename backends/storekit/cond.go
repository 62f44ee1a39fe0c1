package storekit

import (
	"context"

	"github.com/babelgate/babelgate/translate"
)

// StoreCond turns a client's write condition into the store's. IfAbsent
// means the same on the store. IfMatch names the ETag the client was
// given, which for an object with an annex is not the store's: it is
// checked here against the object as the client sees it, and the result
// asks the store for the store ETag seen at that moment, so that a store
// that evaluates conditions at its commit still refuses a write that
// raced with another (a store that cannot is check-then-write; see the
// backend). A failed check returns cond's error for bucket and key.
func (s *Stager) StoreCond(ctx context.Context, bucket, key string, cond translate.WriteCond) (translate.WriteCond, error) {
	if cond.IfMatch == "" {
		return cond, nil
	}
	info, err := s.Store.Head(ctx, bucket, key)
	exists := true
	switch translate.CodeOf(err) {
	case 0:
	case translate.ErrNoSuchKey:
		exists = false
	default:
		return translate.WriteCond{}, err
	}
	storeETag := info.ETag
	if exists {
		if err := s.ApplyKept(ctx, bucket, &info); err != nil {
			return translate.WriteCond{}, err
		}
	}
	if err := cond.Check(exists, info.ETag); err != nil {
		te := translate.AsError(err)
		te.Bucket, te.Key = bucket, key
		return translate.WriteCond{}, te
	}
	return translate.WriteCond{IfAbsent: cond.IfAbsent, IfMatch: storeETag}, nil
}

// CondError is a store's refusal of a conditional write in neutral terms:
// a store's 412 to If-None-Match: * is ErrObjectExists (the key holds an
// object), to If-Match ErrPreconditionFailed, each naming its header as
// WriteCond.Check does. Other errors pass through.
func CondError(err error, cond translate.WriteCond) error {
	if cond.IsZero() || translate.CodeOf(err) != translate.ErrPreconditionFailed {
		return err
	}
	te := translate.AsError(err)
	te.Message = ""
	if cond.IfAbsent {
		te.Code = translate.ErrObjectExists
		te.Extra = map[string]string{"Condition": "If-None-Match"}
	} else {
		te.Extra = map[string]string{"Condition": "If-Match"}
	}
	return te
}

// storeCond is StoreCond for a write the store evaluates as can says: the
// parts of the condition the store does not evaluate itself are checked
// here first (check-then-write: a write of the key between the check and
// the write is not seen). IfMatch is always checked first by StoreCond.
func (b *Backend) storeCond(ctx context.Context, bucket, key string, cond translate.WriteCond, can CondAbility) (translate.WriteCond, error) {
	sc, err := b.stager.StoreCond(ctx, bucket, key, cond)
	if err != nil || !sc.IfAbsent || can.IfAbsent {
		return sc, err
	}
	_, err = b.storeHead(ctx, bucket, key)
	switch translate.CodeOf(err) {
	case 0:
		return sc, &translate.Error{Code: translate.ErrObjectExists, Bucket: bucket, Key: key,
			Extra: map[string]string{"Condition": "If-None-Match"}}
	case translate.ErrNoSuchKey:
		return sc, nil
	default:
		return sc, err
	}
}

// PutObjectIf implements translate.ConditionalWriter.
func (b *Backend) PutObjectIf(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if err := b.checkWrite(bucket, key, meta); err != nil {
		return translate.ObjectInfo{}, err
	}
	sc, err := b.storeCond(ctx, bucket, key, cond, b.ab.CondPut)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	info, err := b.put(ctx, bucket, key, body, meta, sc)
	return info, CondError(err, sc)
}

// CopyObjectIf implements translate.ConditionalWriter.
func (b *Backend) CopyObjectIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if err := b.checkWrite(dstBucket, dstKey, meta); err != nil {
		return translate.ObjectInfo{}, err
	}
	sc, err := b.storeCond(ctx, dstBucket, dstKey, cond, b.ab.CondCopy)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	info, err := b.copy(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, sc)
	return info, CondError(err, sc)
}
