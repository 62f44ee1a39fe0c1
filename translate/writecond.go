package translate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// WriteCond is a precondition on the object a write would replace: S3's
// conditional writes (If-None-Match: * and If-Match: <etag> on PutObject,
// CopyObject and CompleteMultipartUpload) and OSS's
// x-oss-forbid-overwrite: true, which is IfAbsent. A backend evaluates it
// atomically with the write's commit, so of two conditional writers of one
// key exactly the conditions that held at the moment of each commit decide.
// The zero value is no condition.
type WriteCond struct {
	// IfAbsent requires that the key hold no object; otherwise the write
	// fails with ErrObjectExists.
	IfAbsent bool
	// IfMatch, when not empty, requires that the key hold an object with
	// this ETag (unquoted, lowercase); otherwise the write fails with
	// ErrPreconditionFailed, or ErrNoSuchKey when there is no object.
	IfMatch string
}

// IsZero reports whether c asks nothing.
func (c WriteCond) IsZero() bool { return c == WriteCond{} }

// Check evaluates c against the key's current object: exists reports
// whether there is one, etag is its ETag (unquoted). Backends call it at
// their commit point. The errors carry no message (each dialect's own
// wording applies) and name the failed header in Extra["Condition"], as
// S3's <Condition> element does.
func (c WriteCond) Check(exists bool, etag string) error {
	switch {
	case c.IfAbsent && exists:
		return &Error{Code: ErrObjectExists, Extra: map[string]string{"Condition": "If-None-Match"}}
	case c.IfMatch != "" && !exists:
		return &Error{Code: ErrNoSuchKey}
	case c.IfMatch != "" && !strings.EqualFold(strings.Trim(etag, `"`), c.IfMatch):
		return &Error{Code: ErrPreconditionFailed, Extra: map[string]string{"Condition": "If-Match"}}
	}
	return nil
}

// ParseWriteCond reads S3's conditional-write headers: ifNoneMatch may only
// be "*" and may not be combined with ifMatch (AWS answers both with
// NotImplemented; the conditional-writes guide: "If-None-Match ... Expects
// the '*' (asterisk) character"); ifMatch is one ETag, quoted or not.
func ParseWriteCond(ifMatch, ifNoneMatch string) (WriteCond, error) {
	ifMatch, ifNoneMatch = strings.TrimSpace(ifMatch), strings.TrimSpace(ifNoneMatch)
	notImpl := &Error{Code: ErrNotImplemented, Message: "A header you provided implies functionality that is not implemented."}
	switch {
	case ifNoneMatch != "" && ifMatch != "":
		return WriteCond{}, notImpl
	case ifNoneMatch != "" && ifNoneMatch != "*":
		return WriteCond{}, notImpl
	case ifNoneMatch == "*":
		return WriteCond{IfAbsent: true}, nil
	case ifMatch != "":
		return WriteCond{IfMatch: strings.ToLower(strings.Trim(ifMatch, `"`))}, nil
	}
	return WriteCond{}, nil
}

// ConditionalWriter is the Backend ability to evaluate a WriteCond
// atomically with PutObject and CopyObject (CompleteRequest carries its
// own). A Backend without it cannot take a conditional Put or Copy: the
// engine answers NotImplemented rather than check and write apart.
type ConditionalWriter interface {
	// PutObjectIf is PutObject that commits only if cond holds at the
	// commit; else it returns cond's error and leaves the key as it was.
	PutObjectIf(ctx context.Context, bucket, key string, body *Body, meta Metadata, cond WriteCond) (ObjectInfo, error)
	// CopyObjectIf is CopyObject under the same rule.
	CopyObjectIf(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta Metadata, cond WriteCond) (ObjectInfo, error)
}

// PutIf stores body through b, under cond when it is not zero.
func PutIf(ctx context.Context, b Backend, bucket, key string, body *Body, meta Metadata, cond WriteCond) (ObjectInfo, error) {
	if cond.IsZero() {
		return b.PutObject(ctx, bucket, key, body, meta)
	}
	cw, ok := b.(ConditionalWriter)
	if !ok {
		return ObjectInfo{}, Errorf(ErrNotImplemented, "Conditional writes are not implemented by this bucket's backend.")
	}
	return cw.PutObjectIf(ctx, bucket, key, body, meta, cond)
}

// precheck evaluates cond (when set) against key's object now, so that a
// PutObject whose condition already fails is refused before its body is
// read (a client that sent Expect: 100-continue then never sends it). It
// decides nothing for good: the backend evaluates cond again at its
// commit.
func precheck(ctx context.Context, b Backend, bucket, key string, cond WriteCond) error {
	if cond.IsZero() {
		return nil
	}
	info, err := b.HeadObject(ctx, bucket, key)
	exists := err == nil
	if err != nil && CodeOf(err) != ErrNoSuchKey {
		return withBucket(err, bucket, key)
	}
	return withBucket(cond.Check(exists, info.ETag), bucket, key)
}

// CopyIf copies through b, under cond when it is not zero.
func CopyIf(ctx context.Context, b Backend, srcBucket, srcKey, dstBucket, dstKey string, meta Metadata, cond WriteCond) (ObjectInfo, error) {
	if cond.IsZero() {
		return b.CopyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta)
	}
	cw, ok := b.(ConditionalWriter)
	if !ok {
		return ObjectInfo{}, Errorf(ErrNotImplemented, "Conditional writes are not implemented by this bucket's backend.")
	}
	return cw.CopyObjectIf(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, cond)
}

// CompleteRetryWindow is how long after a successful
// CompleteMultipartUpload the same request (same upload ID, same parts)
// is answered again with the object instead of NoSuchUpload, as AWS does
// for retries (AWS documents no period; MinIO's maintainers observed AWS
// answering completed upload IDs "only after few hours" with NoSuchUpload,
// minio/minio#2250). The proof travels with the object
// (ObjectInfo.CompletedBy), so any gateway instance answers the retry, and
// an overwrite ends it.
const CompleteRetryWindow = time.Hour

// completionDigest names one Complete request: the backend upload ID and
// the client's part list (numbers and ETags as the engine normalises
// them), or "all" for OSS's complete-all. It is what
// ObjectInfo.CompletedBy records.
func completionDigest(uploadID string, parts []ClientPart, all bool) string {
	h := sha256.New()
	h.Write([]byte(uploadID))
	h.Write([]byte{0})
	if all {
		h.Write([]byte("all"))
	}
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(p.Number) + ":" + strings.ToLower(strings.Trim(p.ETag, `" `)) + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
