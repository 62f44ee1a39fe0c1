package s3

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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/babelgate/babelgate/translate"
)

// uploadState is what the gateway keeps about an upload that S3 has no API
// for, in the object .babelgate/uploads/<store upload ID>/state.
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

// validUploadID rejects IDs no store hands out, before they reach the
// store's URL parser.
func validUploadID(bucket, id string) error {
	bad := id == "" || len(id) > 1024 || strings.ContainsAny(id, "\x00\r\n") || strings.HasPrefix(id, "/")
	for _, seg := range strings.Split(id, "/") {
		bad = bad || seg == "." || seg == ".."
	}
	if bad {
		return &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket}
	}
	return nil
}

func (b *Backend) putSmall(ctx context.Context, bucket, key string, data []byte) error {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	return mapError(err, bucket, key)
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
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	stateKey := uploadDir(id) + "state"
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(stateKey)})
	if err != nil {
		err = mapError(err, bucket, stateKey)
		if c := translate.CodeOf(err); c == translate.ErrNoSuchKey || c == translate.ErrNoSuchBucket {
			return st, &translate.Error{Code: translate.ErrNoSuchUpload, Bucket: bucket, Err: err}
		}
		return st, err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return st, mapError(err, bucket, "")
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, errf(err, "decoding upload state %s", id)
	}
	return st, nil
}

// partRecord names an empty object that records a part's checksums:
// .babelgate/uploads/<id>/p<number>.<etag>.<base64url(json checksums)>,
// so one listing returns every part's record without reading objects.
func partRecord(id string, number int, etag string, sums translate.Checksums) string {
	data, _ := json.Marshal(sums)
	return fmt.Sprintf("%sp%05d.%s.%s", uploadDir(id), number, etag, base64.RawURLEncoding.EncodeToString(data))
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
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		cctx, cancel := b.timeout(ctx)
		out, err := b.client.ListObjectsV2(cctx, in)
		cancel()
		if err != nil {
			return mapError(err, bucket, "")
		}
		for _, o := range out.Contents {
			fn(aws.ToString(o.Key))
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// deletePrefix removes every object under prefix.
func (b *Backend) deletePrefix(ctx context.Context, bucket, prefix string) error {
	var keys []types.ObjectIdentifier
	if err := b.eachKey(ctx, bucket, prefix, func(k string) { keys = append(keys, types.ObjectIdentifier{Key: aws.String(k)}) }); err != nil {
		return err
	}
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		cctx, cancel := b.timeout(ctx)
		_, err := b.client.DeleteObjects(cctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: keys[:n], Quiet: aws.Bool(true)}})
		cancel()
		if err != nil {
			return mapError(err, bucket, "")
		}
		keys = keys[n:]
	}
	return nil
}

// clearState aborts the gateway's uploads in a bucket and removes their
// state, before the bucket is deleted.
func (b *Backend) clearState(ctx context.Context, bucket string) error {
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)}
	cctx, cancel := b.timeout(ctx)
	out, err := b.client.ListMultipartUploads(cctx, in)
	cancel()
	if err != nil {
		return mapError(err, bucket, "")
	}
	for _, u := range out.Uploads {
		cctx, cancel := b.timeout(ctx)
		b.client.AbortMultipartUpload(cctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
		cancel()
	}
	return b.deletePrefix(ctx, bucket, reservedPrefix)
}
