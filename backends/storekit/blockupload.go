package storekit

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// BlockUploadsPrefix holds one empty marker object per multipart upload
// in progress on a BlockStore, named by the upload's ID: such a store
// has no list of uploads. The name is the one the Azure driver used for
// its own per-upload record blobs before the kit ran block uploads; the
// kit reads those records as markers (their metadata is no longer read:
// the upload's state holds the same), so uploads begun by earlier
// versions stay listed and complete.
const BlockUploadsPrefix = Prefix + "azure-uploads/"

// blockUploads is the Uploader the kit runs over a BlockStore: an
// upload is an ID (random hex) and its marker, a part is the blocks of
// its attempts (blocks.go), ListParts and Complete read the key's
// uncommitted blocks. The upload's state (state.go) is the kit's as for
// every store: the caller checks the upload against it.
type blockUploads struct {
	b *Backend
	g guarded
}

// CreateUpload implements Uploader: a fresh ID and its marker.
func (u blockUploads) CreateUpload(ctx context.Context, bucket, key string, opts PutOptions) (string, error) {
	id := randomHex(16)
	_, err := u.g.Put(ctx, bucket, BlockUploadsPrefix+id, http.NoBody, 0, PutOptions{})
	return id, err
}

// stageBlocks streams size bytes of body as the data blocks of part n's
// attempt att of upload id, blocks of at most max bytes (none for an
// empty part), and returns their IDs and the bytes' MD5. md5 (the
// client's Content-MD5) is sent when the part is one block.
func stageBlocks(ctx context.Context, bs BlockStore, max int64, bucket, key, id string, n int, att Attempt, body io.Reader, size int64, sum []byte) ([]string, []byte, error) {
	if (size+max-1)/max >= TagIndex {
		return nil, nil, &translate.Error{Code: translate.ErrEntityTooLarge, Bucket: bucket, Key: key,
			Message: "The part needs more blocks than the gateway numbers."}
	}
	h := md5.New()
	body = io.TeeReader(body, h)
	var ids []string
	for i := 0; size > 0; i++ {
		chunk := min(size, max)
		bid := BlockID(id, BlockRef{Part: n, Attempt: att, Index: i})
		var check []byte
		if i == 0 && chunk == size {
			check = sum
		}
		if err := bs.StageBlock(ctx, bucket, key, bid, io.LimitReader(body, chunk), chunk, check); err != nil {
			return nil, nil, err
		}
		ids = append(ids, bid)
		size -= chunk
	}
	return ids, h.Sum(nil), nil
}

// putBlocks stores an object larger than the largest block: its blocks,
// under an upload ID of their own, then one commit with the MD5 of the
// bytes (the store computes none for an object committed from blocks).
func putBlocks(ctx context.Context, g guarded, bucket, key string, body io.Reader, size int64, opts PutOptions) (string, error) {
	att := NewAttempt()
	ids, sum, err := stageBlocks(ctx, g.bs, g.maxBlockSize, bucket, key, "put-"+hex.EncodeToString(att[:]), 0, att, body, size, nil)
	if err != nil {
		return "", err
	}
	opts.ContentMD5 = sum
	return g.bs.CommitBlocks(ctx, bucket, key, ids, opts, "")
}

// UploadPart implements Uploader: the part's data blocks, staged on the
// destination key, then its tag block. Its store ETag is its MD5.
func (u blockUploads) UploadPart(ctx context.Context, bucket, key, id string, n int, body io.Reader, size int64, opts PutOptions) (string, error) {
	att := NewAttempt()
	_, sum, err := stageBlocks(ctx, u.g, u.b.ab.MaxBlockSize, bucket, key, id, n, att, body, size, opts.ContentMD5)
	if err != nil {
		return "", err
	}
	tag := BlockRef{Part: n, Attempt: att, Index: TagIndex}
	copy(tag.MD5[:], sum)
	err = u.b.do(ctx, bucket, key, func(ctx context.Context) error {
		return u.g.StageBlock(ctx, bucket, key, BlockID(id, tag), strings.NewReader("t"), 1, nil)
	})
	return hex.EncodeToString(sum), err
}

// CopyPart implements Uploader; never called (New refuses CopyPart for a
// BlockStore).
func (u blockUploads) CopyPart(ctx context.Context, bucket, key, id string, n int, srcKey string, size int64) (string, error) {
	return "", &translate.Error{Code: translate.ErrNotImplemented, Bucket: bucket, Key: key}
}

// latest reads upload id's parts from key's uncommitted blocks.
func (u blockUploads) latest(ctx context.Context, bucket, key, id string) (map[int]*BlockPart, error) {
	blocks, err := u.g.Blocks(ctx, bucket, key)
	if err := u.b.classify(err, bucket, key); translate.CodeOf(err) != translate.ErrNoSuchKey && err != nil {
		return nil, err
	}
	return LatestParts(id, blocks), nil
}

// ListParts implements Uploader from key's uncommitted blocks.
func (u blockUploads) ListParts(ctx context.Context, bucket, key, id string, after, max int) (PartsResult, error) {
	latest, err := u.latest(ctx, bucket, key, id)
	if err != nil {
		return PartsResult{}, err
	}
	return PartsPage(latest, after, max), nil
}

// CompleteUpload implements Uploader: one commit of the named parts'
// data blocks, with the upload's metadata and its S3-style ETag (the MD5
// of the parts' MD5s, "-", the part count), under opts.Cond. A part
// whose ETag is not its winning attempt's is InvalidPart; more blocks
// than Abilities.MaxBlocks is EntityTooLarge.
func (u blockUploads) CompleteUpload(ctx context.Context, bucket, key, id string, parts []Part, opts PutOptions) (string, error) {
	latest, err := u.latest(ctx, bucket, key, id)
	if err != nil {
		return "", err
	}
	var ids []string
	sums := md5.New()
	for _, p := range parts {
		bp := latest[p.Number]
		if bp == nil || bp.MD5 != p.ETag || slices.Contains(bp.IDs, "") {
			// Another upload of the key committed first, discarding these
			// blocks: a condition that now fails says so.
			if err := u.precheck(ctx, bucket, key, opts.Cond); err != nil {
				return "", err
			}
			return "", &translate.Error{Code: translate.ErrInvalidPart, Bucket: bucket, Key: key,
				Message: fmt.Sprintf("One or more of the specified parts could not be found (part %d).", p.Number)}
		}
		ids = append(ids, bp.IDs...)
		raw, _ := hex.DecodeString(bp.MD5)
		sums.Write(raw)
	}
	if len(ids) > u.b.ab.MaxBlocks {
		return "", &translate.Error{Code: translate.ErrEntityTooLarge, Bucket: bucket, Key: key,
			Message: fmt.Sprintf("The object would have %d blocks; the store allows %d.", len(ids), u.b.ab.MaxBlocks)}
	}
	etag, err := u.g.CommitBlocks(ctx, bucket, key, ids, opts, fmt.Sprintf("%x-%d", sums.Sum(nil), len(parts)))
	if err != nil {
		return "", err
	}
	// The object is complete; a marker left by a failure here lists an
	// upload whose state the kit removes, which is left out.
	u.g.Delete(ctx, bucket, []string{BlockUploadsPrefix + id})
	return etag, nil
}

// precheck evaluates cond against key's object as it is now.
func (u blockUploads) precheck(ctx context.Context, bucket, key string, cond translate.WriteCond) error {
	if cond.IsZero() {
		return nil
	}
	info, err := u.b.storeHead(ctx, bucket, key)
	if err != nil && translate.CodeOf(err) != translate.ErrNoSuchKey {
		return err
	}
	return cond.Check(err == nil, info.ETag)
}

// AbortUpload implements Uploader: the marker goes. The store's
// uncommitted blocks stay until it drops them (Azure: at the key's next
// commit, or after 7 days); they are never committed.
func (u blockUploads) AbortUpload(ctx context.Context, bucket, key, id string) error {
	return u.g.Delete(ctx, bucket, []string{BlockUploadsPrefix + id})
}

// ListUploads implements Uploader: every marker of bucket, in one page,
// described from its upload's state; a marker whose state is gone is
// left out. It bounds and retries its own calls (the kit calls it
// without).
func (u blockUploads) ListUploads(ctx context.Context, bucket, keyMarker, idMarker string) (UploadsResult, error) {
	var ids []string
	err := u.b.eachKey(ctx, bucket, BlockUploadsPrefix, func(k string) {
		if id := strings.TrimPrefix(k, BlockUploadsPrefix); !strings.Contains(id, "/") {
			ids = append(ids, id)
		}
	})
	var res UploadsResult
	for _, id := range ids {
		if st, err := u.b.readState(ctx, bucket, id); err == nil {
			res.Uploads = append(res.Uploads, StoreUpload{Key: st.Key, ID: id, Initiated: st.Initiated})
		}
	}
	return res, err
}

var _ Uploader = blockUploads{}
