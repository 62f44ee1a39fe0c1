package s3

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/translate"
)

// ListObjects implements translate.Backend on the store's ListObjectsV2,
// hiding the reserved prefix and applying the neutral After rule (a common
// prefix <= After is skipped with every key under it) that S3's start-after
// does not: it pages the store until the page is full.
func (b *Backend) ListObjects(ctx context.Context, bucket string, q translate.ListQuery) (translate.ListPage, error) {
	var page translate.ListPage
	if q.MaxKeys == 0 {
		if _, err := b.HeadBucket(ctx, bucket); err != nil {
			return page, err
		}
		return page, nil
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(int32(min(q.MaxKeys+1, 1000)))}
	if q.Prefix != "" {
		in.Prefix = aws.String(q.Prefix)
	}
	if q.Delimiter != "" {
		in.Delimiter = aws.String(q.Delimiter)
	}
	if q.After != "" {
		in.StartAfter = aws.String(q.After)
	}
	count := 0
	add := func(key string, isPrefix bool, info translate.ObjectInfo) bool {
		// Entries come in ascending order, so one <= the last emitted is a
		// common prefix the store repeated across its pages.
		if key <= q.After || (page.Next != "" && key <= page.Next) || strings.HasPrefix(key, reservedPrefix) ||
			(q.Delimiter != "" && isPrefix && strings.HasPrefix(q.After, key)) {
			return true
		}
		if count == q.MaxKeys {
			page.Truncated = true
			return false
		}
		count++
		page.Next = key
		if isPrefix {
			page.CommonPrefixes = append(page.CommonPrefixes, key)
		} else {
			page.Objects = append(page.Objects, info)
		}
		return true
	}
	for {
		cctx, cancel := b.timeout(ctx)
		out, err := b.client.ListObjectsV2(cctx, in)
		cancel()
		if err != nil {
			return translate.ListPage{}, mapError(err, bucket, "")
		}
		// Merge keys and common prefixes in order, remembering the last
		// entry the store returned: the next store page starts after it.
		objs, cps := out.Contents, out.CommonPrefixes
		last, lastIsPrefix := "", false
		for len(objs) > 0 || len(cps) > 0 {
			var ok bool
			if len(cps) == 0 || (len(objs) > 0 && aws.ToString(objs[0].Key) < aws.ToString(cps[0].Prefix)) {
				o := objs[0]
				objs = objs[1:]
				last, lastIsPrefix = aws.ToString(o.Key), false
				ok = add(last, false, translate.ObjectInfo{Key: last, Size: aws.ToInt64(o.Size),
					ETag: unquote(o.ETag), LastModified: aws.ToTime(o.LastModified)})
			} else {
				last, lastIsPrefix = aws.ToString(cps[0].Prefix), true
				cps = cps[1:]
				ok = add(last, true, translate.ObjectInfo{})
			}
			if !ok {
				return page, nil
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			page.Truncated = false
			return page, nil
		}
		// Paging by start-after rather than by continuation token: stores
		// differ in how their tokens treat common prefixes (MinIO repeats
		// them). After a common prefix, start past everything under it.
		next := last
		if lastIsPrefix {
			next += string(utf8.MaxRune)
		}
		if next == "" || (in.StartAfter != nil && next <= *in.StartAfter) {
			return translate.ListPage{}, errf(nil, "listing %s made no progress after %q", bucket, next)
		}
		in.StartAfter = aws.String(next)
	}
}

// ListMultipartUploads implements translate.Backend. Stores differ in how
// much of ListMultipartUploads they implement (MinIO ignores prefix,
// delimiter and markers), so the gateway lists the store's uploads whole and
// applies the neutral query itself, reading each listed upload's state.
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string, q translate.UploadsQuery) (translate.UploadsPage, error) {
	type upload struct {
		key, id   string
		initiated time.Time
	}
	var all []upload
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)}
	for {
		cctx, cancel := b.timeout(ctx)
		out, err := b.client.ListMultipartUploads(cctx, in)
		cancel()
		if err != nil {
			return translate.UploadsPage{}, mapError(err, bucket, "")
		}
		for _, u := range out.Uploads {
			key := aws.ToString(u.Key)
			if strings.HasPrefix(key, q.Prefix) && !strings.HasPrefix(key, reservedPrefix) {
				all = append(all, upload{key, aws.ToString(u.UploadId), aws.ToTime(u.Initiated)})
			}
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextKeyMarker) == "" {
			break
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].key != all[j].key {
			return all[i].key < all[j].key
		}
		return all[i].initiated.Before(all[j].initiated)
	})
	var page translate.UploadsPage
	seenAfterID := q.IDAfter == ""
	lastPrefix := ""
	for _, u := range all {
		if q.KeyAfter != "" {
			if u.key < q.KeyAfter || (u.key == q.KeyAfter && q.IDAfter == "") {
				continue
			}
			if u.key == q.KeyAfter && !seenAfterID {
				seenAfterID = u.id == q.IDAfter
				continue
			}
		}
		if q.Delimiter != "" {
			if i := strings.Index(u.key[len(q.Prefix):], q.Delimiter); i >= 0 {
				cp := u.key[:len(q.Prefix)+i+len(q.Delimiter)]
				if cp == lastPrefix || (q.KeyAfter != "" && cp <= q.KeyAfter) {
					continue
				}
				if len(page.Uploads)+len(page.CommonPrefixes) == q.MaxUploads {
					page.Truncated = true
					break
				}
				page.CommonPrefixes = append(page.CommonPrefixes, cp)
				lastPrefix = cp
				continue
			}
		}
		st, err := b.readState(ctx, bucket, u.id)
		if err != nil {
			continue // not started through the gateway, or just completed
		}
		if len(page.Uploads)+len(page.CommonPrefixes) == q.MaxUploads {
			page.Truncated = true
			break
		}
		info := st.info(bucket, u.id)
		if info.Initiated.IsZero() {
			info.Initiated = u.initiated
		}
		page.Uploads = append(page.Uploads, info)
	}
	return page, nil
}
