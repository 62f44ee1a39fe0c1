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
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

func unquote(etag *string) string { return strings.ToLower(strings.Trim(aws.ToString(etag), `"`)) }

// metaFromStore converts the store's description of an object.
func metaFromStore(ct, ce, cd, cl, cc, exp, redirect *string, user map[string]string, sc types.StorageClass, sse types.ServerSideEncryption) translate.Metadata {
	m := translate.Metadata{ContentType: aws.ToString(ct), ContentEncoding: aws.ToString(ce), ContentDisposition: aws.ToString(cd),
		ContentLanguage: aws.ToString(cl), CacheControl: aws.ToString(cc), Expires: aws.ToString(exp),
		WebsiteRedirectLocation: aws.ToString(redirect), StorageClass: string(sc), SSE: string(sse)}
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

func (d *driver) Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	out, err := d.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		return translate.ObjectInfo{}, err
	}
	info := translate.ObjectInfo{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: unquote(out.ETag),
		LastModified: aws.ToTime(out.LastModified),
		Metadata: metaFromStore(out.ContentType, out.ContentEncoding, out.ContentDisposition, out.ContentLanguage,
			out.CacheControl, out.ExpiresString, out.WebsiteRedirectLocation, out.Metadata, out.StorageClass, out.ServerSideEncryption),
		Checksum:     storeChecksums(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256),
		ChecksumType: translate.ChecksumType(out.ChecksumType)}
	return info, nil
}

// PartRange implements storekit.PartRanger with HEAD ?partNumber=n.
func (d *driver) PartRange(ctx context.Context, bucket, key string, n int) (*translate.Range, int, error) {
	out, err := d.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(int32(n))})
	if err != nil {
		return nil, 0, err
	}
	count := int(aws.ToInt32(out.PartsCount))
	if count == 0 { // MinIO leaves it out; the ETag says it
		if _, after, ok := strings.Cut(unquote(out.ETag), "-"); ok {
			count, _ = strconv.Atoi(after)
		}
	}
	if cr := aws.ToString(out.ContentRange); cr != "" {
		rng, _, err := storekit.ContentRange(cr)
		return &rng, count, err
	}
	return &translate.Range{Start: 0, Length: aws.ToInt64(out.ContentLength)}, max(1, count), nil
}

func (d *driver) Get(ctx context.Context, bucket, key string, rng *translate.Range) (io.ReadCloser, translate.ObjectInfo, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled}
	if rng != nil {
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", rng.Start, rng.Start+rng.Length-1))
	}
	out, err := d.client.GetObject(ctx, in, noChecksumValidation)
	if err != nil {
		return nil, translate.ObjectInfo{}, err
	}
	info := translate.ObjectInfo{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: unquote(out.ETag), LastModified: aws.ToTime(out.LastModified),
		Metadata: metaFromStore(out.ContentType, out.ContentEncoding, out.ContentDisposition, out.ContentLanguage,
			out.CacheControl, out.ExpiresString, out.WebsiteRedirectLocation, out.Metadata, out.StorageClass, out.ServerSideEncryption),
		Checksum:     storeChecksums(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256),
		ChecksumType: translate.ChecksumType(out.ChecksumType)}
	if rng != nil {
		if _, info.Size, err = storekit.ContentRange(aws.ToString(out.ContentRange)); err != nil {
			out.Body.Close()
			return nil, info, err
		}
	}
	return out.Body, info, nil
}

// noChecksumValidation asks GetObject for the store's checksums
// (ChecksumMode) without the SDK re-hashing the body to check them: Get
// reports what Head does, at no cost per byte.
func noChecksumValidation(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		stack.Deserialize.Remove("AWSChecksum:ValidateOutputPayloadChecksum")
		return nil
	})
}

// sums sets the x-amz-checksum-* fields of an SDK input from the values
// storekit forwards.
func sums(c translate.Checksums, crc32, crc32c, crc64nvme, sha1, sha256 **string) {
	for a, p := range map[translate.ChecksumAlgorithm]**string{translate.CRC32: crc32, translate.CRC32C: crc32c,
		translate.CRC64NVME: crc64nvme, translate.SHA1: sha1, translate.SHA256: sha256} {
		if v := c[a]; v != "" {
			*p = aws.String(v)
		}
	}
}

func md5Header(m []byte) *string { return storekit.NonEmpty(base64.StdEncoding.EncodeToString(m)) }

// condHeaders returns the If-None-Match and If-Match values for cond, in
// the store's terms; nil when not asked.
func condHeaders(cond translate.WriteCond) (ifNoneMatch, ifMatch *string) {
	if cond.IfAbsent {
		ifNoneMatch = aws.String("*")
	}
	if cond.IfMatch != "" {
		ifMatch = aws.String(`"` + cond.IfMatch + `"`)
	}
	return ifNoneMatch, ifMatch
}

func (d *driver) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, o storekit.PutOptions) (string, error) {
	m := o.Metadata
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body,
		ContentLength: aws.Int64(size), ContentMD5: md5Header(o.ContentMD5), Metadata: m.User, Expires: expires(m), WebsiteRedirectLocation: storekit.NonEmpty(m.WebsiteRedirectLocation)}
	in.IfNoneMatch, in.IfMatch = condHeaders(o.Cond)
	setMeta(m, &in.ContentType, &in.ContentEncoding, &in.ContentDisposition, &in.ContentLanguage, &in.CacheControl)
	sums(o.Checksums, &in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256)
	out, err := d.client.PutObject(ctx, in, streaming)
	if err != nil {
		return "", err
	}
	return unquote(out.ETag), nil
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

// setMeta sets an SDK input's content headers from m.
func setMeta(m translate.Metadata, ct, ce, cd, cl, cc **string) {
	*ct, *ce, *cd, *cl, *cc = storekit.NonEmpty(m.ContentType), storekit.NonEmpty(m.ContentEncoding),
		storekit.NonEmpty(m.ContentDisposition), storekit.NonEmpty(m.ContentLanguage), storekit.NonEmpty(m.CacheControl)
}

func (d *driver) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, o storekit.PutOptions) (string, error) {
	in := copyInput(srcBucket, srcKey, dstBucket, dstKey, o.Metadata)
	in.IfNoneMatch, in.IfMatch = condHeaders(o.Cond)
	out, err := d.client.CopyObject(ctx, in)
	if err != nil || out.CopyObjectResult == nil {
		return "", err
	}
	return unquote(out.CopyObjectResult.ETag), nil
}

// copyInput copies srcKey of srcBucket to dstKey of dstBucket with m
// replacing the source's metadata.
func copyInput(srcBucket, srcKey, dstBucket, dstKey string, m translate.Metadata) *s3.CopyObjectInput {
	in := &s3.CopyObjectInput{Bucket: aws.String(dstBucket), Key: aws.String(dstKey),
		CopySource: aws.String(copySource(srcBucket, srcKey)), MetadataDirective: types.MetadataDirectiveReplace, Metadata: m.User,
		Expires: expires(m), WebsiteRedirectLocation: storekit.NonEmpty(m.WebsiteRedirectLocation)}
	setMeta(m, &in.ContentType, &in.ContentEncoding, &in.ContentDisposition, &in.ContentLanguage, &in.CacheControl)
	return in
}

// copySource is the x-amz-copy-source value for an object.
func copySource(bucket, key string) string {
	return bucket + "/" + strings.ReplaceAll(url.PathEscape(key), "%2F", "/")
}

// Delete uses DeleteObject for one key and DeleteObjects for more; a key
// DeleteObjects reports it could not delete is an error.
func (d *driver) Delete(ctx context.Context, bucket string, keys []string) error {
	if len(keys) == 1 {
		_, err := d.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(keys[0])})
		return err
	}
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	out, err := d.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	if err == nil && len(out.Errors) > 0 {
		e := out.Errors[0]
		err = fmt.Errorf("s3 backend: deleting %s: %s: %s", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
	}
	return err
}
