package oss

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/translate"
)

// ListObjects implements translate.Backend on the store's ListObjectsV2,
// hiding the reserved prefix and applying the neutral After rule (a common
// prefix <= After is skipped with every key under it) that start-after
// does not: it pages the store until the page is full.
func (b *Backend) ListObjects(ctx context.Context, bucket string, q translate.ListQuery) (translate.ListPage, error) {
	var page translate.ListPage
	if q.MaxKeys == 0 {
		_, err := b.HeadBucket(ctx, bucket)
		return page, err
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return page, err
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
	startAfter := q.After
	for {
		var res oss.ListObjectsResultV2
		err := b.retry(ctx, func(ctx context.Context) error {
			opts := []oss.Option{oss.MaxKeys(min(q.MaxKeys+1, 1000)), oss.WithContext(ctx)}
			if q.Prefix != "" {
				opts = append(opts, oss.Prefix(q.Prefix))
			}
			if q.Delimiter != "" {
				opts = append(opts, oss.Delimiter(q.Delimiter))
			}
			if startAfter != "" {
				opts = append(opts, oss.StartAfter(startAfter))
			}
			var err error
			res, err = bk.ListObjectsV2(opts...)
			return mapError(err, bucket, "")
		})
		if err != nil {
			return translate.ListPage{}, err
		}
		// Merge keys and common prefixes in order, remembering the last
		// entry the store returned: the next store page starts after it.
		objs, cps := res.Objects, res.CommonPrefixes
		last, lastIsPrefix := "", false
		for len(objs) > 0 || len(cps) > 0 {
			var ok bool
			if len(cps) == 0 || (len(objs) > 0 && objs[0].Key < cps[0]) {
				o := objs[0]
				objs = objs[1:]
				last, lastIsPrefix = o.Key, false
				ok = add(last, false, translate.ObjectInfo{Key: last, Size: o.Size, ETag: unquote(o.ETag),
					LastModified: o.LastModified, Metadata: translate.Metadata{StorageClass: s3StorageClass(o.StorageClass)}})
			} else {
				last, lastIsPrefix = cps[0], true
				cps = cps[1:]
				ok = add(last, true, translate.ObjectInfo{})
			}
			if !ok {
				return page, nil
			}
		}
		if !res.IsTruncated {
			page.Truncated = false
			return page, nil
		}
		// Paging by start-after rather than by continuation token keeps
		// one rule for common prefixes: after one, start past everything
		// under it.
		next := last
		if lastIsPrefix {
			next += string(utf8.MaxRune)
		}
		if next == "" || next <= startAfter {
			return translate.ListPage{}, errf(nil, "listing %s made no progress after %q", bucket, next)
		}
		startAfter = next
	}
}

// ListMultipartUploads implements translate.Backend. The gateway lists the
// store's uploads whole and applies the neutral query itself (the neutral
// upload-ID marker is the store's own ID, and uploads started outside the
// gateway, or under the reserved prefix, are left out), reading each listed
// upload's state.
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string, q translate.UploadsQuery) (translate.UploadsPage, error) {
	type upload struct {
		key, id   string
		initiated time.Time
	}
	stored, err := b.storeUploads(ctx, bucket)
	if err != nil {
		return translate.UploadsPage{}, err
	}
	var all []upload
	for _, u := range stored {
		if strings.HasPrefix(u.Key, q.Prefix) && !strings.HasPrefix(u.Key, reservedPrefix) {
			all = append(all, upload{u.Key, u.UploadID, u.Initiated})
		}
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
			if translate.CodeOf(err) == translate.ErrNoSuchUpload {
				continue // not started through the gateway, or just completed
			}
			return translate.UploadsPage{}, err
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
