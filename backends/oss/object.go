package oss

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"strings"

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
		// http.Header keys are canonical: X-Oss-Meta-Name.
		k, ok := strings.CutPrefix(http.CanonicalHeaderKey(name), oss.HTTPHeaderOssMetaPrefix)
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

// Head uses GetObjectDetailedMeta.
func (d *driver) Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	h, err := d.bucket(bucket).GetObjectDetailedMeta(key, oss.WithContext(ctx))
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	return infoFromHeader(key, h), nil
}

// Get sends ranges with x-oss-range-behavior: standard, so that OSS
// refuses an unsatisfiable range instead of silently returning the whole
// object.
func (d *driver) Get(ctx context.Context, bucket, key string, rng *translate.Range) (io.ReadCloser, translate.ObjectInfo, error) {
	opts := []oss.Option{oss.WithContext(ctx)}
	if rng != nil {
		opts = append(opts, oss.Range(rng.Start, rng.Start+rng.Length-1), oss.RangeBehavior("standard"))
	}
	res, err := d.bucket(bucket).DoGetObject(&oss.GetObjectRequest{ObjectKey: key}, opts)
	if err != nil {
		return nil, translate.ObjectInfo{}, err
	}
	h := res.Response.Headers
	info := infoFromHeader(key, h)
	if rng != nil {
		if _, info.Size, err = storekit.ContentRange(h.Get("Content-Range")); err != nil {
			res.Response.Body.Close()
			return nil, info, err
		}
	}
	return res.Response.Body, info, nil
}

// bodyReader prepares a body for the SDK: an io.LimitedReader of the
// declared size (the one reader type whose length the SDK takes without
// buffering), or nil for an empty body: Go's transport sends an empty
// non-nil body chunked, without a length, which OSS refuses
// (MissingContentLength).
func bodyReader(body io.Reader, size int64) io.Reader {
	if size == 0 {
		return nil
	}
	return &io.LimitedReader{R: body, N: size}
}

// writeOptions are the options of a streamed write: its length, the
// client's Content-MD5, and Expect: 100-continue for large bodies.
func writeOptions(ctx context.Context, size int64, md5 []byte) []oss.Option {
	opts := []oss.Option{oss.WithContext(ctx), oss.ContentLength(size)}
	if md5 != nil {
		opts = append(opts, oss.ContentMD5(base64.StdEncoding.EncodeToString(md5)))
	}
	if size > expectContinueOver {
		opts = append(opts, oss.SetHeader("Expect", "100-continue"))
	}
	return opts
}

// condOptions are the OSS options that carry cond: x-oss-forbid-overwrite
// for IfAbsent; OSS has no If-Match on writes.
func condOptions(cond translate.WriteCond) []oss.Option {
	if cond.IfAbsent {
		return []oss.Option{oss.ForbidOverWrite(true)}
	}
	return nil
}

func (d *driver) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, o storekit.PutOptions) (string, error) {
	opts := append(append(metaOptions(o.Metadata), writeOptions(ctx, size, o.ContentMD5)...), condOptions(o.Cond)...)
	resp, err := d.bucket(bucket).DoPutObject(&oss.PutObjectRequest{ObjectKey: key, Reader: bodyReader(body, size)}, opts)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return unquote(resp.Headers.Get("ETag")), nil
}

// Copy replaces the metadata (x-oss-metadata-directive: REPLACE).
func (d *driver) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, o storekit.PutOptions) (string, error) {
	opts := append(append(metaOptions(o.Metadata), oss.MetadataDirective(oss.MetaReplace), oss.WithContext(ctx)), condOptions(o.Cond)...)
	res, err := d.bucket(dstBucket).CopyObjectFrom(srcBucket, srcKey, dstKey, opts...)
	return unquote(res.ETag), err
}

// Delete uses DeleteObject for one key (OSS succeeds for a missing key
// and says NoSuchBucket for a missing bucket), DeleteObjects for more.
func (d *driver) Delete(ctx context.Context, bucket string, keys []string) error {
	bk := d.bucket(bucket)
	if len(keys) == 1 {
		return bk.DeleteObject(keys[0], oss.WithContext(ctx))
	}
	_, err := bk.DeleteObjects(keys, oss.DeleteObjectsQuiet(true), oss.WithContext(ctx))
	return err
}

// List uses ListObjectsV2 paged by start-after.
func (d *driver) List(ctx context.Context, bucket string, req storekit.ListRequest) (storekit.ListResult, error) {
	opts := []oss.Option{oss.MaxKeys(req.Max), oss.WithContext(ctx)}
	if req.Prefix != "" {
		opts = append(opts, oss.Prefix(req.Prefix))
	}
	if req.Delimiter != "" {
		opts = append(opts, oss.Delimiter(req.Delimiter))
	}
	if req.StartAfter != "" {
		opts = append(opts, oss.StartAfter(req.StartAfter))
	}
	res, err := d.bucket(bucket).ListObjectsV2(opts...)
	if err != nil {
		return storekit.ListResult{}, err
	}
	out := storekit.ListResult{Prefixes: res.CommonPrefixes, Truncated: res.IsTruncated, Objects: make([]translate.ObjectInfo, len(res.Objects))}
	for i, o := range res.Objects {
		out.Objects[i] = translate.ObjectInfo{Key: o.Key, Size: o.Size, ETag: unquote(o.ETag),
			LastModified: o.LastModified, Metadata: translate.Metadata{StorageClass: s3StorageClass(o.StorageClass)}}
	}
	return out, nil
}
