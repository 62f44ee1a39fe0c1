package oss

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/translate"
)

// uploadState is what the gateway keeps about an upload that OSS has no
// API for, in the object .babelgate/uploads/<hash of the upload ID>/state.
type uploadState struct {
	Key               string                      `json:"key"`
	Initiator         string                      `json:"initiator"`
	Initiated         time.Time                   `json:"initiated"`
	Metadata          translate.Metadata          `json:"metadata"`
	ChecksumAlgorithm translate.ChecksumAlgorithm `json:"checksum_algorithm,omitempty"`
	ChecksumType      translate.ChecksumType      `json:"checksum_type,omitempty"`
}

func (s uploadState) info(bucket, id string) translate.UploadInfo {
	return translate.UploadInfo{Bucket: bucket, Key: s.Key, ID: id, Initiator: s.Initiator, Initiated: s.Initiated,
		Metadata: s.Metadata, ChecksumAlgorithm: s.ChecksumAlgorithm, ChecksumType: s.ChecksumType}
}

// uploadDir is where an upload's state lives; the store's upload ID is
// hashed so that no ID can shape the key.
func uploadDir(id string) string {
	sum := sha256.Sum256([]byte(id))
	return reservedPrefix + "uploads/" + hex.EncodeToString(sum[:16]) + "/"
}

// validUploadID rejects IDs no store hands out before they reach the
// store.
func validUploadID(bucket, id string) error {
	if id == "" || len(id) > 1024 || strings.ContainsAny(id, "\x00\r\n") {
		return &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket}
	}
	return nil
}

// putSmall stores a small in-memory object (state, records); being
// replayable, it is retried.
func (b *Backend) putSmall(ctx context.Context, bucket, key string, data []byte) error {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	return b.retry(ctx, func(ctx context.Context) error {
		var r io.Reader // nil, not an empty reader: see streamBody
		if len(data) > 0 {
			r = bytes.NewReader(data)
		}
		err := bk.PutObject(key, r, oss.WithContext(ctx), oss.ContentType("application/json"))
		return mapError(err, bucket, key)
	})
}

func (b *Backend) writeState(ctx context.Context, bucket, id string, st uploadState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return errf(err, "encoding upload state")
	}
	return b.putSmall(ctx, bucket, uploadDir(id)+"state", data)
}

// readState returns an upload's state; ErrNoSuchUpload when there is none.
func (b *Backend) readState(ctx context.Context, bucket, id string) (uploadState, error) {
	var st uploadState
	if err := validUploadID(bucket, id); err != nil {
		return st, err
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return st, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Err: err}
	}
	stateKey := uploadDir(id) + "state"
	var data []byte
	err = b.retry(ctx, func(ctx context.Context) error {
		r, err := bk.GetObject(stateKey, oss.WithContext(ctx))
		if err != nil {
			return mapError(err, bucket, stateKey)
		}
		defer r.Close()
		data, err = io.ReadAll(io.LimitReader(r, 1<<20))
		return mapError(err, bucket, stateKey)
	})
	if err != nil {
		if c := translate.CodeOf(err); c == translate.ErrNoSuchKey || c == translate.ErrNoSuchBucket {
			return st, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Err: err}
		}
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, errf(err, "decoding upload state %s", id)
	}
	return st, nil
}

// partRecord names an empty object that records a part's checksums:
// .babelgate/uploads/<id>/p<number>.<etag>.<base64url(json checksums)>,
// so one listing returns every part's record without reading objects.
func partRecord(id string, number int, etag string, sums translate.Checksums) (string, error) {
	data, err := json.Marshal(sums)
	if err != nil {
		return "", errf(err, "encoding part checksums")
	}
	return fmt.Sprintf("%sp%05d.%s.%s", uploadDir(id), number, etag, base64.RawURLEncoding.EncodeToString(data)), nil
}

func parsePartRecord(dir, key string) (number int, etag string, sums translate.Checksums, ok bool) {
	rest, found := strings.CutPrefix(key, dir+"p")
	parts := strings.SplitN(rest, ".", 3)
	if !found || len(parts) != 3 {
		return 0, "", nil, false
	}
	n, err := strconv.Atoi(parts[0])
	data, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || err2 != nil || json.Unmarshal(data, &sums) != nil {
		return 0, "", nil, false
	}
	return n, parts[1], sums, true
}

// partRecords returns the recorded checksums by part number and ETag.
func (b *Backend) partRecords(ctx context.Context, bucket, id string) (map[int]map[string]translate.Checksums, error) {
	dir := uploadDir(id)
	out := map[int]map[string]translate.Checksums{}
	err := b.eachKey(ctx, bucket, dir+"p", func(key string) {
		if n, etag, sums, ok := parsePartRecord(dir, key); ok {
			if out[n] == nil {
				out[n] = map[string]translate.Checksums{}
			}
			out[n][etag] = sums
		}
	})
	return out, err
}

// eachKey calls fn for every key with the prefix.
func (b *Backend) eachKey(ctx context.Context, bucket, prefix string, fn func(key string)) error {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	token := ""
	for {
		var res oss.ListObjectsResultV2
		err := b.retry(ctx, func(ctx context.Context) error {
			opts := []oss.Option{oss.Prefix(prefix), oss.MaxKeys(1000), oss.WithContext(ctx)}
			if token != "" {
				opts = append(opts, oss.ContinuationToken(token))
			}
			var err error
			res, err = bk.ListObjectsV2(opts...)
			return mapError(err, bucket, "")
		})
		if err != nil {
			return err
		}
		for _, o := range res.Objects {
			fn(o.Key)
		}
		if !res.IsTruncated || res.NextContinuationToken == "" {
			return nil
		}
		token = res.NextContinuationToken
	}
}

// deletePrefix removes every object under prefix.
func (b *Backend) deletePrefix(ctx context.Context, bucket, prefix string) error {
	var keys []string
	if err := b.eachKey(ctx, bucket, prefix, func(k string) { keys = append(keys, k) }); err != nil {
		return err
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 1000)]
		err := b.retry(ctx, func(ctx context.Context) error {
			_, err := bk.DeleteObjects(batch, oss.DeleteObjectsQuiet(true), oss.WithContext(ctx))
			return mapError(err, bucket, "")
		})
		if err != nil {
			return err
		}
		keys = keys[len(batch):]
	}
	return nil
}

// clearState aborts the uploads in a bucket and removes the gateway's
// state, before the bucket is deleted (OSS refuses to delete a bucket
// with uploads in progress).
func (b *Backend) clearState(ctx context.Context, bucket string) error {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	uploads, err := b.storeUploads(ctx, bucket)
	if err != nil {
		return err
	}
	for _, u := range uploads {
		imur := oss.InitiateMultipartUploadResult{Bucket: bucket, Key: u.Key, UploadID: u.UploadID}
		err := b.retry(ctx, func(ctx context.Context) error {
			err := mapError(bk.AbortMultipartUpload(imur, oss.WithContext(ctx)), bucket, u.Key)
			if translate.CodeOf(err) == translate.ErrNoSuchUpload {
				return nil // completed or aborted meanwhile
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return b.deletePrefix(ctx, bucket, reservedPrefix)
}

// storeUploads lists every upload the store has in progress in a bucket.
func (b *Backend) storeUploads(ctx context.Context, bucket string) ([]oss.UncompletedUpload, error) {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return nil, err
	}
	var all []oss.UncompletedUpload
	keyMarker, idMarker := "", ""
	for {
		var res oss.ListMultipartUploadResult
		err := b.retry(ctx, func(ctx context.Context) error {
			opts := []oss.Option{oss.MaxUploads(1000), oss.WithContext(ctx)}
			if keyMarker != "" {
				opts = append(opts, oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker))
			}
			var err error
			res, err = bk.ListMultipartUploads(opts...)
			return mapError(err, bucket, "")
		})
		if err != nil {
			return nil, err
		}
		all = append(all, res.Uploads...)
		if !res.IsTruncated || res.NextKeyMarker == "" ||
			(res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == idMarker) {
			return all, nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}
