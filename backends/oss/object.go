package oss

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// defaultContentType is what OSS gives an object stored without a type.
// The SDK would otherwise guess one from the key's extension, so the
// backend always sends a type.
const defaultContentType = "application/octet-stream"

// expectContinueOver is the body size from which writes ask the store to
// accept the request before the body is sent, so that a refused upload
// (NoSuchUpload, NoSuchBucket) is answered before megabytes travel.
const expectContinueOver = 1 << 20

// unquote returns an OSS ETag in the neutral form: unquoted lowercase hex
// (OSS sends uppercase).
func unquote(etag string) string { return strings.ToLower(strings.Trim(etag, `"`)) }

// storageClasses maps S3 spellings to OSS's; other classes are not sent.
var storageClasses = map[string]string{
	"STANDARD_IA": "IA", "GLACIER": "Archive", "DEEP_ARCHIVE": "ColdArchive",
}

// s3StorageClass returns the S3 spelling of an OSS storage class; Standard
// (the default) is "".
func s3StorageClass(sc string) string {
	for s3, o := range storageClasses {
		if strings.EqualFold(o, sc) {
			return s3
		}
	}
	return ""
}

// metaOptions returns the SDK options that store m with an object.
func metaOptions(m translate.Metadata) []oss.Option {
	ct := m.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	opts := []oss.Option{oss.ContentType(ct)}
	for _, h := range []struct{ name, v string }{
		{"Content-Encoding", m.ContentEncoding}, {"Content-Disposition", m.ContentDisposition},
		{"Content-Language", m.ContentLanguage}, {"Cache-Control", m.CacheControl}, {"Expires", m.Expires},
	} {
		if h.v != "" {
			opts = append(opts, oss.SetHeader(h.name, h.v))
		}
	}
	for k, v := range m.User {
		opts = append(opts, oss.Meta(k, v))
	}
	if sc, ok := storageClasses[m.StorageClass]; ok {
		opts = append(opts, oss.ObjectStorageClass(oss.StorageClassType(sc)))
	}
	return opts
}

// metaFromHeader reads an object's metadata from the store's response.
func metaFromHeader(h http.Header) translate.Metadata {
	m := translate.Metadata{ContentType: h.Get("Content-Type"), ContentEncoding: h.Get("Content-Encoding"),
		ContentDisposition: h.Get("Content-Disposition"), ContentLanguage: h.Get("Content-Language"),
		CacheControl: h.Get("Cache-Control"), Expires: h.Get("Expires"),
		StorageClass: s3StorageClass(h.Get(oss.HTTPHeaderOssStorageClass)),
		SSE:          h.Get(oss.HTTPHeaderOssServerSideEncryption)}
	for name, vs := range h {
		k, ok := cutPrefixFold(name, oss.HTTPHeaderOssMetaPrefix)
		if !ok || len(vs) == 0 {
			continue
		}
		if m.User == nil {
			m.User = map[string]string{}
		}
		m.User[strings.ToLower(k)] = vs[0]
	}
	return m
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// storeCRC64 returns the store's x-oss-hash-crc64ecma (a decimal uint64)
// in the neutral form: base64 of the big-endian value.
func storeCRC64(h http.Header) (string, bool) {
	v := h.Get(oss.HTTPHeaderOssCRC64)
	if v == "" {
		return "", false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return "", false
	}
	var raw [8]byte
	binary.BigEndian.PutUint64(raw[:], n)
	return translate.EncodeChecksum(raw[:]), true
}

// infoFromHeader describes an object from a HEAD or GET response.
func infoFromHeader(key string, h http.Header) translate.ObjectInfo {
	info := translate.ObjectInfo{Key: key, ETag: unquote(h.Get("ETag")), Metadata: metaFromHeader(h)}
	info.Size, _ = strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	info.LastModified, _ = http.ParseTime(h.Get("Last-Modified"))
	if crc, ok := storeCRC64(h); ok {
		// OSS's CRC-64 covers the whole object, multipart or not.
		info.Checksum = translate.Checksums{translate.CRC64ECMA: crc}
		info.ChecksumType = translate.ChecksumFullObject
	}
	return info
}

// HeadObject implements translate.Backend with GetObjectDetailedMeta.
func (b *Backend) HeadObject(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	if storekit.Reserved(key) {
		return translate.ObjectInfo{}, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: bucket, Key: key}
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	var h http.Header
	err = b.retry(ctx, func(ctx context.Context) error {
		var err error
		h, err = bk.GetObjectDetailedMeta(key, oss.WithContext(ctx))
		return mapError(err, bucket, key)
	})
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	info := infoFromHeader(key, h)
	if err := b.readAnnex(ctx, bk, bucket, &info); err != nil {
		return translate.ObjectInfo{}, err
	}
	return info, nil
}

// GetObject implements translate.Backend. Ranges are sent with
// x-oss-range-behavior: standard, so that OSS refuses an unsatisfiable
// range instead of silently returning the whole object.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, rng *translate.Range) (*translate.Object, error) {
	if storekit.Reserved(key) {
		return nil, &translate.Error{Code: translate.ErrNoSuchKey, Bucket: bucket, Key: key}
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return nil, err
	}
	opts := []oss.Option{oss.WithContext(ctx)}
	if rng != nil {
		opts = append(opts, oss.Range(rng.Start, rng.Start+rng.Length-1), oss.RangeBehavior("standard"))
	}
	// The body outlives this call, so only the wait for the response is
	// retried and bounded here; reading is bounded by the caller's context.
	var res *oss.GetObjectResult
	for attempt, delay := 0, 100*time.Millisecond; ; attempt, delay = attempt+1, min(2*delay, 2*time.Second) {
		res, err = bk.DoGetObject(&oss.GetObjectRequest{ObjectKey: key}, opts)
		err = mapError(err, bucket, key)
		if c := translate.CodeOf(err); err == nil || attempt >= b.opts.Retries ||
			(c != translate.ErrServiceUnavailable && c != translate.ErrSlowDown) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(delay):
		}
	}
	if err != nil {
		return nil, err
	}
	h := res.Response.Headers
	info := infoFromHeader(key, h)
	if rng != nil {
		var s, e int64
		if _, err := fmt.Sscanf(h.Get("Content-Range"), "bytes %d-%d/%d", &s, &e, &info.Size); err != nil {
			res.Response.Body.Close()
			return nil, errf(err, "parsing Content-Range %q", h.Get("Content-Range"))
		}
	}
	if err := b.readAnnex(ctx, bk, bucket, &info); err != nil {
		res.Response.Body.Close()
		return nil, err
	}
	return &translate.Object{Info: info, Range: rng, Body: res.Response.Body}, nil
}

// trackedBody remembers the first error a Body returned, so that when the
// store call fails because the client's body did, the body's own neutral
// error (BadDigest, IncompleteBody, ...) is returned rather than the
// transport's report of an aborted request.
type trackedBody struct {
	body *translate.Body
	err  error
}

func (t *trackedBody) Read(p []byte) (int, error) {
	n, err := t.body.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

// streamBody prepares a client body for the SDK: an io.LimitedReader of
// the declared size (the SDK then sets Content-Length and streams it), or
// for an empty body, the body verified up front and a nil reader: Go's
// transport sends an empty non-nil body chunked, without a length, which
// OSS refuses (MissingContentLength).
func streamBody(body *translate.Body) (io.Reader, *trackedBody, error) {
	t := &trackedBody{body: body}
	if body.Size() < 0 {
		return nil, nil, translate.Errorf(translate.ErrMissingContentLength, "the body has no declared length")
	}
	if body.Size() == 0 {
		if _, err := io.Copy(io.Discard, body); err != nil {
			return nil, nil, err
		}
		return nil, t, nil
	}
	return &io.LimitedReader{R: t, N: body.Size()}, t, nil
}

// writeOptions are the options of a streamed write: its length, the
// client's Content-MD5, and Expect: 100-continue for large bodies.
func writeOptions(ctx context.Context, body *translate.Body) []oss.Option {
	opts := []oss.Option{oss.WithContext(ctx), oss.ContentLength(body.Size())}
	if m := body.ContentMD5(); m != nil {
		opts = append(opts, oss.ContentMD5(base64.StdEncoding.EncodeToString(m)))
	}
	if body.Size() > expectContinueOver {
		opts = append(opts, oss.SetHeader("Expect", "100-continue"))
	}
	return opts
}

// bodyError returns the error of a streamed write: the body's own when
// it failed, else the mapped store error.
func bodyError(t *trackedBody, err error, bucket, key string) error {
	if t != nil && t.err != nil {
		return t.err
	}
	return mapError(err, bucket, key)
}

// finishedSums returns the body's digests once the store accepted it, and
// checks them against the CRC-64 the store computed when both are known.
func finishedSums(body *translate.Body, h http.Header, what string) (translate.Sums, error) {
	sums, ok := body.Sums()
	if !ok {
		return sums, errf(nil, "the store accepted %s before the body ended", what)
	}
	if store, ok := storeCRC64(h); ok {
		if mine, have := sums.Checksum[translate.CRC64ECMA]; have && mine != store {
			return sums, errf(nil, "the store's CRC-64 of %s is %s, the gateway computed %s", what, store, mine)
		}
	}
	return sums, nil
}

// PutObject implements translate.Backend, streaming Body to the store. It
// is never retried: the stream cannot be replayed.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata) (translate.ObjectInfo, error) {
	if err := storekit.CheckKey(bucket, key); err != nil {
		return translate.ObjectInfo{}, err
	}
	return b.putObject(ctx, bucket, key, body, meta, translate.WriteCond{})
}

// putObject is PutObject with cond, in the store's terms, sent along.
func (b *Backend) putObject(ctx context.Context, bucket, key string, body *translate.Body, meta translate.Metadata, cond translate.WriteCond) (translate.ObjectInfo, error) {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	r, tracked, err := streamBody(body)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	opts := append(append(metaOptions(meta), writeOptions(ctx, body)...), condOptions(cond)...)
	resp, err := bk.DoPutObject(&oss.PutObjectRequest{ObjectKey: key, Reader: r}, opts)
	if err != nil {
		return translate.ObjectInfo{}, bodyError(tracked, err, bucket, key)
	}
	resp.Body.Close()
	sums, err := finishedSums(body, resp.Headers, bucket+"/"+key)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	// The client is promised the MD5 ETag, whatever a store that encrypts
	// says.
	info := translate.ObjectInfo{Key: key, Size: sums.Size, ETag: sums.ETag(), LastModified: time.Now().UTC(),
		Metadata: meta.Clone(), Checksum: sums.Checksum}
	if len(sums.Checksum) > 0 {
		info.ChecksumType = translate.ChecksumFullObject
	}
	if storekit.Unkept(sums.Checksum, ossKeeps) {
		if err := b.writeAnnex(ctx, bk, bucket, key, unquote(resp.Headers.Get("ETag")), storekit.SingleAnnex(info, "")); err != nil {
			return translate.ObjectInfo{}, err
		}
	}
	return info, nil
}

// ossKeeps reports whether OSS keeps (and returns) a checksum of algorithm
// a itself: only CRC-64/ECMA. Objects with others have an annex.
func ossKeeps(a translate.ChecksumAlgorithm) bool { return a == translate.CRC64ECMA }

// writeAnnex writes a (whose StoreETag is set here) as key's annex, for an
// object the store holds with storeETag; "" asks the store.
func (b *Backend) writeAnnex(ctx context.Context, bk *oss.Bucket, bucket, key, storeETag string, a storekit.Annex) error {
	if storeETag == "" {
		info, err := b.storeHead(ctx, bk, bucket, key)
		if err != nil {
			return err
		}
		storeETag = info.ETag
	}
	a.StoreETag = unquote(storeETag)
	return b.putSmall(ctx, bucket, storekit.AnnexKey(key), a.Marshal())
}

// CopyObject implements translate.Backend with the store's server-side
// copy, replacing the metadata (x-oss-metadata-directive: REPLACE). A
// source assembled from staged parts has an annex: the copy gets one too
// (its key, and the store ETag and size the copy has), and storestate's
// annex mark in its metadata, so that it reports the client's ETag,
// checksums and part sizes as the source does.
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
	if _, err := b.bucket(srcBucket, false); err != nil {
		return translate.ObjectInfo{}, err
	}
	bk, err := b.bucket(dstBucket, false)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	annex, hasAnnex, err := b.stager().AnnexOf(ctx, srcBucket, srcKey)
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	err = b.retry(ctx, func(ctx context.Context) error {
		opts := append(append(metaOptions(meta), oss.MetadataDirective(oss.MetaReplace), oss.WithContext(ctx)), condOptions(cond)...)
		_, err := bk.CopyObjectFrom(srcBucket, srcKey, dstKey, opts...)
		return mapError(err, srcBucket, srcKey)
	})
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	if hasAnnex {
		info, err := b.storeHead(ctx, bk, dstBucket, dstKey)
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

// DeleteObject implements translate.Backend; OSS itself succeeds for a
// missing key and says NoSuchBucket for a missing bucket.
func (b *Backend) DeleteObject(ctx context.Context, bucket, key string) error {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	if storekit.Reserved(key) {
		return nil
	}
	err = b.retry(ctx, func(ctx context.Context) error {
		return mapError(bk.DeleteObject(key, oss.WithContext(ctx)), bucket, key)
	})
	if err == nil {
		// Best effort: a stale annex is inert (its store ETag no longer
		// matches), so a failure here is harmless.
		cctx, cancel := b.timeout(ctx)
		bk.DeleteObject(storekit.AnnexKey(key), oss.WithContext(cctx))
		cancel()
	}
	return err
}
