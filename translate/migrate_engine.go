package translate

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// migratingRoute builds the migrating backend of a route with a Source.
func (e *Engine) migratingRoute(front string, r Route) *migrating {
	src := *r.Source
	m := &migrating{
		front:   front,
		dst:     &routed{b: e.backends[r.Backend], front: front, bucket: r.BackendBucket, prefix: r.KeyPrefix},
		src:     &routed{b: e.backends[src.Backend], front: front, bucket: src.Bucket, prefix: src.KeyPrefix},
		dstName: r.Backend, srcName: src.Backend,
		srcSide: src, dstSide: RouteSide{Backend: r.Backend, Bucket: r.BackendBucket, KeyPrefix: r.KeyPrefix},
	}
	if r.CopyOnRead {
		m.onRead = func(key string) { e.copyOnRead(m, key) }
	}
	return m
}

// copyOnRead copies key to the destination in the background, at most
// cap(readCopies) at a time; a read that finds every slot busy copies
// nothing (the bulk copy or a later read will).
func (e *Engine) copyOnRead(m *migrating, key string) {
	select {
	case e.readCopies <- struct{}{}:
	default:
		return
	}
	go func() {
		defer func() { <-e.readCopies }()
		if _, err := m.copyKey(context.Background(), key); err != nil {
			slog.Warn("copy on first read failed", "bucket", m.front, "key", key, "error", err)
		}
	}()
}

// Migration is the bulk copy's handle on one migrating route: it lists
// the source, copies and compares keys, and keeps the copy's state in
// the destination.
type Migration struct {
	m *migrating
}

// Migration returns the handle of the migrating route of a front bucket,
// or an error if the bucket's route is not migrating.
func (e *Engine) Migration(bucket string) (*Migration, error) {
	b, _ := e.route(bucket)
	m, ok := b.(*migrating)
	if !ok {
		return nil, fmt.Errorf("bucket %q has no migrating route (a route with from: and to:)", bucket)
	}
	return &Migration{m: m}, nil
}

// ServerSide reports whether both sides are on one backend, so that the
// backend copies without the bytes passing through the gateway.
func (g *Migration) ServerSide() bool { return g.m.srcName == g.m.dstName }

// Sides names the source and the destination, for messages.
func (g *Migration) Sides() (from, to RouteSide) { return g.m.srcSide, g.m.dstSide }

// EnsureDestination creates the destination bucket if it does not exist.
func (g *Migration) EnsureDestination(ctx context.Context) error {
	if _, err := g.m.dst.HeadBucket(ctx, g.m.front); CodeOf(err) != ErrNoSuchBucket {
		return err
	}
	if err := g.m.dst.CreateBucket(ctx, g.m.front); err != nil && CodeOf(err) != ErrBucketAlreadyOwnedByYou {
		return err
	}
	return nil
}

// ListSource returns one page of the source's keys under prefix, after
// after, in byte order.
func (g *Migration) ListSource(ctx context.Context, prefix, after string, max int) (ListPage, error) {
	return g.m.src.ListObjects(ctx, g.m.front, ListQuery{Prefix: prefix, After: after, MaxKeys: max})
}

// ListDestination returns one page of the destination's keys, less the
// migration's namespace.
func (g *Migration) ListDestination(ctx context.Context, prefix, after string, max int) (ListPage, error) {
	p, err := g.m.dst.ListObjects(ctx, g.m.front, ListQuery{Prefix: prefix, After: after, MaxKeys: max})
	if err != nil {
		return p, err
	}
	kept := p.Objects[:0]
	for _, o := range p.Objects {
		if !reserved(o.Key) {
			kept = append(kept, o)
		}
	}
	p.Objects = kept
	return p, nil
}

// Copy copies one key unless the destination has it or it was deleted
// during the migration, passing the bytes through wrap (nil: as they
// are); it returns what it did and the bytes copied.
func (g *Migration) Copy(ctx context.Context, key string, wrap func(io.Reader) io.Reader) (CopyOutcome, int64, error) {
	return g.m.copyKeyWith(ctx, key, WriteCond{IfAbsent: true}, wrap)
}

// Difference is one key on which the two sides disagree.
type Difference struct {
	Key    string
	Reason string
}

// Compare compares key on both sides: a key deleted or overwritten
// through the gateway during the migration (a tombstone) is not compared,
// any other must be on both with the same size, ETag and
// checksums; when the ETags differ (stores that compute them otherwise)
// both are read and their MD5s compared. It returns nil when they agree.
func (g *Migration) Compare(ctx context.Context, key string) (*Difference, error) {
	m := g.m
	dead, err := m.tombstoned(ctx, key)
	if err != nil {
		return nil, err
	}
	s, serr := m.src.HeadObject(ctx, m.front, key)
	d, derr := m.dst.HeadObject(ctx, m.front, key)
	for _, err := range []error{serr, derr} {
		if err != nil && CodeOf(err) != ErrNoSuchKey {
			return nil, err
		}
	}
	diff := func(f string, a ...any) (*Difference, error) {
		return &Difference{Key: key, Reason: fmt.Sprintf(f, a...)}, nil
	}
	switch {
	case dead:
		// Deleted or overwritten through the gateway during the migration:
		// what the source may still hold is superseded.
		return nil, nil
	case derr != nil && serr != nil:
		return nil, nil
	case derr != nil:
		return diff("missing on the destination")
	case serr != nil:
		return nil, nil // written through the gateway: the destination only
	case s.Size != d.Size:
		return diff("size %d on the source, %d on the destination", s.Size, d.Size)
	}
	for a, v := range s.Checksum {
		if w, ok := d.Checksum[a]; ok && w != v {
			return diff("%s %s on the source, %s on the destination", a, v, w)
		}
	}
	if s.ETag == d.ETag {
		return nil, nil
	}
	hs, err := g.hash(ctx, m.src, key)
	if err != nil {
		return nil, err
	}
	hd, err := g.hash(ctx, m.dst, key)
	if err != nil {
		return nil, err
	}
	if hs != hd {
		return diff("content differs (MD5 %s on the source, %s on the destination)", hs, hd)
	}
	return diff("ETag %q on the source, %q on the destination (same bytes)", s.ETag, d.ETag)
}

func (g *Migration) hash(ctx context.Context, b Backend, key string) (string, error) {
	o, err := b.GetObject(ctx, g.m.front, key, nil)
	if err != nil {
		return "", err
	}
	defer o.Body.Close()
	h := md5.New()
	if _, err := io.Copy(h, o.Body); err != nil {
		return "", fmt.Errorf("reading %q: %w", key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// stateKey is where the bulk copy keeps a named state object.
func stateKey(name string) string { return MigrateNamespace + "state." + name }

// LoadState returns the state object name from the destination, or nil
// if there is none.
func (g *Migration) LoadState(ctx context.Context, name string) ([]byte, error) {
	o, err := g.m.dst.GetObject(ctx, g.m.front, stateKey(name), nil)
	if c := CodeOf(err); c == ErrNoSuchKey || c == ErrNoSuchBucket {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer o.Body.Close()
	return io.ReadAll(o.Body)
}

// SaveState replaces the state object name in the destination, atomically.
func (g *Migration) SaveState(ctx context.Context, name string, data []byte) error {
	body, err := NewBody(strings.NewReader(string(data)), int64(len(data)), BodyOptions{})
	if err != nil {
		return err
	}
	_, err = g.m.dst.PutObject(ctx, g.m.front, stateKey(name), body, Metadata{ContentType: "application/json"})
	return err
}

// Cleanup deletes the migration's namespace (tombstones and state) from a
// bucket's backend; run after the cut-over, when the route no longer
// migrates and nothing falls through to the source. It returns the number
// of objects deleted.
func (e *Engine) Cleanup(ctx context.Context, bucket string) (int, error) {
	b, _ := e.route(bucket)
	if _, ok := b.(*migrating); ok {
		return 0, fmt.Errorf("bucket %q is still migrating: cut over first (the tombstones keep deleted keys from coming back)", bucket)
	}
	n := 0
	for {
		p, err := b.ListObjects(ctx, bucket, ListQuery{Prefix: MigrateNamespace, MaxKeys: 1000})
		if err != nil {
			return n, err
		}
		for _, o := range p.Objects {
			if err := b.DeleteObject(ctx, bucket, o.Key); err != nil {
				return n, err
			}
			n++
		}
		if !p.Truncated || len(p.Objects) == 0 {
			return n, nil
		}
	}
}

// WouldCopy reports whether Copy would copy key now: it is on the source,
// not on the destination, and was not deleted during the migration.
func (g *Migration) WouldCopy(ctx context.Context, key string) (bool, error) {
	m := g.m
	if dead, err := m.tombstoned(ctx, key); err != nil || dead {
		return false, err
	}
	_, err := m.dst.HeadObject(ctx, m.front, key)
	switch CodeOf(err) {
	case 0:
		return false, nil
	case ErrNoSuchKey, ErrNoSuchBucket:
		return true, nil
	}
	return false, err
}
