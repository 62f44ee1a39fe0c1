package storekit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/babelgate/babelgate/translate"
)

// Backend is the translate.Backend of a store: the kit's flow over its
// Driver. It is also a translate.ConditionalWriter, and an io.Closer that
// stops its reaper of abandoned staged uploads. It is safe for concurrent
// use. AsBackend adds translate.PartLocator when the driver declares it.
type Backend struct {
	// d is the driver as the kit calls it (guarded); up its uploads: the
	// driver's own (Uploader) or the kit's over its blocks (blockUploads).
	d          guarded
	up         Uploader
	blocks     bool
	keys       KeyChecker
	ab         Abilities
	o          Options
	stager     *Stager
	sweeper    *Sweeper
	reaper     *Reaper
	restreamed atomic.Int64
	// taken and computed are Abilities.Checksums and StoreChecksums as
	// sets.
	taken, computed map[translate.ChecksumAlgorithm]bool
}

// New builds the backend of driver d, reading its abilities once, and
// starts the reaper of abandoned staged uploads, which Close stops. It
// does not call the store.
func New(d Driver, o Options) (*Backend, error) {
	ab := d.Abilities()
	var errs []error
	if ab.Name == "" {
		errs = append(errs, errors.New("the driver declares no name"))
	}
	if ab.MinPartSize <= 0 || ab.MaxPartSize < ab.MinPartSize || ab.MaxParts <= 0 {
		errs = append(errs, fmt.Errorf("part rules %d..%d bytes, %d parts, are not usable", ab.MinPartSize, ab.MaxPartSize, ab.MaxParts))
	}
	if _, ok := d.(PartRanger); ab.PartRanges && !ok {
		errs = append(errs, errors.New("the driver declares PartRanges but is no PartRanger"))
	}
	if _, ok := d.(MetadataUpdater); ab.MetadataUpdate && !ok {
		errs = append(errs, errors.New("the driver declares MetadataUpdate but is no MetadataUpdater"))
	}
	g := newGuarded(d)
	switch {
	case g.up != nil && g.bs == nil:
	case g.bs != nil && g.up == nil:
		if ab.MaxBlockSize <= 0 || ab.MaxBlocks <= 0 || ab.CopyPart {
			errs = append(errs, fmt.Errorf("a BlockStore needs MaxBlockSize and MaxBlocks (%d, %d) and copies no parts", ab.MaxBlockSize, ab.MaxBlocks))
		}
	default:
		errs = append(errs, errors.New("the driver must be an Uploader or a BlockStore (one of them)"))
	}
	if o.RequestTimeout <= 0 || o.Retries < 0 || o.StagingMaxAge < 0 {
		errs = append(errs, fmt.Errorf("options %+v out of range", o))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("storekit: %s driver: %w", ab.Name, err)
	}
	if o.StagingMaxAge == 0 {
		o.StagingMaxAge = DefaultStagingMaxAge
	}
	b := &Backend{d: g, up: g, blocks: g.bs != nil, ab: ab, o: o, taken: set(ab.Checksums), computed: set(ab.StoreChecksums)}
	if b.blocks {
		b.up = blockUploads{b: b, g: g}
	}
	b.keys, _ = d.(KeyChecker)
	b.stager = &Stager{Name: ab.Name, Store: kitStore{b}, MinPartSize: ab.MinPartSize, MaxParts: ab.MaxParts, Restreamed: &b.restreamed}
	b.sweeper = b.stager.Sweeper(o.StagingMaxAge)
	b.reaper = StartReaper(ab.Name, b.sweeper)
	return b, nil
}

func set(algs []translate.ChecksumAlgorithm) map[translate.ChecksumAlgorithm]bool {
	m := make(map[translate.ChecksumAlgorithm]bool, len(algs))
	for _, a := range algs {
		m[a] = true
	}
	return m
}

// AsBackend is b as the gateway should see it: b itself, or, when the
// driver declares PartRanges, b with translate.PartLocator.
func (b *Backend) AsBackend() translate.Backend {
	if b.ab.PartRanges {
		return locating{b}
	}
	return b
}

// locating is a Backend whose driver locates parts.
type locating struct{ *Backend }

// PartRange implements translate.PartLocator through the driver.
func (l locating) PartRange(ctx context.Context, bucket, key string, n int) (rng *translate.Range, count int, err error) {
	err = l.do(ctx, bucket, key, func(ctx context.Context) error {
		rng, count, err = l.d.PartRange(ctx, bucket, key, n)
		return err
	})
	return rng, count, err
}

// Abilities returns what the driver declared.
func (b *Backend) Abilities() Abilities { return b.ab }

// Sweep removes now, in every bucket of the store, the staged uploads
// initiated longer than Options.StagingMaxAge ago (what the background
// reaper does periodically), and returns how many it removed; see
// Sweeper.Sweep for how failures are reported.
func (b *Backend) Sweep(ctx context.Context) (int, error) { return b.sweeper.Sweep(ctx) }

// Close implements io.Closer: it stops the reaper of abandoned staged
// uploads, waiting for a sweep in progress to end. The backend stays
// usable. It may be called more than once.
func (b *Backend) Close() error {
	b.reaper.Stop()
	return nil
}

// RestreamedBytes returns how many bytes this backend has streamed a
// second time to assemble staged parts into store parts. Parts copied
// server-side are not counted.
func (b *Backend) RestreamedBytes() int64 { return b.restreamed.Load() }

// StagedKeys lists what the store holds of staged upload id in bucket
// under the reserved prefix: its state directory and its marker.
func (b *Backend) StagedKeys(ctx context.Context, bucket, id string) ([]string, error) {
	var keys []string
	add := func(k string) { keys = append(keys, k) }
	if err := b.eachKey(ctx, bucket, UploadDir(id), add); err != nil {
		return nil, err
	}
	err := b.eachKey(ctx, bucket, StagedMarker(id), func(k string) {
		if k == StagedMarker(id) {
			add(k)
		}
	})
	return keys, err
}

// ListBuckets implements translate.Backend, sorted by name.
func (b *Backend) ListBuckets(ctx context.Context) (out []translate.BucketInfo, err error) {
	err = b.do(ctx, "", "", func(ctx context.Context) error {
		out, err = b.d.ListBuckets(ctx)
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// CreateBucket implements translate.Backend. Not retried: a retry after a
// lost success would report the bucket as existing. When the store says
// the bucket exists whoever owns it (Abilities.ExistsWhoeverOwns), a
// bucket the gateway's credential can read is BucketAlreadyOwnedByYou.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	err := b.once(ctx, bucket, "", func(ctx context.Context) error { return b.d.CreateBucket(ctx, bucket) })
	if b.ab.ExistsWhoeverOwns && translate.CodeOf(err) == translate.ErrBucketAlreadyExists {
		if _, herr := b.HeadBucket(ctx, bucket); herr == nil {
			return &translate.Error{Code: translate.ErrBucketAlreadyOwnedByYou, Bucket: bucket, Err: err}
		}
	}
	return err
}

// HeadBucket implements translate.Backend.
func (b *Backend) HeadBucket(ctx context.Context, bucket string) (info translate.BucketInfo, err error) {
	err = b.do(ctx, bucket, "", func(ctx context.Context) error {
		info, err = b.d.HeadBucket(ctx, bucket)
		return err
	})
	return info, err
}

// DeleteBucket implements translate.Backend: it refuses a bucket with
// objects, then aborts every upload in progress (all pages of them) and
// removes the gateway's state, then deletes the bucket (not retried: a
// retry after a lost success would say NoSuchBucket). A failed abort
// stops it before the bucket is touched.
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	page, err := b.ListObjects(ctx, bucket, translate.ListQuery{MaxKeys: 1})
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 || len(page.CommonPrefixes) > 0 {
		return &translate.Error{Code: translate.ErrBucketNotEmpty, Bucket: bucket, Message: "The bucket you tried to delete is not empty"}
	}
	uploads, err := b.storeUploads(ctx, bucket)
	if err != nil {
		return err
	}
	var errs []error
	for _, u := range uploads {
		err := b.do(ctx, bucket, u.Key, func(ctx context.Context) error { return b.up.AbortUpload(ctx, bucket, u.Key, u.ID) })
		if err != nil && translate.CodeOf(err) != translate.ErrNoSuchUpload {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := b.deletePrefix(ctx, bucket, Prefix); err != nil {
		return err
	}
	return b.once(ctx, bucket, "", func(ctx context.Context) error { return b.d.DeleteBucket(ctx, bucket) })
}

// storeUploads lists every upload the store has in progress in bucket,
// reading all its pages. A store that pages without moving its markers
// forward ends the listing rather than loop.
func (b *Backend) storeUploads(ctx context.Context, bucket string) ([]StoreUpload, error) {
	var all []StoreUpload
	keyMarker, idMarker := "", ""
	for {
		var page UploadsResult
		list := func(ctx context.Context) (err error) {
			page, err = b.up.ListUploads(ctx, bucket, keyMarker, idMarker)
			return err
		}
		var err error
		if b.blocks {
			err = list(ctx) // bounds and retries its own calls
		} else {
			err = b.do(ctx, bucket, "", list)
		}
		if translate.CodeOf(err) == translate.ErrInvalidArgument && idMarker != "" {
			// A store may refuse the upload-id-marker it handed out
			// (versitygw 1.8.0 looks for it among the keys after
			// key-marker): continue after key-marker alone, which on such
			// a store can miss further uploads of the page's last key
			// (DeleteBucket then finds the bucket not empty rather than
			// lose them).
			idMarker = ""
			continue
		}
		if err != nil {
			return nil, err
		}
		all = append(all, page.Uploads...)
		if !page.Truncated || page.NextKeyMarker == "" ||
			(page.NextKeyMarker == keyMarker && page.NextIDMarker == idMarker) {
			return all, nil
		}
		keyMarker, idMarker = page.NextKeyMarker, page.NextIDMarker
	}
}

// eachKey calls fn for every key with prefix, paging the driver's List.
func (b *Backend) eachKey(ctx context.Context, bucket, prefix string, fn func(key string)) error {
	req := ListRequest{Prefix: prefix, Max: 1000}
	for {
		var page ListResult
		err := b.do(ctx, bucket, "", func(ctx context.Context) (err error) {
			page, err = b.d.List(ctx, bucket, req)
			return err
		})
		if err != nil {
			return err
		}
		for _, o := range page.Objects {
			fn(o.Key)
		}
		if !page.Truncated || len(page.Objects) == 0 || page.Objects[len(page.Objects)-1].Key <= req.StartAfter {
			return nil
		}
		req.StartAfter, req.Token = page.Objects[len(page.Objects)-1].Key, page.NextToken
	}
}

// deletePrefix removes every object under prefix, a thousand at a time.
func (b *Backend) deletePrefix(ctx context.Context, bucket, prefix string) error {
	var keys []string
	if err := b.eachKey(ctx, bucket, prefix, func(k string) { keys = append(keys, k) }); err != nil {
		return err
	}
	for chunk := range slices.Chunk(keys, 1000) {
		if err := b.do(ctx, bucket, "", func(ctx context.Context) error { return b.d.Delete(ctx, bucket, chunk) }); err != nil {
			return err
		}
	}
	return nil
}

var (
	_ translate.Backend           = (*Backend)(nil)
	_ translate.ConditionalWriter = (*Backend)(nil)
	_ translate.PartLocator       = locating{}
	_ io.Closer                   = (*Backend)(nil)
)
