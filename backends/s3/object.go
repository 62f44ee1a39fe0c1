package s3

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

func unsignedPayload(stack *middleware.Stack) error {
	return v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware(stack)
}

func unquote(etag *string) string { return strings.ToLower(strings.Trim(aws.ToString(etag), `"`)) }

// metaFromStore converts the store's description of an object.
func metaFromStore(ct, ce, cd, cl, cc *string, exp *string, user map[string]string, sc types.StorageClass, sse types.ServerSideEncryption) translate.Metadata {
	m := translate.Metadata{ContentType: aws.ToString(ct), ContentEncoding: aws.ToString(ce), ContentDisposition: aws.ToString(cd),
		ContentLanguage: aws.ToString(cl), CacheControl: aws.ToString(cc), Expires: aws.ToString(exp),
		StorageClass: string(sc), SSE: string(sse)}
	if m.StorageClass == "STANDARD" {
		m.StorageClass = ""
	}
	if len(user) > 0 {
		m.User = make(map[string]string, len(user))
		for k, v := range user {
			m.User[strings.ToLower(k)] = v
		}
	}
	return m
}

func storeChecksums(crc32, crc32c, crc64, sha1, sha256 *string) translate.Checksums {
	c := translate.Checksums{}
	for a, v := range map[translate.ChecksumAlgorithm]*string{translate.CRC32: crc32, translate.CRC32C: crc32c,
		translate.CRC64NVME: crc64, translate.SHA1: sha1, translate.SHA256: sha256} {
		if s := aws.ToString(v); s != "" {
			c[a] = s
		}
	}
	return c
}

// HeadObject implements translate.Backend.
func (b *Backend) HeadObject(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	if err := storekit.CheckKey(bucket, key); err != nil {
		return translate.ObjectInfo{}, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: bucket, Key: key}
	}
	info, err := b.storeHead(ctx, bucket, key)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if err := b.stager().ReadAnnex(ctx, bucket, &info); err != nil {
		return translate.ObjectInfo{}, err
	}
	return info, nil
}

// storeHead describes key as the store holds it, no annex applied.
func (b *Backend) storeHead(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		return translate.ObjectInfo{}, b.notFound(ctx, mapError(err, bucket, key), bucket)
	}
	info := translate.ObjectInfo{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: unquote(out.ETag),
		LastModified: aws.ToTime(out.LastModified),
		Metadata: metaFromStore(out.ContentType, out.ContentEncoding, out.ContentDisposition, out.ContentLanguage,
			out.CacheControl, out.ExpiresString, out.Metadata, out.StorageClass, out.ServerSideEncryption),
		Checksum: storeChecksums(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256)}
	if len(info.Checksum) > 0 {
		info.ChecksumType = translate.ChecksumType(out.ChecksumType)
	}
	return info, nil
}

// notFound tells a missing bucket from a missing key after a HEAD, whose
// 404 has no body to say which.
func (b *Backend) notFound(ctx context.Context, err error, bucket string) error {
	if translate.CodeOf(err) != translate.ErrNoSuchKey {
		return err
	}
	if _, herr := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); herr != nil {
		if c := translate.CodeOf(mapError(herr, bucket, "")); c == translate.ErrNoSuchBucket {
			return &translate.Error{Code: translate.ErrNoSuchBucket, Bucket: bucket, Err: err}
		}
	}
	return err
}

// PartRange implements translate.PartLocator: the store knows its parts.
func (b *Backend) PartRange(ctx context.Context, bucket, key string, n int) (*translate.Range, int, error) {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(int32(n))})
	if err != nil {
		return nil, 0, mapError(err, bucket, key)
	}
	count := int(aws.ToInt32(out.PartsCount))
	if count == 0 { // MinIO leaves it out; the ETag says it
		if _, after, ok := strings.Cut(unquote(out.ETag), "-"); ok {
			count, _ = strconv.Atoi(after)
		}
	}
	var start, end, total int64
	if cr := aws.ToString(out.ContentRange); cr != "" {
		if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &start, &end, &total); err != nil {
			return nil, 0, errf(err, "parsing Content-Range %q", cr)
		}
		return &translate.Range{Start: start, Length: end - start + 1}, count, nil
	}
	return &translate.Range{Start: 0, Length: aws.ToInt64(out.ContentLength)}, max(1, count), nil
}

// GetObject implements translate.Backend.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, rng *translate.Range) (*translate.Object, error) {
	if err := storekit.CheckKey(bucket, key); err != nil {
		return nil, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: bucket, Key: key}
	}
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if rng != nil {
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", rng.Start, rng.Start+rng.Length-1))
	}
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		return nil, mapError(err, bucket, key)
	}
	size := aws.ToInt64(out.ContentLength)
	if rng != nil {
		var s, e int64
		if _, err := fmt.Sscanf(aws.ToString(out.ContentRange), "bytes %d-%d/%d", &s, &e, &size); err != nil {
			out.Body.Close()
			return nil, errf(err, "parsing Content-Range %q", aws.ToString(out.ContentRange))
		}
	}
	info := translate.ObjectInfo{Key: key, Size: size, ETag: unquote(out.ETag), LastModified: aws.ToTime(out.LastModified),
		Metadata: metaFromStore(out.ContentType, out.ContentEncoding, out.ContentDisposition, out.ContentLanguage,
			out.CacheControl, out.ExpiresString, out.Metadata, out.StorageClass, out.ServerSideEncryption)}
	if err := b.stager().ReadAnnex(ctx, bucket, &info); err != nil {
		out.Body.Close()
		return nil, err
	}
	return &translate.Object{Info: info, Range: rng, Body: out.Body}, nil
}

// putChecksums sets the checksum headers a store that verifies them
// should check; the body's own verification happens regardless.
func (b *Backend) putChecksums(body *translate.Body, f checksumFields) {
	if !b.opts.Checksums {
		return
	}
	dst := map[translate.ChecksumAlgorithm]**string{translate.CRC32: f.crc32, translate.CRC32C: f.crc32c,
		translate.CRC64NVME: f.crc64nvme, translate.SHA1: f.sha1, translate.SHA256: f.sha256}
	for a, v := range body.Expected() {
		if p, ok := dst[a]; ok {
			*p = aws.String(v)
		}
	}
}

// checksumFields point at an SDK input's x-amz-checksum-* fields.
type checksumFields struct{ crc32, crc32c, crc64nvme, sha1, sha256 **string }

func md5Header(body *translate.Body) *string {
	if m := body.ContentMD5(); m != nil {
		return aws.String(base64.StdEncoding.EncodeToString(m))
	}
	return nil
}

// PutObject implements translate.Backend, streaming Body to the store.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata) (translate.ObjectInfo, error) {
	if err := storekit.CheckKey(bucket, key); err != nil {
		return translate.ObjectInfo{}, err
	}
	return b.putObject(ctx, bucket, key, body, meta, translate.WriteCond{})
}

// putObject is PutObject with cond, in the store's terms, sent along.
func (b *Backend) putObject(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body,
		ContentLength: aws.Int64(body.Size()), ContentMD5: md5Header(body), Metadata: meta.User, Expires: expires(meta)}
	in.IfNoneMatch, in.IfMatch = condHeaders(cond)
	if body.Size() == 0 {
		// The SDK may not read an empty body at all; verify it first.
		if _, err := io.Copy(io.Discard, body); err != nil {
			return translate.ObjectInfo{}, err
		}
		in.Body = http.NoBody
	}
	setMeta(meta, &in.ContentType, &in.ContentEncoding, &in.ContentDisposition, &in.ContentLanguage, &in.CacheControl)
	b.putChecksums(body, checksumFields{&in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256})
	out, err := b.client.PutObject(ctx, in, streaming)
	if err != nil {
		return translate.ObjectInfo{}, mapError(err, bucket, key)
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.ObjectInfo{}, errf(nil, "store accepted %s/%s before the body ended", bucket, key)
	}
	// The client is promised the MD5 ETag, whatever a store that encrypts
	// says.
	info := translate.ObjectInfo{Key: key, Size: sums.Size, ETag: sums.ETag(), LastModified: time.Now().UTC(),
		Metadata: meta.Clone(), Checksum: sums.Checksum}
	if len(sums.Checksum) > 0 {
		info.ChecksumType = translate.ChecksumFullObject
	}
	// The store keeps only the checksums forwarded to it (putChecksums):
	// the others (CRC-64/ECMA always) go in an annex.
	expected := body.Expected()
	kept := func(a translate.ChecksumAlgorithm) bool {
		return b.opts.Checksums && a != translate.CRC64ECMA && expected[a] != ""
	}
	if storekit.Unkept(sums.Checksum, kept) {
		if err := b.writeAnnex(ctx, bucket, key, unquote(out.ETag), storekit.SingleAnnex(info, "")); err != nil {
			return translate.ObjectInfo{}, err
		}
	}
	return info, nil
}

// writeAnnex writes a (whose StoreETag is set here) as key's annex, for an
// object the store holds with storeETag; "" asks the store.
func (b *Backend) writeAnnex(ctx context.Context, bucket, key, storeETag string, a storekit.Annex) error {
	if storeETag == "" {
		info, err := b.storeHead(ctx, bucket, key)
		if err != nil {
			return err
		}
		storeETag = info.ETag
	}
	a.StoreETag = unquote(aws.String(storeETag))
	return b.putSmall(ctx, bucket, storekit.AnnexKey(key), a.Marshal())
}

// expires parses an Expires value for the SDK, which sends a time; an
// unparsable value (HTTP allows any string) is dropped.
func expires(m translate.Metadata) *time.Time {
	if m.Expires == "" {
		return nil
	}
	t, err := http.ParseTime(m.Expires)
	if err != nil {
		return nil
	}
	return &t
}

func setMeta(m translate.Metadata, ct, ce, cd, cl, cc **string) {
	for _, f := range []struct {
		dst **string
		v   string
	}{{ct, m.ContentType}, {ce, m.ContentEncoding}, {cd, m.ContentDisposition}, {cl, m.ContentLanguage}, {cc, m.CacheControl}} {
		if f.v != "" {
			*f.dst = aws.String(f.v)
		}
	}
}

// CopyObject implements translate.Backend with the store's server-side
// copy. A source assembled from staged parts has an annex: the copy gets
// one too (its key, and the store ETag and size the copy has, which for a
// multipart source is a new single-part ETag), and storestate's annex mark
// in its metadata, so that it reports the client's ETag, checksums and
// part sizes as the source does.
func (b *Backend) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata) (translate.ObjectInfo, error) {
	if err := storekit.CheckKey(dstBucket, dstKey); err != nil {
		return translate.ObjectInfo{}, err
	}
	return b.copyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, translate.WriteCond{})
}

// copyObject is CopyObject with cond, in the store's terms, sent along.
func (b *Backend) copyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	if storekit.Reserved(srcKey) {
		return translate.ObjectInfo{}, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: srcBucket, Key: srcKey}
	}
	annex, hasAnnex, err := b.stager().AnnexOf(ctx, srcBucket, srcKey)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	in := &s3.CopyObjectInput{Bucket: aws.String(dstBucket), Key: aws.String(dstKey),
		CopySource: aws.String(copySource(srcBucket, srcKey)), MetadataDirective: types.MetadataDirectiveReplace, Metadata: meta.User,
		Expires: expires(meta)}
	in.IfNoneMatch, in.IfMatch = condHeaders(cond)
	setMeta(meta, &in.ContentType, &in.ContentEncoding, &in.ContentDisposition, &in.ContentLanguage, &in.CacheControl)
	cctx, cancel := b.timeout(ctx)
	_, err = b.client.CopyObject(cctx, in)
	if err != nil {
		err = b.notFound(cctx, mapError(err, srcBucket, srcKey), srcBucket)
	}
	cancel()
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if hasAnnex {
		info, err := b.storeHead(ctx, dstBucket, dstKey)
		if err != nil {
			return translate.ObjectInfo{}, err
		}
		if a, ok := storekit.CopyAnnex(annex, info); ok {
			if err := b.putSmall(ctx, dstBucket, storekit.AnnexKey(dstKey), a.Marshal()); err != nil {
				return translate.ObjectInfo{}, err
			}
		}
	}
	return b.HeadObject(ctx, dstBucket, dstKey)
}

// copySource is the x-amz-copy-source value for an object.
func copySource(bucket, key string) string {
	return bucket + "/" + strings.ReplaceAll(url.PathEscape(key), "%2F", "/")
}

// DeleteObject implements translate.Backend.
func (b *Backend) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := storekit.CheckKey(bucket, key); err != nil {
		return nil
	}
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	if _, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return mapError(err, bucket, "")
	}
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		// Best effort: a stale annex is inert (its store ETag no longer
		// matches), so a failure here is harmless.
		b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(storekit.AnnexKey(key))})
	}
	return mapError(err, bucket, key)
}
